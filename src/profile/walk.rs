//! Following `source_profile` from the selected profile to the root, as the SDKs do, and
//! reading what each profile says of itself: its root source, its role.

use super::Profiles;
use super::chain::{Mfa, RoleStep, SsoSession};
use super::key::{self, validate_mfa_serial};
use super::root::{self, Kind, NamedSource, Root, Source};
use crate::arn::RoleArn;
use crate::credentials::Credentials;
use crate::duration::{self, limits};
use crate::error::problem::{MAX_HOPS, Problem};
use crate::error::{Error, Result};
use crate::secret::Secret;
use aws_config::profile::Profile;
use aws_types::os_shim_internal::Env;
use std::time::Duration;

/// Refuses a chain longer than [`MAX_HOPS`], naming the profile it was reached through.
fn within_hops(start: &str, hops: usize, last: &Profile) -> Result<()> {
    // Longer chains are refused: each hop is an STS call, and AWS caps role chaining long
    // before this.
    if hops <= MAX_HOPS {
        return Ok(());
    }
    Err(Error::profile(
        start,
        Problem::ChainTooLong {
            through: last.name().to_owned(),
        },
    ))
}

/// Follows `source_profile` from `start` to the root, as the SDKs do. Returns the profiles
/// visited (selected first), the root, and the profiles that contribute a role (selected
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
                    return Err(Error::profile(
                        from.name(),
                        Problem::UnknownSourceProfile {
                            similar: profiles.similar(&name).into_iter().next(),
                            files: profiles.files.describe(),
                            name,
                        },
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
        login_alone(profile)?;

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
                    return Err(Error::profile(profile.name(), Problem::TwoSources));
                }
                (None, None) => {
                    return Err(Error::profile(profile.name(), Problem::RoleWithoutSource));
                }
                (Some(source), None) if source == profile.name() => break base(profiles, profile)?,
                (Some(source), None) => name = source.to_owned(),
                (None, Some(_)) => break base(profiles, profile)?,
            }
        } else {
            let is_source = visited.len() > 1;
            break base(profiles, profile).map_err(|e| match (e, is_source) {
                (Error::Profile { profile, problem }, true) => Error::Profile {
                    problem: Problem::InSource {
                        problem: Box::new(problem),
                        of: visited[visited.len() - 2].name().to_owned(),
                    },
                    profile,
                },
                (e, _) => e,
            })?;
        }
    };
    let mut root = root;
    if let Some(p) = profiles.get(&root.profile) {
        root.account_id = account_id(p)?;
    }
    Ok((visited, root, roles))
}

/// The profile's `aws_account_id`, as the SDKs read it for keys and credential_process; it
/// goes into an environment variable and outputs, so it must be one word.
fn account_id(p: &Profile) -> Result<Option<String>> {
    let Some(account) = p.get(key::ACCOUNT_ID) else {
        return Ok(None);
    };
    if !account.is_empty() && account.len() <= 64 && account.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(Some(account.to_owned()))
    } else {
        Err(Error::profile(
            p.name(),
            Problem::Invalid {
                key: key::ACCOUNT_ID,
                why: format!(
                    "aws_account_id `{}` is not an account id such as 123456789012",
                    crate::text::escape(account)
                ),
            },
        ))
    }
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
                    Problem::UnknownCredentialSource(other.to_owned()),
                ));
            }
        };
        return Ok(Root {
            profile,
            source: Source::Named(source),
            account_id: None,
        });
    }
    if let Some(token_file) = p.get(key::WEB_IDENTITY_TOKEN_FILE) {
        let role_arn = p
            .get(key::ROLE_ARN)
            .ok_or_else(|| Error::profile(&profile, Problem::WebIdentityWithoutRole))?;
        let role_arn = parse_role_arn(&profile, role_arn)?;
        return Ok(Root {
            source: Source::WebIdentity(root::WebIdentity {
                role_arn,
                token_file: token_file.to_owned(),
                session_name: session_name(p)?.unwrap_or_else(|| "runas-web-identity".to_owned()),
                duration: role_duration(p)?.unwrap_or(limits::ROLE_DEFAULT),
            }),
            profile,
            account_id: None,
        });
    }
    if let Some(sso) = sso(profiles, p)? {
        return Ok(sso);
    }
    if let Some(session) = p.get(key::LOGIN_SESSION) {
        if session.trim().is_empty() {
            return Err(Error::profile(
                &profile,
                Problem::Invalid {
                    key: key::LOGIN_SESSION,
                    why: format!(
                        "login_session is empty; run `aws login --profile {profile}` to sign in"
                    ),
                },
            ));
        }
        return Ok(Root {
            profile,
            source: Source::LoginSession(session.trim().to_owned()),
            account_id: None,
        });
    }
    if let Some(command) = p.get(key::CREDENTIAL_PROCESS) {
        return Ok(Root {
            profile,
            source: Source::CredentialProcess(Secret::new(command)),
            account_id: None,
        });
    }
    access_key(p)
}

