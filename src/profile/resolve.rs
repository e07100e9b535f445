//! Resolving a profile into a [`Chain`]: a pure function of the profile files, the
//! command-line overrides and a snapshot of the environment, run in named phases.
//!
//! It follows the SDKs' rules for `source_profile` chains (in `walk`) and adds aws-runas's:
//! `mfa_serial` inherited from the source profile or `[default]`, where the MFA code goes,
//! and lifetimes from `session_token_duration` and `credentials_duration`, within STS's
//! limits.

use super::Profiles;
use super::chain::{Chain, Mfa, MfaProcess, RegionSource, Request, RoleStep, Step, Target};
use super::key::{self, validate_mfa_serial};
use super::root::{NamedSource, Root, Source};
use super::walk::{role_step, root_profile, walk};
use crate::arn::RoleArn;
use crate::duration::{self, limits};
use crate::error::Problem;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::variables::{
    AWS_ACCESS_KEY_ID, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_STS, AWS_PROFILE,
    AWS_REGION, USER,
};
use aws_config::profile::Profile;
use aws_types::os_shim_internal::Env;
use std::time::Duration;

/// Resolves `request.target` against `profiles`, reading `env` for the region fallbacks,
/// `AWS_PROFILE` (the source of a bare role ARN), `USER` (the default session name) and
/// endpoint overrides. It runs in phases: walk the source profiles to a root, turn the
/// profiles with roles into role steps, settle durations and where the MFA code goes,
/// then the region, the partition checks and the STS endpoint.
pub fn resolve(profiles: &Profiles, request: &Request, env: &Env) -> Result<Chain> {
    let (target_arn, (visited, root, role_profiles)) = walk_target(profiles, request, env)?;
    let keys = Keys::new(profiles, visited.first().copied(), &root);
    let mut warnings = Vec::new();
    let mut roles = role_steps(&role_profiles, target_arn, request, env, &keys)?;
    let session_duration = session_duration(request, &keys, &mut warnings)?;
    let steps = place_mfa(request, &root, &mut roles, session_duration, &keys)?;
    let steps = settle_durations(steps, &root, env, &mut warnings);
    let (region, region_source) = region(&visited, profiles, request, env)?;
    check_partitions(request.target.name(), &region, &root, &steps)?;
    let serve = keys.flag(key::SERVE)?;
    let sso_auto_login = keys.flag(key::SSO_AUTO_LOGIN)?;
    let sts_endpoint = [AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL]
        .iter()
        .find_map(|v| env.get(v.name).ok().filter(|s| !s.is_empty()))
        .or_else(|| {
            visited
                .first()
                .and_then(|p| p.get(key::ENDPOINT_URL))
                .map(str::to_owned)
        });
    Ok(Chain {
        target: request.target.clone(),
        region,
        region_source,
        ecr_registries: request
            .target
            .profile()
            .and_then(|name| profiles.get(name))
            .and_then(|p| p.get(key::ECR_REGISTRIES))
            .map(str::to_owned),
        sts_endpoint,
        root,
        steps,
        warnings,
        serve,
        sso_auto_login,
        visited: visited.iter().map(|p| p.name().to_owned()).collect(),
    })
}

type Walked<'a> = (Vec<&'a Profile>, Root, Vec<&'a Profile>);

/// The walk from the profile asked for, or for a bare role ARN (parsed here, once), from
/// the credentials the SDKs would use: the environment's keys, else AWS_PROFILE's (or
/// [default]'s).
fn walk_target<'a>(
    profiles: &'a Profiles,
    request: &Request,
    env: &Env,
) -> Result<(Option<RoleArn>, Walked<'a>)> {
    let arn = match &request.target {
        Target::Profile(name) => return Ok((None, walk(profiles, name)?)),
        Target::RoleArn(text) => RoleArn::parse(text).map_err(Error::Usage)?,
    };
    let source_name = env
        .get(AWS_PROFILE.name)
        .unwrap_or_else(|_| "default".to_owned());
    if env.get(AWS_ACCESS_KEY_ID.name).is_ok() {
        let root = Root {
            profile: "environment".to_owned(),
            source: Source::Named(NamedSource::Environment),
            account_id: None,
        };
        Ok((Some(arn), (vec![], root, vec![])))
    } else if profiles.get(&source_name).is_some() {
        Ok((Some(arn), walk(profiles, &source_name)?))
    } else {
        Err(Error::NoSourceForRoleArn {
            arn: arn.to_string(),
            source_profile: source_name,
        })
    }
}

