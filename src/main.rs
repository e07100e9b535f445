//! runas: run a command with the AWS credentials of a profile.

mod cli;
mod creds;
mod ecr;
mod error;
mod exec;
mod log;
mod profile;
mod session;
mod wrapper;

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse_args();
    log::set_verbosity(cli.verbose);
    let result = match cli.subcommand {
        None => wrapper::run(cli.run),
        Some(cli::Subcommand::Ecr(cli::Ecr::Login(args))) => ecr::login(args),
        Some(cli::Subcommand::Ecr(cli::Ecr::Token(args))) => ecr::token(args),
        Some(cli::Subcommand::Ecr(cli::Ecr::Logout(args))) => ecr::logout(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("runas: {error}");
            error.exit().into()
        }
    }
}
