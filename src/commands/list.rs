//! `runas list profiles | roles PROFILE | mfa PROFILE`.

use crate::commands::Ask;
use crate::creds::{Credentials, Execution};
use crate::error::Problem;
use crate::error::{Error, Result};
use crate::iam::{Iam, Principal};
use crate::output::say;
use crate::profile::{Files, Profiles};
use crate::session;
use aws_types::os_shim_internal::Env;
use std::process::ExitCode;

/// `runas list …`, as asked.
#[derive(Debug)]
pub enum List {
    /// Every profile the SDKs see.
    Profiles,
    /// The roles the profile's identity may assume.
    Roles(Ask),
    /// The MFA devices of the profile's IAM user.
    Mfa(Ask),
}

pub fn run(list: List) -> Result<ExitCode> {
    let env = Env::real();
    match list {
        List::Profiles => {
            let profiles = Profiles::load(Files::from_env(&env))?;
            for name in profiles.names() {
                say!("{name}");
            }
        }
        List::Roles(args) => {
            let (execution, credentials, principal) = identity(&args, &env)?;
            let iam = Iam::new(execution.network(), &credentials)?;
            for role in iam.assumable_roles(&principal)? {
                say!("{role}");
            }
        }
        List::Mfa(args) => {
            let (execution, credentials, principal) = identity(&args, &env)?;
            let iam = Iam::new(execution.network(), &credentials)?;
            let Principal::User(user) = principal else {
                return Err(Error::profile(args.profile(), Problem::NotAnIamUser));
            };
            for device in iam.mfa_devices(&user)? {
                say!("{device}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The identity at the root of the profile's chain (before any role), its credentials,
/// and the execution that got them (whose network IAM then borrows).
fn identity(args: &Ask, env: &Env) -> Result<(Execution, Credentials, Principal)> {
    let (_, chain) = session::plan(&args.request, env)?;
    let (execution, credentials) = session::credentials(chain.identity(), &args.options, env)?;
    let arn = execution.whoami(&credentials)?.arn;
    let principal = Principal::from_arn(&arn).ok_or_else(|| Error::Credentials {
        what: format!("profile `{}`", args.profile()),
        message: format!("STS named the identity `{arn}`, which is not an IAM user or role"),
    })?;
    Ok((execution, credentials, principal))
}
