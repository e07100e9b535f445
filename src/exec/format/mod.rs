//! The print formats: one module per shell or file, each a quoting function for one value
//! and a renderer driven by the same `Environment` (what is set, what is removed), so that a
//! variable added to the environment appears in every format without touching them.
//!
//! A format that cannot carry a value byte for byte refuses it (`Refusal`), naming the
//! variable and never showing the value, which may be a secret.

pub mod cmd;
pub mod dotenv;
pub mod fish;
pub mod posix;
pub mod powershell;
pub mod words;

use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::exec::{Environment, credentials_file};

/// How credentials are printed when there is no command to run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// `export NAME='value'` and `unset` lines for a POSIX shell.
    #[default]
    Env,
    /// `set -gx NAME 'value'` and `set -e NAME` lines for fish.
    Fish,
    /// `$Env:NAME = 'value'` and `Remove-Item Env:NAME` lines for PowerShell.
    Powershell,
    /// `set "NAME=value"` and `set NAME=` lines for cmd.exe.
    Cmd,
    /// `-u NAME` and `NAME=value` words for `env $(runas -O env-no-export PROFILE) COMMAND`.
    EnvNoExport,
    /// `NAME=value` lines for `docker run --env-file` and dotenv libraries.
    Dotenv,
    /// A credentials-file section, as `-c` writes it.
    Ini,
    /// The credential_process JSON format.
    Json,
}

/// Why a format cannot carry a value: the reader would see something else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub &'static str);

/// `environment` (and, for `Ini` and `Json`, `credentials`) in `format`.
pub fn render(
    format: Format,
    environment: &Environment,
    credentials: &Credentials,
    profile: &str,
) -> Result<String> {
    let lines = match format {
        Format::Env => Ok(posix::render(environment)),
        Format::Fish => fish::render(environment),
        Format::Powershell => powershell::render(environment),
        Format::Cmd => cmd::render(environment),
        Format::EnvNoExport => words::render(environment),
        Format::Dotenv => dotenv::render(environment),
        Format::Ini => return ini(credentials, profile),
        Format::Json => return Ok(crate::exec::json(credentials)),
    };
    lines.map_err(|(name, Refusal(why))| {
        Error::Usage(format!(
            "cannot print {name} as -O {}: its value {why}; choose another format (-O env, -O json)",
            format.name()
        ))
    })
}

impl Format {
    /// The name `-O` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Env => "env",
            Format::Fish => "fish",
            Format::Powershell => "powershell",
            Format::Cmd => "cmd",
            Format::EnvNoExport => "env-no-export",
            Format::Dotenv => "dotenv",
            Format::Ini => "ini",
            Format::Json => "json",
        }
    }
}

/// The section `-c` writes, `[PROFILE-runas]`, on stdout.
fn ini(credentials: &Credentials, profile: &str) -> Result<String> {
    let name = credentials_file::section_name(profile);
    credentials_file::check_name(&name)?;
    credentials_file::check_values(&name, credentials).map_err(Error::Usage)?;
    Ok(format!(
        "[{name}]\n{}",
        credentials_file::section_body(credentials, profile)
    ))
}

/// Every line of `environment`: `unset` for each variable removed, then `set` for each set
/// one, in the order of the environment, or the first variable `set` refuses. Removals
/// come first so that the last line is an assignment, which succeeds: the status of
/// `runas -O fish prod | source; and …` is that of the sourcing.
fn lines(
    environment: &Environment,
    set: impl Fn(&str, &str) -> Result<String, Refusal>,
    unset: impl Fn(&str) -> String,
) -> Result<String, (&'static str, Refusal)> {
    let mut out = String::new();
    for name in &environment.unset {
        out.push_str(&unset(name));
        out.push('\n');
    }
    for (name, value) in &environment.set {
        out.push_str(&set(name, value).map_err(|refusal| (*name, refusal))?);
        out.push('\n');
    }
    Ok(out)
}
