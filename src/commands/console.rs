//! `runas console PROFILE`: the AWS console in a browser as the profile's identity.

use crate::commands::Ask;
use crate::console::{self, Federation, Route, browser, signin};
use crate::error::{Error, Result};
use crate::log::debug;
use crate::profile::chain::Step;
use crate::session;
use crate::variables::{AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SIGNIN};
use aws_types::os_shim_internal::Env;
use std::process::ExitCode;
use std::time::Duration;

/// `runas console`, as asked.
#[derive(Debug, Default)]
pub struct Console {
    pub ask: Ask,
    /// `--service`: the service's page.
    pub service: Option<String>,
    /// `--destination`: a console URL to land on.
    pub destination: Option<String>,
    /// `--url`: print the URL instead of opening it.
    pub print_url: bool,
    /// `--logout-first`: sign the browser out of another session first.
    pub logout_first: bool,
}

/// What GetFederationToken asks for: the longest console session AWS gives.
const FEDERATION_DURATION: Duration = Duration::from_secs(12 * 3600);

pub fn run(args: Console) -> Result<ExitCode> {
    let env = Env::real();
    let (profiles, chain) = session::plan(&args.ask.request, &env)?;
    if matches!(chain.steps.last(), Some(Step::SessionToken { .. })) {
        return Err(Error::Usage(format!(
            "profile `{}` ends in GetSessionToken credentials, which the console refuses; give a profile that assumes a role, or one with long-term keys and no MFA session (runas then gets a federation token)",
            chain.profile()
        )));
    }
    let moved = [AWS_ENDPOINT_URL_SIGNIN, AWS_ENDPOINT_URL]
        .into_iter()
        .find_map(|v| std::env::var(v.name).ok().filter(|u| !u.is_empty()))
        .or_else(|| console::moved_by_profile(&profiles, args.ask.request.target.profile()));
    crate::endpoint_url::check(moved.as_deref())?;
    let federation = Federation::of(crate::partition::of_region(&chain.region), moved.as_deref())?;
    let destination = federation.destination(
        &chain.region,
        args.service.as_deref(),
        args.destination.as_deref(),
    )?;
    let planned = chain.clone();
    let (execution, credentials) = session::credentials(chain, &args.ask.options, &env)?;
    let route = Route::of(&planned, &credentials);
    debug!(
        "console: {route:?}, federation endpoint {}",
        federation.endpoint
    );
    let (credentials, duration) = match route {
        Route::FederationToken => {
            let name = federated_name();
            let federated = execution.federation_token(&credentials, &name, FEDERATION_DURATION)?;
            (federated, None)
        }
        Route::RoleFromLongTermKeys(seconds) => (credentials, Some(seconds)),
        Route::Session => (credentials, None),
        Route::SessionTokenOnly => {
            return Err(Error::Usage(format!(
                "profile `{}` gives GetSessionToken credentials, which the console refuses",
                planned.profile()
            )));
        }
    };
    let document = console::session_document(&credentials);
    let token = execution.network().block_on(signin::token(
        &federation.endpoint,
        &document,
        duration,
    ))??;
    let url = federation.login_url(&token, &destination, args.logout_first);
    if args.print_url {
        crate::log::warning!(
            "the URL below signs anyone who opens it in to the console as `{}` for 15 minutes: treat it as a password",
            planned.profile()
        );
        crate::output::text(&format!("{}\n", url.expose()));
    } else {
        browser::open(&url)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The federated user's name: the local user's, in the characters and length AWS takes
/// (2 to 32 of `[\w+=,.@-]`), else `runas`.
fn federated_name() -> String {
    let user: String = std::env::var(crate::variables::USER.name)
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(*c))
        .take(32)
        .collect();
    if user.len() >= 2 {
        user
    } else {
        "runas".to_owned()
    }
}
