//! Resolving a profile into a [`Chain`]: a pure function of the profile files, the
//! command-line overrides and a snapshot of the environment, run in named phases.
//!
//! It follows the SDKs' rules for `source_profile` chains (in `walk`) and adds aws-runas's:
//! `mfa_serial` inherited from the source profile or `[default]`, where the MFA code goes,
//! and lifetimes from `session_token_duration` and `credentials_duration`, within STS's
//! limits.

use super::Profiles;
use super::chain::{Chain, Mfa, NamedSource, RegionSource, Request, RoleStep, Root, Step, Target};
use super::key::{self, validate_mfa_serial, validate_role_arn};
use super::walk::{role_step, root_profile, walk};
use crate::duration::{self, limits};
use crate::error::{Error, Result};
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
    let (visited, root, role_profiles) = walk_target(profiles, request, env)?;
    let keys = Keys::new(profiles, visited.first().copied(), &root);
    let mut warnings = Vec::new();
    let mut roles = role_steps(&role_profiles, request, env, &keys)?;
    let session_duration = session_duration(request, &keys, &mut warnings)?;
    let steps = place_mfa(request, &root, &mut roles, session_duration, &keys)?;
    let steps = settle_durations(steps, &root, env, &mut warnings);
    let (region, region_source) = region(&visited, profiles, request, env)?;
    check_partitions(request.target.name(), &region, &root, &steps)?;
    let serve = keys.flag(key::SERVE)?;
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
        profile: request.target.name().to_owned(),
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
        visited: visited.iter().map(|p| p.name().to_owned()).collect(),
    })
}

type Walked<'a> = (Vec<&'a Profile>, Root, Vec<&'a Profile>);

/// The walk from the profile asked for, or for a bare role ARN, from the credentials the
/// SDKs would use: the environment's keys, else AWS_PROFILE's (or [default]'s).
fn walk_target<'a>(profiles: &'a Profiles, request: &Request, env: &Env) -> Result<Walked<'a>> {
    let arn = match &request.target {
        Target::Profile(name) => return walk(profiles, name),
        Target::RoleArn(arn) => arn,
    };
    validate_role_arn(arn).map_err(Error::Usage)?;
    let source_name = env
        .get(AWS_PROFILE.name)
        .unwrap_or_else(|_| "default".to_owned());
    if env.get(AWS_ACCESS_KEY_ID.name).is_ok() {
        let root = Root::Named {
            profile: "environment".to_owned(),
            source: NamedSource::Environment,
        };
        Ok((vec![], root, vec![]))
    } else if profiles.get(&source_name).is_some() {
        walk(profiles, &source_name)
    } else {
        Err(Error::Usage(format!(
            "no credentials to assume {arn} with: there is no [{source_name}] profile and no AWS_ACCESS_KEY_ID; \
             add one, or set AWS_PROFILE to a profile that has credentials"
        )))
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
                format!("{k}: `{text}` is not true or false"),
            )),
        }
    }

    fn duration(&self, k: &str) -> Result<Option<Duration>> {
        self.get(k)
            .map(|(text, owner)| {
                duration::parse(text).map_err(|m| Error::profile(owner, format!("{k}: {m}")))
            })
            .transpose()
    }
}