/// A profile with `login_session` has no other root: `aws login` refuses to add one to such
/// a profile, and which one an SDK used would depend on its order.
fn login_alone(p: &Profile) -> Result<()> {
    if p.get(key::LOGIN_SESSION).is_none() {
        return Ok(());
    }
    let others: Vec<&'static str> = Kind::ALL
        .iter()
        .filter(|kind| **kind != Kind::LoginSession)
        .flat_map(|kind| kind.keys())
        .copied()
        .filter(|k| p.get(k).is_some())
        .collect();
    if others.is_empty() {
        Ok(())
    } else {
        Err(Error::profile(
            p.name(),
            Problem::LoginSessionWithOthers { others },
        ))
    }
}

fn access_key(p: &Profile) -> Result<Root> {
    let profile = p.name();
    // An empty value is no value: the SDKs send no empty session token, and tools that
    // blank a key out (`aws_session_token =`) mean it gone.
    let get = |k: &str| p.get(k).filter(|v| !v.is_empty());
    match (
        get(key::ACCESS_KEY_ID),
        get(key::SECRET_ACCESS_KEY),
        get(key::SESSION_TOKEN),
    ) {
        (None, None, None) => Err(Error::profile(profile, Problem::NoCredentials)),
        (None, _, _) => Err(Error::profile(profile, Problem::KeyIdMissing)),
        (Some(_), None, _) => Err(Error::profile(profile, Problem::SecretMissing)),
        (Some(id), Some(secret), token) => {
            let credentials = Credentials {
                access_key_id: id.to_owned(),
                secret_access_key: secret.into(),
                session_token: token.map(Secret::from),
                expiration: None,
                account_id: None,
            };
            match credentials.problem() {
                None => Ok(Root {
                    profile: profile.to_owned(),
                    source: Source::AccessKey(credentials),
                    account_id: None,
                }),
                Some(why) => Err(Error::profile(profile, Problem::BadKeys { why })),
            }
        }
    }
}

fn sso(profiles: &Profiles, p: &Profile) -> Result<Option<Root>> {
    let name = p.name();
    let session = p.get(key::SSO_SESSION);
    let (account_id, role_name) = (p.get(key::SSO_ACCOUNT_ID), p.get(key::SSO_ROLE_NAME));
    let (mut region, mut start_url) = (p.get(key::SSO_REGION), p.get(key::SSO_START_URL));
    let mut scopes = None;
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
                    Problem::SsoKeyOutsideSession {
                        key: k,
                        session: session.to_owned(),
                    },
                ));
            }
        }
        let section = profiles.set().sso_session(session).ok_or_else(|| {
            Error::profile(
                name,
                Problem::NoSsoSession {
                    session: session.to_owned(),
                    file: profiles.files.config.display().to_string(),
                },
            )
        })?;
        region = section.get(key::SSO_REGION);
        start_url = section.get(key::SSO_START_URL);
        scopes = section.get(key::SSO_REGISTRATION_SCOPES);
    }
    let (account_id, role_name) = match (account_id, role_name) {
        (Some(a), Some(r)) => (a, r),
        (None, None) => {
            return Err(Error::profile(name, Problem::SsoWithoutRole));
        }
        (Some(_), None) => {
            return Err(Error::profile(name, Problem::SsoRoleNameMissing));
        }
        (None, Some(_)) => {
            return Err(Error::profile(name, Problem::SsoAccountMissing));
        }
    };
    let missing = |key: &'static str| {
        Error::profile(
            name,
            Problem::SsoKeyMissing {
                key,
                session: session.map(str::to_owned),
            },
        )
    };
    let region = region.ok_or_else(|| missing(key::SSO_REGION))?;
    check_sso_region(name, region)?;
    Ok(Some(Root {
        profile: name.to_owned(),
        source: Source::Sso(root::Sso {
            session_name: session.map(str::to_owned),
            region: region.to_owned(),
            start_url: start_url
                .ok_or_else(|| missing(key::SSO_START_URL))?
                .to_owned(),
            scopes: scopes.map(parse_scopes),
            account_id: account_id.to_owned(),
            role_name: role_name.to_owned(),
        }),
        account_id: None,
    }))
}

