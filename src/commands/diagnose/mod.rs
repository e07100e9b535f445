//! `runas diagnose PROFILE` (`runas -D PROFILE`): how a profile resolves, where each
//! setting comes from, and what looks wrong. It prints identifiers, never secrets: key ids
//! by their last four characters, secret keys and tokens not at all.

mod clock;

use crate::commands::Ask;
use crate::creds::{self, Execution, remaining};
use crate::error::{Error, Exit, Result};
use crate::log::key_hint;
use crate::output::say;
use crate::profile::chain::{Chain, RegionSource, Request};
use crate::profile::{Files, Origins, Profiles};
use crate::profile::{key, resolve::resolve};
use crate::variables;
use aws_types::os_shim_internal::Env;
use std::process::ExitCode;

/// Variables that make AWS tools ignore a profile's credentials.
const SHADOWING: [&str; 4] = [
    variables::AWS_ACCESS_KEY_ID.name,
    variables::AWS_SECRET_ACCESS_KEY.name,
    variables::AWS_SESSION_TOKEN.name,
    variables::AWS_SECURITY_TOKEN.name,
];

struct Report {
    problems: usize,
}

impl Report {
    fn ok(&mut self, text: impl AsRef<str>) {
        say!("  ok       {}", text.as_ref());
    }

    fn note(&mut self, text: impl AsRef<str>) {
        say!("  note     {}", text.as_ref());
    }

    fn problem(&mut self, text: impl AsRef<str>) {
        self.problems += 1;
        say!("  PROBLEM  {}", text.as_ref());
    }
}

/// What the checks look at: the files, the plan if it resolves, the environment.
struct Context<'a> {
    profile: &'a str,
    env: Env,
    profiles: Profiles,
    /// The execution of the plan, when it resolved with a real region (the clock check
    /// asks STS in that region).
    execution: Option<Execution>,
}

/// One check: it says `ok`, `note` or `PROBLEM` on the report.
type Check = fn(&mut Context, &mut Report);

/// Every check, in the order the report shows them.
const CHECKS: [Check; 4] = [shadowing_variables, aws_profile, clock::check, ecr_client];

pub fn run(args: &Ask) -> Result<ExitCode> {
    let profile = args.profile();
    let env = Env::real();
    let files = Files::from_env(&env);
    say!("profile `{profile}`");
    say!("files:");
    for (what, path) in [
        ("config", &files.config),
        ("credentials", &files.credentials),
    ] {
        let state = if path.exists() { "" } else { " (not found)" };
        say!("  {what:<12} {}{state}", path.display());
    }
    let profiles = Profiles::load(files.clone())?;
    let origins = Origins::load(&files)?;
    let mut problems = file_problems(&profiles, &env);
    let execution = plan(&args.request, &profiles, &origins, &env, &mut problems);
    let mut context = Context {
        profile,
        env,
        profiles,
        execution,
    };
    let mut report = Report { problems: 0 };
    say!("checks:");
    for p in problems {
        report.problem(p);
    }
    for check in CHECKS {
        check(&mut context, &mut report);
    }
    if report.problems == 0 {
        say!("no problems found");
        Ok(ExitCode::SUCCESS)
    } else {
        say!(
            "{} problem{} found",
            report.problems,
            if report.problems == 1 { "" } else { "s" }
        );
        Ok(Exit::Failure.into())
    }
}

/// Resolves the profile and shows the plan, its settings and its cache; what is wrong with
/// it goes to `problems`. A profile with no region is shown with a stand-in one.
fn plan(
    request: &Request,
    profiles: &Profiles,
    origins: &Origins,
    env: &Env,
    problems: &mut Vec<String>,
) -> Option<Execution> {
    let resolved = match resolve(profiles, request, env) {
        Err(Error::NoRegion { .. }) => {
            problems.push(
                "no region: add `region = us-east-1` (for example) to the profile or [default], or set AWS_REGION".to_owned(),
            );
            let request = Request {
                region: Some("us-east-1".into()),
                ..request.clone()
            };
            resolve(profiles, &request, env).map(|c| (c, false))
        }
        other => other.map(|c| (c, true)),
    };
    let (chain, has_region) = match resolved {
        Ok(resolved) => resolved,
        Err(e) => {
            problems.push(e.to_string());
            return None;
        }
    };
    say!("chain:");
    for (i, line) in chain.describe().iter().enumerate() {
        say!("  {i}  {line}");
    }
    if let Some(mode) = chain.mfa_mode() {
        say!("mfa: {mode}");
    }
    if has_region {
        let origin = match &chain.region_source {
            RegionSource::Profile(p) => origins.of(p, key::REGION).map(|o| format!(", {o}")),
            RegionSource::Flag | RegionSource::Variable(_) => None,
        }
        .unwrap_or_default();
        say!(
            "region: {} (from {}{origin})",
            chain.region,
            chain.region_source
        );
    }
    settings(&chain, profiles, origins);
    problems.extend(chain.warnings.iter().cloned());
    let options = creds::Options {
        refresh: false,
        otp: None,
    };
    let execution = Execution::new(chain, options, env);
    for line in execution.inspect_root() {
        say!("{line}");
    }
    say!("cache:");
    for (i, expiry) in execution.cached().iter().enumerate().skip(1) {
        match expiry {
            Some(t) => say!("  {i}  cached, {}", remaining(*t)),
            None => say!("  {i}  not cached"),
        }
    }
    has_region.then_some(execution)
}

