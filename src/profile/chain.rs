//! Resolving a profile into a [`Chain`]: the plan of how to get its credentials.
//!
//! This is a pure function of the profile files, the command-line overrides and a snapshot
//! of the environment. It follows the SDKs' rules for `source_profile` chains (a source
//! profile with static keys ends the chain, a profile may name itself to use its own keys
//! for the first hop, `credential_source` and `source_profile` exclude each other) and adds
//! aws-runas's: `mfa_serial` inherited from the source profile or `[default]`, a session
//! token step in front of MFA-protected roles, and lifetimes from `session_token_duration`
//! and `credentials_duration`.

use super::Profiles;
use super::duration::{self, limits};
use crate::creds::Credentials;
use crate::error::{Error, Result};
use aws_config::profile::Profile;
use aws_types::os_shim_internal::Env;
use std::time::Duration;

/// How to get credentials for one profile: a root source, then zero or more steps, each
/// called with the credentials of the one before.
#[derive(Debug, Clone)]
pub struct Chain {
    /// The profile asked for (or the role ARN given in its place).
    pub profile: String,
    pub region: String,
    /// Where the region came from, for `-v` and error messages.
    pub region_source: String,
    /// An STS endpoint other than AWS's own, when the files or environment set one. Part of
    /// every cache key, so credentials from one endpoint are never used against another.
    pub sts_endpoint: Option<String>,
    pub root: Root,
    pub steps: Vec<Step>,
    /// Things worth telling the user that do not stop the run (clamped durations).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone)]
pub enum Root {
    /// Keys from a profile; long-term unless they carry a session token.
    AccessKey {
        profile: String,
        credentials: Credentials,
    },
    CredentialProcess {
        profile: String,
        command: String,
    },
    Sso {
        profile: String,
        session_name: Option<String>,
        region: String,
        start_url: String,
        account_id: String,
        role_name: String,
    },
    WebIdentity {
        profile: String,
        role_arn: String,
        token_file: String,
        session_name: String,
        duration: Duration,
    },
    Named {
        profile: String,
        source: NamedSource,
    },
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

#[derive(Debug, Clone)]
pub struct RoleStep {
    pub profile: String,
    pub role_arn: String,
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
    /// The profile's `mfa_process`: a command whose output is the code.
    pub process: Option<String>,
}

/// What the command line asks for, on top of the files.
#[derive(Debug, Default, Clone)]
pub struct Request {
    /// A profile name, or a role ARN to assume with the default profile's credentials.
    pub profile: String,
    pub region: Option<String>,
    pub mfa_serial: Option<String>,
    pub external_id: Option<String>,
    pub role_duration: Option<Duration>,
    pub session_duration: Option<Duration>,
    /// `-s`: the session-token credentials themselves, not a role's.
    pub session_only: bool,
}

impl Chain {
    /// One line per step, no secrets: the plan as `-v` shows it.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = vec![self.root.describe()];
        for step in &self.steps {
            lines.push(match step {
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
            });
        }
        lines
    }
}

impl Root {
    pub fn describe(&self) -> String {
        match self {
            Root::AccessKey {
                profile,
                credentials,
            } => format!(
                "{} keys {} from profile `{profile}`",
                if credentials.session_token.is_some() {
                    "session"
                } else {
                    "long-term"
                },
                crate::log::key_hint(&credentials.access_key_id)
            ),
            Root::CredentialProcess { profile, .. } => {
                format!("credential_process of profile `{profile}`")
            }
            Root::Sso {
                profile,
                account_id,
                role_name,
                ..
            } => format!("SSO role {role_name} in {account_id} from profile `{profile}`"),
            Root::WebIdentity {
                profile, role_arn, ..
            } => format!("AssumeRoleWithWebIdentity {role_arn} from profile `{profile}`"),
            Root::Named { profile, source } => {
                format!("credential_source {} of profile `{profile}`", source.name())
            }
        }
    }

    /// Whether these are long-term IAM user keys, the only kind GetSessionToken accepts.
    fn long_term(&self) -> bool {
        matches!(self, Root::AccessKey { credentials, .. } if credentials.session_token.is_none())
    }