/// The `[sso-session NAME]` section, for `runas sso login --sso-session NAME`.
pub(crate) fn sso_session(profiles: &Profiles, name: &str) -> Result<SsoSession> {
    let what = format!("sso-session {name}");
    let section = profiles.set().sso_session(name).ok_or_else(|| {
        Error::Usage(format!(
            "no [sso-session {name}] section in {}",
            profiles.files.config.display()
        ))
    })?;
    let missing = |key: &'static str| {
        Error::profile(
            &what,
            Problem::SsoKeyMissing {
                key,
                session: Some(name.to_owned()),
            },
        )
    };
    let region = section
        .get(key::SSO_REGION)
        .ok_or_else(|| missing(key::SSO_REGION))?;
    check_sso_region(&what, region)?;
    Ok(SsoSession {
        name: Some(name.to_owned()),
        region: region.to_owned(),
        start_url: section
            .get(key::SSO_START_URL)
            .ok_or_else(|| missing(key::SSO_START_URL))?
            .to_owned(),
        scopes: section.get(key::SSO_REGISTRATION_SCOPES).map(parse_scopes),
    })
}

/// `sso_region` goes into the OIDC service's and the portal's host names.
fn check_sso_region(profile: &str, region: &str) -> Result<()> {
    if crate::partition::is_region(region) {
        return Ok(());
    }
    Err(Error::profile(
        profile,
        Problem::Region {
            region: region.to_owned(),
            origin: key::SSO_REGION.to_owned(),
        },
    ))
}

/// `sso_registration_scopes` as the AWS CLI reads it: split on commas, blanks dropped.
pub(crate) fn parse_scopes(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

pub(super) fn role_step(p: &Profile, env: &Env, default_duration: Duration) -> Result<RoleStep> {
    let mfa = match p.get(key::MFA_SERIAL) {
        Some(serial) => {
            validate_mfa_serial(serial).map_err(|why| {
                Error::profile(
                    p.name(),
                    Problem::Invalid {
                        key: key::MFA_SERIAL,
                        why,
                    },
                )
            })?;
            Some(Mfa {
                serial: serial.to_owned(),
                process: None,
            })
        }
        None => None,
    };
    Ok(RoleStep {
        profile: p.name().to_owned(),
        role_arn: parse_role_arn(p.name(), p.get(key::ROLE_ARN).unwrap_or_default())?,
        session_name: session_name(p)?.unwrap_or_else(|| super::resolve::default_session_name(env)),
        external_id: p.get(key::EXTERNAL_ID).map(str::to_owned),
        duration: role_duration(p)?.unwrap_or(default_duration),
        mfa,
    })
}

/// A profile's `role_arn`, parsed; the error names the profile.
fn parse_role_arn(profile: &str, text: &str) -> Result<RoleArn> {
    RoleArn::parse(text).map_err(|why| {
        Error::profile(
            profile,
            Problem::Invalid {
                key: key::ROLE_ARN,
                why,
            },
        )
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
            Problem::SessionName(name.to_owned()),
        ))
    }
}

/// `duration_seconds` (standard, seconds) or `credentials_duration` (aws-runas, Go-style).
fn role_duration(p: &Profile) -> Result<Option<Duration>> {
    for k in [key::DURATION_SECONDS, key::CREDENTIALS_DURATION] {
        if let Some(text) = p.get(k) {
            return duration::parse(text).map(Some).map_err(|why| {
                Error::profile(
                    p.name(),
                    Problem::Unparsable {
                        key: k.to_owned(),
                        why,
                    },
                )
            });
        }
    }
    Ok(None)
}

pub(super) fn root_profile<'a>(profiles: &'a Profiles, root: &Root) -> Option<&'a Profile> {
    profiles.get(&root.profile)
}
