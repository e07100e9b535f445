//! `runas PROFILE [COMMAND...]`: resolve the profile, obtain its credentials, then run the
//! command with them or print them.

use crate::cli::{Cli, Output};
use crate::creds::{self, Execution, cache::Cache, remaining};
use crate::error::Result;
use crate::exec::{self, Environment};
use crate::log::{debug, warning};
use crate::profile::chain::{self, Request};
use crate::profile::{Files, Profiles, credentials_file};
use aws_types::os_shim_internal::Env;
use std::process::ExitCode;

pub fn run(cli: Cli) -> Result<ExitCode> {
    let env = Env::real();
    let profiles = Profiles::load(Files::from_env(&env))?;
    let request = Request {
        profile: cli.profile.clone(),
        region: cli.region.clone(),
        mfa_serial: cli.mfa_serial.clone(),
        external_id: cli.external_id.clone(),
        role_duration: cli.role_duration,
        session_duration: cli.session_duration,
        session_only: cli.session,
    };
    let chain = chain::resolve(&profiles, &request, &env)?;
    for warning in &chain.warnings {
        warning!("{warning}");
    }
    debug!("region {} (from {})", chain.region, chain.region_source);
    for (i, line) in chain.describe().iter().enumerate() {
        debug!("chain {i}: {line}");
    }

    let options = creds::Options {
        refresh: cli.refresh,
        otp: cli.otp.clone(),
    };
    let mut execution = Execution::new(&chain, &options, &env);
    let credentials = execution.credentials()?;

    if cli.expiration {
        match credentials.expiration {
            Some(t) => eprintln!("Credentials: {} ({})", remaining(t), creds::rfc3339(t)),
            None => eprintln!("Credentials do not expire (long-term access keys)"),
        }
    }
    if cli.whoami {
        let identity = execution.whoami(&credentials)?;
        eprintln!(
            "Arn: {}\nAccount: {}\nUserId: {}",
            identity.arn, identity.account, identity.user_id
        );
    }
    if cli.write_credentials {
        let section = format!("{}-runas", cli.profile);
        let _lock = Cache::locate(&env).lock(&format!(
            "credentials file {}",
            profiles.files.credentials.display()
        ));
        credentials_file::write(
            &profiles.files.credentials,
            &section,
            &credentials,
            &cli.profile,
        )?;
        debug!(
            "wrote [{section}] to {}",
            profiles.files.credentials.display()
        );
    }

    let environment = Environment::new(&credentials, &chain.region, &cli.profile);
    if cli.command.is_empty() {
        match cli.output {
            Output::Env => print!("{}", environment.shell()),
            Output::Json => print!("{}", exec::json(&credentials)),
        }
        return Ok(ExitCode::SUCCESS);
    }
    debug!("running {}", cli.command[0].to_string_lossy());
    Err(exec::exec(&cli.command, &environment))
}
