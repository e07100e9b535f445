//! `resolve()` as a table: each row is the files, the request and the environment, and the
//! whole plan or the exact error it must give. One loop runs them all.

use super::*;

mod chains;
mod errors;
mod mfa;
mod requests;
mod values;

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
        chains::serve(),
        chains::source_chains(),
        chains::keys_beside_a_role(),
        chains::other_roots(),
        chains::login_roots(),
        mfa::durations_and_mfa(),
        mfa::mfa_placement(),
        mfa::mfa_over_other_roots(),
        values::refused_values(),
        values::accepted_odd_values(),
        values::left_to_the_service(),
        values::inheritance(),
        values::not_inherited(),
        requests::request(),
        requests::request_refused(),
        requests::role_arn(),
        requests::region(),
        errors::missing_sources_and_keys(),
        errors::malformed_settings(),
        errors::sso_and_lookup_errors(),
        requests::sts_endpoint(),
    ]
    .into_iter()
    .flatten()
    .collect()
}
