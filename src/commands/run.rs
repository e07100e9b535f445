//! `runas PROFILE [COMMAND...]`: resolve the profile, obtain its credentials, then run the
//! command with them or print them.

use crate::commands::{self, Ask};
use crate::creds::warm::Inputs;
use crate::creds::{self, Credentials, Recalled, remaining};
use crate::error::{Error, Result};
use crate::exec::credentials_file;
use crate::exec::{self, Environment, Format};
use crate::log::{debug, warning};
use crate::profile::Files;
use crate::session;
use aws_types::os_shim_internal::Env;
use std::ffi::OsString;
use std::process::ExitCode;

/// `runas PROFILE [COMMAND...]`, as asked.
#[derive(Debug, Default)]
pub struct Run {
    pub ask: Ask,
    /// The command and its arguments; none: print the credentials.
    pub command: Vec<OsString>,
    pub format: Format,
    /// `-e`: say when the credentials expire.
    pub expiration: bool,
    /// `-w`: say whose credentials they are.
    pub whoami: bool,
    /// `-c`: also write them to the credentials file.
    pub write_credentials: bool,
    /// `-S`: serve the command its credentials from an endpoint.
    pub serve: bool,
}

pub fn run(args: Run) -> Result<ExitCode> {
    let env = Env::real();
    let profile = args.ask.profile().to_owned();
    let files = Files::from_env(&env);
    if args.write_credentials {
        credentials_file::check_name(&credentials_file::section_name(&profile))?;
        credentials_file::check_ours(
            &files.credentials,
            &credentials_file::section_name(&profile),
        )?;
    }
    let inputs = Inputs::gather(&files, &args.ask.request);
    let running = !args.command.is_empty();
    let served = args.serve && running;

    // Warm: the same inputs as a run that left a note, and its credentials still fresh.
    if !args.ask.options.refresh
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
        session::plan(&args.ask.request, &env).map_err(|e| match e {
            Error::UnknownProfile { name, .. } if name == "ecr" => Error::Usage(
                "`ecr` is a subcommand here, and options go after it: runas ecr login [OPTIONS] PROFILE [ENDPOINT...]".into(),
            ),
            Error::UnknownProfile {
                name,
                files,
                similar,
                subcommand: None,
            } => Error::UnknownProfile {
                name,
                files,
                similar,
                subcommand: commands::subcommand_typo(&profile),
            },
            other => other,
        })?;
    if running && (args.serve || chain.serve) {
        if args.whoami || args.write_credentials {
            return Err(Error::Usage(
                "-w and -c want one set of credentials, while -S (also set by RUNAS_SERVE=1 or the profile's runas_serve) serves the command fresh ones: use one or the other".into(),
            ));
        }
        return commands::serve::child_process(
            chain,
            &profiles,
            &args.ask.options,
            &args.command,
            args.expiration,
            &env,
        );
    }
    let region = chain.region.clone();
    let (execution, credentials) = session::credentials(chain, &args.ask.options, &env)?;
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

/// What happens with the credentials, however they were found.
fn finish(
    args: &Run,
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
        let section = credentials_file::section_name(profile);
        let path = &files.credentials;
        credentials_file::write(path, &section, credentials, profile)?;
        debug!("wrote [{section}] to {}", path.display());
    }

    let environment = Environment::new(credentials, region, profile);
    if args.command.is_empty() {
        let text = exec::format::render(args.format, &environment, credentials, profile)?;
        crate::output::text(&text);
        return Ok(ExitCode::SUCCESS);
    }
    debug!("running {}", args.command[0].to_string_lossy());
    Err(exec::exec(&args.command, &environment))
}
