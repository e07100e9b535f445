//! The one error type of `runas`, and the exit status each kind of failure maps to.
//!
//! Messages are written for the person at the terminal: they name the profile, key, file or
//! role involved and say what to do. They never carry a secret: no variant holds a secret
//! key, session token or MFA code, only identifiers.

pub mod problem;

pub(crate) use problem::Problem;
use std::process::ExitCode;

/// Exit statuses of `runas`'s own failures. A command that `runas` runs keeps its own
/// status, because `runas` becomes that command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Something outside the categories below (an I/O error on a file `runas` writes, a
    /// port a credential endpoint cannot listen on).
    Failure = 1,
    /// The command line could not be understood (clap uses the same code).
    Usage = 2,
    /// The profile files are unreadable, malformed, or the profile cannot be resolved.
    Config = 3,
    /// Credentials could not be obtained: STS refused, MFA failed, a source failed.
    Credentials = 4,
    /// One or more ECR logins (or logouts) failed; the others went through.
    Ecr = 5,
    /// runas itself could not work (its async runtime would not start): not the user's doing.
    Internal = 70,
    /// The command was found but could not be executed.
    NotExecutable = 126,
    /// The command was not found.
    NotFound = 127,
}

impl Exit {
    /// Every status and what it means, for the man page.
    pub(crate) const TABLE: [(Exit, &'static str); 8] = [
        (
            Exit::Failure,
            "An I/O failure, such as writing the credentials file or listening on a taken port for runas serve; or runas diagnose found a problem.",
        ),
        (
            Exit::Usage,
            "The command line is wrong (an invalid ECR endpoint, too).",
        ),
        (
            Exit::Config,
            "The profile files are malformed or the profile cannot be resolved.",
        ),
        (
            Exit::Credentials,
            "Credentials could not be obtained: STS refused, MFA failed, a source failed.",
        ),
        (
            Exit::Ecr,
            "One or more ECR logins or logouts failed; the others went through.",
        ),
        (
            Exit::Internal,
            "runas itself could not work (its async runtime would not start).",
        ),
        (
            Exit::NotExecutable,
            "The command was found but could not be run.",
        ),
        (
            Exit::NotFound,
            "The command, or the ECR client, was not found.",
        ),
    ];
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Usage(String),

    /// A profile file that cannot be used: `detail` names the file (and the line, when one
    /// is to blame) and says what to do.
    #[error("{detail}")]
    ProfileFile { detail: String },

    #[error("profile `{name}` not found in {files}{}", suggestion(.similar, *.subcommand))]
    UnknownProfile {
        name: String,
        /// The files, and those of them that do not exist.
        files: String,
        similar: Vec<String>,
        /// A subcommand the name is a typo of (`diagnse`), when it stood where one goes.
        subcommand: Option<&'static str>,
    },

    /// A profile that cannot be resolved, and why.
    #[error("profile `{profile}`: {problem}")]
    Profile { profile: String, problem: Problem },

    #[error("profile `{}` forms a cycle of source profiles: {}", .path[0], .path.join(" -> "))]
    Cycle { path: Vec<String> },

    #[error(
        "no region for profile `{profile}`: add `region = us-east-1` (for example) to [profile {profile}] or [default], pass --region, or set AWS_REGION"
    )]
    NoRegion { profile: String },

    /// A profile's `endpoint_url` that is not a URL (a variable's is a usage error).
    #[error("{0}")]
    EndpointUrl(String),

    /// A role ARN given in place of a profile, with nothing to assume it with.
    #[error(
        "no credentials to assume {arn} with: there is no [{source_profile}] profile and no AWS_ACCESS_KEY_ID; \
         add one, or set AWS_PROFILE to a profile that has credentials"
    )]
    NoSourceForRoleArn { arn: String, source_profile: String },

    #[error("{0}")]
    Mfa(String),

    /// STS refused the one-time code itself (mistyped, or already used): a code typed at
    /// the terminal is asked for again.
    #[error("{0}")]
    MfaRefused(String),

    /// STS or another credential source refused or failed. `what` says which step.
    #[error("{what}: {message}")]
    Credentials { what: String, message: String },

    #[error("{0}")]
    Ecr(String),

    #[error("{path}: {message}")]
    File { path: String, message: String },

    /// A credential endpoint could not be set up (its port is taken, say).
    #[error("{0}")]
    Serve(String),

    /// A failure of runas itself, not of its input or of AWS.
    #[error("internal error: {0}")]
    Internal(String),

    /// `hint` says what to do when the program is one runas chose (an ECR client).
    #[error("{program}: command not found{hint}")]
    CommandNotFound { program: String, hint: String },

    #[error("{program}: {message}")]
    CommandNotExecutable { program: String, message: String },
}

