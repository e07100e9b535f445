//! runas: run a command with the AWS credentials of a profile.

use runas::{cli, diagnose, docs, ecr, list, log, wrapper};
use std::process::ExitCode;

fn main() -> ExitCode {
    // `COMPLETE=bash runas` prints the completion script; with arguments, completions.
    clap_complete::CompleteEnv::with_factory(<cli::Cli as clap::CommandFactory>::command)
        .complete();
    let cli = cli::Cli::parse_args();
    log::set_verbosity(cli.verbose);
    let result = match cli.subcommand {
        None if cli.run.diagnose => diagnose::run(
            cli.run.profile.as_deref().unwrap_or_default(),
            &cli.run.credentials,
        ),
        None => wrapper::run(cli.run),
        Some(cli::Subcommand::List(list)) => list::run(list),
        Some(cli::Subcommand::Diagnose(args)) => diagnose::run(&args.profile, &args.credentials),
        Some(cli::Subcommand::GenerateDocs { dir }) => docs::generate(&dir),
        Some(cli::Subcommand::Ecr(cli::Ecr::Login(args))) => ecr::login(args),
        Some(cli::Subcommand::Ecr(cli::Ecr::Token(args))) => ecr::token(args),
        Some(cli::Subcommand::Ecr(cli::Ecr::Logout(args))) => ecr::logout(args),
        Some(cli::Subcommand::Ecr(cli::Ecr::Helper(cli::EcrHelper::Status))) => {
            ecr::helper::status()
        }
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("runas: {error}");
            error.exit().into()
        }
    }
}
