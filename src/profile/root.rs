//! A chain's root: where its first credentials come from. Each kind of root is one variant
//! of [`Source`], and every fact about a kind (the keys that select it, its description,
//! its identity in the cache, whether it yields session credentials, its account) is one
//! exhaustive `match` here, so that a new kind is a compile error at each place that must
//! say something about it. How a root is fetched (`creds::source::fetch`) and how
//! `diagnose` shows what it reads (`creds::source::inspect`) are the two facts that need
//! effects, and live with them; they too match every variant.

use super::key;
use crate::credentials::Credentials;
use crate::secret::Secret;
use aws_types::os_shim_internal::Env;
use std::path::PathBuf;
use std::time::Duration;

/// The root of a chain: the profile that holds it, named once, and its source.
#[derive(Debug, Clone)]
pub struct Root {
    /// The profile the root's keys are in (`environment` for a role ARN assumed with the
    /// environment's keys).
    pub profile: String,
    pub source: Source,
    /// The profile's `aws_account_id`: the account of keys and of a credential_process
    /// that does not say its own.
    pub account_id: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Source {
    /// Keys from a profile; long-term unless they carry a session token.
    AccessKey(Credentials),
    /// A command line may carry a secret (a vault token, a password).
    CredentialProcess(Secret),
    Sso(Sso),
    WebIdentity(WebIdentity),
    Named(NamedSource),
    /// `login_session`: the ARN of the principal `aws login` signed in, which names its
    /// file in the login cache.
    LoginSession(String),
}

#[derive(Debug, Clone)]
pub struct Sso {
    pub session_name: Option<String>,
    pub region: String,
    pub start_url: String,
    /// The session's `sso_registration_scopes`; none when the key is absent.
    pub scopes: Option<Vec<String>>,
    pub account_id: String,
    pub role_name: String,
}

/// How the identity of every SSO root signed in at `start_url` begins: what
/// `runas sso logout` looks for in the cache.
pub(crate) fn sso_identity_prefix(start_url: &str) -> String {
    format!("sso {start_url} ")
}

impl Sso {
    /// The sign-in this role's credentials come through.
    pub fn session(&self) -> super::chain::SsoSession {
        super::chain::SsoSession {
            name: self.session_name.clone(),
            region: self.region.clone(),
            start_url: self.start_url.clone(),
            scopes: self.scopes.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct WebIdentity {
    pub role_arn: crate::arn::RoleArn,
    pub token_file: String,
    pub session_name: String,
    pub duration: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedSource {
    Environment,
    Ec2InstanceMetadata,
    EcsContainer,
}

impl NamedSource {
    pub fn name(self) -> &'static str {
        match self {
            NamedSource::Environment => "Environment",
            NamedSource::Ec2InstanceMetadata => "Ec2InstanceMetadata",
            NamedSource::EcsContainer => "EcsContainer",
        }
    }
}

/// The kinds of root, without their values: what a profile's keys can select.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    AccessKey,
    CredentialProcess,
    Sso,
    WebIdentity,
    Named,
    LoginSession,
}

impl Kind {
    /// Every kind, in the SDKs' order of precedence.
    pub(crate) const ALL: [Kind; 6] = [
        Kind::Named,
        Kind::WebIdentity,
        Kind::Sso,
        Kind::LoginSession,
        Kind::CredentialProcess,
        Kind::AccessKey,
    ];

    /// The keys of a profile that make it a root of this kind.
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            Kind::AccessKey => &[key::ACCESS_KEY_ID, key::SECRET_ACCESS_KEY],
            Kind::CredentialProcess => &[key::CREDENTIAL_PROCESS],
            Kind::Sso => &[
                key::SSO_SESSION,
                key::SSO_START_URL,
                key::SSO_REGION,
                key::SSO_ACCOUNT_ID,
                key::SSO_ROLE_NAME,
            ],
            Kind::WebIdentity => &[key::WEB_IDENTITY_TOKEN_FILE],
            Kind::Named => &[key::CREDENTIAL_SOURCE],
            Kind::LoginSession => &[key::LOGIN_SESSION],
        }
    }
}

impl Source {
    pub fn kind(&self) -> Kind {
        match self {
            Source::AccessKey(_) => Kind::AccessKey,
            Source::CredentialProcess(_) => Kind::CredentialProcess,
            Source::Sso(_) => Kind::Sso,
            Source::WebIdentity(_) => Kind::WebIdentity,
            Source::Named(_) => Kind::Named,
            Source::LoginSession(_) => Kind::LoginSession,
        }
    }
}

impl Root {
    /// One line for logs, locks, `-v` and `diagnose`; no secret.
    pub fn describe(&self) -> String {
        let profile = &self.profile;
        match &self.source {
            Source::AccessKey(credentials) => format!(
                "{} keys {} from profile `{profile}`",
                if credentials.session_token.is_some() {
                    "session"
                } else {
                    "long-term"
                },
                crate::log::key_hint(&credentials.access_key_id)
            ),
            Source::CredentialProcess(_) => {
                format!("credential_process of profile `{profile}`")
            }
            Source::Sso(sso) => format!(
                "SSO role {} in {} from profile `{profile}`",
                sso.role_name, sso.account_id
            ),
            Source::WebIdentity(w) => {
                format!(
                    "AssumeRoleWithWebIdentity {} from profile `{profile}`",
                    w.role_arn
                )
            }
            Source::Named(source) => {
                format!("credential_source {} of profile `{profile}`", source.name())
            }
            Source::LoginSession(session) => {
                format!("login session {session} (aws login) of profile `{profile}`")
            }
        }
    }

