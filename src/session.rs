//! From a profile name and the credential flags to a plan, then to credentials: the part
//! every command that needs credentials shares.

use crate::cli::CredentialArgs;
use crate::creds::{self, Credentials, Execution};
use crate::error::Result;
use crate::log::{debug, warning};
use crate::profile::chain::{Chain, Request, Target};
use crate::profile::resolve;
use crate::profile::{Files, Profiles};
use crate::secret::Secret;
use aws_types::os_shim_internal::Env;

/// What the flags ask of the profile files.
pub fn request(profile: &str, args: &CredentialArgs) -> Request {
    Request {
        target: Target::parse(profile),
        region: args.region.clone(),
        mfa_serial: args.mfa_serial.clone(),
        external_id: args.external_id.clone(),
        role_duration: args.role_duration,
        session_duration: args.session_duration,
        session_only: args.session,
    }
}

/// Reads the files and resolves `profile` into a plan. No network.
pub fn plan(profile: &str, args: &CredentialArgs, env: &Env) -> Result<(Profiles, Chain)> {
    let profiles = Profiles::load(Files::from_env(env))?;
    let chain = resolve::resolve(&profiles, &request(profile, args), env)?;
    for warning in &chain.warnings {
        warning!("{warning}");
    }
    debug!("region {} (from {})", chain.region, chain.region_source);
    for (i, line) in chain.describe().iter().enumerate() {
        debug!("chain {i}: {line}");
    }
    Ok((profiles, chain))
}

/// Executes the plan: from the cache when it can, from STS when it must.
pub fn credentials(
    chain: Chain,
    args: &CredentialArgs,
    env: &Env,
) -> Result<(Execution, Credentials)> {
    crate::endpoint_url::check(chain.sts_endpoint.as_deref().map(|e| (e, "endpoint_url")))?;
    let options = creds::Options {
        refresh: args.refresh,
        otp: args.otp.clone().map(Secret::new),
    };
    let mut execution = Execution::new(chain, options, env);
    let credentials = execution.credentials()?;
    Ok((execution, credentials))
}