/// runas's own keys (`credentials_duration`, `session_token_duration`, `mfa_process`,
/// `runas_serve`) are
/// read from the selected profile, else the root's, else [default] (aws-runas's rule).
struct Keys<'a> {
    selected: Option<&'a Profile>,
    root: Option<&'a Profile>,
    default: Option<&'a Profile>,
}

impl<'a> Keys<'a> {
    fn new(profiles: &'a Profiles, selected: Option<&'a Profile>, root: &Root) -> Self {
        Keys {
            selected,
            root: root_profile(profiles, root),
            default: profiles.get("default"),
        }
    }

    /// The value and the profile it came from.
    fn get(&self, k: &str) -> Option<(&'a str, &'a str)> {
        [self.selected, self.root, self.default]
            .into_iter()
            .flatten()
            .find_map(|p| p.get(k).map(|v| (v, p.name())))
    }

    /// A yes-or-no key, `true` or `false` in any case as the SDKs read theirs; absent is no.
    fn flag(&self, k: &str) -> Result<bool> {
        let Some((text, owner)) = self.get(k) else {
            return Ok(false);
        };
        match text.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(Error::profile(
                owner,
                Problem::Unparsable {
                    key: k.to_owned(),
                    why: format!("`{text}` is not true or false"),
                },
            )),
        }
    }

    fn duration(&self, k: &str) -> Result<Option<Duration>> {
        self.get(k)
            .map(|(text, owner)| {
                duration::parse(text).map_err(|why| {
                    Error::profile(
                        owner,
                        Problem::Unparsable {
                            key: k.to_owned(),
                            why,
                        },
                    )
                })
            })
            .transpose()
    }
}

/// The roles to assume, root side first; a role ARN given in place of a profile is last.
/// Flags apply to the last role. Durations are as asked here; STS's limits come later.
fn role_steps(
    role_profiles: &[&Profile],
    target_arn: Option<RoleArn>,
    request: &Request,
    env: &Env,
    keys: &Keys,
) -> Result<Vec<RoleStep>> {
    // Checked after the walk so that a broken chain is reported before a broken ARN, as
    // the SDKs do.
    let inherited = keys
        .duration(key::CREDENTIALS_DURATION)?
        .unwrap_or(limits::ROLE_DEFAULT);
    let mut roles = Vec::new();
    for p in role_profiles.iter().rev() {
        roles.push(role_step(p, env, inherited)?);
    }
    if let Some(arn) = target_arn {
        roles.push(RoleStep {
            profile: arn.to_string(),
            role_arn: arn,
            session_name: default_session_name(env),
            external_id: None,
            duration: inherited,
            mfa: None,
        });
    }
    if let Some(last) = roles.last_mut() {
        if let Some(d) = request.role_duration {
            last.duration = d;
        }
        if let Some(id) = &request.external_id {
            last.external_id = Some(id.clone());
        }
    }
    Ok(roles)
}

fn session_duration(
    request: &Request,
    keys: &Keys,
    warnings: &mut Vec<String>,
) -> Result<Duration> {
    let asked = match request.session_duration {
        Some(d) => d,
        None => keys
            .duration(key::SESSION_TOKEN_DURATION)?
            .unwrap_or(limits::SESSION_TOKEN_DEFAULT),
    };
    let (d, note) = duration::clamp(asked, limits::MIN, limits::SESSION_TOKEN_MAX);
    if let Some(note) = note {
        warnings.push(format!("session token duration: {note}"));
    }
    Ok(d)
}

