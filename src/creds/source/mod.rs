//! Where the first credentials of a chain come from, one file per kind of root: keys in a
//! profile, `credential_process`, SSO, a web identity token, the environment, and the EC2
//! and ECS metadata endpoints.
//!
//! The kinds the SDK already reads well (SSO, environment, metadata) go through its
//! providers, each within the deadline; the others are runas's own.

mod ec2;
mod ecs;
mod environment;
mod process;
mod sso;
mod web_identity;

use super::Credentials;
use crate::error::{Error, Result};
use crate::log::debug;
use crate::profile::chain::{Chain, NamedSource, Root};
use crate::sdk::Network;
use aws_credential_types::provider::ProvideCredentials;

/// The root's credentials. Keys and `credential_process` never build the network.
pub fn fetch(chain: &Chain, network: &Network) -> Result<Credentials> {
    let root = &chain.root;
    debug!("fetching {}", root.describe());
    match root {
        Root::AccessKey { credentials, .. } => Ok(credentials.clone()),
        Root::CredentialProcess { profile, command } => process::credentials(profile, command),
        Root::Sso {
            profile,
            session,
            account_id,
            role_name,
        } => sso::Sso {
            profile,
            session,
            account_id,
            role_name,
            auto_login: chain.sso_auto_login,
        }
        .credentials(network),
        Root::WebIdentity {
            profile,
            role_arn,
            token_file,
            session_name,
            duration,
        } => web_identity::WebIdentity {
            role_arn,
            token_file,
            session_name,
            duration: *duration,
        }
        .credentials(profile, network),
        Root::Named { profile, source } => {
            let what = format!("credential_source {} of profile `{profile}`", source.name());
            network.block_on(async {
                match source {
                    NamedSource::Environment => provided(environment::provider(), &what).await,
                    NamedSource::Ec2InstanceMetadata => provided(ec2::provider(), &what).await,
                    NamedSource::EcsContainer => provided(ecs::provider(), &what).await,
                }
            })?
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
