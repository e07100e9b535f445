//! Following `source_profile` from the selected profile to the root, as the SDKs do, and
//! reading what each profile says of itself: its root source, its role.

use super::Profiles;
use super::chain::{Mfa, NamedSource, RoleStep, Root};
use super::key::{self, validate_mfa_serial, validate_role_arn};
use crate::credentials::Credentials;
use crate::duration::{self, limits};
use crate::error::{Error, Result};
use crate::secret::Secret;
use aws_config::profile::Profile;
use aws_types::os_shim_internal::Env;
use std::time::Duration;

/// Follows `source_profile` from `start` to the root, as the SDKs do. Returns the profiles
/// visited (selected first), the root, and the profiles that contribute a role (selected
/// Longer chains of source profiles are refused: each hop is an STS call, and AWS caps
/// role chaining long before this.
const MAX_HOPS: usize = 32;

fn within_hops(start: &str, hops: usize, last: &Profile) -> Result<()> {
    if hops <= MAX_HOPS {
        return Ok(());
    }
    Err(Error::profile(
        start,
        format!(
            "its chain of source profiles is longer than {MAX_HOPS} profiles (through `{}`); no real chain is, so look for a mistake",
            last.name()
        ),
    ))
}

/// first).
pub(super) fn walk<'a>(
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
        within_hops(start, visited.len(), profile)?;

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
            session_name: session_name(p)?.unwrap_or_else(|| "runas-web-identity".to_owned()),
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
        (Some(id), Some(secret), token) => {
            let credentials = Credentials {
                access_key_id: id.to_owned(),
                secret_access_key: secret.into(),
                session_token: token.map(Secret::from),
                expiration: None,
            };
            match credentials.problem() {
                None => Ok(Root::AccessKey {
                    profile: profile.to_owned(),
                    credentials,
                }),
                Some(why) => Err(Error::profile(
                    profile,
                    format!(
                        "{why}; check aws_access_key_id, aws_secret_access_key and aws_session_token"
                    ),
                )),
            }
        }
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

pub(super) fn role_step(p: &Profile, env: &Env, default_duration: Duration) -> Result<RoleStep> {
    let mfa = match p.get(key::MFA_SERIAL) {
        Some(serial) => {
            validate_mfa_serial(serial).map_err(|m| Error::profile(p.name(), m))?;
            Some(Mfa {
                serial: serial.to_owned(),
                process: None,
            })
        }
        None => None,
    };
    Ok(RoleStep {
        profile: p.name().to_owned(),
        role_arn: p.get(key::ROLE_ARN).unwrap_or_default().to_owned(),
        session_name: session_name(p)?.unwrap_or_else(|| super::resolve::default_session_name(env)),
        external_id: p.get(key::EXTERNAL_ID).map(str::to_owned),
        duration: role_duration(p)?.unwrap_or(default_duration),
        mfa,
    })
}

/// `role_session_name`, if set, as STS will take it: 2 to 64 of `[A-Za-z0-9_+=,.@-]`.
fn session_name(p: &Profile) -> Result<Option<String>> {
    let Some(name) = p.get(key::SESSION_NAME) else {
        return Ok(None);
    };
    if key::valid_session_name(name) {
        Ok(Some(name.to_owned()))
    } else {
        Err(Error::profile(
            p.name(),
            format!(
                "role_session_name `{}` is not a name STS accepts: use 2 to 64 letters, digits and + = , . @ _ -",
                name.escape_debug()
            ),
        ))
    }
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

pub(super) fn root_profile<'a>(profiles: &'a Profiles, root: &Root) -> Option<&'a Profile> {
    let name = match root {
        Root::AccessKey { profile, .. }
        | Root::CredentialProcess { profile, .. }
        | Root::Sso { profile, .. }
        | Root::WebIdentity { profile, .. }
        | Root::Named { profile, .. } => profile,
    };
    profiles.get(name)
}
