//! From a request to a plan, then to credentials: the part every command that needs
//! credentials shares.

use crate::creds::{self, Credentials, Execution};
use crate::error::Result;
use crate::log::{debug, warning};
use crate::profile::chain::{Chain, Request};
use crate::profile::resolve;
use crate::profile::{Files, Profiles};
use aws_types::os_shim_internal::Env;

/// Reads the files and resolves the request into a plan. No network.
pub fn plan(request: &Request, env: &Env) -> Result<(Profiles, Chain)> {
    let profiles = Profiles::load(Files::from_env(env))?;
    let chain = resolve::resolve(&profiles, request, env)?;
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
    options: &creds::Options,
    env: &Env,
) -> Result<(Execution, Credentials)> {
    // Checked here as well as when the network is built, so that a bad endpoint_url is
    // reported whether or not everything happens to be cached.
    crate::endpoint_url::check(chain.sts_endpoint.as_deref())?;
    let mut execution = Execution::new(chain, options.clone(), env);
    let credentials = execution.credentials()?;
    Ok((execution, credentials))
}
