//! The print formats as the command line names them: `-O` of a run, and the variable
//! formats `runas serve -O` takes (a credentials section or JSON means nothing for an
//! endpoint, so serve's help does not offer them).

use crate::exec;
use clap::ValueEnum;

/// The formats of `runas -O`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// `export NAME='value'` lines for a POSIX shell: eval "$(runas PROFILE)"
    Env,
    /// `set -gx` lines for fish: runas -O fish PROFILE | source
    Fish,
    /// `$Env:` lines for PowerShell: runas -O powershell PROFILE | Invoke-Expression
    Powershell,
    /// `set "NAME=value"` lines for cmd.exe (a value cmd would change is refused)
    Cmd,
    /// `-uNAME` and `NAME=value` words: env $(runas -O env-no-export PROFILE) COMMAND
    /// (a value with a blank or * ? [ is refused)
    EnvNoExport,
    /// `NAME=value` lines, unquoted, for docker run --env-file and dotenv libraries
    Dotenv,
    /// The credentials-file section that -c writes, [PROFILE-runas]
    Ini,
    /// The credential_process JSON format
    Json,
}

impl From<Output> for exec::Format {
    fn from(output: Output) -> Self {
        use exec::format::Lines;
        match output {
            Output::Env => exec::Format::Lines(Lines::Env),
            Output::Fish => exec::Format::Lines(Lines::Fish),
            Output::Powershell => exec::Format::Lines(Lines::Powershell),
            Output::Cmd => exec::Format::Lines(Lines::Cmd),
            Output::EnvNoExport => exec::Format::Lines(Lines::EnvNoExport),
            Output::Dotenv => exec::Format::Lines(Lines::Dotenv),
            Output::Ini => exec::Format::Ini,
            Output::Json => exec::Format::Json,
        }
    }
}

/// What `runas serve` prints: the formats of variables (there are no credentials to print
/// as a section or JSON, only where the endpoint is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LinesOutput {
    /// `export` lines for a POSIX shell: `. FILE` once --env-file FILE is written
    Env,
    /// `set -gx` lines for fish: `source FILE`
    Fish,
    /// `$Env:` lines for PowerShell: `Get-Content -Raw FILE | Invoke-Expression`
    Powershell,
    /// `set "NAME=value"` lines for cmd.exe
    Cmd,
    /// `-uNAME` and `NAME=value` words for env (serve imds only: the ecs token would be in
    /// a command's arguments)
    EnvNoExport,
    /// `NAME=value` lines for dotenv libraries
    Dotenv,
}

impl From<LinesOutput> for exec::format::Lines {
    fn from(output: LinesOutput) -> Self {
        use exec::format::Lines;
        match output {
            LinesOutput::Env => Lines::Env,
            LinesOutput::Fish => Lines::Fish,
            LinesOutput::Powershell => Lines::Powershell,
            LinesOutput::Cmd => Lines::Cmd,
            LinesOutput::EnvNoExport => Lines::EnvNoExport,
            LinesOutput::Dotenv => Lines::Dotenv,
        }
    }
}