    /// Whether the root's credentials are a role session, so that an AssumeRole called with
    /// them is role chaining (limited by STS to one hour).
    fn is_role_session(&self) -> bool {
        matches!(
            self,
            Root::Sso { .. }
                | Root::WebIdentity { .. }
                | Root::Named {
                    source: NamedSource::Ec2InstanceMetadata | NamedSource::EcsContainer,
                    ..
                }
        )
    }
}

mod key {
    pub const REGION: &str = "region";
    pub const ROLE_ARN: &str = "role_arn";
    pub const SOURCE_PROFILE: &str = "source_profile";
    pub const CREDENTIAL_SOURCE: &str = "credential_source";
    pub const SESSION_NAME: &str = "role_session_name";
    pub const EXTERNAL_ID: &str = "external_id";
    pub const DURATION_SECONDS: &str = "duration_seconds";
    pub const MFA_SERIAL: &str = "mfa_serial";
    pub const WEB_IDENTITY_TOKEN_FILE: &str = "web_identity_token_file";
    pub const CREDENTIAL_PROCESS: &str = "credential_process";
    pub const ACCESS_KEY_ID: &str = "aws_access_key_id";
    pub const SECRET_ACCESS_KEY: &str = "aws_secret_access_key";
    pub const SESSION_TOKEN: &str = "aws_session_token";
    pub const SSO_SESSION: &str = "sso_session";
    pub const SSO_REGION: &str = "sso_region";
    pub const SSO_START_URL: &str = "sso_start_url";
    pub const SSO_ACCOUNT_ID: &str = "sso_account_id";
    pub const SSO_ROLE_NAME: &str = "sso_role_name";
    pub const ENDPOINT_URL: &str = "endpoint_url";
    // Read only by runas (aws-runas's names).
    pub const SESSION_TOKEN_DURATION: &str = "session_token_duration";
    pub const CREDENTIALS_DURATION: &str = "credentials_duration";
    pub const MFA_PROCESS: &str = "mfa_process";
}

/// Resolves `request.profile` against `profiles`, reading `env` for the region fallbacks,
/// `AWS_PROFILE` (the source of a bare role ARN), `USER` (the default session name) and
/// endpoint overrides.
pub fn resolve(profiles: &Profiles, request: &Request, env: &Env) -> Result<Chain> {
    let default = profiles.get("default");
    let (visited, root, role_profiles) = if request.profile.starts_with("arn:") {
        let source_name = env
            .get("AWS_PROFILE")
            .unwrap_or_else(|_| "default".to_owned());
        let (visited, root, roles) = match profiles.get(&source_name) {
            Some(_) => walk(profiles, &source_name)?,
            None => (
                vec![],
                Root::Named {
                    profile: source_name,
                    source: NamedSource::Environment,
                },
                vec![],
            ),
        };
        (visited, root, roles)
    } else {
        walk(profiles, &request.profile)?
    };

    let mut warnings = Vec::new();
    let selected = visited.first().copied();
    let root_profile = root_profile(profiles, &root);
    let runas_key = |k: &str| {
        selected
            .and_then(|p| p.get(k))
            .or_else(|| root_profile.and_then(|p| p.get(k)))
            .or_else(|| default.and_then(|p| p.get(k)))
            .map(|v| (v, key_owner(selected, root_profile, default, k)))
    };

    // Role steps, root side first. The ARN given on the command line is the last one.
    let mut roles: Vec<RoleStep> = Vec::new();
    let mut role_sources: Vec<&Profile> = role_profiles;
    role_sources.reverse();
    // Checked after the walk so that a broken chain is reported before a broken ARN, as
    // the SDKs do.
    for p in &role_sources {
        validate_role_arn(p.get(key::ROLE_ARN).unwrap_or_default())
            .map_err(|m| Error::profile(p.name(), m))?;
        roles.push(role_step(p, env)?);
    }
    if request.profile.starts_with("arn:") {
        validate_role_arn(&request.profile).map_err(|m| Error::Usage(m.to_owned()))?;
        roles.push(RoleStep {
            profile: request.profile.clone(),
            role_arn: request.profile.clone(),
            session_name: default_session_name(env),
            external_id: None,
            duration: limits::ROLE_DEFAULT,
            mfa: None,
        });
    }

    // Durations: the flags win over the files; the last role gets `-a`.
    let role_count = roles.len();
    for (i, role) in roles.iter_mut().enumerate() {
        let is_last = i + 1 == role_count;
        if is_last {
            if let Some(d) = request.role_duration {
                role.duration = d;
            }
            if let Some(id) = &request.external_id {
                role.external_id = Some(id.clone());
            }
        }
        let chained = i > 0 || root.is_role_session();
        let max = if chained {
            limits::CHAINED_ROLE_MAX
        } else {
            limits::ROLE_MAX
        };
        let (d, note) = duration::clamp(role.duration, limits::MIN, max);
        if let Some(note) = note {
            let why = if chained {
                " (one hour is the STS limit when a role is assumed with another role's credentials)"
            } else {
                ""
            };
            warnings.push(format!("role duration for `{}`: {note}{why}", role.profile));
        }
        role.duration = d;
    }

    let session_duration = match request.session_duration {
        Some(d) => d,
        None => match runas_key(key::SESSION_TOKEN_DURATION) {
            Some((text, owner)) => duration::parse(text).map_err(|m| {
                Error::profile(owner, format!("{}: {m}", key::SESSION_TOKEN_DURATION))
            })?,
            None => limits::SESSION_TOKEN_DEFAULT,
        },
    };
    let (session_duration, note) =
        duration::clamp(session_duration, limits::MIN, limits::SESSION_TOKEN_MAX);
    if let Some(note) = note {
        warnings.push(format!("session token duration: {note}"));
    }

    // MFA. With long-term keys at the root, one session token (cached, hours long) carries
    // the MFA for every role of this identity; otherwise the code goes with AssumeRole.
    let mfa_process = runas_key(key::MFA_PROCESS).map(|(v, _)| v.to_owned());
    let mfa = |serial: &str| Mfa {
        serial: serial.to_owned(),
        process: mfa_process.clone(),
    };
    let first_role_profile = role_sources.first().copied();
    let identity_serial = request
        .mfa_serial
        .as_deref()
        .or_else(|| first_role_profile.and_then(|p| p.get(key::MFA_SERIAL)))
        .or_else(|| root_profile.and_then(|p| p.get(key::MFA_SERIAL)))
        .or_else(|| {
            if roles.is_empty() {
                None
            } else {
                default.and_then(|p| p.get(key::MFA_SERIAL))
            }
        });

    let mut steps = Vec::new();
    if root.long_term() && (identity_serial.is_some() || request.session_only) {
        steps.push(Step::SessionToken {
            duration: session_duration,
            mfa: identity_serial.map(mfa),
        });
        if let Some(first) = roles.first_mut() {
            first.mfa = None;
        }
    } else if request.session_only {
        return Err(Error::profile(
            &request.profile,
            format!(
                "-s/--session needs long-term access keys at the root of the chain, but it starts with {}",
                root.describe()
            ),
        ));
    } else if let (Some(first), Some(serial)) = (roles.first_mut(), request.mfa_serial.as_deref())
    {
        first.mfa = Some(mfa(serial));
    }
    for role in &mut roles {
        if let Some(m) = &mut role.mfa {
            m.process = mfa_process.clone();
        }
    }
    if !request.session_only {
        steps.extend(roles.into_iter().map(Step::AssumeRole));
    }

    // Region: the flag, then the profile and its sources, then [default], then the
    // environment.
    let mut region = request
        .region
        .clone()
        .map(|r| (r, "--region".to_owned()));
    for p in visited.iter().copied().chain(default) {
        if region.is_some() {
            break;
        }
        if let Some(r) = p.get(key::REGION) {
            region = Some((r.to_owned(), format!("profile `{}`", p.name())));
        }
    }
    for var in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        if region.is_none()
            && let Ok(r) = env.get(var)
            && !r.is_empty()
        {
            region = Some((r, var.to_owned()));
        }
    }
    let (region, region_source) = region.ok_or_else(|| Error::NoRegion {
        profile: request.profile.clone(),
    })?;
    if !valid_region(&region) {
        return Err(Error::profile(
            &request.profile,
            format!("region `{region}` (from {region_source}) is not a region name such as us-east-1"),
        ));
    }

