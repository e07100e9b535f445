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
    visited: Vec<String>,
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
#[derive(Debug, Default, Clone, Hash)]
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

pub mod key {
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
    pub const ECR_REGISTRIES: &str = "ecr_registries";

    /// Every key runas reads, in the order `runas diagnose` shows them.
    pub const ALL: [&str; 24] = [
        REGION,
        ROLE_ARN,
        SOURCE_PROFILE,
        CREDENTIAL_SOURCE,
        SESSION_NAME,
        EXTERNAL_ID,
        DURATION_SECONDS,
        CREDENTIALS_DURATION,
        MFA_SERIAL,
        MFA_PROCESS,
        SESSION_TOKEN_DURATION,
        WEB_IDENTITY_TOKEN_FILE,
        CREDENTIAL_PROCESS,
        ACCESS_KEY_ID,
        SECRET_ACCESS_KEY,
        SESSION_TOKEN,
        SSO_SESSION,
        SSO_REGION,
        SSO_START_URL,
        SSO_ACCOUNT_ID,
        SSO_ROLE_NAME,
        ENDPOINT_URL,
        ECR_REGISTRIES,
        "aws_account_id",
    ];

    /// Keys whose values are secrets and are never shown.
    pub const SECRET: [&str; 2] = [SECRET_ACCESS_KEY, SESSION_TOKEN];
}

