//! IAM Identity Center sign-in, built in: the token file the AWS CLI and the SDKs share,
//! kept usable by refreshing it when it can, and by signing in (a browser, or a device
//! code) when it must; and once, however many runs ask at the same moment.
//!
//! Every use of the token file that may change it (a sign-in, a refresh, whose refresh
//! token rotates) goes through the file's single-flight slot: under its lock, after reading
//! the file again, so the runs that waited find the work done; a failed sign-in is
//! remembered for a minute, so they report it instead of each opening the next browser.

mod callback;
mod cancel;
mod flow;
mod oidc;
mod pkce;
mod portal;
mod registration;
pub mod token;

pub(crate) use flow::Method;

use crate::error::{Error, Result};
use crate::log::warning;
use crate::profile::chain::SsoSession;
use crate::sdk::Network;
use crate::secret::Secret;
use crate::single_flight::{Fetched, Look, Slot};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use token::Token;

thread_local! {
    /// Set on threads that must never open a browser (the refreshes of -S and serve, the
    /// Docker credential helper): they say what to run instead.
    static NO_SIGN_IN: Cell<bool> = const { Cell::new(false) };
}

/// Set by a process that must never open a browser, on any of its threads.
static NO_SIGN_IN_AT_ALL: AtomicBool = AtomicBool::new(false);

/// From now on, this thread refreshes tokens but never signs in.
pub(crate) fn never_sign_in_on_this_thread() {
    NO_SIGN_IN.with(|c| c.set(true));
}

/// From now on, no thread of this process signs in (the Docker credential helper).
pub fn never_sign_in() {
    NO_SIGN_IN_AT_ALL.store(true, Ordering::Relaxed);
}

/// Whether this thread may sign in at all.
pub(crate) fn sign_in_allowed_here() -> bool {
    !NO_SIGN_IN.with(Cell::get) && !NO_SIGN_IN_AT_ALL.load(Ordering::Relaxed)
}

fn parent(path: &Path) -> &Path {
    path.parent().unwrap_or(Path::new("."))
}

fn home() -> Result<PathBuf> {
    std::env::var_os(crate::variables::HOME.name)
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| {
            Error::Usage(
                "HOME is not set, so there is no ~/.aws/sso/cache for the IAM Identity Center token"
                    .to_owned(),
            )
        })
}

/// How messages name a session: `sso-session corp`, or the start URL of a legacy profile.
pub(crate) fn label(session: &SsoSession) -> String {
    match &session.name {
        Some(name) => format!("sso-session {name}"),
        None => format!("start URL {}", crate::text::escape(&session.start_url)),
    }
}

/// How long a sign-in may take, and so how long the runs behind it wait: a person at a
/// browser, not `RUNAS_TIMEOUT`.
pub(crate) const LOGIN_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// A failed sign-in is the answer, for this long, for the runs that waited for it.
const FAILURE_MEMO: Duration = Duration::from_secs(60);
const MAX_TOKEN_FILE: u64 = 256 * 1024;

/// What a run that finds no usable token may do.
pub(crate) enum Missing<'a> {
    SignIn(Method),
    /// Fail, saying what to run.
    Fail {
        hint: &'a str,
    },
}

/// The token file of `session` as a single-flight slot: locked (and a failed sign-in
/// remembered) in `.runas/` beside it, waited for up to [`LOGIN_TIMEOUT`].
fn slot(path: &Path, session: &SsoSession) -> Slot {
    let side = |extension: &str| {
        let stem = path.file_stem().unwrap_or_default().to_string_lossy();
        parent(path)
            .join(".runas")
            .join(format!("{stem}.{extension}"))
    };
    Slot::new(
        path.to_owned(),
        side("lock"),
        format!("the IAM Identity Center sign-in of {}", label(session)),
    )
    .wait(LOGIN_TIMEOUT)
    .limit(MAX_TOKEN_FILE)
    .remember_failures(side("failed"), FAILURE_MEMO)
}

fn judge(bytes: &[u8]) -> Look<Token> {
    match Token::from_json(bytes) {
        Ok(token) if token.fresh() => Look::Fresh(token),
        Ok(_) => Look::Miss("the access token is near its expiry".to_owned()),
        Err(why) => Look::Corrupt(why),
    }
}

/// The token in the file, fresh or not, if there is a readable one.
fn current(path: &Path) -> Option<Token> {
    let bytes = crate::private_file::read_private(path, MAX_TOKEN_FILE).ok()?;
    Token::from_json(&bytes).ok()
}

fn stored(token: Token) -> Fetched<Token> {
    let bytes = Some(token.to_json());
    Fetched {
        value: token,
        bytes,
    }
}