    let sts_endpoint = ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"]
        .iter()
        .find_map(|v| env.get(v).ok().filter(|s| !s.is_empty()))
        .or_else(|| {
            selected
                .and_then(|p| p.get(key::ENDPOINT_URL))
                .map(str::to_owned)
        });

    Ok(Chain {
        profile: request.profile.clone(),
        region,
        region_source,
        sts_endpoint,
        root,
        steps,
        warnings,
    })
}

/// Follows `source_profile` from `start` to the root, as the SDKs do. Returns the profiles
/// visited (selected first), the root, and the profiles that contribute a role (selected
/// first).
fn walk<'a>(
    profiles: &'a Profiles,
    start: &str,
) -> Result<(Vec<&'a Profile>, Root, Vec<&'a Profile>)> {
    let mut visited: Vec<&Profile> = Vec::new();
    let mut roles: Vec<&Profile> = Vec::new();
    let mut name = start.to_owned();
    let root = loop {
        let profile = match profiles.get(&name) {
            Some(p) => p,
            None => match visited.last() {
                None => return Err(profiles.unknown(&name)),
                Some(from) => {
                    let similar = profiles.similar(&name);
                    let hint = match similar.first() {
                        Some(s) => format!("; did you mean `{s}`?"),
                        None => format!("; add a [profile {name}] section or fix the name"),
                    };
                    return Err(Error::profile(
                        from.name(),
                        format!("source_profile `{name}` does not exist in {}{hint}", profiles.files.describe()),
                    ));
                }
            },
        };
        if visited.iter().any(|p| p.name() == profile.name()) {
            let mut path: Vec<String> = visited.iter().map(|p| p.name().to_owned()).collect();
            path.push(profile.name().to_owned());
            return Err(Error::Cycle { path });
        }
        visited.push(profile);

        // A source profile that has static keys ends the chain, whatever else it says.
        if visited.len() > 1 && has_key_pair(profile) {
            break access_key(profile)?;
        }
        if has_role(profile) {
            roles.push(profile);
            match (
                profile.get(key::SOURCE_PROFILE),
                profile.get(key::CREDENTIAL_SOURCE),
            ) {
                (Some(_), Some(_)) => {
                    return Err(Error::profile(
                        profile.name(),
                        "sets both source_profile and credential_source; keep the one that says where its credentials come from",
                    ));
                }
                (None, None) => {
                    return Err(Error::profile(
                        profile.name(),
                        "has role_arn but neither source_profile nor credential_source; add `source_profile = NAME` naming the profile whose credentials assume the role",
                    ));
                }
                (Some(source), None) if source == profile.name() => break base(profiles, profile)?,
                (Some(source), None) => name = source.to_owned(),
                (None, Some(_)) => break base(profiles, profile)?,
            }
        } else {
            let is_source = visited.len() > 1;
            break base(profiles, profile).map_err(|e| match (e, is_source) {
                (Error::Profile { profile, message }, true) => Error::Profile {
                    message: format!(
                        "{message} (it is the source profile of `{}`)",
                        visited[visited.len() - 2].name()
                    ),
                    profile,
                },
                (e, _) => e,
            })?;
        }
    };
    Ok((visited, root, roles))
}