/// The roles to assume, root side first; a role ARN given in place of a profile is last.
/// Flags apply to the last role. Durations are as asked here; STS's limits come later.
fn role_steps(
    role_profiles: &[&Profile],
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
        validate_role_arn(p.get(key::ROLE_ARN).unwrap_or_default())
            .map_err(|m| Error::profile(p.name(), m))?;
        roles.push(role_step(p, env, inherited)?);
    }
    if let Target::RoleArn(arn) = &request.target {
        roles.push(RoleStep {
            profile: arn.clone(),
            role_arn: arn.clone(),
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
    let mfa_process = keys.get(key::MFA_PROCESS).map(|(v, _)| v.to_owned());
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
                format!(
                    "-s/--session needs long-term access keys at the root of the chain, but it starts with {}",
                    root.describe()
                ),
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
            validate_mfa_serial(serial).map_err(|m| Error::profile(owner, m))?;
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
            let why = if session_signed {
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
    if !crate::partition::is_region(&region) {
        return Err(Error::profile(
            request.target.name(),
            format!(
                "region `{}` (from {source}) is not a region name such as us-east-1",
                region.escape_debug()
            ),
        ));
    }
    Ok((region, source))
}

/// Every ARN of the chain must belong to the partition that serves its region: STS in
/// `cn-north-1` knows nothing of `arn:aws:` roles, and the other way round.
fn check_partitions(profile: &str, region: &str, root: &Root, steps: &[Step]) -> Result<()> {
    let partition = crate::partition::of_region(region);
    let mut arns: Vec<(&str, &str)> = Vec::new();
    if let Root::WebIdentity {
        profile, role_arn, ..
    } = root
    {
        arns.push((profile, role_arn));
    }
    for step in steps {
        match step {
            Step::AssumeRole(r) => {
                arns.push((&r.profile, &r.role_arn));
                if let Some(m) = &r.mfa {
                    arns.push((&r.profile, &m.serial));
                }
            }
            Step::SessionToken { mfa: Some(m), .. } => arns.push((profile, &m.serial)),
            Step::SessionToken { mfa: None, .. } => {}
        }
    }
    for (owner, arn) in arns {
        if let Some(theirs) = arn.strip_prefix("arn:").and_then(|a| a.split(':').next())
            && theirs != partition
        {
            return Err(Error::profile(
                owner,
                format!(
                    "{arn} is in partition `{theirs}`, but region {region} is served by `{partition}`; \
                     use a region of `{theirs}` (--region or `region =`) or an ARN of `{partition}`"
                ),
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
                target: Target::parse(profile),
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
    fn runas_serve_is_read_from_the_profile_or_default() {
        let keys =
            "[profile b]\naws_access_key_id = AKIAKB00000000000000\naws_secret_access_key = SB\n";
        let base = format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n{keys}");
        assert!(!chain(&base, "a").unwrap().serve);
        let on = format!(
            "[profile a]\nrunas_serve = True\nrole_arn = {ARN_A}\nsource_profile = b\n{keys}"
        );
        assert!(chain(&on, "a").unwrap().serve);
        assert!(
            chain(&format!("[default]\nrunas_serve = true\n{base}"), "a")
                .unwrap()
                .serve
        );
        let bad = format!(
            "[profile a]\nrunas_serve = yes please\nrole_arn = {ARN_A}\nsource_profile = b\n{keys}"
        );
        assert!(error(&bad, "a").contains("runas_serve: `yes please` is not true or false"));
    }

    #[test]
    fn static_keys_then_a_role() {
        let c = chain(
            &format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\naws_access_key_id = AKIAKB00000000000000\naws_secret_access_key = SB\n"),
            "a",
        )
        .unwrap();
        assert_eq!(root_key(&c), "AKIAKB00000000000000");
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
                 [profile d]\naws_access_key_id = AKIAKD00000000000000\naws_secret_access_key = SD\n"
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
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\naws_access_key_id = AKIAKA00000000000000\naws_secret_access_key = SA\n\
                 [profile b]\nrole_arn = {ARN_B}\nsource_profile = c\naws_access_key_id = AKIAKB00000000000000\naws_secret_access_key = SB\n\
                 [profile c]\naws_access_key_id = AKIAKC00000000000000\naws_secret_access_key = SC\n"
            ),
            "a",
        )
        .unwrap();
        assert_eq!(root_key(&c), "AKIAKB00000000000000");
        assert_eq!(roles(&c), [ARN_A]);
    }

    #[test]
    fn a_self_referencing_profile_uses_its_own_keys_first() {
        let c = chain(
            &format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = a\naws_access_key_id = AKIAKA00000000000000\naws_secret_access_key = SA\n"),
            "a",
        )
        .unwrap();
        assert_eq!(root_key(&c), "AKIAKA00000000000000");
        assert_eq!(roles(&c), [ARN_A]);
    }

    #[test]
    fn keys_in_the_credentials_file_merge_with_the_config() {
        let c = resolve_with(
            &format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\nregion = eu-west-2\n"),
            "[b]\naws_access_key_id = AKIAKB00000000000000\naws_secret_access_key = SB\n",
            Request { target: Target::parse("a"), ..Default::default() },
            &[],
        )
        .unwrap();
        assert_eq!(root_key(&c), "AKIAKB00000000000000");
        assert_eq!(
            (c.region.as_str(), c.region_source.to_string().as_str()),
            ("eu-west-2", "profile `b`")
        );
    }

    #[test]
    fn other_roots() {
        let c = chain("[profile w]\nrole_arn = arn:aws:iam::123456789012:role/W\nweb_identity_token_file = /t\nrole_session_name = ci\n", "w").unwrap();
        assert!(matches!(&c.root, Root::WebIdentity { session_name, .. } if session_name == "ci"));
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
                 [profile b]\naws_access_key_id = AKIAKB00000000000000\naws_secret_access_key = SB\n"
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

    const MFA: &str = "arn:aws:iam::123456789012:mfa/alice";
    const KEYS: &str = "aws_access_key_id = AKIAKB00000000000000\naws_secret_access_key = SB\n";

    /// The steps after the root, as `-v` describes them.
    fn steps(config: &str, profile: &str, env: &[(&str, &str)]) -> Vec<String> {
        let mut vars = vec![("AWS_REGION", "us-east-1"), ("USER", "alice")];
        vars.extend_from_slice(env);
        let request = Request {
            target: Target::parse(profile),
            ..Default::default()
        };
        match resolve_with(config, "", request, &vars) {
            Ok(c) => c.describe()[1..].to_vec(),
            Err(e) => vec![format!("error: {e}")],
        }
    }

    /// Where the MFA code goes and how long each role asks for, as STS requires: one
    /// session token for roles of up to an hour, the code on a longer first role, no
    /// GetSessionToken for session roots, no code twice, at most one hour when chained.
    #[test]
    fn mfa_placement_and_chaining_limits() {
        let one_hour_roles = format!(
            "[profile me]\n{KEYS}\
             [profile prod]\nrole_arn = {ARN_A}\nsource_profile = me\nmfa_serial = {MFA}\n\
             [profile ro]\nrole_arn = {ARN_B}\nsource_profile = prod\nmfa_serial = {MFA}\n"
        );
        let long_role = format!(
            "[profile me]\n{KEYS}mfa_serial = {MFA}\n\
             [profile prod]\nrole_arn = {ARN_A}\nsource_profile = me\nduration_seconds = 28800\n\
             [profile ro]\nrole_arn = {ARN_B}\nsource_profile = prod\nmfa_serial = {MFA}\nduration_seconds = 7200\n"
        );
        let session_root = format!(
            "[profile tmp]\n{KEYS}aws_session_token = TOKEN\n\
             [profile prod]\nrole_arn = {ARN_A}\nsource_profile = tmp\nmfa_serial = {MFA}\nduration_seconds = 28800\n"
        );
        let process_root = format!(
            "[profile p]\ncredential_process = get-creds\nmfa_serial = {MFA}\n\
             [profile prod]\nrole_arn = {ARN_A}\nsource_profile = p\n"
        );
        let env_root = format!(
            "[profile prod]\nrole_arn = {ARN_A}\ncredential_source = Environment\nduration_seconds = 7200\n"
        );
        type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], Vec<String>);
        let cases: Vec<Case> = vec![
            (
                &one_hour_roles,
                "ro",
                &[],
                vec![
                    format!("GetSessionToken (12h, MFA {MFA})"),
                    format!("AssumeRole {ARN_A} as runas-alice (1h) from profile `prod`"),
                    format!("AssumeRole {ARN_B} as runas-alice (1h) from profile `ro`"),
                ],
            ),
            (
                &long_role,
                "prod",
                &[],
                vec![format!(
                    "AssumeRole {ARN_A} as runas-alice (8h, MFA {MFA}) from profile `prod`"
                )],
            ),
            (
                &long_role,
                "ro",
                &[],
                vec![
                    format!(
                        "AssumeRole {ARN_A} as runas-alice (8h, MFA {MFA}) from profile `prod`"
                    ),
                    format!("AssumeRole {ARN_B} as runas-alice (1h) from profile `ro`"),
                ],
            ),
            (
                &session_root,
                "prod",
                &[],
                vec![format!(
                    "AssumeRole {ARN_A} as runas-alice (1h, MFA {MFA}) from profile `prod`"
                )],
            ),
            (
                &process_root,
                "prod",
                &[],
                vec![format!(
                    "AssumeRole {ARN_A} as runas-alice (1h, MFA {MFA}) from profile `prod`"
                )],
            ),
            (
                &env_root,
                "prod",
                &[],
                vec![format!(
                    "AssumeRole {ARN_A} as runas-alice (2h) from profile `prod`"
                )],
            ),
            (
                &env_root,
                "prod",
                &[("AWS_SESSION_TOKEN", "T")],
                vec![format!(
                    "AssumeRole {ARN_A} as runas-alice (1h) from profile `prod`"
                )],
            ),
        ];
        for (config, profile, env, expected) in cases {
            assert_eq!(
                steps(config, profile, env),
                expected,
                "{profile} in\n{config}"
            );
        }
    }

    #[test]
    fn values_sts_would_refuse_are_config_errors() {
        let cases = [
            (
                format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nrole_session_name = my session\n[profile b]\n{KEYS}"),
                "profile `a`: role_session_name `my session` is not a name STS accepts",
            ),
            (
                format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nrole_session_name = x\n[profile b]\n{KEYS}"),
                "profile `a`: role_session_name `x` is not a name STS accepts",
            ),
            (
                format!("[profile a]\nrole_arn = arn:aws-cn:iam::123456789012:role/A\nsource_profile = b\n[profile b]\n{KEYS}"),
                "profile `a`: arn:aws-cn:iam::123456789012:role/A is in partition `aws-cn`, but region us-east-1 is served by `aws`",
            ),
            (
                format!("[profile a]\nrole_arn = arn:aws-moon:iam::123456789012:role/A\nsource_profile = b\n[profile b]\n{KEYS}"),
                "names partition `aws-moon`, which is not one of aws-cn",
            ),
            (
                format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nmfa_serial = my-phone\n[profile b]\n{KEYS}"),
                "profile `a`: mfa_serial `my-phone` is neither an MFA device ARN",
            ),
            (
                format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nmfa_serial = arn:aws-us-gov:iam::123456789012:mfa/x\n[profile b]\n{KEYS}"),
                "profile `a`: arn:aws-us-gov:iam::123456789012:mfa/x is in partition `aws-us-gov`",
            ),
            (
                "[profile k]\naws_access_key_id = AKIAKB00000000000000\n  # a comment\naws_secret_access_key = SB\n".to_owned(),
                "profile `k`: the access key id is not 16 to 128 upper-case letters and digits",
            ),
        ];
        for (config, expected) in cases {
            let profile = if config.starts_with("[profile k]") {
                "k"
            } else {
                "a"
            };
            let got = error(&config, profile);
            assert!(got.contains(expected), "{got}\nlacks: {expected}");
        }
        let ok = format!(
            "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nmfa_serial = GAHT12345678\n[profile b]\n{KEYS}"
        );
        assert!(chain(&ok, "a").is_ok());
    }

    #[test]
    fn default_session_names_are_always_valid() {
        for (user, expected) in [
            ("alice", "runas-alice"),
            ("jörg müller", "runas-jrgmller"),
            ("", "runas"),
            ("日本", "runas"),
        ] {
            let name = default_session_name(&Env::from_slice(&[("USER", user)]));
            assert_eq!(name, expected);
            assert!(key::valid_session_name(&name));
        }
        let long = "x".repeat(100);
        let name = default_session_name(&Env::from_slice(&[("USER", long.as_str())]));
        assert_eq!(name.len(), 64);
        assert!(key::valid_session_name(&name));
    }

    #[test]
    fn credentials_duration_is_inherited_by_roles_without_their_own() {
        let config = format!(
            "[default]\ncredentials_duration = 2h\n\
             [profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n\
             [profile own]\nrole_arn = {ARN_A}\nsource_profile = b\nduration_seconds = 1800\n\
             [profile b]\naws_access_key_id = AKIAKB00000000000000\naws_secret_access_key = SB\n"
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
                 [profile b]\naws_access_key_id = AKIAKB00000000000000\naws_secret_access_key = SB\nmfa_serial = arn:aws:iam::123456789012:mfa/b\n\
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
                 [profile b]\naws_access_key_id = AKIAKB00000000000000\naws_secret_access_key = SB\n"
            ),
            "a",
        )
        .unwrap();
        assert!(
            matches!(&from_default.steps[0], Step::SessionToken { mfa: Some(m), .. } if m.serial.ends_with("mfa/d"))
        );

        // A plain key profile does not pick up [default]'s device.
        let plain = chain(
            "[default]\nmfa_serial = arn:aws:iam::123456789012:mfa/d\n[profile b]\naws_access_key_id = AKIAKB00000000000000\naws_secret_access_key = SB\n",
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
                target: Target::parse("a"),
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
                 [profile b]\naws_access_key_id = AKIAKB00000000000000\naws_secret_access_key = SB\n"
            ),
            "",
            Request {
                target: Target::parse("a"),
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
            "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\naws_access_key_id = AKIAKB00000000000000\naws_secret_access_key = SB\n"
        );
        let c = resolve_with(
            &config,
            "",
            Request {
                target: Target::parse("a"),
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
                target: Target::parse("p"),
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
            "[default]\naws_access_key_id = AKIAKD00000000000000\naws_secret_access_key = SD\n",
            ARN_A,
        )
        .unwrap();
        assert_eq!(root_key(&c), "AKIAKD00000000000000");
        assert_eq!(roles(&c), [ARN_A]);
        let from_env = resolve_with(
            "[default]\naws_access_key_id = AKIAKD00000000000000\naws_secret_access_key = SD\n",
            "",
            Request {
                target: Target::parse(ARN_A),
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
            "[default]\naws_access_key_id = AKIAKD00000000000000\naws_secret_access_key = SD\n",
            "arn:aws:iam::123:role/short",
        );
        assert!(err.contains("12-digit account"), "{err}");
    }

    #[test]
    fn region_fallbacks_and_their_absence() {
        let config =
            "[profile k]\naws_access_key_id = AKIAK000000000000000\naws_secret_access_key = S\n";
        let none = resolve_with(
            config,
            "",
            Request {
                target: Target::parse("k"),
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
                target: Target::parse("k"),
                ..Default::default()
            },
            &[("AWS_DEFAULT_REGION", "sa-east-1")],
        )
        .unwrap();
        assert_eq!(
            (
                from_env.region.as_str(),
                from_env.region_source.to_string().as_str()
            ),
            ("sa-east-1", "AWS_DEFAULT_REGION")
        );
        let bad = error(
            "[profile k]\naws_access_key_id = AKIAK000000000000000\naws_secret_access_key = S\nregion = us east 1\n",
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
            (format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\naws_access_key_id = AKIAK000000000000000\n"), "profile `b`: aws_access_key_id is set but aws_secret_access_key is missing"),
            (format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\naws_secret_access_key = S\n"), "aws_secret_access_key is set but aws_access_key_id is missing"),
            (format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\nregion = x\n"), "profile `b`: has no credentials"),
            ("[profile a]\nrole_arn = arn:aws:iam::1234:role/A\nsource_profile = a\naws_access_key_id = AKIAK000000000000000\naws_secret_access_key = S\n".into(), "profile `a`: role_arn `arn:aws:iam::1234:role/A` is not a role ARN"),
            ("[profile a]\nrole_arn = arn:aws:s3:::bucket\nsource_profile = a\n".into(), "has no credentials"),
            ("[profile a]\nweb_identity_token_file = /t\n".into(), "role_arn is missing"),
            (format!("[profile a]\nrole_arn = {ARN_A}\ncredential_source = Laptop\n"), "credential_source `Laptop` is not one of"),
            (format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nduration_seconds = forever\n[profile b]\naws_access_key_id = AKIAK000000000000000\naws_secret_access_key = S\n"), "profile `a`: duration_seconds: `forever` is not a duration"),
            ("[profile k]\naws_access_key_id = AKIAK000000000000000\naws_secret_access_key = S\nsession_token_duration = 12x\nmfa_serial = arn:aws:iam::123456789012:mfa/k\n".into(), "profile `k`: session_token_duration: `12x`: unknown unit"),
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
            "[profile prod]\naws_access_key_id = AKIAK000000000000000\naws_secret_access_key = S\n",
            "prdo",
        );
        assert!(
            err.contains("profile `prdo` not found") && err.contains("did you mean `prod`?"),
            "{err}"
        );
    }

    #[test]
    fn the_endpoint_override_is_part_of_the_plan() {
        let config = "[profile k]\naws_access_key_id = AKIAK000000000000000\naws_secret_access_key = S\nendpoint_url = http://127.0.0.1:1\n";
        let c = resolve_with(
            config,
            "",
            Request {
                target: Target::parse("k"),
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
                target: Target::parse("k"),
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
