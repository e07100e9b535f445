//! `resolve()` as a table: each row is the files, the request and the environment, and the
//! whole plan or the exact error it must give. One loop runs them all.

use super::*;

const ARN_A: &str = "arn:aws:iam::123456789012:role/A";
const ARN_B: &str = "arn:aws:iam::123456789012:role/B";
const MFA: &str = "arn:aws:iam::123456789012:mfa/alice";
const KEYS: &str = "aws_access_key_id = AKIAKB00000000000000\naws_secret_access_key = SB\n";

/// The environment most rows run in: a region, and a user for the session names.
const ALICE: &[(&str, &str)] = &[("AWS_REGION", "us-east-1"), ("USER", "alice")];
const REGION: &[(&str, &str)] = &[("AWS_REGION", "us-east-1")];
const EMPTY: &[(&str, &str)] = &[];

struct Case {
    name: &'static str,
    config: String,
    credentials: &'static str,
    request: Request,
    env: &'static [(&'static str, &'static str)],
    /// What `render` gives for the outcome.
    expected: &'static [&'static str],
}

/// A request for `target` and nothing else.
fn to(target: &str) -> Request {
    Request {
        target: Target::parse(target),
        ..Default::default()
    }
}

/// The whole outcome, one line per part: the profiles walked, the root, each step, the
/// region and where it came from, then the endpoint, registries, `runas_serve` and
/// warnings when there are any; or the error with its exit status. Test keys are shown
/// whole (the plan's own `describe` shows only their last characters).
fn render(outcome: Result<Chain>) -> Vec<String> {
    let chain = match outcome {
        Ok(chain) => chain,
        Err(e) => return vec![format!("error ({:?}): {e}", e.exit())],
    };
    let mut lines = vec![
        format!("profiles [{}]", chain.profiles().join(" ")),
        root_line(&chain.root),
    ];
    lines.extend(chain.steps.iter().map(step_line));
    lines.push(format!(
        "region {} from {}",
        chain.region, chain.region_source
    ));
    if let Some(endpoint) = &chain.sts_endpoint {
        lines.push(format!("sts endpoint {endpoint}"));
    }
    if let Some(registries) = &chain.ecr_registries {
        lines.push(format!("ecr_registries {registries}"));
    }
    if chain.serve {
        lines.push("runas_serve".to_owned());
    }
    lines.extend(chain.warnings.iter().map(|w| format!("warning: {w}")));
    lines
}

fn root_line(root: &Root) -> String {
    root.test_line()
}

fn step_line(step: &Step) -> String {
    match step {
        Step::SessionToken { duration, mfa } => format!(
            "GetSessionToken ({}{})",
            duration::display(*duration),
            mfa_text(mfa.as_ref())
        ),
        Step::AssumeRole(r) => format!(
            "AssumeRole {} as {} ({}{}{}) of `{}`",
            r.role_arn,
            r.session_name,
            duration::display(r.duration),
            r.external_id
                .as_ref()
                .map(|id| format!(", external id {id}"))
                .unwrap_or_default(),
            mfa_text(r.mfa.as_ref()),
            r.profile
        ),
    }
}

fn mfa_text(mfa: Option<&Mfa>) -> String {
    match mfa {
        None => String::new(),
        Some(Mfa {
            serial,
            process: None,
        }) => format!(", MFA {serial}"),
        Some(Mfa {
            serial,
            process: Some(process),
        }) => format!(
            ", MFA {serial} by `{}` of `{}`",
            process.command.expose(),
            process.profile
        ),
    }
}