/// A role to assume with a source's credentials. A profile with `web_identity_token_file`
/// uses its `role_arn` in its root instead.
fn has_role(p: &Profile) -> bool {
    p.get(key::ROLE_ARN).is_some() && p.get(key::WEB_IDENTITY_TOKEN_FILE).is_none()
}

fn has_key_pair(p: &Profile) -> bool {
    p.get(key::ACCESS_KEY_ID).is_some() && p.get(key::SECRET_ACCESS_KEY).is_some()
}

/// Where a profile's own credentials come from, in the SDKs' order.
fn base(profiles: &Profiles, p: &Profile) -> Result<Root> {
    let profile = p.name().to_owned();
    if let Some(source) = p.get(key::CREDENTIAL_SOURCE) {
        let source = match source {
            "Environment" => NamedSource::Environment,
            "Ec2InstanceMetadata" => NamedSource::Ec2InstanceMetadata,
            "EcsContainer" => NamedSource::EcsContainer,
            other => {
                return Err(Error::profile(
                    &profile,
                    format!("credential_source `{other}` is not one of Environment, Ec2InstanceMetadata, EcsContainer"),
                ));
            }
        };
        return Ok(Root::Named { profile, source });
    }
    if let Some(token_file) = p.get(key::WEB_IDENTITY_TOKEN_FILE) {
        let role_arn = p.get(key::ROLE_ARN).ok_or_else(|| {
            Error::profile(
                &profile,
                "web_identity_token_file is set but role_arn is missing; add the role to assume with the token",
            )
        })?;
        validate_role_arn(role_arn).map_err(|m| Error::profile(&profile, m))?;
        return Ok(Root::WebIdentity {
            role_arn: role_arn.to_owned(),
            token_file: token_file.to_owned(),
            session_name: p
                .get(key::SESSION_NAME)
                .map(str::to_owned)
                .unwrap_or_else(|| "runas-web-identity".to_owned()),
            duration: role_duration(p)?.unwrap_or(limits::ROLE_DEFAULT),
            profile,
        });
    }
    if let Some(sso) = sso(profiles, p)? {
        return Ok(sso);
    }
    if let Some(command) = p.get(key::CREDENTIAL_PROCESS) {
        return Ok(Root::CredentialProcess {
            profile,
            command: command.to_owned(),
        });
    }
    access_key(p)
}

