//! runas: run a command with the AWS credentials of a profile.

mod cli;
mod creds;
mod error;
mod exec;
mod log;
mod profile;
mod wrapper;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    log::set_verbosity(cli.verbose);
    match wrapper::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("runas: {error}");
            error.exit().into()
        }
    }
}
