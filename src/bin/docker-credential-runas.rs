//! docker-credential-runas: Docker's credential helper for Amazon ECR, answering each
//! registry with the token of the profile that owns it (see `runas::ecr::credential_helper`).

use clap::Parser;
use runas::cli::{CredentialHelper, HelperVerb};
use runas::ecr::credential_helper;
use runas::variables::RUNAS_VERBOSE;
use std::process::ExitCode;

fn main() -> ExitCode {
    // As runas does, while a token is in memory.
    runas::secret::keep_out_of_dumps();
    let verb = match CredentialHelper::try_parse() {
        Ok(args) => args.verb,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
        }
    };
    // Docker runs the helper with no flags to give; a variable is the only way to ask.
    if std::env::var_os(RUNAS_VERBOSE.name).is_some_and(|v| !v.is_empty() && v != "0") {
        runas::log::set_verbosity(1);
    }
    if let Err(e) = runas::deadline::from_env() {
        return credential_helper::fail(&e);
    }
    match verb {
        HelperVerb::Get => credential_helper::get(),
        HelperVerb::List => credential_helper::list(),
        HelperVerb::Store | HelperVerb::Erase => credential_helper::discard(),
        HelperVerb::Version => {
            println!("docker-credential-runas {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
    }
}