fn access_key(p: &Profile) -> Result<Root> {
    let profile = p.name();
    match (
        p.get(key::ACCESS_KEY_ID),
        p.get(key::SECRET_ACCESS_KEY),
        p.get(key::SESSION_TOKEN),
    ) {
        (None, None, None) => Err(Error::profile(
            profile,
            "has no credentials: set aws_access_key_id and aws_secret_access_key, role_arn with source_profile, credential_process, sso_session, or web_identity_token_file",
        )),
        (None, _, _) => Err(Error::profile(
            profile,
            "aws_secret_access_key is set but aws_access_key_id is missing; add it next to the secret",
        )),
        (Some(_), None, _) => Err(Error::profile(
            profile,
            "aws_access_key_id is set but aws_secret_access_key is missing; add it next to the key id",
        )),
        (Some(id), Some(secret), token) => Ok(Root::AccessKey {
            profile: profile.to_owned(),
            credentials: Credentials {
                access_key_id: id.to_owned(),
                secret_access_key: secret.to_owned(),
                session_token: token.map(str::to_owned),
                expiration: None,
            },
        }),
    }
}

fn sso(profiles: &Profiles, p: &Profile) -> Result<Option<Root>> {
    let name = p.name();
    let session = p.get(key::SSO_SESSION);
    let (account_id, role_name) = (p.get(key::SSO_ACCOUNT_ID), p.get(key::SSO_ROLE_NAME));
    let (mut region, mut start_url) = (p.get(key::SSO_REGION), p.get(key::SSO_START_URL));
    if session.is_none() && [account_id, role_name, region, start_url].iter().all(Option::is_none) {
        return Ok(None);
    }
    if let Some(session) = session {
        for (k, v) in [(key::SSO_START_URL, start_url), (key::SSO_REGION, region)] {
            if v.is_some() {
                return Err(Error::profile(
                    name,
                    format!("{k} belongs in the [sso-session {session}] section when sso_session is set; move it there"),
                ));
            }
        }
        let section = profiles.set().sso_session(session).ok_or_else(|| {
            Error::profile(
                name,
                format!("sso_session `{session}` has no [sso-session {session}] section in {}", profiles.files.config.display()),
            )
        })?;
        region = section.get(key::SSO_REGION);
        start_url = section.get(key::SSO_START_URL);
    }
    let (account_id, role_name) = match (account_id, role_name) {
        (Some(a), Some(r)) => (a, r),
        (None, None) => {
            return Err(Error::profile(
                name,
                "has SSO settings but no sso_account_id and sso_role_name: add both to get role credentials",
            ));
        }
        (Some(_), None) => {
            return Err(Error::profile(name, "sso_account_id is set, so sso_role_name must be set too"));
        }
        (None, Some(_)) => {
            return Err(Error::profile(name, "sso_role_name is set, so sso_account_id must be set too"));
        }
    };
    let missing = |k: &str| {
        Error::profile(
            name,
            format!("{k} is missing{}", session.map(|s| format!(" from [sso-session {s}]")).unwrap_or_default()),
        )
    };
    Ok(Some(Root::Sso {
        profile: name.to_owned(),
        session_name: session.map(str::to_owned),
        region: region.ok_or_else(|| missing(key::SSO_REGION))?.to_owned(),
        start_url: start_url.ok_or_else(|| missing(key::SSO_START_URL))?.to_owned(),
        account_id: account_id.to_owned(),
        role_name: role_name.to_owned(),
    }))
}