    /// What makes the root's credentials these and no others, for its cache key (the
    /// endpoint is added by the key). It can hold a credential_process command line: it
    /// is written only to 0600 files.
    pub fn identity(&self, env: &Env) -> String {
        match &self.source {
            Source::AccessKey(credentials) => format!("keys {}", credentials.access_key_id),
            Source::CredentialProcess(command) => {
                format!("credential_process {}", command.expose())
            }
            Source::Sso(sso) => format!(
                "{}{} {}",
                sso_identity_prefix(&sso.start_url),
                sso.account_id,
                sso.role_name
            ),
            Source::WebIdentity(w) => format!(
                "web-identity {} {} {} {}s token={}",
                w.role_arn,
                w.token_file,
                w.session_name,
                w.duration.as_secs(),
                crate::private_file::digest(std::path::Path::new(&w.token_file))
            ),
            Source::Named(source) => match source {
                NamedSource::Environment => format!(
                    "environment {}",
                    env.get(crate::variables::AWS_ACCESS_KEY_ID.name)
                        .unwrap_or_default()
                ),
                NamedSource::Ec2InstanceMetadata | NamedSource::EcsContainer => {
                    format!("source {}", source.name())
                }
            },
            Source::LoginSession(session) => format!("login-session {session}"),
        }
    }

    /// Whether runas keeps the root's credentials in its own cache: those that cost a call
    /// to fetch and expire. Keys are in the files already; a credential_process and the
    /// metadata endpoints keep their own; a login session's credentials are in the AWS
    /// CLI's login cache, read as directly as keys (a second copy would outlive a new
    /// `aws login`).
    pub fn cached(&self) -> bool {
        match &self.source {
            Source::Sso(_) | Source::WebIdentity(_) => true,
            Source::AccessKey(_)
            | Source::CredentialProcess(_)
            | Source::Named(_)
            | Source::LoginSession(_) => false,
        }
    }

    /// Whether these are long-term IAM user keys, the only kind GetSessionToken accepts.
    pub(crate) fn long_term(&self) -> bool {
        match &self.source {
            Source::AccessKey(credentials) => credentials.session_token.is_none(),
            Source::CredentialProcess(_)
            | Source::Sso(_)
            | Source::WebIdentity(_)
            | Source::Named(_)
            | Source::LoginSession(_) => false,
        }
    }

