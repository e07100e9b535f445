//! `login_session`: credentials of a console identity signed in with the AWS CLI's
//! `aws login`, from the CLI's login cache, refreshed with the session's refresh token and a
//! DPoP proof when they are about to expire.
//!
//! Fresh credentials in the file are used as they are, with no network. A refresh goes
//! through the single-flight primitive (`creds::single_flight`): a lock of its own per
//! session beside the file, a second look at the file (another runas, or the CLI, may have
//! refreshed meanwhile), one refresh call for any number of parallel runs, and the file
//! rewritten whole by rename, keeping the CLI's keys. A failed refresh writes nothing, and
//! the runs that waited for it report it for a few seconds instead of repeating it.

mod dpop;
pub mod file;
mod token;

use super::Context;
use crate::credentials::{Credentials, rfc3339};
use crate::error::{Error, Result};
use crate::log::debug;
use crate::sdk::Network;
use crate::single_flight::{Fetched, Look, Slot};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How long a failed refresh is reported to the runs that waited for it, instead of each
/// sending the refused refresh token again.
const FAILURE_MEMO: Duration = Duration::from_secs(10);

/// One profile's login session, borrowed from the plan.
pub struct Login<'p> {
    pub profile: &'p str,
    /// The `login_session` value: the ARN of the signed-in principal.
    pub session: &'p str,
}

impl Login<'_> {
    pub fn credentials(&self, context: &Context, network: &Network) -> Result<Credentials> {
        let path = self.path(context)?;
        // A file that is missing or damaged has no refresh token to refresh with: only a new
        // `aws login` helps, so it is an error here, not a miss.
        let session = file::read(&path).map_err(|p| self.unusable(&path, p))?;
        if !context.renew && session.credentials.fresh_for(context.margin) {
            debug!("login session cache {} is fresh", path.display());
            return Ok(session.credentials);
        }
        // A refresh cannot be signed without the key: said before any lock or file is made.
        session.key().map_err(|p| self.unusable(&path, p))?;
        // Written where its symlinks lead, so that a linked cache stays linked.
        let target = crate::private_file::target(&path)
            .map_err(|e| self.unusable(&path, file::Problem::Unreadable(e.to_string())))?;
        // Hidden files of runas's own beside the CLI's: `.HASH.json.runas-lock`.
        let beside = |suffix: &str| {
            let mut name = std::ffi::OsString::from(".");
            name.push(target.file_name().unwrap_or_default());
            name.push(suffix);
            target.with_file_name(name)
        };
        let slot = Slot::new(target.clone(), beside(".runas-lock"), self.what())
            .limit(file::MAX_SIZE)
            .remember_failures(beside(".runas-failed"), FAILURE_MEMO);
        // With `-r`, the credentials read above are the ones to replace: fresh ones are
        // others only, written by a run that refreshed while this one waited for the lock.
        // So parallel `-r` runs make one refresh, and a refused one is remembered for all.
        let replaced = context
            .renew
            .then(|| session.credentials.access_key_id.clone());
        let judge = |bytes: &[u8]| match file::parse(bytes) {
            Ok(s) if replaced.as_ref() == Some(&s.credentials.access_key_id) => {
                Look::Miss("-r asks for a refresh".into())
            }
            Ok(s) if s.credentials.fresh_for(context.margin) => Look::Fresh(s.credentials),
            Ok(_) => Look::Miss("its credentials are about to expire".into()),
            Err(_) => Look::Miss("it cannot be used as it is".into()),
        };
        slot.get(false, judge, || {
            // Under the lock, and stale or damaged at the second look.
            let session = file::read(&target).map_err(|p| self.unusable(&path, p))?;
            let key = session.key().map_err(|p| self.unusable(&path, p))?;
            let (bytes, credentials) = self.refresh(&session, &key, network)?;
            Ok(Fetched {
                value: credentials,
                bytes: Some(bytes),
            })
        })
    }

    /// One call to the token endpoint: the file to write and the credentials it holds.
    fn refresh(
        &self,
        session: &file::Session,
        key: &p256::SecretKey,
        network: &Network,
    ) -> Result<(Vec<u8>, Credentials)> {
        let url = token::url(network.config()?, network.region());
        debug!(
            "refreshing the login session of profile `{}` at {url}",
            self.profile
        );
        let proof = dpop::proof(key, &url, SystemTime::now()).map_err(|e| Error::Credentials {
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
        Ok(session.renewed(&refreshed, SystemTime::now()))
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
                "cannot use the login session cache {path}: {why}; it holds a refresh token, so runas \
                 reads it only when it is this user's with mode 0600 (as the AWS CLI writes it): \
                 `chmod 600 {path}` if it is yours, else {}",
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
