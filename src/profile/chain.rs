//! The plan of how to get a profile's credentials: a [`Chain`] of one root source and the
//! steps that follow it. Resolution (`profile::resolve`) builds it from the files without
//! touching the network; `creds` executes it.

pub(crate) use super::root::Root;
use crate::arn::RoleArn;
use crate::duration;
use crate::secret::Secret;
use std::time::Duration;

/// How to get credentials for one profile: a root source, then zero or more steps, each
/// called with the credentials of the one before.
#[derive(Debug, Clone)]
pub struct Chain {
    /// The profile asked for (or the role ARN given in its place); `profile()` gives it as
    /// typed, for messages.
    pub target: Target,
    pub region: String,
    /// Where the region came from, for `-v`, `diagnose` and error messages.
    pub region_source: RegionSource,
    /// The selected profile's `ecr_registries`, as written: the registries `runas ecr`
    /// logs into when none are named.
    pub ecr_registries: Option<String>,
    /// An STS endpoint other than AWS's own, when the files or environment set one. Part of
    /// every cache key, so credentials from one endpoint are never used against another.
    pub sts_endpoint: Option<String>,
    pub root: Root,
    pub steps: Vec<Step>,
    /// Things worth telling the user that do not stop the run (clamped durations).
    pub warnings: Vec<String>,
    /// `runas_serve = true`: commands get their credentials from an endpoint (`-S`).
    pub serve: bool,
    /// `sso_auto_login = true`: a run without a terminal may sign in to IAM Identity Center.
    pub sso_auto_login: bool,
    pub(super) visited: Vec<String>,
}

#[derive(Debug, Clone)]
pub enum Step {
    /// GetSessionToken for long-term keys, with MFA when a device is known: the session
    /// every MFA-protected role of this identity is then assumed with.
    SessionToken {
        duration: Duration,
        mfa: Option<Mfa>,
    },
    AssumeRole(RoleStep),
}

impl Step {
    /// One line for logs, locks and `diagnose`.
    pub fn describe(&self) -> String {
        match self {
            Step::SessionToken { duration, mfa } => format!(
                "GetSessionToken ({}{})",
                duration::display(*duration),
                mfa.as_ref()
                    .map(|m| format!(", MFA {}", m.serial))
                    .unwrap_or_default()
            ),
            Step::AssumeRole(r) => format!(
                "AssumeRole {} as {} ({}{}{}) from profile `{}`",
                r.role_arn,
                r.session_name,
                duration::display(r.duration),
                r.external_id
                    .as_ref()
                    .map(|_| ", external id")
                    .unwrap_or_default(),
                r.mfa
                    .as_ref()
                    .map(|m| format!(", MFA {}", m.serial))
                    .unwrap_or_default(),
                r.profile
            ),
        }
    }

    /// The device whose code this step sends, if it sends one.
    pub fn mfa_serial(&self) -> Option<&str> {
        match self {
            Step::SessionToken { mfa, .. } => mfa.as_ref(),
            Step::AssumeRole(r) => r.mfa.as_ref(),
        }
        .map(|m| m.serial.as_str())
    }
}

/// One IAM Identity Center sign-in: an `[sso-session NAME]` section, or the `sso_start_url`
/// and `sso_region` of a profile without one (the legacy form). Its token file is named
/// after the session's name, else after the start URL, as the AWS CLI names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSession {
    pub name: Option<String>,
    pub region: String,
    pub start_url: String,
    /// `sso_registration_scopes`, split on commas; none when the key is absent.
    pub scopes: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct RoleStep {
    pub profile: String,
    pub role_arn: RoleArn,
    pub session_name: String,
    pub external_id: Option<String>,
    pub duration: Duration,
    /// Set only when the code must go with this AssumeRole call itself (no session token
    /// in front of it carries the MFA).
    pub mfa: Option<Mfa>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mfa {
    pub serial: String,
    /// The `mfa_process` that gives the code, if a profile of the chain sets one.
    pub process: Option<MfaProcess>,
}

/// An `mfa_process` setting: a command whose output is the code, and the profile that sets
/// it (the selected one, its root's or `default`), which its messages name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaProcess {
    /// Its arguments may carry a secret.
    pub command: Secret,
    pub profile: String,
}

/// Where a chain's region came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionSource {
    /// `--region`.
    Flag,
    /// The `region` key of this profile (the selected one, a source, or `default`).
    Profile(String),
    /// `AWS_REGION` or `AWS_DEFAULT_REGION`.
    Variable(&'static str),
}