#[test]
fn plans() {
    let mut failures = Vec::new();
    let cases = cases();
    for case in &cases {
        let profiles = Profiles::from_text(&case.config, case.credentials).unwrap();
        let got = render(resolve(
            &profiles,
            &case.request,
            &Env::from_slice(case.env),
        ));
        if got != case.expected {
            failures.push(format!(
                "{}:\n  expected: {:#?}\n  got: {:#?}",
                case.name, case.expected, got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
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

fn cases() -> Vec<Case> {
    [
        serve(),
        source_chains(),
        keys_beside_a_role(),
        other_roots(),
        login_roots(),
        durations_and_mfa(),
        mfa_placement(),
        mfa_over_other_roots(),
        refused_values(),
        accepted_odd_values(),
        inheritance(),
        not_inherited(),
        request(),
        request_refused(),
        role_arn(),
        region(),
        missing_sources_and_keys(),
        malformed_settings(),
        sso_and_lookup_errors(),
        sts_endpoint(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// runas_serve
fn serve() -> Vec<Case> {
    let serve_base =
        format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\n{KEYS}");
    vec![
        Case {
            name: "runas_serve unset is off",
            config: serve_base.clone(),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "runas_serve = True on the profile",
            config: format!(
                "[profile a]\nrunas_serve = True\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\n{KEYS}"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
                "runas_serve",
            ],
        },
        Case {
            name: "runas_serve in [default]",
            config: format!("[default]\nrunas_serve = true\n{serve_base}"),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
                "runas_serve",
            ],
        },
        Case {
            name: "runas_serve that is not a boolean",
            config: format!(
                "[profile a]\nrunas_serve = yes please\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\n{KEYS}"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: runas_serve: `yes please` is not true or false",
            ],
        },
    ]
}

/// source_profile chains: keys at the root, roles after it
fn source_chains() -> Vec<Case> {
    vec![
        Case {
            name: "static keys, then a role",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\n{KEYS}"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "three hops, in order from the root",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n\
                 [profile b]\nrole_arn = {ARN_B}\nsource_profile = c\n\
                 [profile c]\nrole_arn = arn:aws:iam::123456789012:role/C\nsource_profile = d\n\
                 [profile d]\naws_access_key_id = AKIAKD00000000000000\naws_secret_access_key = SD\n"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b c d]",
                "root: long-term keys AKIAKD00000000000000 of `d`",
                "AssumeRole arn:aws:iam::123456789012:role/C as runas-alice (1h) of `c`",
                "AssumeRole arn:aws:iam::123456789012:role/B as runas-alice (1h) of `b`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            // As in the SDKs: B's own role is ignored because B has static keys; A's keys
            // are ignored because A names a source profile.
            name: "a source profile with keys ends the chain",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\naws_access_key_id = AKIAKA00000000000000\naws_secret_access_key = SA\n\
                 [profile b]\nrole_arn = {ARN_B}\nsource_profile = c\naws_access_key_id = AKIAKB00000000000000\naws_secret_access_key = SB\n\
                 [profile c]\naws_access_key_id = AKIAKC00000000000000\naws_secret_access_key = SC\n"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
    ]
}

/// a profile that holds keys and a role, and keys split across the two files
fn keys_beside_a_role() -> Vec<Case> {
    vec![
        Case {
            name: "a self-referencing profile uses its own keys first",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = a\naws_access_key_id = AKIAKA00000000000000\naws_secret_access_key = SA\n"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a]",
                "root: long-term keys AKIAKA00000000000000 of `a`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "keys in the credentials file merge with the config",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\nregion = eu-west-2\n"
            ),
            credentials: "[b]\naws_access_key_id = AKIAKB00000000000000\naws_secret_access_key = SB\n",
            request: to("a"),
            env: EMPTY,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas (1h) of `a`",
                "region eu-west-2 from profile `b`",
            ],
        },
    ]
}

/// other roots
fn other_roots() -> Vec<Case> {
    vec![
        Case {
            name: "web identity root",
            config: "[profile w]\nrole_arn = arn:aws:iam::123456789012:role/W\nweb_identity_token_file = /t\nrole_session_name = ci\n".to_owned(),
            credentials: "",
            request: to("w"),
            env: ALICE,
            expected: &[
                "profiles [w]",
                "root: web identity arn:aws:iam::123456789012:role/W with /t as ci (1h) of `w`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "credential_process root",
            config: "[profile p]\ncredential_process = get-creds --x\n".to_owned(),
            credentials: "",
            request: to("p"),
            env: ALICE,
            expected: &[
                "profiles [p]",
                "root: credential_process `get-creds --x` of `p`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "credential_source EcsContainer root",
            config: format!("[profile e]\nrole_arn = {ARN_A}\ncredential_source = EcsContainer\n"),
            credentials: "",
            request: to("e"),
            env: ALICE,
            expected: &[
                "profiles [e]",
                "root: credential_source EcsContainer of `e`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `e`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "SSO root",
            config: "[profile s]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\n\
                     [sso-session corp]\nsso_region = eu-west-1\nsso_start_url = https://corp.awsapps.com/start\n".to_owned(),
            credentials: "",
            request: to("s"),
            env: ALICE,
            expected: &[
                "profiles [s]",
                "root: SSO Dev in 123456789012 at https://corp.awsapps.com/start in eu-west-1, session corp of `s`",
                "region us-east-1 from AWS_REGION",
            ],
        },
    ]
}

/// login_session roots (`aws login`): as a role's source, their place in the SDKs' order,
/// and an empty one
fn login_roots() -> Vec<Case> {
    vec![
        Case {
            name: "login_session root, as the source of a role capped at one hour",
            config: format!(
                "[profile l]\nlogin_session =  arn:aws:iam::123456789012:user/alice \n\
                 [profile a]\nrole_arn = {ARN_A}\nsource_profile = l\nduration_seconds = 7200\n"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a l]",
                "root: login session arn:aws:iam::123456789012:user/alice of `l`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
                "warning: role duration for `a`: 2h is above the STS maximum; using 1h (one hour is the STS limit when a role is assumed with session credentials)",
            ],
        },
        Case {
            name: "login_session comes after SSO and before credential_process in the SDKs' order, and is alone",
            config: "[profile l]\nlogin_session = arn:aws:iam::123456789012:user/alice\ncredential_process = get-creds\naws_access_key_id = AKIAK000000000000000\n".to_owned(),
            credentials: "",
            request: to("l"),
            env: ALICE,
            expected: &[
                "error (Config): profile `l`: has login_session and also credential_process, aws_access_key_id; the AWS CLI's `aws login` will not add a login session to a profile with other credentials, and the SDKs would use only one: keep login_session in a profile of its own",
            ],
        },
        Case {
            name: "an empty login_session",
            config: "[profile l]\nlogin_session =\n".to_owned(),
            credentials: "",
            request: to("l"),
            env: ALICE,
            expected: &[
                "error (Config): profile `l`: login_session is empty; run `aws login --profile l` to sign in",
            ],
        },
    ]
}

/// durations and MFA
fn durations_and_mfa() -> Vec<Case> {
    vec![
        Case {
            name: "roles from a role session are limited to an hour",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = w\nduration_seconds = 7200\n\
                 [profile w]\nrole_arn = {ARN_B}\nweb_identity_token_file = /t\n"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a w]",
                "root: web identity arn:aws:iam::123456789012:role/B with /t as runas-web-identity (1h) of `w`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
                "warning: role duration for `a`: 2h is above the STS maximum; using 1h (one hour is the STS limit when a role is assumed with session credentials)",
            ],
        },
        Case {
            name: "a chained role below the minimum is not told about the one-hour maximum",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = w\nduration_seconds = 300\n\
                 [profile w]\nrole_arn = {ARN_B}\nweb_identity_token_file = /t\n"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a w]",
                "root: web identity arn:aws:iam::123456789012:role/B with /t as runas-web-identity (1h) of `w`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (15m) of `a`",
                "region us-east-1 from AWS_REGION",
                "warning: role duration for `a`: 5m is below the STS minimum; using 15m",
            ],
        },
        Case {
            name: "MFA on the role becomes a session token step",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n\
                 [profile b]\n{KEYS}"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "GetSessionToken (12h, MFA arn:aws:iam::123456789012:mfa/alice)",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
    ]
}

/// Where the MFA code goes and how long each role asks for, as STS requires: one
/// session token for roles of up to an hour, the code on a longer first role, no
/// GetSessionToken for session roots, no code twice, at most one hour when chained.
fn mfa_placement() -> Vec<Case> {
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
    vec![
        Case {
            name: "MFA: roles of an hour share one session token",
            config: one_hour_roles,
            credentials: "",
            request: to("ro"),
            env: ALICE,
            expected: &[
                "profiles [ro prod me]",
                "root: long-term keys AKIAKB00000000000000 of `me`",
                "GetSessionToken (12h, MFA arn:aws:iam::123456789012:mfa/alice)",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `prod`",
                "AssumeRole arn:aws:iam::123456789012:role/B as runas-alice (1h) of `ro`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "MFA: a long first role takes the code itself",
            config: long_role.clone(),
            credentials: "",
            request: to("prod"),
            env: ALICE,
            expected: &[
                "profiles [prod me]",
                "root: long-term keys AKIAKB00000000000000 of `me`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (8h, MFA arn:aws:iam::123456789012:mfa/alice) of `prod`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "MFA: a role after a long first role rides its session",
            config: long_role,
            credentials: "",
            request: to("ro"),
            env: ALICE,
            expected: &[
                "profiles [ro prod me]",
                "root: long-term keys AKIAKB00000000000000 of `me`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (8h, MFA arn:aws:iam::123456789012:mfa/alice) of `prod`",
                "AssumeRole arn:aws:iam::123456789012:role/B as runas-alice (1h) of `ro`",
                "region us-east-1 from AWS_REGION",
                "warning: role duration for `ro`: 2h is above the STS maximum; using 1h (one hour is the STS limit when a role is assumed with session credentials)",
            ],
        },
        Case {
            name: "MFA: session keys at the root never call GetSessionToken",
            config: format!(
                "[profile tmp]\n{KEYS}aws_session_token = TOKEN\n\
                 [profile prod]\nrole_arn = {ARN_A}\nsource_profile = tmp\nmfa_serial = {MFA}\nduration_seconds = 28800\n"
            ),
            credentials: "",
            request: to("prod"),
            env: ALICE,
            expected: &[
                "profiles [prod tmp]",
                "root: session keys AKIAKB00000000000000 of `tmp`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h, MFA arn:aws:iam::123456789012:mfa/alice) of `prod`",
                "region us-east-1 from AWS_REGION",
                "warning: role duration for `prod`: 8h is above the STS maximum; using 1h (one hour is the STS limit when a role is assumed with session credentials)",
            ],
        },
    ]
}

/// where the code goes when the root is a process or the environment, and how long a role
/// over environment keys may ask for
fn mfa_over_other_roots() -> Vec<Case> {
    let env_root = format!(
        "[profile prod]\nrole_arn = {ARN_A}\ncredential_source = Environment\nduration_seconds = 7200\n"
    );
    vec![
        Case {
            name: "MFA: a credential_process root sends the code with the role",
            config: format!(
                "[profile p]\ncredential_process = get-creds\nmfa_serial = {MFA}\n\
                 [profile prod]\nrole_arn = {ARN_A}\nsource_profile = p\n"
            ),
            credentials: "",
            request: to("prod"),
            env: ALICE,
            expected: &[
                "profiles [prod p]",
                "root: credential_process `get-creds` of `p`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h, MFA arn:aws:iam::123456789012:mfa/alice) of `prod`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "environment keys without a session token keep a long role",
            config: env_root.clone(),
            credentials: "",
            request: to("prod"),
            env: ALICE,
            expected: &[
                "profiles [prod]",
                "root: credential_source Environment of `prod`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (2h) of `prod`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "environment session keys limit the role to an hour",
            config: env_root,
            credentials: "",
            request: to("prod"),
            env: &[
                ("AWS_REGION", "us-east-1"),
                ("USER", "alice"),
                ("AWS_SESSION_TOKEN", "T"),
            ],
            expected: &[
                "profiles [prod]",
                "root: credential_source Environment of `prod`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `prod`",
                "region us-east-1 from AWS_REGION",
                "warning: role duration for `prod`: 2h is above the STS maximum; using 1h (one hour is the STS limit when a role is assumed with session credentials)",
            ],
        },
    ]
}

/// values STS would refuse
fn refused_values() -> Vec<Case> {
    vec![
        Case {
            name: "a session name with a space",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nrole_session_name = my session\n[profile b]\n{KEYS}"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: role_session_name `my session` is not a name STS accepts: use 2 to 64 letters, digits and + = , . @ _ -",
            ],
        },
        Case {
            name: "a session name too short",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nrole_session_name = x\n[profile b]\n{KEYS}"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: role_session_name `x` is not a name STS accepts: use 2 to 64 letters, digits and + = , . @ _ -",
            ],
        },
        Case {
            name: "a role of another partition than the region's",
            config: format!(
                "[profile a]\nrole_arn = arn:aws-cn:iam::123456789012:role/A\nsource_profile = b\n[profile b]\n{KEYS}"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: arn:aws-cn:iam::123456789012:role/A is in partition `aws-cn`, but region us-east-1 is served by `aws`; use a region of `aws-cn` (--region or `region =`) or an ARN of `aws`",
            ],
        },
        Case {
            // An STS-compatible service's partition (MinIO's `arn:minio:`) is the service's
            // to judge; AWS STS refuses it with AccessDenied, and runas says why.
            name: "a role of an unknown partition",
            config: format!(
                "[profile a]\nrole_arn = arn:aws-moon:iam::123456789012:role/A\nsource_profile = b\n[profile b]\n{KEYS}"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "AssumeRole arn:aws-moon:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "an MFA serial that is neither an ARN nor a TOTP serial",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nmfa_serial = my-phone\n[profile b]\n{KEYS}"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: mfa_serial `my-phone` is neither an MFA device ARN (arn:aws:iam::123456789012:mfa/NAME) nor a hardware token's serial number: STS takes 9 to 256 letters, digits and _+=/:,.@-",
            ],
        },
        Case {
            name: "an MFA device of another partition",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nmfa_serial = arn:aws-us-gov:iam::123456789012:mfa/x\n[profile b]\n{KEYS}"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: arn:aws-us-gov:iam::123456789012:mfa/x is in partition `aws-us-gov`, but region us-east-1 is served by `aws`; use a region of `aws-us-gov` (--region or `region =`) or an ARN of `aws`",
            ],
        },
    ]
}

/// values that look odd but that the SDKs and STS accept
fn accepted_odd_values() -> Vec<Case> {
    vec![
        Case {
            name: "a comment line is not part of a value",
            config: "[profile k]\naws_access_key_id = AKIAKB00000000000000\n  # a comment\naws_secret_access_key = SB\n".to_owned(),
            credentials: "",
            request: to("k"),
            env: ALICE,
            expected: &[
                "error (Config): profile `k`: the access key id contains whitespace (32 characters; an indented line after it continues its value); check aws_access_key_id, aws_secret_access_key and aws_session_token",
            ],
        },
        Case {
            name: "LocalStack's keys in [default] are keys: a key id's form is the service's business",
            config: "[default]\nregion = us-east-1\n".to_owned(),
            credentials: "[default]\naws_access_key_id = test\naws_secret_access_key = test\n[minio]\naws_access_key_id = minioadmin\naws_secret_access_key = minioadmin\n",
            request: to("default"),
            env: EMPTY,
            expected: &[
                "profiles [default]",
                "root: long-term keys test of `default`",
                "region us-east-1 from profile `default`",
            ],
        },
        Case {
            name: "an empty session token is none, as for the SDKs",
            config: "[profile r2]\nregion = auto\n".to_owned(),
            credentials: "[r2]\naws_access_key_id = 0123456789abcdef0123456789abcdef\naws_secret_access_key = 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\naws_session_token =\n",
            request: to("r2"),
            env: EMPTY,
            expected: &[
                "profiles [r2]",
                "root: long-term keys 0123456789abcdef0123456789abcdef of `r2`",
                "region auto from profile `r2`",
            ],
        },
        Case {
            name: "empty keys are no keys",
            config: "[profile e]\nregion = us-east-1\naws_access_key_id =\naws_secret_access_key =\n".to_owned(),
            credentials: "",
            request: to("e"),
            env: EMPTY,
            expected: &["error (Config): profile `e`: has no credentials: set aws_access_key_id and aws_secret_access_key, role_arn with source_profile, credential_process, sso_session, login_session (`aws login`), or web_identity_token_file"],
        },
        Case {
            name: "a hardware token's serial is an MFA serial",
            config: format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nmfa_serial = GAHT12345678\n[profile b]\n{KEYS}"),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "GetSessionToken (12h, MFA GAHT12345678)",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
    ]
}

/// inheritance
fn inheritance() -> Vec<Case> {
    let inherited_duration = format!(
        "[default]\ncredentials_duration = 2h\n\
         [profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n\
         [profile own]\nrole_arn = {ARN_A}\nsource_profile = b\nduration_seconds = 1800\n\
         [profile b]\n{KEYS}"
    );
    vec![
        Case {
            name: "credentials_duration is inherited by a role without its own",
            config: inherited_duration.clone(),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (2h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "a role's own duration_seconds beats the inherited one",
            config: inherited_duration,
            credentials: "",
            request: to("own"),
            env: ALICE,
            expected: &[
                "profiles [own b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (30m) of `own`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "MFA is inherited from the source profile, process and duration from [default]",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n\
                 [profile b]\n{KEYS}mfa_serial = arn:aws:iam::123456789012:mfa/b\n\
                 [default]\nmfa_process = echo 123456\nsession_token_duration = 8h\n"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "GetSessionToken (8h, MFA arn:aws:iam::123456789012:mfa/b by `echo 123456` of `default`)",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "MFA is inherited from [default]",
            config: format!(
                "[default]\nmfa_serial = arn:aws:iam::123456789012:mfa/d\n\
                 [profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n\
                 [profile b]\n{KEYS}"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "GetSessionToken (12h, MFA arn:aws:iam::123456789012:mfa/d)",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
    ]
}

/// what a profile does not inherit
fn not_inherited() -> Vec<Case> {
    vec![Case {
        name: "a plain key profile does not pick up [default]'s device",
        config: format!(
            "[default]\nmfa_serial = arn:aws:iam::123456789012:mfa/d\n[profile b]\n{KEYS}"
        ),
        credentials: "",
        request: to("b"),
        env: ALICE,
        expected: &[
            "profiles [b]",
            "root: long-term keys AKIAKB00000000000000 of `b`",
            "region us-east-1 from AWS_REGION",
        ],
    }]
}

/// the request
fn request() -> Vec<Case> {
    vec![
        Case {
            name: "MFA without long-term keys goes with AssumeRole",
            config: format!("[profile a]\nrole_arn = {ARN_A}\ncredential_source = Environment\n"),
            credentials: "",
            request: Request {
                mfa_serial: Some("arn:aws:iam::123456789012:mfa/x".into()),
                ..to("a")
            },
            env: REGION,
            expected: &[
                "profiles [a]",
                "root: credential_source Environment of `a`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas (1h, MFA arn:aws:iam::123456789012:mfa/x) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "flags override the files",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nexternal_id = file\ncredentials_duration = 2h\nregion = eu-west-1\n\
                 [profile b]\n{KEYS}"
            ),
            credentials: "",
            request: Request {
                region: Some("ap-south-1".into()),
                external_id: Some("flag".into()),
                role_duration: Some(Duration::from_secs(24 * 3600)),
                ..to("a")
            },
            env: EMPTY,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas (12h, external id flag) of `a`",
                "region ap-south-1 from --region",
                "warning: role duration for `a`: 24h is above the STS maximum; using 12h",
            ],
        },
        Case {
            name: "session only drops the roles",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\n{KEYS}"
            ),
            credentials: "",
            request: Request {
                session_only: true,
                ..to("a")
            },
            env: REGION,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "GetSessionToken (12h)",
                "region us-east-1 from AWS_REGION",
            ],
        },
    ]
}

/// what a request cannot ask for
fn request_refused() -> Vec<Case> {
    vec![Case {
        name: "session only needs long-term keys",
        config: "[profile p]\ncredential_process = x\n".to_owned(),
        credentials: "",
        request: Request {
            session_only: true,
            ..to("p")
        },
        env: REGION,
        expected: &[
            "error (Config): profile `p`: -s/--session needs long-term access keys at the root of the chain, but it starts with credential_process of profile `p`",
        ],
    }]
}

/// a role ARN in place of a profile
fn role_arn() -> Vec<Case> {
    let default_keys =
        "[default]\naws_access_key_id = AKIAKD00000000000000\naws_secret_access_key = SD\n";
    vec![
        Case {
            name: "a role ARN is assumed with the default profile",
            config: default_keys.to_owned(),
            credentials: "",
            request: to(ARN_A),
            env: ALICE,
            expected: &[
                "profiles [default]",
                "root: long-term keys AKIAKD00000000000000 of `default`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `arn:aws:iam::123456789012:role/A`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "a role ARN is assumed with the environment's keys first, as in the SDKs",
            config: default_keys.to_owned(),
            credentials: "",
            request: to(ARN_A),
            env: &[("AWS_REGION", "us-east-1"), ("AWS_ACCESS_KEY_ID", "KE")],
            expected: &[
                "profiles []",
                "root: credential_source Environment of `environment`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas (1h) of `arn:aws:iam::123456789012:role/A`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "a role ARN with no credentials to assume it",
            config: String::new(),
            credentials: "",
            request: to(ARN_A),
            env: ALICE,
            expected: &[
                "error (Config): no credentials to assume arn:aws:iam::123456789012:role/A with: there is no [default] profile and no AWS_ACCESS_KEY_ID; add one, or set AWS_PROFILE to a profile that has credentials",
            ],
        },
        Case {
            // The SDKs send it; AWS STS refuses it, a local service may not.
            name: "a role ARN with a short account",
            config: default_keys.to_owned(),
            credentials: "",
            request: to("arn:aws:iam::123:role/short"),
            env: ALICE,
            expected: &[
                "profiles [default]",
                "root: long-term keys AKIAKD00000000000000 of `default`",
                "AssumeRole arn:aws:iam::123:role/short as runas-alice (1h) of `arn:aws:iam::123:role/short`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "a role ARN too short for STS",
            config: default_keys.to_owned(),
            credentials: "",
            request: to("arn:aws:iam::1:role"),
            env: ALICE,
            expected: &[
                "error (Usage): role_arn `arn:aws:iam::1:role` is not a role ARN STS takes: 20 to 2048 characters, none of them control characters, such as arn:aws:iam::123456789012:role/NAME",
            ],
        },
    ]
}

/// the region
fn region() -> Vec<Case> {
    let plain_k =
        "[profile k]\naws_access_key_id = AKIAK000000000000000\naws_secret_access_key = S\n";
    vec![
        Case {
            name: "no region anywhere",
            config: plain_k.to_owned(),
            credentials: "",
            request: to("k"),
            env: EMPTY,
            expected: &[
                "error (Config): no region for profile `k`: add `region = us-east-1` (for example) to [profile k] or [default], pass --region, or set AWS_REGION",
            ],
        },
        Case {
            name: "the region from AWS_DEFAULT_REGION",
            config: plain_k.to_owned(),
            credentials: "",
            request: to("k"),
            env: &[("AWS_DEFAULT_REGION", "sa-east-1")],
            expected: &[
                "profiles [k]",
                "root: long-term keys AKIAK000000000000000 of `k`",
                "region sa-east-1 from AWS_DEFAULT_REGION",
            ],
        },
        Case {
            name: "a region that is not a region name",
            config: format!("{plain_k}region = us east 1\n"),
            credentials: "",
            request: to("k"),
            env: ALICE,
            expected: &[
                "error (Config): profile `k`: region `us east 1` (from profile `k`) is not a region name such as us-east-1",
            ],
        },
    ]
}

/// a role without a usable source, keys without their other half: the error names the
/// profile and the fix
fn missing_sources_and_keys() -> Vec<Case> {
    vec![
        Case {
            name: "a role without a source",
            config: format!("[profile a]\nrole_arn = {ARN_A}\n"),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: has role_arn but neither source_profile nor credential_source; add `source_profile = NAME` naming the profile whose credentials assume the role",
            ],
        },
        Case {
            name: "both source_profile and credential_source",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\ncredential_source = Environment\n[profile b]\n"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: sets both source_profile and credential_source; keep the one that says where its credentials come from",
            ],
        },
        Case {
            name: "a source profile that does not exist",
            config: format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = bb\n[profile b]\n"),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: source_profile `bb` does not exist in config or credentials; did you mean `b`?",
            ],
        },
        Case {
            name: "an access key id without its secret",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\naws_access_key_id = AKIAK000000000000000\n"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `b`: aws_access_key_id is set but aws_secret_access_key is missing; add it next to the key id (it is the source profile of `a`)",
            ],
        },
        Case {
            name: "a secret without its access key id",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\naws_secret_access_key = S\n"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `b`: aws_secret_access_key is set but aws_access_key_id is missing; add it next to the secret (it is the source profile of `a`)",
            ],
        },
        Case {
            name: "a source profile without credentials",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\nregion = x\n"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `b`: has no credentials: set aws_access_key_id and aws_secret_access_key, role_arn with source_profile, credential_process, sso_session, login_session (`aws login`), or web_identity_token_file (it is the source profile of `a`)",
            ],
        },
    ]
}

/// settings that do not parse or name the wrong thing
fn malformed_settings() -> Vec<Case> {
    vec![
        Case {
            // MinIO's guide writes any 20 characters; the SDKs send them as they are.
            name: "MinIO's placeholder role ARN in the profile",
            config: "[profile a]\nrole_arn = arn:xxx:xxx:xxx:xxxx\nsource_profile = a\naws_access_key_id = AKIAK000000000000000\naws_secret_access_key = S\n".to_owned(),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a]",
                "root: long-term keys AKIAK000000000000000 of `a`",
                "AssumeRole arn:xxx:xxx:xxx:xxxx as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "a role ARN with a control character in the profile",
            config: "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/\u{1b}[2J\nsource_profile = a\naws_access_key_id = AKIAK000000000000000\naws_secret_access_key = S\n".to_owned(),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: role_arn `arn:aws:iam::123456789012:role/\\u{1b}[2J` is not a role ARN STS takes: 20 to 2048 characters, none of them control characters, such as arn:aws:iam::123456789012:role/NAME",
            ],
        },
        Case {
            name: "a role_arn that is not a role, sourcing itself",
            config: "[profile a]\nrole_arn = arn:aws:s3:::bucket\nsource_profile = a\n".to_owned(),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: has no credentials: set aws_access_key_id and aws_secret_access_key, role_arn with source_profile, credential_process, sso_session, login_session (`aws login`), or web_identity_token_file",
            ],
        },
        Case {
            name: "web identity without a role",
            config: "[profile a]\nweb_identity_token_file = /t\n".to_owned(),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: web_identity_token_file is set but role_arn is missing; add the role to assume with the token",
            ],
        },
        Case {
            name: "an unknown credential_source",
            config: format!("[profile a]\nrole_arn = {ARN_A}\ncredential_source = Laptop\n"),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: credential_source `Laptop` is not one of Environment, Ec2InstanceMetadata, EcsContainer",
            ],
        },
        Case {
            name: "duration_seconds that is not a duration",
            config: format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nduration_seconds = forever\n[profile b]\naws_access_key_id = AKIAK000000000000000\naws_secret_access_key = S\n"),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: duration_seconds: `forever` is not a duration; write it like 12h, 90m or 1h30m",
            ],
        },
        Case {
            name: "session_token_duration with an unknown unit",
            config: "[profile k]\naws_access_key_id = AKIAK000000000000000\naws_secret_access_key = S\nsession_token_duration = 12x\nmfa_serial = arn:aws:iam::123456789012:mfa/k\n".to_owned(),
            credentials: "",
            request: to("k"),
            env: ALICE,
            expected: &[
                "error (Config): profile `k`: session_token_duration: `12x`: unknown unit `x`; use h, m or s (as in 1h30m)",
            ],
        },
    ]
}