/// Where the MFA code goes. With long-term keys at the root, one GetSessionToken with the
/// code (cached for hours) carries the MFA for every role of up to an hour; a longer first
/// role is assumed directly from the keys with the code, because STS caps any role
/// assumed with session credentials at one hour. Roots that yield session credentials
/// never call GetSessionToken: the code goes with the first AssumeRole. Later roles that
/// name a device already used ride the MFA-authenticated session and send no code, since
/// STS accepts each one-time code once.
fn place_mfa(
    request: &Request,
    root: &Root,
    roles: &mut Vec<RoleStep>,
    session_duration: Duration,
    keys: &Keys,
) -> Result<Vec<Step>> {
    let mfa_process = keys
        .get(key::MFA_PROCESS)
        .map(|(command, profile)| MfaProcess {
            command: Secret::new(command),
            profile: profile.to_owned(),
        });
    let device = |serial: &str| Mfa {
        serial: serial.to_owned(),
        process: mfa_process.clone(),
    };
    let long_term = root.long_term();
    let identity_serial = identity_serial(request, roles, keys, long_term)?;
    let mut steps = Vec::new();
    if request.session_only {
        if !long_term {
            return Err(Error::profile(
                request.target.name(),
                Problem::SessionNeedsLongTermKeys {
                    root: root.describe(),
                },
            ));
        }
        steps.push(Step::SessionToken {
            duration: session_duration,
            mfa: identity_serial.as_deref().map(device),
        });
        return Ok(steps);
    }
    let first_is_long = roles
        .first()
        .is_some_and(|r| r.duration > limits::CHAINED_ROLE_MAX);
    match (long_term, identity_serial.as_deref(), roles.first_mut()) {
        (true, Some(serial), Some(first)) if first_is_long => first.mfa = Some(device(serial)),
        (true, Some(serial), first) => {
            steps.push(Step::SessionToken {
                duration: session_duration,
                mfa: Some(device(serial)),
            });
            if let Some(first) = first {
                first.mfa = None;
            }
        }
        (false, Some(serial), Some(first)) => first.mfa = Some(device(serial)),
        _ => {}
    }
    let mut used: Vec<String> = steps
        .iter()
        .filter_map(|s| match s {
            Step::SessionToken { mfa: Some(m), .. } => Some(m.serial.clone()),
            _ => None,
        })
        .collect();
    for role in roles.drain(..) {
        let mut role = role;
        if let Some(m) = &mut role.mfa {
            if used.contains(&m.serial) {
                role.mfa = None;
            } else {
                m.process = mfa_process.clone();
                used.push(m.serial.clone());
            }
        }
        steps.push(Step::AssumeRole(role));
    }
    Ok(steps)
}

/// The MFA device of the identity that assumes the first role: `-M`, else the first
/// role's `mfa_serial`, the root profile's, or (for long-term keys with a role to assume)
/// [default]'s.
fn identity_serial(
    request: &Request,
    roles: &[RoleStep],
    keys: &Keys,
    long_term: bool,
) -> Result<Option<String>> {
    if let Some(serial) = &request.mfa_serial {
        validate_mfa_serial(serial).map_err(Error::Usage)?;
        return Ok(Some(serial.clone()));
    }
    let from_role = roles
        .first()
        .and_then(|r| r.mfa.as_ref())
        .map(|m| m.serial.clone());
    let from_root = keys
        .root
        .and_then(|p| p.get(key::MFA_SERIAL).map(|v| (v, p.name())));
    let from_default = if roles.is_empty() || !long_term {
        None
    } else {
        keys.default
            .and_then(|p| p.get(key::MFA_SERIAL).map(|v| (v, p.name())))
    };
    if let Some(serial) = from_role {
        return Ok(Some(serial));
    }
    match from_root.or(from_default) {
        Some((serial, owner)) => {
            validate_mfa_serial(serial).map_err(|why| {
                Error::profile(
                    owner,
                    Problem::Invalid {
                        key: key::MFA_SERIAL,
                        why,
                    },
                )
            })?;
            Ok(Some(serial.to_owned()))
        }
        None => Ok(None),
    }
}