fn suggestion(similar: &[String], subcommand: Option<&str>) -> String {
    if let Some(subcommand) = subcommand {
        return format!("; did you mean the subcommand `runas {subcommand} ...`?");
    }
    match similar {
        [] => "; `runas` needs a [profile NAME] section in the config file or a [NAME] section in the credentials file".to_owned(),
        [one] => format!("; did you mean `{one}`?"),
        many => format!(
            "; did you mean one of: {}?",
            many.iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

impl Error {
    pub fn exit(&self) -> Exit {
        match self {
            Error::Usage(_) => Exit::Usage,
            Error::ProfileFile { .. }
            | Error::UnknownProfile { .. }
            | Error::Profile { .. }
            | Error::Cycle { .. }
            | Error::NoRegion { .. }
            | Error::EndpointUrl(_)
            | Error::NoSourceForRoleArn { .. } => Exit::Config,
            Error::Mfa(_) | Error::MfaRefused(_) | Error::Credentials { .. } => Exit::Credentials,
            Error::Ecr(_) => Exit::Ecr,
            Error::File { .. } | Error::Serve(_) => Exit::Failure,
            Error::Internal(_) => Exit::Internal,
            Error::CommandNotFound { .. } => Exit::NotFound,
            Error::CommandNotExecutable { .. } => Exit::NotExecutable,
        }
    }

    pub fn profile(profile: &str, problem: Problem) -> Self {
        Error::Profile {
            profile: profile.to_owned(),
            problem,
        }
    }

    pub fn file(path: &std::path::Path, message: impl std::fmt::Display) -> Self {
        Error::File {
            path: path.display().to_string(),
            message: message.to_string(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The SDK's dispatch errors can quote the whole request (`… to request `Request { body: …
/// }`: …`), external ID and all; that part is cut out.
fn without_request(text: &str) -> String {
    let Some(start) = text.find("`Request {") else {
        return text.to_owned();
    };
    let rest = &text[start..];
    let end = rest.find("}`").map(|i| start + i + 2).unwrap_or(text.len());
    format!("{}(the request){}", &text[..start], &text[end..])
}

/// An error and its causes, as one line of their `Display`s. Never their `Debug`: the SDK's
/// errors carry the raw HTTP response there, and a response body can hold credentials or
/// a registry token.
pub(crate) fn causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let next = without_request(&cause.to_string());
        if !text.ends_with(&next) {
            text = format!("{text}: {next}");
        }
        source = cause.source();
    }
    if text.contains("timed out") || text.contains("timeout") {
        text.push_str(&format!(
            "; runas waits at most {}",
            crate::deadline::describe()
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Outer {
        #[allow(dead_code)]
        raw_body: &'static str,
        inner: std::io::Error,
    }

    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "response error")
        }
    }

    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.inner)
        }
    }

    #[test]
    fn causes_use_display_only() {
        let e = Outer {
            raw_body: "SecretAccessKey=hunter2",
            inner: std::io::Error::other("unexpected end of JSON"),
        };
        assert_eq!(causes(&e), "response error: unexpected end of JSON");
    }

    #[test]
    fn requests_quoted_by_the_sdk_are_cut_out() {
        assert_eq!(
            without_request(
                "failed to apply endpoint `x` to request `Request { body: b\"ExternalId=secret\" }`: endpoint must contain scheme"
            ),
            "failed to apply endpoint `x` to request (the request): endpoint must contain scheme"
        );
    }

    #[test]
    fn the_documented_table_has_every_status_once() {
        let codes: Vec<u8> = Exit::TABLE.iter().map(|(e, _)| *e as u8).collect();
        assert_eq!(codes, [1, 2, 3, 4, 5, 70, 126, 127]);
        assert_eq!(Error::Internal(String::new()).exit(), Exit::Internal);
    }

    #[test]
    fn every_kind_of_failure_has_its_status() {
        assert_eq!(Error::Usage(String::new()).exit(), Exit::Usage);
        assert_eq!(
            Error::profile("p", Problem::NoCredentials).exit(),
            Exit::Config
        );
        assert_eq!(Error::Mfa(String::new()).exit(), Exit::Credentials);
        assert_eq!(Error::Ecr(String::new()).exit(), Exit::Ecr);
        assert_eq!(
            Error::CommandNotFound {
                program: "x".into(),
                hint: String::new(),
            }
            .exit() as u8,
            127
        );
    }
}