/// SSO settings in the wrong place, cycles, and names that do not exist
fn sso_and_lookup_errors() -> Vec<Case> {
    vec![
        Case {
            name: "an sso_session without its section",
            config: "[profile s]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = r\n".to_owned(),
            credentials: "",
            request: to("s"),
            env: ALICE,
            expected: &[
                "error (Config): profile `s`: sso_session `nope` has no [sso-session nope] section in config",
            ],
        },
        Case {
            name: "an SSO account without a role name",
            config: "[profile s]\nsso_account_id = 1\nsso_region = us-east-1\nsso_start_url = u\n".to_owned(),
            credentials: "",
            request: to("s"),
            env: ALICE,
            expected: &[
                "error (Config): profile `s`: sso_account_id is set, so sso_role_name must be set too",
            ],
        },
        Case {
            name: "an sso_region that is not a region name",
            config: "[profile s]\nsso_session = c\nsso_account_id = 1\nsso_role_name = r\n\
                     [sso-session c]\nsso_start_url = u\nsso_region = evil.example/x\n".to_owned(),
            credentials: "",
            request: to("s"),
            env: ALICE,
            expected: &[
                "error (Config): profile `s`: region `evil.example/x` (from sso_region) is not a region name such as us-east-1",
            ],
        },
        Case {
            name: "sso_region outside the sso-session section",
            config: "[profile s]\nsso_session = c\nsso_region = us-east-1\n[sso-session c]\nsso_start_url = u\n".to_owned(),
            credentials: "",
            request: to("s"),
            env: ALICE,
            expected: &[
                "error (Config): profile `s`: sso_region belongs in the [sso-session c] section when sso_session is set; move it there",
            ],
        },
        Case {
            name: "a cycle of source profiles is printed",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n\
                 [profile b]\nrole_arn = {ARN_B}\nsource_profile = c\n\
                 [profile c]\nrole_arn = {ARN_B}\nsource_profile = a\n"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a` forms a cycle of source profiles: a -> b -> c -> a",
            ],
        },
        Case {
            name: "an unknown profile gets a suggestion",
            config: "[profile prod]\naws_access_key_id = AKIAK000000000000000\naws_secret_access_key = S\n".to_owned(),
            credentials: "",
            request: to("prdo"),
            env: ALICE,
            expected: &[
                "error (Config): profile `prdo` not found in config or credentials; did you mean `prod`?",
            ],
        },
    ]
}

/// the STS endpoint
fn sts_endpoint() -> Vec<Case> {
    let plain_k =
        "[profile k]\naws_access_key_id = AKIAK000000000000000\naws_secret_access_key = S\n";
    let endpoint = format!("{plain_k}endpoint_url = http://127.0.0.1:1\n");
    vec![
        Case {
            name: "the profile's endpoint_url is part of the plan",
            config: endpoint.clone(),
            credentials: "",
            request: to("k"),
            env: REGION,
            expected: &[
                "profiles [k]",
                "root: long-term keys AKIAK000000000000000 of `k`",
                "region us-east-1 from AWS_REGION",
                "sts endpoint http://127.0.0.1:1",
            ],
        },
        Case {
            name: "AWS_ENDPOINT_URL_STS overrides the profile's endpoint_url",
            config: endpoint,
            credentials: "",
            request: to("k"),
            env: &[
                ("AWS_REGION", "us-east-1"),
                ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:2"),
            ],
            expected: &[
                "profiles [k]",
                "root: long-term keys AKIAK000000000000000 of `k`",
                "region us-east-1 from AWS_REGION",
                "sts endpoint http://127.0.0.1:2",
            ],
        },
    ]
}
