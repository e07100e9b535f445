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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Variables, set and removed, as lines for a shell or a file.
    Lines(Lines),
    /// A credentials-file section, as `-c` writes it.
    Ini,
    /// The credential_process JSON format.
    Json,
}

impl Default for Format {
    fn default() -> Self {
        Format::Lines(Lines::Env)
    }
}

/// The formats that are variables: what `runas serve` prints too, where there are no
/// credentials to print, only where the endpoint is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lines {
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
    match format {
        Format::Lines(lines) => lines.render(environment),
        Format::Ini => ini(credentials, profile),
        Format::Json => Ok(crate::exec::json(credentials)),
    }
}

impl Format {
    /// The name `-O` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Lines(lines) => lines.name(),
            Format::Ini => "ini",
            Format::Json => "json",
        }
    }
}

impl Lines {
    /// The name `-O` takes.
    pub fn name(self) -> &'static str {
        match self {
            Lines::Env => "env",
            Lines::Fish => "fish",
            Lines::Powershell => "powershell",
            Lines::Cmd => "cmd",
            Lines::EnvNoExport => "env-no-export",
            Lines::Dotenv => "dotenv",
        }
    }

    /// `environment` as lines of this format, or the error that names the variable it
    /// cannot carry (never its value).
    pub fn render(self, environment: &Environment) -> Result<String> {
        let lines = match self {
            Lines::Env => Ok(posix::render(environment)),
            Lines::Fish => fish::render(environment),
            Lines::Powershell => powershell::render(environment),
            Lines::Cmd => cmd::render(environment),
            Lines::EnvNoExport => words::render(environment),
            Lines::Dotenv => dotenv::render(environment),
        };
        lines.map_err(|(name, Refusal(why))| {
            Error::Usage(format!(
                "cannot print {name} as -O {}: its value {why}; choose another format (-O env carries any value)",
                self.name()
            ))
        })
    }

    /// How a file of these lines is put to use, for the message that names the file.
    pub fn used_by(self, path: &std::path::Path) -> String {
        let path = path.display();
        match self {
            Lines::Env => format!("`. {path}` in a POSIX shell uses them"),
            Lines::Fish => format!("`source {path}` in fish uses them"),
            // Whole: a value may hold a line break, which a line at a time would split.
            Lines::Powershell => {
                format!("`Get-Content -Raw \"{path}\" | Invoke-Expression` in PowerShell uses them")
            }
            Lines::Cmd => format!(
                "`for /f \"usebackq delims=\" %l in (\"{path}\") do @%l` in cmd.exe uses them"
            ),
            Lines::EnvNoExport => format!("`env $(cat {path}) COMMAND` uses them"),
            Lines::Dotenv => "a dotenv library uses them (a container reaches this machine's \
                 127.0.0.1 only with `docker run --network host`)"
                .to_owned(),
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
