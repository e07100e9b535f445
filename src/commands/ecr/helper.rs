//! Setting up the credential helper: `runas ecr login --helper`, `runas ecr logout
//! --helper` and `runas ecr helper status`.
//!
//! A login with `--helper` stores no password. It sends the registries to
//! `docker-credential-runas` in the Docker config's `credHelpers` (and removes any password
//! stored for them there, which Docker would otherwise never use again but keep), records
//! which profile owns the registries that no `ecr_registries` names, and fetches their
//! tokens once, so that an MFA code is asked for here, at a terminal, and not in the middle
//! of a `docker pull`.

use super::tokens::{self, Fetched, Obtained, ProfileTokens};
use super::{Registries, Wanted, docker_config_dir};
use crate::commands::Ask;
use crate::creds::remaining;
use crate::ecr::credential_helper::registry_of;
use crate::ecr::docker_config;
use crate::ecr::endpoint::Registry;
use crate::ecr::owners::{Claim, Owners, Source};
use crate::ecr::registrations::{self, Registrations};
use crate::error::{Error, Result};
use crate::log::warning;
use crate::profile::{Files, Profiles};
use crate::session;
use aws_types::os_shim_internal::Env;
use std::path::PathBuf;
use std::process::ExitCode;

/// The name in `credHelpers` that makes Docker run `docker-credential-runas`.
pub const NAME: &str = "runas";
const PROGRAM: &str = "docker-credential-runas";

pub fn login(args: Registries) -> Result<ExitCode> {
    only_profile(&args.ask)?;
    let env = Env::real();
    let config = config_path(&env)?;
    let registrations_path = registrations_path(&env)?;
    let wanted = Wanted::resolve(&args.ask, &args.endpoints, &env)?;
    let (registries, obtained) = registries(&wanted, &args, &env)?;
    let profiles = Profiles::load(Files::from_env(&env))?;
    let owners = super::owners(&profiles, &Registrations::load(&registrations_path)?, &env);
    let register = to_register(&owners, &registries, args.ask.profile())?;
    if !register.is_empty() {
        Registrations::update(&registrations_path, |r| {
            for host in &register {
                r.registries
                    .insert(host.clone(), args.ask.profile().to_owned());
            }
        })?;
    }
    let hosts: Vec<String> = registries.iter().map(|r| r.host.clone()).collect();
    let removed = docker_config::route(&config, &hosts, NAME).map_err(Error::Ecr)?;
    for host in removed {
        eprintln!("ECR helper: removed the password stored for {host}");
    }
    if which::which(PROGRAM).is_err() {
        warning!(
            "{PROGRAM} is not on PATH, where Docker looks for it; install runas with cargo install, or put its directory on PATH"
        );
    }
    let otp = args.ask.options.otp.clone();
    let tokens = ProfileTokens::new(&profiles, args.ask.profile(), &env, otp).with(obtained);
    prefetch(tokens, args.ask.profile(), &registries)
}

/// When Docker asks, the helper plans PROFILE from the profile files alone: a flag that
/// changes the plan here would make this login's token another role's than the ones the
/// helper serves later, so it is refused before anything is written.
fn only_profile(ask: &Ask) -> Result<()> {
    let r = &ask.request;
    let given: Vec<&str> = [
        (r.region.is_some(), "--region"),
        (r.mfa_serial.is_some(), "-M/--mfa-serial (MFA_SERIAL)"),
        (r.external_id.is_some(), "-X/--external-id (EXTERNAL_ID)"),
        (
            r.role_duration.is_some(),
            "-a/--role-duration (CREDENTIALS_DURATION)",
        ),
        (
            r.session_duration.is_some(),
            "-d/--duration (SESSION_TOKEN_DURATION)",
        ),
        (r.session_only, "-s/--session"),
    ]
    .into_iter()
    .filter_map(|(set, flag)| set.then_some(flag))
    .collect();
    if given.is_empty() {
        return Ok(());
    }
    let profile = ask.profile();
    Err(Error::Usage(format!(
        "--helper: {PROGRAM} plans profile `{profile}` from the profile files alone when Docker \
         asks, so {} would not apply to it; set the matching key in [profile {profile}] (region, \
         mfa_serial, external_id, duration_seconds, session_token_duration) and log in again",
        given.join(", ")
    )))
}

