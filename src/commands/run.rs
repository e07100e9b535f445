//! `runas PROFILE [COMMAND...]`: resolve the profile, obtain its credentials, then run the
//! command with them or print them.

use crate::cli::{Output, RunArgs};
use crate::commands;
use crate::creds::warm::Inputs;
use crate::creds::{self, Credentials, Recalled, remaining};
use crate::error::{Error, Result};
use crate::exec::credentials_file;
use crate::exec::{self, Environment};
use crate::log::{debug, warning};
use crate::profile::Files;
use crate::session;
use aws_types::os_shim_internal::Env;
use std::process::ExitCode;

pub fn run(args: RunArgs) -> Result<ExitCode> {
    let env = Env::real();
    // clap requires PROFILE when there is no subcommand.
    let profile = args.profile.clone().unwrap_or_default();
    if args.write_credentials {
        credentials_file::check_name(&section_name(&profile))?;
    }
    let files = Files::from_env(&env);
    let inputs = Inputs::gather(&files, &session::request(&profile, &args.credentials));
    let running = !args.command.is_empty();
    let served = args.serve && running;

    // Warm: the same inputs as a run that left a note, and its credentials still fresh.
    if !args.credentials.refresh
        && !args.whoami
        && !served
        && let Some(Recalled { credentials, memo }) = creds::recall(&inputs, &env)
        && !(memo.serve && running)
    {
        debug!("warm: the plan and credentials of an earlier run");
        for w in &memo.warnings {
            warning!("{w}");
        }
        return finish(&args, &profile, &files, &memo.region, &credentials);
    }

    let (profiles, chain) =
        session::plan(&profile, &args.credentials, &env).map_err(|e| match e {
            Error::UnknownProfile { name, .. } if name == "ecr" => Error::Usage(
                "`ecr` is a subcommand here, and options go after it: runas ecr login [OPTIONS] PROFILE [ENDPOINT...]".into(),
            ),
            other => other,
        })?;
    if running && (args.serve || chain.serve) {
        if args.whoami || args.write_credentials {
            return Err(Error::Usage(
                "-w and -c want one set of credentials, while -S (also set by RUNAS_SERVE=1 or the profile's runas_serve) serves the command fresh ones: use one or the other".into(),
            ));
        }
        commands::serve::warn_if_default_shadows(&profiles);
        return commands::serve::child_process(
            chain,
            &args.credentials,
            &args.command,
            args.expiration,
            &env,
        );
    }
    let region = chain.region.clone();
    let (execution, credentials) = session::credentials(chain, &args.credentials, &env)?;
    execution.remember(&inputs);
    if args.whoami {
        let identity = execution.whoami(&credentials)?;
        eprintln!(
            "Arn: {}\nAccount: {}\nUserId: {}",
            identity.arn, identity.account, identity.user_id
        );
    }
    finish(&args, &profile, &files, &region, &credentials)
}

/// The section `-c` writes.
fn section_name(profile: &str) -> String {
    format!("{profile}-runas")
}

/// What happens with the credentials, however they were found.
fn finish(
    args: &RunArgs,
    profile: &str,
    files: &Files,
    region: &str,
    credentials: &Credentials,
) -> Result<ExitCode> {
    if args.expiration {
        match credentials.expiration {
            Some(t) => eprintln!("Credentials: {} ({})", remaining(t), creds::rfc3339(t)),
            None => eprintln!("Credentials do not expire (long-term access keys)"),
        }
    }
    if args.write_credentials {
        let section = section_name(profile);
        let path = &files.credentials;
        credentials_file::write(path, &section, credentials, profile)?;
        debug!("wrote [{section}] to {}", path.display());
    }

    let environment = Environment::new(credentials, region, profile);
    if args.command.is_empty() {
        match args.output {
            Output::Env => crate::output::text(&environment.shell()),
            Output::Json => crate::output::text(&exec::json(credentials)),
        }
        return Ok(ExitCode::SUCCESS);
    }
    debug!("running {}", args.command[0].to_string_lossy());
    Err(exec::exec(&args.command, &environment))
}
