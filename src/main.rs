//! runas: run a command with the AWS credentials of a profile.
//!
//! On Linux with glibc the C `main` is defined here and the standard library's start-up is
//! skipped: it costs a sixth of a warm run (see `runas::start`).

// Not under `cargo test`, whose harness brings its own `main`.
#![cfg_attr(all(target_os = "linux", target_env = "gnu", not(test)), no_main)]

use runas::cli::Invocation;
use runas::commands::{console, diagnose, ecr, list, run, serve, sso};
use runas::{argv, cli, deadline, docs, error, log, text, variables};
use std::process::ExitCode;

#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
#[unsafe(no_mangle)]
extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
    runas::start::prepare();
    runas::start::exit(runas())
}

#[cfg(any(test, not(all(target_os = "linux", target_env = "gnu"))))]
fn main() -> ExitCode {
    runas()
}

fn runas() -> ExitCode {
    runas::secret::keep_out_of_dumps();
    // `COMPLETE=bash runas` prints the completion script; with arguments, completions.
    clap_complete::CompleteEnv::with_factory(argv::completion_command)
        .var(variables::COMPLETE.name)
        .complete();
    let cli = argv::parse(std::env::args_os().collect());
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
    match cli.invocation() {
        Invocation::Run(args) => run::run(args),
        Invocation::Diagnose(ask, check) => diagnose::run(&ask, check),
        Invocation::Console(args) => console::run(args),
        Invocation::List(list) => list::run(list),
        Invocation::Serve(args) => serve::endpoint(args),
        Invocation::EcrLogin(args) => ecr::login(args),
        Invocation::EcrLogout(args) => ecr::logout(args),
        Invocation::EcrToken(args) => ecr::token(args),
        Invocation::EcrHelperStatus => ecr::helper::status(),
        Invocation::SsoLogin(args) => sso::login(args),
        Invocation::SsoLogout(target) => sso::logout(target),
        Invocation::GenerateDocs(dir) => docs::generate(&dir),
    }
}
