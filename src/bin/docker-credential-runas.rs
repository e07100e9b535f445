//! docker-credential-runas: Docker's credential helper for Amazon ECR, answering each
//! registry with the token of the profile that owns it (see `runas::commands::ecr::credential_helper`).

// Not under `cargo test`, whose harness brings its own `main`.
#![cfg_attr(all(target_os = "linux", target_env = "gnu", not(test)), no_main)]

use clap::Parser;
use runas::cli::CredentialHelper;
use runas::commands::ecr::credential_helper;
use std::process::ExitCode;

/// Skips the standard library's start-up, as runas does (see `runas::start`).
#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
#[unsafe(no_mangle)]
extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
    runas::start::prepare();
    runas::start::exit(helper())
}

#[cfg(any(test, not(all(target_os = "linux", target_env = "gnu"))))]
fn main() -> ExitCode {
    helper()
}

fn helper() -> ExitCode {
    // As runas does, while a token is in memory.
    runas::secret::keep_out_of_dumps();
    // Docker waits on the helper with no one to see a browser: it says what to run instead.
    runas::sso::never_sign_in();
    match CredentialHelper::try_parse() {
        Ok(args) => credential_helper::run(args.verb.into()),
        Err(e) => {
            let _ = e.print();
            ExitCode::from(e.exit_code().clamp(0, 255) as u8)
        }
    }
}
