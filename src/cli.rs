//! Every flag, argument and environment-variable alias of `runas`, with the help text.
//! The one definition from which `--help` (and, later, the man page and completions) come.

use crate::profile::duration;
use clap::{ArgAction, Parser, ValueEnum};
use std::ffi::OsString;
use std::time::Duration;

/// Run a command with the AWS credentials of a profile.
///
/// runas reads ~/.aws/config and ~/.aws/credentials, obtains credentials for PROFILE
/// (assuming roles through chains of source profiles, with MFA and a shared cache) and runs
/// COMMAND with them in its environment. Without a COMMAND it prints them, as `export`
/// lines for `eval "$(runas PROFILE)"` or, with -O json, in the credential_process format.
#[derive(Debug, Parser)]
#[command(
    name = "runas",
    version,
    max_term_width = 100,
    after_help = "Examples:\n  runas prod aws s3 ls\n  runas prod -- terraform plan\n  eval \"$(runas prod)\"\n  runas -O json prod        # for credential_process = runas -O json prod\n  runas arn:aws:iam::123456789012:role/Admin aws sts get-caller-identity"
)]
pub struct Cli {
    /// Profile name, or a role ARN to assume with the default profile's credentials
    #[arg(value_name = "PROFILE")]
    pub profile: String,

    /// Command to run with the credentials, and its arguments (all of them are the
    /// command's, flags included). Without it, the credentials are printed.
    #[arg(
        value_name = "COMMAND",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub command: Vec<OsString>,

    /// Region for STS and for the command [default: the profile's `region`, then AWS_REGION]
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// Lifetime of the MFA session token, e.g. 12h or 90m (15m to 36h)
    #[arg(short = 'd', long = "duration", env = "SESSION_TOKEN_DURATION", value_name = "DURATION", value_parser = duration::parse)]
    pub session_duration: Option<Duration>,

    /// Lifetime of the role credentials, e.g. 1h (15m to 12h; 1h when chained)
    #[arg(short = 'a', long = "role-duration", env = "CREDENTIALS_DURATION", value_name = "DURATION", value_parser = duration::parse)]
    pub role_duration: Option<Duration>,

    /// MFA code, instead of mfa_process or a prompt on the terminal
    #[arg(
        short = 'o',
        long,
        env = "MFA_CODE",
        value_name = "CODE",
        hide_env_values = true
    )]
    pub otp: Option<String>,

    /// ARN of the MFA device, instead of the profile's mfa_serial
    #[arg(short = 'M', long, env = "MFA_SERIAL", value_name = "ARN")]
    pub mfa_serial: Option<String>,

    /// External ID for the role, instead of the profile's external_id
    #[arg(
        short = 'X',
        long,
        env = "EXTERNAL_ID",
        value_name = "ID",
        hide_env_values = true
    )]
    pub external_id: Option<String>,

    /// How to print credentials when no COMMAND is given
    #[arg(short = 'O', long, env = "RUNAS_OUTPUT_FORMAT", value_enum, default_value_t = Output::Env, value_name = "FORMAT")]
    pub output: Output,

    /// Use the session-token credentials, not the role's
    #[arg(short = 's', long)]
    pub session: bool,

    /// Ignore cached credentials and fetch them anew
    #[arg(short = 'r', long)]
    pub refresh: bool,

    /// Print when the credentials expire, on stderr
    #[arg(short = 'e', long)]
    pub expiration: bool,

    /// Print the identity (ARN, account) of the resulting credentials, on stderr
    #[arg(short = 'w', long)]
    pub whoami: bool,

    /// Also write the credentials to the shared credentials file as [PROFILE-runas]
    #[arg(short = 'c', long, env = "RUNAS_WRITE_CREDENTIALS")]
    pub write_credentials: bool,

    /// Show what runas does, on stderr (repeat for more); secrets are never shown
    #[arg(short = 'v', long, action = ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// `export NAME='value'` lines for a POSIX shell
    Env,
    /// The credential_process JSON format
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn flags_after_the_command_belong_to_it() {
        let cli = Cli::try_parse_from([
            "runas",
            "-v",
            "prod",
            "aws",
            "s3",
            "ls",
            "--profile",
            "x",
            "-v",
        ])
        .unwrap();
        assert_eq!(cli.profile, "prod");
        assert_eq!(cli.verbose, 1);
        assert_eq!(cli.command, ["aws", "s3", "ls", "--profile", "x", "-v"]);
        let cli = Cli::try_parse_from(["runas", "prod", "--", "sh", "-c", "exit 7"]).unwrap();
        assert_eq!(cli.command, ["sh", "-c", "exit 7"]);
    }

    #[test]
    fn durations_are_checked_by_the_parser() {
        let cli = Cli::try_parse_from(["runas", "-d", "1h30m", "-a", "45m", "prod"]).unwrap();
        assert_eq!(cli.session_duration, Some(Duration::from_secs(5400)));
        assert_eq!(cli.role_duration, Some(Duration::from_secs(2700)));
        let err = Cli::try_parse_from(["runas", "-d", "12x", "prod"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown unit"), "{err}");
    }
}
