//! IAM Identity Center sign-in, built in: the token file the AWS CLI and the SDKs share,
//! kept usable by refreshing it when it can, and by signing in (a browser, or a device
//! code) when it must; and once, however many runs ask at the same moment.
//!
//! Every use of the token file that may change it (a sign-in, a refresh, whose refresh
//! token rotates) happens under the file's lock (`flight`); the run holding it reads the
//! file again first, so the runs that waited find the work done.

mod browser;
mod callback;
mod flight;
mod flow;
mod oidc;
mod pkce;
mod portal;
mod registration;
pub mod token;

pub use flow::Method;

use crate::error::{Error, Result};
use crate::log::warning;
use crate::profile::chain::SsoSession;
use crate::sdk::Network;
use crate::secret::Secret;
use std::cell::Cell;
use std::io::Read;
use std::path::{Path, PathBuf};
use token::Token;

thread_local! {
    /// Set on threads that must never open a browser (the refreshes of -S and serve, the
    /// Docker credential helper): they say what to run instead.
    static NO_SIGN_IN: Cell<bool> = const { Cell::new(false) };
}

/// From now on, this thread refreshes tokens but never signs in.
pub fn never_sign_in_on_this_thread() {
    NO_SIGN_IN.with(|c| c.set(true));
}

/// Whether this thread may sign in at all.
pub fn sign_in_allowed_here() -> bool {
    !NO_SIGN_IN.with(Cell::get)
}

fn parent(path: &Path) -> &Path {
    path.parent().unwrap_or(Path::new("."))
}

/// A small file, at most `limit` bytes of it.
fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
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
pub fn label(session: &SsoSession) -> String {
    match &session.name {
        Some(name) => format!("sso-session {name}"),
        None => format!("start URL {}", crate::text::escape(&session.start_url)),
    }
}

fn read_or_warn(path: &Path) -> Option<Token> {
    token::read(path).unwrap_or_else(|why| {
        warning!("ignoring the IAM Identity Center token file: {why}");
        None
    })
}

/// What a run that finds no usable token may do.
pub enum Missing<'a> {
    SignIn(Method),
    /// Fail, saying what to run.
    Fail {
        hint: &'a str,
    },
}

/// A usable access token for `session`: the file's, refreshed, or from a new sign-in.
pub fn access_token(network: &Network, session: &SsoSession, missing: Missing) -> Result<Secret> {
    let path = token::path(&home()?, session);
    if let Some(token) = read_or_warn(&path).filter(Token::fresh) {
        return Ok(token.access_token);
    }
    let what = label(session);
    let held = flight::take(&path, &what)?;
    let current = read_or_warn(&path);
    if let Some(token) = current.as_ref().filter(|t| t.fresh()) {
        return Ok(token.access_token.clone());
    }
    if let Some(token) = current.as_ref().filter(|t| t.refreshable()) {
        match refresh(network, session, token) {
            Ok(new) => {
                write(&path, &new)?;
                return Ok(new.access_token);
            }
            Err(e) => warning!("could not refresh the IAM Identity Center token of {what}: {e}"),
        }
    }
    if let Some(token) = current.filter(Token::valid) {
        return Ok(token.access_token);
    }
    if let Some(why) = held.recent_failure() {
        return Err(recently_failed(&what, &why));
    }
    match missing {
        Missing::Fail { hint } => Err(Error::Credentials {
            what,
            message: format!("no valid IAM Identity Center sign-in; run `{hint}`"),
        }),
        Missing::SignIn(method) => {
            eprintln!("runas: signing in to IAM Identity Center for {what}");
            sign_in(network, session, &path, &held, method).map(|t| t.access_token)
        }
    }
}

fn recently_failed(what: &str, why: &str) -> Error {
    Error::Credentials {
        what: what.to_owned(),
        message: format!(
            "the sign-in another runas just tried failed ({why}); try again in a minute"
        ),
    }
}

/// `runas sso login`: a new sign-in, unless another run finished one while this one waited.
pub fn login(network: &Network, session: &SsoSession, method: Method) -> Result<Token> {
    let path = token::path(&home()?, session);
    let what = label(session);
    let held = flight::take(&path, &what)?;
    if held.waited {
        if let Some(token) = read_or_warn(&path).filter(Token::fresh) {
            return Ok(token);
        }
        if let Some(why) = held.recent_failure() {
            return Err(recently_failed(&what, &why));
        }
    }
    sign_in(network, session, &path, &held, method)
}

fn sign_in(
    network: &Network,
    session: &SsoSession,
    path: &Path,
    held: &flight::Held,
    method: Method,
) -> Result<Token> {
    match flow::sign_in(network, session, &home()?, method) {
        Ok(token) => {
            write(path, &token)?;
            held.forget_failure();
            Ok(token)
        }
        Err(e) => {
            held.remember_failure(&e.to_string());
            Err(e)
        }
    }
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

fn write(path: &Path, token: &Token) -> Result<()> {
    token::write(path, token).map_err(|e| Error::File {
        path: path.display().to_string(),
        message: format!("cannot write the IAM Identity Center token: {e}"),
    })
}

/// `runas sso logout`: the portal's Logout where it takes it, then the token file goes.
/// Whether there was a token.
pub fn logout(network: &Network, session: &SsoSession) -> Result<bool> {
    let path = token::path(&home()?, session);
    let _held = flight::take(&path, &label(session))?;
    let Some(token) = read_or_warn(&path) else {
        return Ok(std::fs::remove_file(&path).is_ok());
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
    Ok(true)
}

/// Role credentials for `account_id`/`role_name`, with a token from [`access_token`].
pub fn role_credentials(
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
