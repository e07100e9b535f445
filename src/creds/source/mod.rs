//! Where the first credentials of a chain come from, one file per kind of root: keys in a
//! profile, `credential_process`, SSO, an `aws login` session, a web identity token, the
//! environment, and the EC2 and ECS metadata endpoints.
//!
//! The kinds the SDK already reads well (SSO, environment, metadata) go through its
//! providers, each within the deadline; the others are runas's own.

mod ec2;
mod ecs;
mod environment;
pub mod login;
mod process;
mod sso;
mod web_identity;

use super::Credentials;
use crate::error::{Error, Result};
use crate::log::debug;
use crate::profile::root::{NamedSource, Root, Source};
use crate::sdk::Network;
use aws_credential_types::provider::ProvideCredentials;

/// The root's credentials. Keys and `credential_process` never build the network.
pub(crate) fn fetch(root: &Root, context: &Context, network: &Network) -> Result<Credentials> {
    debug!("fetching {}", root.describe());
    let mut credentials = fetch_source(root, context, network)?;
    // What the source did not say, the plan may know (aws_account_id, sso_account_id, the
    // web identity role's account).
    if credentials.account_id.is_none() {
        credentials.account_id = root.account().map(str::to_owned);
    }
    Ok(credentials)
}

fn fetch_source(root: &Root, context: &Context, network: &Network) -> Result<Credentials> {
    let profile = &root.profile;
    match &root.source {
        Source::AccessKey(credentials) => Ok(credentials.clone()),
        Source::CredentialProcess(command) => process::credentials(profile, command),
        Source::Sso(settings) => sso::Sso {
            profile,
            session: &settings.session(),
            account_id: &settings.account_id,
            role_name: &settings.role_name,
            auto_login: context.sso_auto_login,
        }
        .credentials(network),
        Source::WebIdentity(w) => web_identity::WebIdentity {
            role_arn: &w.role_arn,
            token_file: &w.token_file,
            session_name: &w.session_name,
            duration: w.duration,
        }
        .credentials(profile, network),
        Source::Named(source) => {
            let what = root.describe();
            network.block_on(async {
                match source {
                    NamedSource::Environment => provided(environment::provider(), &what).await,
                    NamedSource::Ec2InstanceMetadata => provided(ec2::provider(), &what).await,
                    NamedSource::EcsContainer => provided(ecs::provider(), &what).await,
                }
            })?
        }
        Source::LoginSession(session) => {
            login::Login { profile, session }.credentials(context, network)
        }
    }
}

/// What a root reads besides the profile files, for `diagnose`: never a secret.
pub fn inspect(root: &Root, context: &Context) -> Vec<String> {
    match &root.source {
        Source::LoginSession(session) => login::Login {
            profile: &root.profile,
            session,
        }
        .inspect(context),
        Source::WebIdentity(w) => vec![format!("web identity token file: {}", w.token_file)],
        Source::Sso(settings) => crate::sso::inspect(&settings.session()),
        Source::AccessKey(_) | Source::CredentialProcess(_) | Source::Named(_) => vec![],
    }
}

/// What fetching a root needs from the run's surroundings, read once.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    /// Credentials good for less than this are refreshed (`RUNAS_REFRESH_MARGIN`).
    pub margin: std::time::Duration,
    /// The AWS CLI's login cache directory, if there is one.
    pub login_dir: Option<std::path::PathBuf>,
    /// The profile's `sso_auto_login`: a run without a terminal may sign in.
    pub sso_auto_login: bool,
    /// `-r`: a root that renews itself (a login session) renews now, however fresh it is.
    pub renew: bool,
}

impl Context {
    pub fn new(env: &aws_types::os_shim_internal::Env, margin: std::time::Duration) -> Context {
        Context {
            margin,
            login_dir: login::file::dir(
                env.get(crate::variables::AWS_LOGIN_CACHE_DIRECTORY.name)
                    .ok(),
                env.get(crate::variables::HOME.name).ok(),
            ),
            sso_auto_login: false,
            renew: false,
        }
    }
}

/// Credentials from one of the SDK's providers, which have no deadline of their own.
async fn provided(provider: impl ProvideCredentials, what: &str) -> Result<Credentials> {
    let fetched = tokio::time::timeout(crate::deadline::timeout(), provider.provide_credentials())
        .await
        .map_err(|_| Error::Credentials {
            what: what.to_owned(),
            message: format!("no answer within {}", crate::deadline::describe()),
        })?;
    fetched
        .map(|c| Credentials::from_sdk(&c))
        .map_err(|e| Error::Credentials {
            what: what.to_owned(),
            message: crate::error::causes(&e),
        })
}
