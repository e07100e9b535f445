//! `runas -S PROFILE COMMAND...` and `runas serve ecs|imds PROFILE`: credentials from a
//! loopback endpoint, refreshed through the shared cache for as long as something runs.

use crate::commands::Ask;
use crate::creds::{self, Fresh};
use crate::error::{Error, Result};
use crate::exec::format::Lines;
use crate::exec::{self, Environment};
use crate::log::{debug, warning};
use crate::profile::Profiles;
use crate::profile::chain::Chain;
use crate::serve::views::Views;
use crate::serve::{
    self, AuthToken, Endpoint, Identity, Running, Supply, child, ecs, handover, http, imds,
};
use crate::session;
use aws_types::os_shim_internal::Env;
use std::ffi::OsString;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

/// `runas serve ecs|imds PROFILE`, as asked.
#[derive(Debug)]
pub struct Serve {
    pub kind: Kind,
    /// On 127.0.0.1; 0 for a free one.
    pub port: u16,
    /// Where to write the variables (0600, removed on stop), instead of stdout.
    pub env_file: Option<std::path::PathBuf>,
    /// The shell (or file) the variables are printed for.
    pub lines: Lines,
    pub ask: Ask,
}

/// The kinds of endpoint SDKs know how to ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An ECS container endpoint, with a bearer token.
    Ecs,
    /// An IMDSv2 instance metadata endpoint.
    Imds,
}

/// `runas -S`: the command runs as runas's child and asks an ECS-style endpoint for its
/// credentials, which runas keeps fresh until the child ends.
/// With `expiration` (`-e`), says when the first credentials expire.
pub(crate) fn child_process(
    chain: Chain,
    profiles: &Profiles,
    options: &creds::Options,
    command: &[OsString],
    expiration: bool,
    env: &Env,
) -> Result<ExitCode> {
    let (profile, region) = (chain.profile().to_owned(), chain.region.clone());
    let fresh = Fresh::start(chain, options.clone(), env)?;
    if expiration && let Some(t) = fresh.current().expiration {
        eprintln!(
            "Credentials: {} ({}); the endpoint refreshes them before then",
            creds::remaining(t),
            creds::rfc3339(t)
        );
    }
    if fresh.current().expiration.is_none() {
        // Long-term keys never expire: there is nothing to refresh, so no server either.
        debug!("long-term keys: running the command with them, not serving");
        let environment = Environment::new(fresh.current(), &region, &profile);
        return Err(exec::exec(command, &environment));
    }
    let listener = http::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
    let uri = format!("http://{}{}", serve::address(&listener)?, ecs::PATH);
    let token = token()?;
    let mut environment = Environment::served(&uri, token.expose(), &region, &profile);
    let views = views(profiles, &mut environment, env)?;
    let running = Running::start(listener, ecs_endpoint(token, fresh))?;
    debug!("serving credentials for `{profile}` on {uri}");
    let status = child::run(command, &environment);
    if let Err(e) = running.stop() {
        debug!("stopping the endpoint: {e}");
    }
    drop(views);
    status
}

/// When `[default]` has credentials of its own, which SDKs would use before the endpoint:
/// views of the profile files without them, for as long as the returned value lives.
/// Without a cache directory to write them in, a warning.
fn views(profiles: &Profiles, environment: &mut Environment, env: &Env) -> Result<Option<Views>> {
    let cache = creds::cache::Cache::locate(env);
    let Some(dir) = cache.dir() else {
        warn_if_default_shadows(profiles);
        return Ok(None);
    };
    let views = Views::write(&profiles.files, dir)?;
    if let Some(views) = &views {
        environment.reading(&views.config, &views.credentials);
    }
    Ok(views)
}

