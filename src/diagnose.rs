//! `runas diagnose PROFILE` (`runas -D PROFILE`): how a profile resolves, where each
//! setting comes from, and what looks wrong. It prints identifiers, never secrets: key ids
//! by their last four characters, secret keys and tokens not at all.

use crate::cli::CredentialArgs;
use crate::creds::{self, Execution, remaining};
use crate::error::{Error, Exit, Result};
use crate::log::key_hint;
use crate::output::say;
use crate::profile::chain::Request;
use crate::profile::{Files, Origins, Profiles};
use crate::profile::{key, resolve::resolve};
use crate::session;
use aws_types::os_shim_internal::Env;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

/// Clocks further apart than this make AWS refuse signed requests.
const MAX_SKEW: Duration = Duration::from_secs(5 * 60);

/// Variables that make AWS tools ignore a profile's credentials.
const SHADOWING: [&str; 4] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
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

pub fn run(profile: &str, args: &CredentialArgs) -> Result<ExitCode> {
    let env = Env::real();
    let files = Files::from_env(&env);
    let mut report = Report { problems: 0 };

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
    let request = session::request(profile, args);
    let mut problems = file_problems(&profiles, &env);
    let resolved = match resolve(&profiles, &request, &env) {
        Err(Error::NoRegion { .. }) => {
            problems.push(
                "no region: add `region = us-east-1` (for example) to the profile or [default], or set AWS_REGION".to_owned(),
            );
            // Resolve again with a stand-in region, to show the rest of the chain.
            let request = Request {
                region: Some("us-east-1".into()),
                ..request
            };
            resolve(&profiles, &request, &env).map(|c| (c, false))
        }
        other => other.map(|c| (c, true)),
    };

    let mut execution = None;
    match resolved {
        Err(e) => problems.push(e.to_string()),
        Ok((chain, has_region)) => {
            say!("chain:");
            for (i, line) in chain.describe().iter().enumerate() {
                say!("  {i}  {line}");
            }
            if let Some(mode) = chain.mfa_mode() {
                say!("mfa: {mode}");
            }
            if has_region {
                let origin = chain
                    .region_source
                    .strip_prefix("profile `")
                    .and_then(|p| p.strip_suffix('`'))
                    .and_then(|p| origins.of(p, key::REGION))
                    .map(|o| format!(", {o}"))
                    .unwrap_or_default();
                say!(
                    "region: {} (from {}{origin})",
                    chain.region,
                    chain.region_source
                );
            }
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
            for warning in &chain.warnings {
                problems.push(warning.clone());
            }
            let e = Execution::new(
                chain,
                creds::Options {
                    refresh: false,
                    otp: None,
                },
                &env,
            );
            say!("cache:");
            for (i, expiry) in e.cached().iter().enumerate().skip(1) {
                match expiry {
                    Some(t) => say!("  {i}  cached, {}", remaining(*t)),
                    None => say!("  {i}  not cached"),
                }
            }
            if has_region {
                execution = Some(e);
            }
        }
    }

    say!("checks:");
    for p in problems {
        report.problem(p);
    }
    let set: Vec<&str> = SHADOWING
        .iter()
        .copied()
        .filter(|v| env.get(v).is_ok())
        .collect();
    if set.is_empty() {
        report.ok("no AWS credential variables in the environment");
    } else {
        report.problem(format!(
            "{} set in this shell: AWS tools prefer them to any profile (runas itself does not); unset them",
            set.join(", ")
        ));
    }
    if let Ok(other) = env.get("AWS_PROFILE")
        && other != profile
    {
        report.note(format!(
            "AWS_PROFILE is `{other}`; runas removes it from the commands it runs"
        ));
    }
    match execution.as_mut().map(Execution::server_time) {
        None => report.note("clock not compared with STS (the profile does not resolve)"),
        Some(Ok(server)) => {
            let now = SystemTime::now();
            let skew = now
                .duration_since(server)
                .or_else(|_| server.duration_since(now))
                .unwrap_or_default();
            if skew > MAX_SKEW {
                report.problem(format!(
                    "this machine's clock is {} minutes off STS's; AWS refuses signatures more than 5 minutes off: set the time (NTP)",
                    (skew.as_secs() + 30) / 60
                ));
            } else {
                report.ok(format!("clock within {}s of STS's", skew.as_secs()));
            }
        }
        Some(Err(e)) => report.problem(format!("cannot compare clocks with STS: {e}")),
    }
    let client = env.get("RUNAS_ECR_CLIENT").ok().filter(|c| !c.is_empty());
    let wants_ecr = client.is_some()
        || profiles
            .get(profile)
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
