//! docker-credential-runas: Docker's credential helper for Amazon ECR, answering each
//! registry with the token of the profile that owns it (see `runas::commands::ecr::credential_helper`).

use clap::Parser;
use runas::cli::CredentialHelper;
use runas::commands::ecr::credential_helper;
use std::process::ExitCode;

fn main() -> ExitCode {
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