/// STS's limits on every role: 15 minutes to 12 hours, and one hour for a role assumed
/// with session credentials (a session token, another role's, or a session root).
fn settle_durations(
    mut steps: Vec<Step>,
    root: &Root,
    env: &Env,
    warnings: &mut Vec<String>,
) -> Vec<Step> {
    let mut session_signed = root.yields_session(env);
    for step in &mut steps {
        let Step::AssumeRole(role) = step else {
            session_signed = true;
            continue;
        };
        let max = if session_signed {
            limits::CHAINED_ROLE_MAX
        } else {
            limits::ROLE_MAX
        };
        let (d, note) = duration::clamp(role.duration, limits::MIN, max);
        if let Some(note) = note {
            let why = if session_signed && role.duration > max {
                " (one hour is the STS limit when a role is assumed with session credentials)"
            } else {
                ""
            };
            warnings.push(format!("role duration for `{}`: {note}{why}", role.profile));
        }
        role.duration = d;
        session_signed = true;
    }
    steps
}

/// The flag, then the profile and its sources, then [default], then the environment.
fn region(
    visited: &[&Profile],
    profiles: &Profiles,
    request: &Request,
    env: &Env,
) -> Result<(String, RegionSource)> {
    let mut region = request.region.clone().map(|r| (r, RegionSource::Flag));
    for p in visited.iter().copied().chain(profiles.get("default")) {
        if region.is_some() {
            break;
        }
        if let Some(r) = p.get(key::REGION) {
            region = Some((r.to_owned(), RegionSource::Profile(p.name().to_owned())));
        }
    }
    for var in [AWS_REGION.name, AWS_DEFAULT_REGION.name] {
        if region.is_none()
            && let Ok(r) = env.get(var)
            && !r.is_empty()
        {
            region = Some((r, RegionSource::Variable(var)));
        }
    }
    let (region, source) = region.ok_or_else(|| Error::NoRegion {
        profile: request.target.name().to_owned(),
    })?;
    if !crate::partition::is_region_name(&region) {
        return Err(Error::profile(
            request.target.name(),
            Problem::Region {
                region,
                origin: source.to_string(),
            },
        ));
    }
    Ok((region, source))
}

/// Every ARN of the chain that names a partition AWS has must belong to the one that
/// serves its region: STS in `cn-north-1` knows nothing of `arn:aws:` roles, and the other
/// way round. An ARN of no known partition is left to the service that receives it.
fn check_partitions(profile: &str, region: &str, root: &Root, steps: &[Step]) -> Result<()> {
    let partition = crate::partition::of_region(region);
    // Each ARN with its owner and its partition: a role's from its parse, an MFA device's
    // from its text (a hardware token's serial has none).
    fn device(serial: &str) -> Option<&str> {
        serial
            .strip_prefix("arn:")
            .and_then(|a| a.split(':').next())
            .filter(|p| crate::partition::is_known(p))
    }
    let mut arns: Vec<(&str, &str, Option<&str>)> = Vec::new();
    if let Some(role_arn) = root.role_arn() {
        arns.push((&root.profile, role_arn.as_str(), role_arn.partition()));
    }
    for step in steps {
        match step {
            Step::AssumeRole(r) => {
                let role = &r.role_arn;
                arns.push((&r.profile, role.as_str(), role.partition()));
                if let Some(m) = &r.mfa {
                    arns.push((&r.profile, &m.serial, device(&m.serial)));
                }
            }
            Step::SessionToken { mfa: Some(m), .. } => {
                arns.push((profile, &m.serial, device(&m.serial)))
            }
            Step::SessionToken { mfa: None, .. } => {}
        }
    }
    for (owner, arn, theirs) in arns {
        if let Some(theirs) = theirs
            && theirs != partition
        {
            return Err(Error::profile(
                owner,
                Problem::Partition {
                    arn: arn.to_owned(),
                    theirs: theirs.to_owned(),
                    region: region.to_owned(),
                    partition: partition.to_owned(),
                },
            ));
        }
    }
    Ok(())
}

/// `runas-USER`, so CloudTrail shows who assumed the role; limited to what STS accepts.
pub(super) fn default_session_name(env: &Env) -> String {
    let user: String = env
        .get(USER.name)
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "+=,.@-_".contains(*c))
        .take(64 - "runas-".len())
        .collect();
    if user.is_empty() {
        "runas".to_owned()
    } else {
        format!("runas-{user}")
    }
}

#[cfg(test)]
mod tests;