    /// Whether the root's credentials are session credentials, so that an AssumeRole
    /// called with them is limited by STS to one hour. A credential_process is known only
    /// when it answers; the executor checks its output.
    pub(crate) fn yields_session(&self, env: &Env) -> bool {
        match &self.source {
            Source::AccessKey(credentials) => credentials.session_token.is_some(),
            Source::CredentialProcess(_) => false,
            Source::Sso(_) | Source::WebIdentity(_) | Source::LoginSession(_) => true,
            Source::Named(source) => match source {
                NamedSource::Environment => env
                    .get(crate::variables::AWS_SESSION_TOKEN.name)
                    .is_ok_and(|t| !t.is_empty()),
                NamedSource::Ec2InstanceMetadata | NamedSource::EcsContainer => true,
            },
        }
    }

    /// The account of the root's credentials, when the plan knows it (the SDKs' rules:
    /// `sso_account_id`, the web identity role's, or `aws_account_id` for keys and a
    /// credential_process).
    pub fn account(&self) -> Option<&str> {
        match &self.source {
            Source::Sso(sso) => Some(&sso.account_id),
            Source::WebIdentity(w) => w.role_arn.account(),
            Source::AccessKey(_) | Source::CredentialProcess(_) => self.account_id.as_deref(),
            // The login cache's accountId and the environment's AWS_ACCOUNT_ID say it, when
            // the credentials are read.
            Source::LoginSession(_) | Source::Named(_) => None,
        }
    }

    /// The role the root's credentials belong to, when it is one.
    pub fn role_arn(&self) -> Option<&crate::arn::RoleArn> {
        match &self.source {
            Source::WebIdentity(w) => Some(&w.role_arn),
            Source::AccessKey(_)
            | Source::CredentialProcess(_)
            | Source::Sso(_)
            | Source::Named(_)
            | Source::LoginSession(_) => None,
        }
    }

    /// Files whose content is part of the root's identity (a web identity token).
    pub(crate) fn watched_files(&self) -> Vec<PathBuf> {
        match &self.source {
            Source::WebIdentity(w) => vec![w.token_file.clone().into()],
            Source::AccessKey(_)
            | Source::CredentialProcess(_)
            | Source::Sso(_)
            | Source::Named(_)
            | Source::LoginSession(_) => vec![],
        }
    }

    /// A line for the plan's table in tests: every value, secrets of the files included.
    #[cfg(test)]
    pub(crate) fn test_line(&self) -> String {
        let profile = &self.profile;
        match &self.source {
            Source::AccessKey(credentials) => format!(
                "root: {} keys {} of `{profile}`",
                if credentials.session_token.is_some() {
                    "session"
                } else {
                    "long-term"
                },
                credentials.access_key_id
            ),
            Source::CredentialProcess(command) => format!(
                "root: credential_process `{}` of `{profile}`",
                command.expose()
            ),
            Source::Sso(sso) => format!(
                "root: SSO {} in {} at {} in {}, session {} of `{profile}`",
                sso.role_name,
                sso.account_id,
                sso.start_url,
                sso.region,
                sso.session_name.as_deref().unwrap_or("-")
            ),
            Source::WebIdentity(w) => format!(
                "root: web identity {} with {} as {} ({}) of `{profile}`",
                w.role_arn,
                w.token_file,
                w.session_name,
                crate::duration::display(w.duration)
            ),
            Source::Named(source) => {
                format!("root: credential_source {} of `{profile}`", source.name())
            }
            Source::LoginSession(session) => {
                format!("root: login session {session} of `{profile}`")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_listed_once_and_its_keys_are_read() {
        for kind in Kind::ALL {
            assert_eq!(Kind::ALL.iter().filter(|k| **k == kind).count(), 1);
            for k in kind.keys() {
                assert!(key::ALL.contains(k), "{k} of {kind:?} is not in key::ALL");
            }
        }
    }
}