/// The registries to register to `profile`: all but those its own `ecr_registries`
/// names. One that another profile's `ecr_registries` names cannot be handed over.
fn to_register(owners: &Owners, registries: &[Registry], profile: &str) -> Result<Vec<String>> {
    let mut register = vec![];
    for registry in registries {
        match owners.owner(registry) {
            Ok(Some(Claim {
                profile: owner,
                source: Source::ProfileList,
                ..
            })) if owner == profile => {}
            Ok(Some(Claim {
                profile: owner,
                source: Source::ProfileList,
                ..
            })) => {
                return Err(Error::Ecr(format!(
                    "{} is in ecr_registries of profile `{owner}`; remove it there to hand it to `{profile}`",
                    registry.host
                )));
            }
            _ => register.push(registry.host.clone()),
        }
    }
    Ok(register)
}

/// Fetches each registry's token now, while there is a terminal for an MFA prompt.
fn prefetch(mut tokens: ProfileTokens, profile: &str, registries: &[Registry]) -> Result<ExitCode> {
    let mut failed = 0;
    for registry in registries {
        match tokens.obtain(registry) {
            Ok(fetched) => eprintln!(
                "ECR helper: {} -> profile `{}` (token {})",
                registry.host,
                profile,
                remaining(fetched.usable_until)
            ),
            Err(e) => {
                failed += 1;
                eprintln!(
                    "ECR helper: {} -> profile `{profile}`, but no token yet: {e}",
                    registry.host
                );
            }
        }
    }
    if failed == 0 {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(Error::Ecr(format!(
            "{failed} of {} tokens could not be fetched; {PROGRAM} will try again when Docker asks",
            registries.len()
        )))
    }
}