fn role_step(p: &Profile, env: &Env) -> Result<RoleStep> {
    Ok(RoleStep {
        profile: p.name().to_owned(),
        role_arn: p.get(key::ROLE_ARN).unwrap_or_default().to_owned(),
        session_name: p
            .get(key::SESSION_NAME)
            .map(str::to_owned)
            .unwrap_or_else(|| default_session_name(env)),
        external_id: p.get(key::EXTERNAL_ID).map(str::to_owned),
        duration: role_duration(p)?.unwrap_or(limits::ROLE_DEFAULT),
        mfa: p.get(key::MFA_SERIAL).map(|serial| Mfa {
            serial: serial.to_owned(),
            process: None,
        }),
    })
}

/// `duration_seconds` (standard, seconds) or `credentials_duration` (aws-runas, Go-style).
fn role_duration(p: &Profile) -> Result<Option<Duration>> {
    for k in [key::DURATION_SECONDS, key::CREDENTIALS_DURATION] {
        if let Some(text) = p.get(k) {
            return duration::parse(text)
                .map(Some)
                .map_err(|m| Error::profile(p.name(), format!("{k}: {m}")));
        }
    }
    Ok(None)
}

fn root_profile<'a>(profiles: &'a Profiles, root: &Root) -> Option<&'a Profile> {
    let name = match root {
        Root::AccessKey { profile, .. }
        | Root::CredentialProcess { profile, .. }
        | Root::Sso { profile, .. }
        | Root::WebIdentity { profile, .. }
        | Root::Named { profile, .. } => profile,
    };
    profiles.get(name)
}

fn key_owner<'a>(
    selected: Option<&'a Profile>,
    root: Option<&'a Profile>,
    default: Option<&'a Profile>,
    k: &str,
) -> &'a str {
    [selected, root, default]
        .into_iter()
        .flatten()
        .find(|p| p.get(k).is_some())
        .map(Profile::name)
        .unwrap_or("default")
}

/// `runas-USER`, so CloudTrail shows who assumed the role; limited to what STS accepts.
fn default_session_name(env: &Env) -> String {
    let user: String = env
        .get("USER")
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "+=,.@-_".contains(*c))
        .take(56)
        .collect();
    if user.is_empty() {
        "runas".to_owned()
    } else {
        format!("runas-{user}")
    }
}

/// `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`, checked before STS sees it.
pub fn validate_role_arn(arn: &str) -> std::result::Result<(), String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "iam"
        && parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && parts[5].starts_with("role/")
        && parts[5].len() > "role/".len()
        && !arn.contains(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "role_arn `{arn}` is not a role ARN; expected arn:aws:iam::123456789012:role/NAME (a 12-digit account and a role name)"
        ))
    }
}

fn valid_region(r: &str) -> bool {
    !r.is_empty()
        && r.len() <= 32
        && r.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}