impl std::fmt::Display for RegionSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RegionSource::Flag => f.write_str("--region"),
            RegionSource::Profile(name) => write!(f, "profile `{name}`"),
            RegionSource::Variable(name) => f.write_str(name),
        }
    }
}

/// What PROFILE on the command line names: a profile of the files, or a role ARN to
/// assume with the default credentials. Decided once, here; nothing else looks for `arn:`.
#[derive(Debug, Clone, Hash, PartialEq, Eq)]
pub enum Target {
    Profile(String),
    RoleArn(String),
}

impl Target {
    pub fn parse(text: &str) -> Target {
        if text.starts_with("arn:") {
            Target::RoleArn(text.to_owned())
        } else {
            Target::Profile(text.to_owned())
        }
    }

    /// What the user typed: the profile's name or the ARN.
    pub fn name(&self) -> &str {
        match self {
            Target::Profile(name) | Target::RoleArn(name) => name,
        }
    }

    /// The profile's name; none for a role ARN.
    pub fn profile(&self) -> Option<&str> {
        match self {
            Target::Profile(name) => Some(name),
            Target::RoleArn(_) => None,
        }
    }
}

impl Default for Target {
    fn default() -> Self {
        Target::Profile(String::new())
    }
}

/// What the command line asks for, on top of the files.
#[derive(Debug, Default, Clone, Hash)]
pub struct Request {
    pub target: Target,
    pub region: Option<String>,
    pub mfa_serial: Option<String>,
    pub external_id: Option<String>,
    pub role_duration: Option<Duration>,
    pub session_duration: Option<Duration>,
    /// `-s`: the session-token credentials themselves, not a role's.
    pub session_only: bool,
}

impl Chain {
    /// The profile asked for, or the role ARN given in its place, as typed: for messages.
    pub fn profile(&self) -> &str {
        self.target.name()
    }

    /// The chain up to the identity that assumes the first role: the root and its session
    /// token, without the roles. `runas list` asks IAM about this identity.
    pub fn identity(&self) -> Chain {
        let mut chain = self.clone();
        chain
            .steps
            .retain(|s| matches!(s, Step::SessionToken { .. }));
        chain
    }

    /// The profiles the chain was resolved through, selected first (none for a role ARN
    /// with environment credentials).
    pub fn profiles(&self) -> &[String] {
        &self.visited
    }

    /// Files whose content is part of the chain's identity (a web identity token).
    pub(crate) fn watched_files(&self) -> Vec<std::path::PathBuf> {
        self.root.watched_files()
    }

    /// The MFA devices whose codes the chain sends, one entry per step that sends one.
    pub fn codes(&self) -> Vec<&str> {
        self.steps.iter().filter_map(Step::mfa_serial).collect()
    }

    /// How MFA is used, in words, for `diagnose` and the README's two modes.
    pub(crate) fn mfa_mode(&self) -> Option<String> {
        self.steps.iter().find_map(|s| match s {
            Step::SessionToken { mfa: Some(m), duration } => Some(format!(
                "one session token ({}, MFA {}) serves every role of up to 1h: a code about twice a day",
                duration::display(*duration),
                m.serial
            )),
            Step::AssumeRole(r) => r.mfa.as_ref().map(|m| {
                format!(
                    "the code goes with AssumeRole {} ({}, MFA {}): a new code each time the role is refreshed",
                    r.role_arn,
                    duration::display(r.duration),
                    m.serial
                )
            }),
            _ => None,
        })
    }

    /// The account whose credentials the chain ends with, when the plan knows it: the last
    /// role's, or an SSO or web identity root's when there is no role. A session token of
    /// long-term keys does not say.
    pub fn account(&self) -> Option<&str> {
        match self.steps.last() {
            Some(Step::AssumeRole(role)) => role.role_arn.account(),
            Some(Step::SessionToken { .. }) => None,
            None => self.root.account(),
        }
    }

    /// The role the chain's credentials belong to, when it ends in one.
    pub fn role_arn(&self) -> Option<&RoleArn> {
        match self.steps.last() {
            Some(Step::AssumeRole(role)) => Some(&role.role_arn),
            Some(Step::SessionToken { .. }) => None,
            None => self.root.role_arn(),
        }
    }

    /// One line per step, no secrets: the plan as `-v` shows it.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = vec![self.root.describe()];
        lines.extend(self.steps.iter().map(Step::describe));
        lines
    }
}