/// Resolves `request.profile` against `profiles`, reading `env` for the region fallbacks,
/// `AWS_PROFILE` (the source of a bare role ARN), `USER` (the default session name) and
/// endpoint overrides.
pub fn resolve(profiles: &Profiles, request: &Request, env: &Env) -> Result<Chain> {
    let default = profiles.get("default");
    let (visited, root, role_profiles) = if request.profile.starts_with("arn:") {
        validate_role_arn(&request.profile).map_err(Error::Usage)?;
        // A bare role ARN is assumed with the default credentials, found as the SDKs find
        // them: the environment's keys, else AWS_PROFILE's (or [default]'s).
        let source_name = env
            .get("AWS_PROFILE")
            .unwrap_or_else(|_| "default".to_owned());
        if env.get("AWS_ACCESS_KEY_ID").is_ok() {
            let root = Root::Named {
                profile: "environment".to_owned(),
                source: NamedSource::Environment,
            };
            (vec![], root, vec![])
        } else if profiles.get(&source_name).is_some() {
            walk(profiles, &source_name)?
        } else {
            return Err(Error::Usage(format!(
                "no credentials to assume {} with: there is no [{source_name}] profile and no AWS_ACCESS_KEY_ID; \
                 add one, or set AWS_PROFILE to a profile that has credentials",
                request.profile
            )));
        }
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
    // A role without a lifetime of its own takes `credentials_duration` from the selected
    // profile, the root's or [default] (aws-runas's rule), else STS's default hour.
    let inherited_duration = match runas_key(key::CREDENTIALS_DURATION) {
        Some((text, owner)) => duration::parse(text)
            .map_err(|m| Error::profile(owner, format!("{}: {m}", key::CREDENTIALS_DURATION)))?,
        None => limits::ROLE_DEFAULT,
    };
    for p in &role_sources {
        validate_role_arn(p.get(key::ROLE_ARN).unwrap_or_default())
            .map_err(|m| Error::profile(p.name(), m))?;
        roles.push(role_step(p, env, inherited_duration)?);
    }
    if request.profile.starts_with("arn:") {
        roles.push(RoleStep {
            profile: request.profile.clone(),
            role_arn: request.profile.clone(),
            session_name: default_session_name(env),
            external_id: None,
            duration: inherited_duration,
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
    } else if let (Some(first), Some(serial)) = (roles.first_mut(), request.mfa_serial.as_deref()) {
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
    let mut region = request.region.clone().map(|r| (r, "--region".to_owned()));
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
            format!(
                "region `{region}` (from {region_source}) is not a region name such as us-east-1"
            ),
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
        visited: visited.iter().map(|p| p.name().to_owned()).collect(),
    })
}

/// Longer chains of source profiles are refused: each hop is an STS call, and AWS caps
/// role chaining long before this.
const MAX_HOPS: usize = 32;

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
                        format!(
                            "source_profile `{name}` does not exist in {}{hint}",
                            profiles.files.describe()
                        ),
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
        if visited.len() > MAX_HOPS {
            return Err(Error::profile(
                start,
                format!(
                    "its chain of source profiles is longer than {MAX_HOPS} profiles (through `{}`); no real chain is, so look for a mistake",
                    profile.name()
                ),
            ));
        }

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
                    format!(
                        "credential_source `{other}` is not one of Environment, Ec2InstanceMetadata, EcsContainer"
                    ),
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
    if session.is_none()
        && [account_id, role_name, region, start_url]
            .iter()
            .all(Option::is_none)
    {
        return Ok(None);
    }
    if let Some(session) = session {
        for (k, v) in [(key::SSO_START_URL, start_url), (key::SSO_REGION, region)] {
            if v.is_some() {
                return Err(Error::profile(
                    name,
                    format!(
                        "{k} belongs in the [sso-session {session}] section when sso_session is set; move it there"
                    ),
                ));
            }
        }
        let section = profiles.set().sso_session(session).ok_or_else(|| {
            Error::profile(
                name,
                format!(
                    "sso_session `{session}` has no [sso-session {session}] section in {}",
                    profiles.files.config.display()
                ),
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
            return Err(Error::profile(
                name,
                "sso_account_id is set, so sso_role_name must be set too",
            ));
        }
        (None, Some(_)) => {
            return Err(Error::profile(
                name,
                "sso_role_name is set, so sso_account_id must be set too",
            ));
        }
    };
    let missing = |k: &str| {
        Error::profile(
            name,
            format!(
                "{k} is missing{}",
                session
                    .map(|s| format!(" from [sso-session {s}]"))
                    .unwrap_or_default()
            ),
        )
    };
    Ok(Some(Root::Sso {
        profile: name.to_owned(),
        session_name: session.map(str::to_owned),
        region: region.ok_or_else(|| missing(key::SSO_REGION))?.to_owned(),
        start_url: start_url
            .ok_or_else(|| missing(key::SSO_START_URL))?
            .to_owned(),
        account_id: account_id.to_owned(),
        role_name: role_name.to_owned(),
    }))
}

fn role_step(p: &Profile, env: &Env, default_duration: Duration) -> Result<RoleStep> {
    Ok(RoleStep {
        profile: p.name().to_owned(),
        role_arn: p.get(key::ROLE_ARN).unwrap_or_default().to_owned(),
        session_name: p
            .get(key::SESSION_NAME)
            .map(str::to_owned)
            .unwrap_or_else(|| default_session_name(env)),
        external_id: p.get(key::EXTERNAL_ID).map(str::to_owned),
        duration: role_duration(p)?.unwrap_or(default_duration),
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

#[cfg(test)]
mod tests {
    use super::*;

    const ARN_A: &str = "arn:aws:iam::123456789012:role/A";
    const ARN_B: &str = "arn:aws:iam::123456789012:role/B";

    fn resolve_with(
        config: &str,
        credentials: &str,
        request: Request,
        env: &[(&str, &str)],
    ) -> Result<Chain> {
        let profiles = Profiles::from_text(config, credentials).unwrap();
        resolve(&profiles, &request, &Env::from_slice(env))
    }

    fn chain(config: &str, profile: &str) -> Result<Chain> {
        resolve_with(
            config,
            "",
            Request {
                profile: profile.into(),
                ..Default::default()
            },
            &[("AWS_REGION", "us-east-1"), ("USER", "alice")],
        )
    }

    fn roles(c: &Chain) -> Vec<&str> {
        c.steps
            .iter()
            .filter_map(|s| match s {
                Step::AssumeRole(r) => Some(r.role_arn.as_str()),
                Step::SessionToken { .. } => None,
            })
            .collect()
    }

    fn root_key(c: &Chain) -> &str {
        match &c.root {
            Root::AccessKey { credentials, .. } => &credentials.access_key_id,
            other => panic!("expected access keys, got {other:?}"),
        }
    }

    fn error(config: &str, profile: &str) -> String {
        chain(config, profile).unwrap_err().to_string()
    }

    #[test]
    fn static_keys_then_a_role() {
        let c = chain(
            &format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\naws_access_key_id = KB\naws_secret_access_key = SB\n"),
            "a",
        )
        .unwrap();
        assert_eq!(root_key(&c), "KB");
        assert_eq!(roles(&c), [ARN_A]);
        let Step::AssumeRole(r) = &c.steps[0] else {
            panic!()
        };
        assert_eq!(r.session_name, "runas-alice");
        assert_eq!(r.duration, limits::ROLE_DEFAULT);
    }

    #[test]
    fn three_hops_in_order_from_the_root() {
        let c = chain(
            &format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n\
                 [profile b]\nrole_arn = {ARN_B}\nsource_profile = c\n\
                 [profile c]\nrole_arn = arn:aws:iam::123456789012:role/C\nsource_profile = d\n\
                 [profile d]\naws_access_key_id = KD\naws_secret_access_key = SD\n"
            ),
            "a",
        )
        .unwrap();
        assert_eq!(
            roles(&c),
            ["arn:aws:iam::123456789012:role/C", ARN_B, ARN_A]
        );
    }

    #[test]
    fn a_source_profile_with_keys_ends_the_chain() {
        // As in the SDKs: B's own role is ignored because B has static keys; A's keys are
        // ignored because A names a source profile.
        let c = chain(
            &format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\naws_access_key_id = KA\naws_secret_access_key = SA\n\
                 [profile b]\nrole_arn = {ARN_B}\nsource_profile = c\naws_access_key_id = KB\naws_secret_access_key = SB\n\
                 [profile c]\naws_access_key_id = KC\naws_secret_access_key = SC\n"
            ),
            "a",
        )
        .unwrap();
        assert_eq!(root_key(&c), "KB");
        assert_eq!(roles(&c), [ARN_A]);
    }

    #[test]
    fn a_self_referencing_profile_uses_its_own_keys_first() {
        let c = chain(
            &format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = a\naws_access_key_id = KA\naws_secret_access_key = SA\n"),
            "a",
        )
        .unwrap();
        assert_eq!(root_key(&c), "KA");
        assert_eq!(roles(&c), [ARN_A]);
    }

    #[test]
    fn keys_in_the_credentials_file_merge_with_the_config() {
        let c = resolve_with(
            &format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\nregion = eu-west-2\n"),
            "[b]\naws_access_key_id = KB\naws_secret_access_key = SB\n",
            Request { profile: "a".into(), ..Default::default() },
            &[],
        )
        .unwrap();
        assert_eq!(root_key(&c), "KB");
        assert_eq!(
            (c.region.as_str(), c.region_source.as_str()),
            ("eu-west-2", "profile `b`")
        );
    }

    #[test]
    fn other_roots() {
        let c = chain("[profile w]\nrole_arn = arn:aws:iam::123456789012:role/W\nweb_identity_token_file = /t\nrole_session_name = s\n", "w").unwrap();
        assert!(matches!(&c.root, Root::WebIdentity { session_name, .. } if session_name == "s"));
        assert!(c.steps.is_empty());
        let c = chain("[profile p]\ncredential_process = get-creds --x\n", "p").unwrap();
        assert!(
            matches!(&c.root, Root::CredentialProcess { command, .. } if command == "get-creds --x")
        );
        let c = chain(
            &format!("[profile e]\nrole_arn = {ARN_A}\ncredential_source = EcsContainer\n"),
            "e",
        )
        .unwrap();
        assert!(matches!(
            c.root,
            Root::Named {
                source: NamedSource::EcsContainer,
                ..
            }
        ));
        assert_eq!(roles(&c), [ARN_A]);
        let c = chain(
            "[profile s]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\n\
             [sso-session corp]\nsso_region = eu-west-1\nsso_start_url = https://corp.awsapps.com/start\n",
            "s",
        )
        .unwrap();
        assert!(
            matches!(&c.root, Root::Sso { region, role_name, .. } if region == "eu-west-1" && role_name == "Dev")
        );
    }

    #[test]
    fn roles_from_a_role_session_are_limited_to_an_hour() {
        let c = chain(
            &format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = w\nduration_seconds = 7200\n\
                 [profile w]\nrole_arn = {ARN_B}\nweb_identity_token_file = /t\n"
            ),
            "a",
        )
        .unwrap();
        let Step::AssumeRole(r) = &c.steps[0] else {
            panic!()
        };
        assert_eq!(r.duration, limits::CHAINED_ROLE_MAX);
        assert!(c.warnings[0].contains("one hour"), "{:?}", c.warnings);
    }

    #[test]
    fn mfa_on_the_role_becomes_a_session_token_step() {
        let c = chain(
            &format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n\
                 [profile b]\naws_access_key_id = KB\naws_secret_access_key = SB\n"
            ),
            "a",
        )
        .unwrap();
        let Step::SessionToken {
            duration,
            mfa: Some(m),
        } = &c.steps[0]
        else {
            panic!("{:?}", c.steps)
        };
        assert_eq!(m.serial, "arn:aws:iam::123456789012:mfa/alice");
        assert_eq!(*duration, limits::SESSION_TOKEN_DEFAULT);
        let Step::AssumeRole(r) = &c.steps[1] else {
            panic!()
        };
        assert_eq!(r.mfa, None, "the session token carries the MFA");
    }

    #[test]
    fn credentials_duration_is_inherited_by_roles_without_their_own() {
        let config = format!(
            "[default]\ncredentials_duration = 2h\n\
             [profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n\
             [profile own]\nrole_arn = {ARN_A}\nsource_profile = b\nduration_seconds = 1800\n\
             [profile b]\naws_access_key_id = KB\naws_secret_access_key = SB\n"
        );
        let inherited = chain(&config, "a").unwrap();
        let Step::AssumeRole(r) = &inherited.steps[0] else {
            panic!()
        };
        assert_eq!(r.duration, Duration::from_secs(7200));
        let own = chain(&config, "own").unwrap();
        let Step::AssumeRole(r) = &own.steps[0] else {
            panic!()
        };
        assert_eq!(r.duration, Duration::from_secs(1800));
    }

    #[test]
    fn mfa_is_inherited_from_the_source_profile_or_default() {
        let from_source = chain(
            &format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n\
                 [profile b]\naws_access_key_id = KB\naws_secret_access_key = SB\nmfa_serial = arn:aws:iam::123456789012:mfa/b\n\
                 [default]\nmfa_process = echo 123456\nsession_token_duration = 8h\n"
            ),
            "a",
        )
        .unwrap();
        let Step::SessionToken {
            duration,
            mfa: Some(m),
        } = &from_source.steps[0]
        else {
            panic!()
        };
        assert_eq!(m.serial, "arn:aws:iam::123456789012:mfa/b");
        assert_eq!(m.process.as_deref(), Some("echo 123456"));
        assert_eq!(*duration, Duration::from_secs(8 * 3600));

        let from_default = chain(
            &format!(
                "[default]\nmfa_serial = arn:aws:iam::123456789012:mfa/d\n\
                 [profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n\
                 [profile b]\naws_access_key_id = KB\naws_secret_access_key = SB\n"
            ),
            "a",
        )
        .unwrap();
        assert!(
            matches!(&from_default.steps[0], Step::SessionToken { mfa: Some(m), .. } if m.serial.ends_with("mfa/d"))
        );

        // A plain key profile does not pick up [default]'s device.
        let plain = chain(
            "[default]\nmfa_serial = arn:aws:iam::123456789012:mfa/d\n[profile b]\naws_access_key_id = KB\naws_secret_access_key = SB\n",
            "b",
        )
        .unwrap();
        assert!(plain.steps.is_empty());
    }

    #[test]
    fn mfa_without_long_term_keys_goes_with_assume_role() {
        let c = resolve_with(
            &format!("[profile a]\nrole_arn = {ARN_A}\ncredential_source = Environment\n"),
            "",
            Request {
                profile: "a".into(),
                mfa_serial: Some("arn:aws:iam::123456789012:mfa/x".into()),
                ..Default::default()
            },
            &[("AWS_REGION", "us-east-1")],
        )
        .unwrap();
        assert_eq!(c.steps.len(), 1);
        let Step::AssumeRole(r) = &c.steps[0] else {
            panic!()
        };
        assert_eq!(
            r.mfa.as_ref().unwrap().serial,
            "arn:aws:iam::123456789012:mfa/x"
        );
    }

    #[test]
    fn flags_override_the_files() {
        let c = resolve_with(
            &format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nexternal_id = file\ncredentials_duration = 2h\nregion = eu-west-1\n\
                 [profile b]\naws_access_key_id = KB\naws_secret_access_key = SB\n"
            ),
            "",
            Request {
                profile: "a".into(),
                region: Some("ap-south-1".into()),
                external_id: Some("flag".into()),
                role_duration: Some(Duration::from_secs(24 * 3600)),
                ..Default::default()
            },
            &[],
        )
        .unwrap();
        assert_eq!(c.region, "ap-south-1");
        let Step::AssumeRole(r) = &c.steps[0] else {
            panic!()
        };
        assert_eq!(r.external_id.as_deref(), Some("flag"));
        assert_eq!(r.duration, limits::ROLE_MAX);
        assert!(c.warnings[0].contains("above the STS maximum"));
    }

    #[test]
    fn session_only_drops_the_roles() {
        let config = format!(
            "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\naws_access_key_id = KB\naws_secret_access_key = SB\n"
        );
        let c = resolve_with(
            &config,
            "",
            Request {
                profile: "a".into(),
                session_only: true,
                ..Default::default()
            },
            &[("AWS_REGION", "us-east-1")],
        )
        .unwrap();
        assert!(matches!(
            c.steps.as_slice(),
            [Step::SessionToken { mfa: None, .. }]
        ));
        let err = resolve_with(
            "[profile p]\ncredential_process = x\n",
            "",
            Request {
                profile: "p".into(),
                session_only: true,
                ..Default::default()
            },
            &[("AWS_REGION", "us-east-1")],
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("-s/--session needs long-term access keys"),
            "{err}"
        );
    }

    #[test]
    fn a_role_arn_is_assumed_with_the_default_profile() {
        let c = chain(
            "[default]\naws_access_key_id = KD\naws_secret_access_key = SD\n",
            ARN_A,
        )
        .unwrap();
        assert_eq!(root_key(&c), "KD");
        assert_eq!(roles(&c), [ARN_A]);
        let from_env = resolve_with(
            "[default]\naws_access_key_id = KD\naws_secret_access_key = SD\n",
            "",
            Request {
                profile: ARN_A.into(),
                ..Default::default()
            },
            &[("AWS_REGION", "us-east-1"), ("AWS_ACCESS_KEY_ID", "KE")],
        )
        .unwrap();
        assert!(
            matches!(
                from_env.root,
                Root::Named {
                    source: NamedSource::Environment,
                    ..
                }
            ),
            "the environment's keys come first, as in the SDKs"
        );
        let err = error("", ARN_A);
        assert!(err.contains("no credentials to assume"), "{err}");
        let err = error(
            "[default]\naws_access_key_id = KD\naws_secret_access_key = SD\n",
            "arn:aws:iam::123:role/short",
        );
        assert!(err.contains("12-digit account"), "{err}");
    }

    #[test]
    fn region_fallbacks_and_their_absence() {
        let config = "[profile k]\naws_access_key_id = K\naws_secret_access_key = S\n";
        let none = resolve_with(
            config,
            "",
            Request {
                profile: "k".into(),
                ..Default::default()
            },
            &[],
        )
        .unwrap_err();
        assert!(
            none.to_string().contains("no region for profile `k`"),
            "{none}"
        );
        assert!(none.to_string().contains("AWS_REGION"));
        let from_env = resolve_with(
            config,
            "",
            Request {
                profile: "k".into(),
                ..Default::default()
            },
            &[("AWS_DEFAULT_REGION", "sa-east-1")],
        )
        .unwrap();
        assert_eq!(
            (from_env.region.as_str(), from_env.region_source.as_str()),
            ("sa-east-1", "AWS_DEFAULT_REGION")
        );
        let bad = error(
            "[profile k]\naws_access_key_id = K\naws_secret_access_key = S\nregion = us east 1\n",
            "k",
        );
        assert!(bad.contains("region `us east 1`"), "{bad}");
    }

    #[test]
    fn resolution_errors_name_the_profile_and_the_fix() {
        let cases = [
            (format!("[profile a]\nrole_arn = {ARN_A}\n"), "profile `a`: has role_arn but neither source_profile nor credential_source"),
            (format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\ncredential_source = Environment\n[profile b]\n"), "profile `a`: sets both source_profile and credential_source"),
            (format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = bb\n[profile b]\n"), "profile `a`: source_profile `bb` does not exist"),
            (format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\naws_access_key_id = K\n"), "profile `b`: aws_access_key_id is set but aws_secret_access_key is missing"),
            (format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\naws_secret_access_key = S\n"), "aws_secret_access_key is set but aws_access_key_id is missing"),
            (format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\nregion = x\n"), "profile `b`: has no credentials"),
            ("[profile a]\nrole_arn = arn:aws:iam::1234:role/A\nsource_profile = a\naws_access_key_id = K\naws_secret_access_key = S\n".into(), "profile `a`: role_arn `arn:aws:iam::1234:role/A` is not a role ARN"),
            ("[profile a]\nrole_arn = arn:aws:s3:::bucket\nsource_profile = a\n".into(), "has no credentials"),
            ("[profile a]\nweb_identity_token_file = /t\n".into(), "role_arn is missing"),
            (format!("[profile a]\nrole_arn = {ARN_A}\ncredential_source = Laptop\n"), "credential_source `Laptop` is not one of"),
            (format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nduration_seconds = forever\n[profile b]\naws_access_key_id = K\naws_secret_access_key = S\n"), "profile `a`: duration_seconds: `forever` is not a duration"),
            ("[profile k]\naws_access_key_id = K\naws_secret_access_key = S\nsession_token_duration = 12x\nmfa_serial = arn:aws:iam::123456789012:mfa/k\n".into(), "profile `k`: session_token_duration: `12x`: unknown unit"),
            ("[profile s]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = r\n".into(), "sso_session `nope` has no [sso-session nope] section"),
            ("[profile s]\nsso_account_id = 1\nsso_region = us-east-1\nsso_start_url = u\n".into(), "sso_account_id is set, so sso_role_name must be set too"),
            ("[profile s]\nsso_session = c\nsso_region = us-east-1\n[sso-session c]\nsso_start_url = u\n".into(), "sso_region belongs in the [sso-session c] section"),
        ];
        for (config, expected) in cases {
            // Each case selects the profile of its first section.
            let first = config.lines().next().unwrap();
            let name = &first["[profile ".len()..first.len() - 1];
            let err = chain(&config, name).unwrap_err();
            let text = err.to_string();
            assert!(
                text.contains(expected),
                "config:\n{config}\nexpected: {expected}\ngot: {text}"
            );
            assert_eq!(err.exit(), crate::error::Exit::Config);
        }
    }

    #[test]
    fn cycles_are_printed() {
        let err = chain(
            &format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n\
                 [profile b]\nrole_arn = {ARN_B}\nsource_profile = c\n\
                 [profile c]\nrole_arn = {ARN_B}\nsource_profile = a\n"
            ),
            "a",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "profile `a` forms a cycle of source profiles: a -> b -> c -> a"
        );
    }

    #[test]
    fn unknown_profiles_get_suggestions() {
        let err = error(
            "[profile prod]\naws_access_key_id = K\naws_secret_access_key = S\n",
            "prdo",
        );
        assert!(
            err.contains("profile `prdo` not found") && err.contains("did you mean `prod`?"),
            "{err}"
        );
    }

    #[test]
    fn the_endpoint_override_is_part_of_the_plan() {
        let config = "[profile k]\naws_access_key_id = K\naws_secret_access_key = S\nendpoint_url = http://127.0.0.1:1\n";
        let c = resolve_with(
            config,
            "",
            Request {
                profile: "k".into(),
                ..Default::default()
            },
            &[("AWS_REGION", "us-east-1")],
        )
        .unwrap();
        assert_eq!(c.sts_endpoint.as_deref(), Some("http://127.0.0.1:1"));
        let c = resolve_with(
            config,
            "",
            Request {
                profile: "k".into(),
                ..Default::default()
            },
            &[
                ("AWS_REGION", "us-east-1"),
                ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:2"),
            ],
        )
        .unwrap();
        assert_eq!(c.sts_endpoint.as_deref(), Some("http://127.0.0.1:2"));
    }
}