pub fn logout(args: Registries) -> Result<ExitCode> {
    let env = Env::real();
    let wanted = Wanted::resolve(&args.ask, &args.endpoints, &env)?;
    let config = config_path(&env)?;
    let registrations_path = registrations_path(&env)?;
    let mut hosts: Vec<String> = registries(&wanted, &args, &env)?
        .0
        .into_iter()
        .map(|r| r.host)
        .collect();
    if args.endpoints.is_empty() {
        // Everything registered to the profile goes too.
        let registered = Registrations::load(&registrations_path)?;
        for (host, profile) in registered.registries {
            if profile == args.ask.profile() && !hosts.contains(&host) {
                hosts.push(host);
            }
        }
    }
    Registrations::update(&registrations_path, |r| {
        r.registries
            .retain(|host, profile| !(hosts.contains(host) && *profile == args.ask.profile()));
    })?;
    let removed = docker_config::unroute(&config, &hosts, NAME).map_err(Error::Ecr)?;
    for host in &hosts {
        if removed.contains(host) {
            eprintln!("ECR helper off: {host}");
        } else {
            eprintln!("ECR helper off: {host} (the Docker config did not send it to {PROGRAM})");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The registries named, or the profile's own; the account lookup only when it must. The
/// credentials the lookup fetched come back, for the tokens.
fn registries(
    wanted: &Wanted,
    args: &Registries,
    env: &Env,
) -> Result<(Vec<Registry>, Option<Obtained>)> {
    match wanted.account_free() {
        Some(registries) => Ok((registries, None)),
        None => {
            let (execution, credentials) =
                session::credentials(wanted.chain.clone(), &args.ask.options, env)?;
            let registries = wanted.registries(&execution, &credentials)?;
            Ok((registries, Some((execution, credentials))))
        }
    }
}

/// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
fn config_path(env: &Env) -> Result<PathBuf> {
    let path = docker_config::path(docker_config_dir(env)).ok_or_else(|| {
        Error::Usage(
            "--helper: HOME is unset, so there is no ~/.docker/config.json; set DOCKER_CONFIG"
                .into(),
        )
    })?;
    docker_config::check_dir(&path).map_err(|why| Error::file(&path, why))?;
    Ok(path)
}

/// Where the registrations are kept; `--helper` is refused without a home for them.
fn registrations_path(env: &Env) -> Result<PathBuf> {
    registrations::path(env).ok_or_else(|| {
        Error::Usage(
            "--helper: HOME and XDG_CONFIG_HOME are unset, so there is no place for the helper's \
             registrations (runas/ecr-helper.json); set HOME"
                .into(),
        )
    })
}

/// `runas ecr helper status`.
pub fn status() -> Result<ExitCode> {
    let env = Env::real();
    let profiles = Profiles::load(Files::from_env(&env))?;
    let registrations_path = registrations::path(&env);
    let registrations = match &registrations_path {
        Some(path) => Registrations::load(path)?,
        None => Registrations::default(),
    };
    let owners = super::owners(&profiles, &registrations, &env);
    let config = config_path(&env)?;
    let routed = docker_config::routed(&config, NAME).map_err(Error::Ecr)?;
    let mut rows = vec![[
        "REGISTRY".to_owned(),
        "PROFILE".to_owned(),
        "SOURCE".to_owned(),
        "TOKEN".to_owned(),
        "DOCKER".to_owned(),
    ]];
    let mut hosts: Vec<String> = owners
        .claims
        .iter()
        .map(|c| c.registry.host.clone())
        .collect();
    hosts.extend(
        routed
            .iter()
            .filter(|h| !hosts.contains(h))
            .cloned()
            .collect::<Vec<_>>(),
    );
    for host in &hosts {
        rows.push(row(host, &owners, &profiles, &routed, &env));
    }
    print_table(&rows);
    println!();
    match &owners.aws_profile {
        Some(profile) => println!("Other ECR registries: profile `{profile}` (AWS_PROFILE)"),
        None => println!("Other ECR registries: not served (AWS_PROFILE is not set)"),
    }
    println!("Docker config: {}", config.display());
    match &registrations_path {
        Some(path) => println!("Registrations: {}", path.display()),
        None => println!("Registrations: none (HOME is unset)"),
    }
    if which::which(PROGRAM).is_err() {
        println!("Warning: {PROGRAM} is not on PATH, where Docker looks for it");
    }
    for w in &owners.warnings {
        println!("Warning: {w}");
    }
    Ok(ExitCode::SUCCESS)
}

fn row(
    host: &str,
    owners: &Owners,
    profiles: &Profiles,
    routed: &[String],
    env: &Env,
) -> [String; 5] {
    let docker = if routed.iter().any(|h| h == host) {
        format!("credHelpers: {NAME}")
    } else {
        "not sent to the helper".to_owned()
    };
    let Some(registry) = registry_of(host) else {
        return [
            host.to_owned(),
            "-".into(),
            "not an ECR registry".into(),
            "-".into(),
            docker,
        ];
    };
    let claim = match owners.owner(&registry) {
        Ok(Some(claim)) => claim,
        Ok(None) => {
            return [
                host.to_owned(),
                "-".into(),
                "nobody claims it".into(),
                "-".into(),
                docker,
            ];
        }
        Err(e) => {
            return [
                host.to_owned(),
                "?".into(),
                e.to_string(),
                "-".into(),
                docker,
            ];
        }
    };
    let source = match claim.source {
        Source::ProfileList => format!("ecr_registries of `{}`", claim.profile),
        other => other.to_string(),
    };
    let token = match tokens::cached(profiles, &claim.profile, &registry, env) {
        Ok(Some(Fetched { usable_until, .. })) => remaining(usable_until),
        Ok(None) => "none cached".to_owned(),
        Err(e) => format!("profile error: {e}"),
    };
    [host.to_owned(), claim.profile, source, token, docker]
}

fn print_table(rows: &[[String; 5]]) {
    let widths: Vec<usize> = (0..5)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    for r in rows {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        println!("{}", line.join("  ").trim_end());
    }
}
