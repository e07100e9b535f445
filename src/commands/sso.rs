//! `runas sso login` and `runas sso logout`: which IAM Identity Center session a profile
//! or an `[sso-session]` names, then the sign-in or sign-out (`crate::sso`).

use crate::creds::cache;
use crate::error::{Error, Result};
use crate::profile::chain::{Request, SsoSession, Target as Plan};
use crate::profile::root::Source;
use crate::profile::{Files, Profiles};
use crate::sdk::{Network, Settings};
use crate::sso::{self, Method};
use aws_types::os_shim_internal::Env;
use std::process::ExitCode;

/// Whose session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Profile(String),
    Session(String),
    /// AWS_PROFILE, else `default`, as the AWS CLI.
    Default,
}

#[derive(Debug, Clone)]
pub struct Login {
    pub target: Target,
    pub method: Method,
}

fn session(target: &Target, env: &Env) -> Result<(SsoSession, Network)> {
    let profile = match target {
        Target::Session(name) => {
            let profiles = Profiles::load(Files::from_env(env))?;
            let session = crate::profile::sso_session(&profiles, name)?;
            let network = Network::new(Settings {
                region: session.region.clone(),
                profile: None,
                endpoint_url: None,
            });
            return Ok((session, network));
        }
        Target::Profile(name) => name.clone(),
        Target::Default => env
            .get(crate::variables::AWS_PROFILE.name)
            .ok()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "default".to_owned()),
    };
    let request = Request {
        target: Plan::Profile(profile.clone()),
        ..Request::default()
    };
    let (_, chain) = crate::session::plan(&request, env)?;
    let Source::Sso(settings) = &chain.root.source else {
        return Err(Error::Usage(format!(
            "profile `{profile}` does not get its credentials from IAM Identity Center (it has no \
             sso_session or sso_start_url, nor a source profile with one); name one that does, \
             or an [sso-session NAME] with --sso-session"
        )));
    };
    let session = settings.session();
    let network = Network::new(Settings {
        region: session.region.clone(),
        profile: Some(profile),
        endpoint_url: None,
    });
    Ok((session, network))
}

pub fn login(args: Login) -> Result<ExitCode> {
    let env = Env::real();
    let (session, network) = session(&args.target, &env)?;
    let token = sso::login(&network, &session, args.method)?;
    eprintln!(
        "runas: signed in to IAM Identity Center ({}); the sign-in {}",
        sso::label(&session),
        crate::creds::remaining(token.expires_at)
    );
    Ok(ExitCode::SUCCESS)
}

pub fn logout(target: Target) -> Result<ExitCode> {
    let env = Env::real();
    let (session, network) = session(&target, &env)?;
    let signed_out = sso::logout(&network, &session)?;
    // Role credentials runas cached from this sign-in go with it, and the registry tokens
    // fetched with them, which the Docker helper would otherwise hand out for hours.
    let prefix = crate::profile::root::sso_identity_prefix(&session.start_url);
    let kinds = [cache::ENTRY, crate::ecr::token_cache::EXTENSION];
    let forgotten = cache::Cache::locate(&env).forget(&kinds, |line| line.starts_with(&prefix));
    if forgotten > 0 {
        eprintln!(
            "runas: removed {forgotten} cached entries (credentials, registry tokens) of that sign-in"
        );
    }
    if signed_out {
        eprintln!(
            "runas: signed out of IAM Identity Center ({})",
            sso::label(&session)
        );
    } else {
        eprintln!(
            "runas: no IAM Identity Center sign-in for {} to remove",
            sso::label(&session)
        );
    }
    Ok(ExitCode::SUCCESS)
}
