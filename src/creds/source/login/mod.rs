//! `login_session`: credentials of a console identity signed in with the AWS CLI's
//! `aws login`, from the CLI's login cache, refreshed with the session's refresh token and a
//! DPoP proof when they are about to expire.
//!
//! Fresh credentials in the file are used as they are, with no network. A refresh happens
//! under a lock on the file's directory, after a second look at the file (another runas, or
//! the CLI, may have refreshed meanwhile), so parallel runs make one refresh call; the file
//! is then rewritten whole, keeping the CLI's keys. A failed refresh writes nothing.

mod dpop;
pub mod file;
mod token;

use super::Context;
use crate::credentials::{Credentials, rfc3339};
use crate::error::{Error, Result};
use crate::log::debug;
use crate::sdk::Network;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// One profile's login session, borrowed from the plan.
pub struct Login<'p> {
    pub profile: &'p str,
    /// The `login_session` value: the ARN of the signed-in principal.
    pub session: &'p str,
}

impl Login<'_> {
    pub fn credentials(&self, context: &Context, network: &Network) -> Result<Credentials> {
        let path = self.path(context)?;
        let session = file::read(&path).map_err(|p| self.unusable(&path, p))?;
        if session.credentials.fresh_for(context.margin) {
            debug!("login session cache {} is fresh", path.display());
            return Ok(session.credentials);
        }
        let update = crate::private_file::Update::begin(&path).map_err(|e| Error::Credentials {
            what: self.what(),
            message: format!(
                "cannot lock the login session cache {}: {e}",
                path.display()
            ),
        })?;
        // Another runas, or the AWS CLI, may have refreshed it while this one waited.
        let session = file::read(update.target()).map_err(|p| self.unusable(&path, p))?;
        if session.credentials.fresh_for(context.margin) {
            debug!(
                "login session cache {} was refreshed meanwhile",
                path.display()
            );
            return Ok(session.credentials);
        }
        let url = token::url(network.config()?, network.region());
        debug!(
            "refreshing the login session of profile `{}` at {url}",
            self.profile
        );
        let proof =
            dpop::proof(&session.key, &url, SystemTime::now()).map_err(|e| Error::Credentials {
                what: self.what(),
                message: format!("cannot sign the refresh request: {e}"),
            })?;
        let refreshed = network
            .block_on(token::refresh(
                &url,
                &session.client_id,
                &session.refresh_token,
                &proof,
                crate::deadline::timeout(),
            ))?
            .map_err(|f| self.failed(&url, f))?;
        let (bytes, credentials) = session.renewed(&refreshed, SystemTime::now());
        update.commit(&bytes).map_err(|e| Error::Credentials {
            what: self.what(),
            message: format!(
                "the session was refreshed, but the login session cache {} cannot be written: {e}; \
                 run `aws login --profile {}`",
                path.display(),
                self.profile
            ),
        })?;
        Ok(credentials)
    }

    fn path(&self, context: &Context) -> Result<PathBuf> {
        context
            .login_dir
            .as_deref()
            .map(|dir| file::path(dir, self.session))
            .ok_or_else(|| Error::Credentials {
                what: self.what(),
                message:
                    "there is no login session cache: HOME and AWS_LOGIN_CACHE_DIRECTORY are unset"
                        .into(),
            })
    }

    fn what(&self) -> String {
        format!("login session of profile `{}`", self.profile)
    }

    fn login_hint(&self) -> String {
        format!("run `aws login --profile {}`", self.profile)
    }

    fn unusable(&self, path: &Path, problem: file::Problem) -> Error {
        let path = path.display();
        let message = match problem {
            file::Problem::Missing => {
                format!(
                    "there is no login session cache {path}; {}",
                    self.login_hint()
                )
            }
            file::Problem::Unreadable(why) => format!(
                "cannot read the login session cache {path}: {why}; {}",
                self.login_hint()
            ),
            file::Problem::NotPrivate(why) => format!(
                "the login session cache {path} is not private ({why}): it holds a refresh token, \
                 so runas uses it only when it is this user's with mode 0600; `chmod 600 {path}` if \
                 it is yours, else {}",
                self.login_hint()
            ),
            file::Problem::Malformed(why) => format!(
                "the login session cache {path} is not the AWS CLI's ({why}); {} to write it anew",
                self.login_hint()
            ),
            file::Problem::WrongKey => format!(
                "the login session cache {path} has a `dpopKey` that is not a P-256 private key; {} to \
                 write it anew",
                self.login_hint()
            ),
        };
        Error::Credentials {
            what: self.what(),
            message,
        }
    }

    fn failed(&self, url: &str, failure: token::Failure) -> Error {
        let message = match failure {
            token::Failure::Ended(code) => format!(
                "the sign-in service says the session has ended ({code}); {}",
                self.login_hint()
            ),
            token::Failure::NotAllowed => format!(
                "the sign-in service refused to refresh the session (INSUFFICIENT_PERMISSIONS): the \
                 signed-in identity needs permission for signin:CreateOAuth2Token; ask for it, or \
                 {} with another identity",
                self.login_hint()
            ),
            token::Failure::Refused { status, code } => format!(
                "the sign-in service at {url} refused to refresh the session (HTTP {status}{}); \
                 nothing was written; try again later, or {}",
                code.map(|c| format!(", {c}")).unwrap_or_default(),
                self.login_hint()
            ),
            token::Failure::NotAnswer(why) => format!(
                "{url} did not answer as the sign-in service does: {why}; nothing was written; check \
                 AWS_ENDPOINT_URL_SIGNIN / AWS_ENDPOINT_URL and any proxy between here and AWS"
            ),
            token::Failure::Unreachable(why) => {
                format!("cannot reach the sign-in service at {url}: {why}; nothing was written")
            }
        };
        Error::Credentials {
            what: self.what(),
            message,
        }
    }

    /// Lines for `diagnose`: the cache file, its expiry and whether it can be refreshed;
    /// never a secret.
    pub fn inspect(&self, context: &Context) -> Vec<String> {
        let Ok(path) = self.path(context) else {
            return vec!["login cache: none (HOME and AWS_LOGIN_CACHE_DIRECTORY are unset)".into()];
        };
        let mut lines = vec![format!("login cache: {}", path.display())];
        match file::summary(&path) {
            Ok(summary) => {
                lines.push(match summary.expires {
                    Some(t) => format!(
                        "login credentials: expire {} ({})",
                        rfc3339(t),
                        crate::credentials::remaining(t)
                    ),
                    None => "login credentials: no valid expiry".into(),
                });
                lines.push(format!(
                    "login refresh token: {}",
                    if summary.refresh_token {
                        "present"
                    } else {
                        "absent"
                    }
                ));
            }
            Err(problem) => lines.push(format!(
                "login cache problem: {}",
                self.unusable(&path, problem)
            )),
        }
        lines
    }
}