/// A usable access token for `session`: the file's, refreshed, or from a new sign-in.
pub(crate) fn access_token(
    network: &Network,
    session: &SsoSession,
    missing: Missing,
) -> Result<Secret> {
    let path = token::path(&home()?, session);
    let slot = slot(&path, session);
    if let Some(token) = slot.peek(judge) {
        return Ok(token.access_token);
    }
    // Nothing to do without a sign-in, and none allowed: said at once, no lock, no memo.
    let unusable = current(&path).is_none_or(|t| !t.refreshable() && !t.valid());
    if let (Missing::Fail { hint }, true) = (&missing, unusable) {
        return Err(Error::Credentials {
            what: label(session),
            message: format!("no valid IAM Identity Center sign-in; run `{hint}`"),
        });
    }
    let token = slot.get(false, judge, || {
        let current = current(&path);
        if let Some(token) = current.as_ref().filter(|t| t.refreshable()) {
            match refresh(network, session, token) {
                Ok(new) => return Ok(stored(new)),
                Err(e) => warning!("could not refresh the token of {}: {e}", label(session)),
            }
        }
        if let Some(token) = current.filter(Token::valid) {
            return Ok(Fetched {
                value: token,
                bytes: None,
            });
        }
        match missing {
            Missing::Fail { hint } => Err(Error::Credentials {
                what: label(session),
                message: format!("no valid IAM Identity Center sign-in; run `{hint}`"),
            }),
            Missing::SignIn(method) => {
                eprintln!(
                    "runas: signing in to IAM Identity Center for {}",
                    label(session)
                );
                flow::sign_in(network, session, &home()?, method).map(stored)
            }
        }
    })?;
    Ok(token.access_token)
}

/// `runas sso login`: a new sign-in, unless another run finished one while this one waited
/// for the lock.
pub fn login(network: &Network, session: &SsoSession, method: Method) -> Result<Token> {
    let home = home()?;
    let path = token::path(&home, session);
    let before = std::fs::read(&path).ok();
    slot(&path, session).get(true, judge, || {
        let now = std::fs::read(&path).ok();
        if now != before
            && let Some(token) = current(&path).filter(Token::fresh)
        {
            return Ok(Fetched {
                value: token,
                bytes: None,
            });
        }
        flow::sign_in(network, session, &home, method).map(stored)
    })
}

/// `CreateToken` with the refresh token; the rotated one replaces it.
fn refresh(network: &Network, session: &SsoSession, token: &Token) -> Result<Token> {
    let (Some(client), Some(refresh_token)) = (&token.client, &token.refresh_token) else {
        return Err(Error::Internal(
            "refresh without a refresh token".to_owned(),
        ));
    };
    let oidc = oidc::Oidc::new(network, session)?;
    let grant = oidc::Grant::Refresh(refresh_token);
    let issued = network
        .block_on(oidc.create_token(client, grant))??
        .map_err(|r| Error::Credentials {
            what: "CreateToken (refresh)".to_owned(),
            message: r.sentence,
        })?;
    Ok(Token {
        access_token: issued.access_token,
        expires_at: issued.expires_at,
        refresh_token: issued.refresh_token.or_else(|| token.refresh_token.clone()),
        ..token.clone()
    })
}

/// What `diagnose` says of the sign-in: the token file, its expiry and whether it can be
/// refreshed; never a token.
pub fn inspect(session: &SsoSession) -> Vec<String> {
    let Ok(home) = home() else {
        return vec!["IAM Identity Center token: no HOME, so no ~/.aws/sso/cache".to_owned()];
    };
    let path = token::path(&home, session);
    let state = match crate::private_file::read_private(&path, MAX_TOKEN_FILE) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            "none: run `runas sso login`".to_owned()
        }
        Err(e) => format!("not usable ({e})"),
        Ok(bytes) => match Token::from_json(&bytes) {
            Err(why) => format!("not usable ({why})"),
            Ok(token) => format!(
                "{}, {}",
                crate::credentials::remaining(token.expires_at),
                if token.refreshable() {
                    "refreshable"
                } else {
                    "no refresh token: a new sign-in when it expires"
                }
            ),
        },
    };
    vec![format!(
        "IAM Identity Center token of {}: {} ({state})",
        label(session),
        path.display()
    )]
}

/// `runas sso logout`: the portal's Logout where it takes it, then the token file goes.
/// Whether there was a token.
pub fn logout(network: &Network, session: &SsoSession) -> Result<bool> {
    let path = token::path(&home()?, session);
    // Under the file's lock, so that no refresh writes it back behind the logout.
    let nothing = |_: &[u8]| Look::Miss("logging out".to_owned());
    slot(&path, session).get(true, nothing, || {
        let Some(token) = current(&path) else {
            return Ok(Fetched {
                value: std::fs::remove_file(&path).is_ok(),
                bytes: None,
            });
        };
        if token.valid()
            && let Some(why) =
                network.block_on(portal::logout(network, session, &token.access_token))?
        {
            warning!("the IAM Identity Center portal did not take the logout: {why}");
        }
        std::fs::remove_file(&path).map_err(|e| Error::File {
            path: path.display().to_string(),
            message: format!("cannot remove the IAM Identity Center token: {e}"),
        })?;
        Ok(Fetched {
            value: true,
            bytes: None,
        })
    })
}

/// Role credentials for `account_id`/`role_name`, with a token from [`access_token`].
pub(crate) fn role_credentials(
    network: &Network,
    session: &SsoSession,
    token: &Secret,
    account_id: &str,
    role_name: &str,
) -> Result<Option<crate::credentials::Credentials>> {
    network.block_on(portal::role_credentials(
        network, session, token, account_id, role_name,
    ))?
}