/// `runas serve ecs|imds PROFILE`: prints the variables that point an SDK at the endpoint,
/// then serves until SIGINT or SIGTERM.
pub fn endpoint(args: Serve) -> Result<ExitCode> {
    let env = Env::real();
    let (profiles, chain) = session::plan(&args.ask.request, &env)?;
    let (profile, region) = (chain.profile().to_owned(), chain.region.clone());
    // The port first: a taken one fails before an MFA prompt or an STS call.
    let listener = http::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, args.port)))?;
    let address = serve::address(&listener)?;
    let (mut environment, token) = match args.kind {
        Kind::Ecs => {
            let uri = format!("http://{address}{}", ecs::PATH);
            let token = token()?;
            let environment = Environment::served(&uri, token.expose(), &region, &profile);
            (environment, Some(token))
        }
        Kind::Imds => {
            let environment =
                Environment::metadata(&format!("http://{address}"), &region, &profile);
            (environment, None)
        }
    };
    // So is a format that cannot carry the variables.
    printable(args.kind, args.lines, &environment)?;
    let fresh = start(chain, &args.ask, &env)?;
    let endpoint = match token {
        Some(token) => ecs_endpoint(token, fresh),
        None => {
            let identity = Identity::of(&fresh);
            Endpoint::Imds(imds::Imds::new(Supply::start(fresh), identity))
        }
    };
    let interruptible = serve::Interruptible::catch()?;
    let views = views(&profiles, &mut environment, &env)?;
    let text = args.lines.render(&environment)?;
    let used_by = |path: &std::path::Path| args.lines.used_by(path);
    let secret = token_printed(args.kind);
    let env_file = handover::hand_over(&text, args.env_file.as_deref(), used_by, secret)?;
    eprintln!("runas: serving `{profile}` on http://{address} until interrupted");
    if let Some(views) = &views {
        eprintln!(
            "runas: [default] has credentials of its own, which SDKs would use before the \
             endpoint: AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE point at views of the \
             profile files without them (in {}), removed when this server stops",
            views.dir().display()
        );
    }
    let served = interruptible.serve(listener, endpoint);
    drop((views, env_file));
    served?;
    debug!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Whether the printed variables carry a secret: the ECS endpoint's token.
fn token_printed(kind: Kind) -> bool {
    match kind {
        Kind::Ecs => true,
        Kind::Imds => false,
    }
}

/// Refuses, before any prompt or call, a format that cannot carry the variables, and
/// env's words for a token: they are a command's arguments, which every local user can
/// read in the process table.
fn printable(kind: Kind, lines: Lines, environment: &Environment) -> Result<()> {
    if lines == Lines::EnvNoExport && token_printed(kind) {
        return Err(Error::Usage(
            "-O env-no-export would put the endpoint's token in a command's arguments, which \
             other users can read; use -O env, or another shell's format"
                .into(),
        ));
    }
    lines.render(environment).map(drop)
}

/// SDKs read the profile files before they ask an endpoint, so credentials of
/// `[default]` would win over it in a client that names no profile: said when there is
/// nowhere to write views without them.
fn warn_if_default_shadows(profiles: &Profiles) {
    use crate::profile::key;
    const SOURCES: [&str; 7] = [
        key::ACCESS_KEY_ID,
        key::ROLE_ARN,
        key::CREDENTIAL_PROCESS,
        key::SSO_SESSION,
        key::SSO_START_URL,
        key::WEB_IDENTITY_TOKEN_FILE,
        key::CREDENTIAL_SOURCE,
    ];
    if let Some(default) = profiles.get("default")
        && let Some(found) = SOURCES.iter().find(|k| default.get(k).is_some())
    {
        warning!(
            "[default] has `{found}`: SDKs use it before the endpoint, so a client that names \
             no profile gets [default]'s credentials, not these"
        );
    }
}

/// The first credentials, now: a prompt for an MFA code happens here, on the terminal.
fn start(chain: Chain, ask: &Ask, env: &Env) -> Result<Fresh> {
    let fresh = Fresh::start(chain, ask.options.clone(), env)?;
    if fresh.current().expiration.is_none() {
        return Err(Error::Usage(format!(
            "profile `{}` has long-term keys, which an endpoint cannot serve (SDKs want a \
             session token and an expiry); serve a role, or pass -s for a session token",
            ask.profile()
        )));
    }
    Ok(fresh)
}

fn token() -> Result<AuthToken> {
    AuthToken::random().map_err(|e| Error::Internal(format!("cannot read /dev/urandom: {e}")))
}

fn ecs_endpoint(token: AuthToken, fresh: Fresh) -> Endpoint {
    let identity = Identity::of(&fresh);
    Endpoint::Ecs(ecs::Ecs {
        token,
        identity,
        supply: Supply::start(fresh),
    })
}