/// Every key runas reads, per profile of the chain (and [default]), with where it is set.
fn settings(chain: &Chain, profiles: &Profiles, origins: &Origins) {
    say!("settings:");
    let mut shown: Vec<&str> = chain.profiles().iter().map(String::as_str).collect();
    if profiles.get("default").is_some() && !shown.contains(&"default") {
        shown.push("default");
    }
    for name in shown {
        say!("  [{name}]");
        let Some(p) = profiles.get(name) else {
            continue;
        };
        for k in key::ALL {
            let Some(value) = p.get(k) else { continue };
            let shown = if key::SECRET.contains(&k) {
                "(secret, not shown)".to_owned()
            } else if k == key::ACCESS_KEY_ID {
                key_hint(value)
            } else {
                crate::text::escape(value)
            };
            let origin = origins.of(name, k).unwrap_or_default();
            say!("    {k:<24} {shown:<48} {origin}");
        }
    }
}

fn shadowing_variables(context: &mut Context, report: &mut Report) {
    let set: Vec<&str> = SHADOWING
        .iter()
        .copied()
        .filter(|v| context.env.get(v).is_ok())
        .collect();
    if set.is_empty() {
        report.ok("no AWS credential variables in the environment");
    } else {
        report.problem(format!(
            "{} set in this shell: AWS tools prefer them to any profile (runas itself does not); unset them",
            set.join(", ")
        ));
    }
}

fn aws_profile(context: &mut Context, report: &mut Report) {
    if let Ok(other) = context.env.get(variables::AWS_PROFILE.name)
        && other != context.profile
    {
        report.note(format!(
            "AWS_PROFILE is `{other}`; runas removes it from the commands it runs"
        ));
    }
}

fn ecr_client(context: &mut Context, report: &mut Report) {
    let client = context
        .env
        .get(variables::RUNAS_ECR_CLIENT.name)
        .ok()
        .filter(|c| !c.is_empty());
    let wants_ecr = client.is_some()
        || context
            .profiles
            .get(context.profile)
            .and_then(|p| p.get(key::ECR_REGISTRIES))
            .is_some();
    let client = client.unwrap_or_else(|| "docker".to_owned());
    match which::which(&client) {
        Ok(path) => report.ok(format!("ECR client {client}: {}", path.display())),
        Err(_) if wants_ecr => report.problem(format!(
            "ECR client `{client}` is not on PATH: install it, or set RUNAS_ECR_CLIENT / --client"
        )),
        Err(_) => report.note(format!(
            "ECR client `{client}` is not on PATH (only `runas ecr` needs it)"
        )),
    }
}

/// What the SDK silently leaves out of the files (sections whose names it drops, files it
/// cannot find because HOME is unset), and a cache runas cannot use.
fn file_problems(profiles: &Profiles, env: &Env) -> Vec<String> {
    let mut problems: Vec<String> = profiles.dropped.iter().map(|d| d.describe()).collect();
    let files = &profiles.files;
    if [&files.config, &files.credentials]
        .iter()
        .any(|p| p.starts_with("~"))
    {
        problems.push(
            "HOME is unset, so the profile files under ~ are not read: set HOME, or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE".into(),
        );
    }
    if crate::creds::cache::Cache::locate(env).dir().is_none() {
        problems.push(
            "runas runs without a cache (see the warning above, or HOME is unset): every run fetches credentials anew".into(),
        );
    }
    problems
}
