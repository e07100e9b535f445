//! runas: run a command with the AWS credentials of a profile.

use runas::commands::{diagnose, ecr, ecr_helper, list, run, serve};
use runas::{argv, cli, deadline, docs, error, log, text, variables};
use std::process::ExitCode;

fn main() -> ExitCode {
    private_memory();
    // `COMPLETE=bash runas` prints the completion script; with arguments, completions.
    clap_complete::CompleteEnv::with_factory(argv::completion_command)
        .var(variables::COMPLETE.name)
        .complete();
    let cli = cli::Cli::parse_args();
    log::set_verbosity(cli.verbose);
    let result = deadline::from_env()
        .map_err(error::Error::Usage)
        .and_then(|_| run(cli));
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("runas: {}", text::escape_message(&error.to_string()));
            error.exit().into()
        }
    }
}

fn run(cli: cli::Cli) -> error::Result<ExitCode> {
    match cli.subcommand {
        None if cli.run.diagnose => diagnose::run(
            cli.run.profile.as_deref().unwrap_or_default(),
            &cli.run.credentials,
        ),
        None => run::run(cli.run),
        Some(cli::Subcommand::List(list)) => list::run(list),
        Some(cli::Subcommand::Diagnose(args)) => diagnose::run(&args.profile, &args.credentials),
        Some(cli::Subcommand::Serve(serve)) => serve::endpoint(serve),
        Some(cli::Subcommand::GenerateDocs { dir }) => docs::generate(&dir),
        Some(cli::Subcommand::Ecr(cli::Ecr::Login(args))) => ecr::login(args),
        Some(cli::Subcommand::Ecr(cli::Ecr::Token(args))) => ecr::token(args),
        Some(cli::Subcommand::Ecr(cli::Ecr::Logout(args))) => ecr::logout(args),
        Some(cli::Subcommand::Ecr(cli::Ecr::Helper(cli::EcrHelper::Status))) => {
            ecr_helper::status()
        }
    }
}

/// No core dump, and no ptrace or /proc/PID/mem reading by other processes of the same
/// user, while secrets are in memory. The kernel makes the command runas executes
/// dumpable again (an exec of a program that is not set-uid resets the flag).
fn private_memory() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl(PR_SET_DUMPABLE) only changes a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}
