//! Handing credentials on: the child's environment and `execvp`, the print formats, and the
//! credentials file that `-c` writes.

pub mod credentials_file;

use crate::credentials::Credentials;
use crate::error::Error;
use crate::secret::Secret;
use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::process::Command;

/// Variables that would make an SDK in the child ignore the credentials `runas` sets: a
/// profile name sends it back to the files (and to another MFA prompt).
const REMOVED: [&str; 2] = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"];

/// What the child's environment gains (`set`) and loses (`unset`).
pub struct Environment {
    pub set: Vec<(&'static str, String)>,
    pub unset: Vec<&'static str>,
}

impl Environment {
    pub fn new(credentials: &Credentials, region: &str, profile: &str) -> Self {
        let mut set = vec![
            ("AWS_ACCESS_KEY_ID", credentials.access_key_id.clone()),
            (
                "AWS_SECRET_ACCESS_KEY",
                credentials.secret_access_key.expose().to_owned(),
            ),
        ];
        let mut unset: Vec<&'static str> = REMOVED.to_vec();
        match &credentials.session_token {
            Some(token) => {
                set.push(("AWS_SESSION_TOKEN", token.expose().to_owned()));
                set.push(("AWS_SECURITY_TOKEN", token.expose().to_owned()));
            }
            // A token left over from the parent would pair with the wrong keys.
            None => unset.extend(["AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"]),
        }
        set.push(("AWS_REGION", region.to_owned()));
        set.push(("AWS_DEFAULT_REGION", region.to_owned()));
        match credentials.expiration_rfc3339() {
            Some(expiry) => set.push(("AWS_CREDENTIAL_EXPIRATION", expiry)),
            None => unset.push("AWS_CREDENTIAL_EXPIRATION"),
        }
        set.push(("RUNAS_PROFILE", profile.to_owned()));
        set.push(("AWSRUNAS_PROFILE", profile.to_owned()));
        Environment { set, unset }
    }

    /// `export NAME='value'` lines for `eval "$(runas prod)"`.
    pub fn shell(&self) -> String {
        let mut out = String::new();
        for (name, value) in &self.set {
            out.push_str(&format!("export {name}={}\n", shell_quote(value)));
        }
        out.push_str(&format!("unset {}\n", self.unset.join(" ")));
        out
    }
}

/// Replaces this process with `command`. Returns only on failure, with 127 for a command
/// that is not there and 126 for one that cannot be run, as shells do.
pub fn exec(command: &[OsString], environment: &Environment) -> Error {
    let Some((program, args)) = command.split_first() else {
        return Error::Usage("no command to run".into());
    };
    let mut child = Command::new(program);
    child.args(args);
    for name in &environment.unset {
        child.env_remove(name);
    }
    for (name, value) in &environment.set {
        child.env(name, value);
    }
    let error = child.exec();
    let program = program.to_string_lossy().into_owned();
    match error.kind() {
        std::io::ErrorKind::NotFound => Error::CommandNotFound { program },
        _ => Error::CommandNotExecutable {
            program,
            message: error.to_string(),
        },
    }
}

/// The credential_process format, so that `credential_process = runas -O json prod` works.
pub fn json(credentials: &Credentials) -> String {
    /// Field order as in the AWS documentation of credential_process.
    #[derive(serde::Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Process<'a> {
        version: u8,
        access_key_id: &'a str,
        secret_access_key: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        session_token: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        expiration: Option<String>,
    }
    let process = Process {
        version: 1,
        access_key_id: &credentials.access_key_id,
        secret_access_key: credentials.secret_access_key.expose(),
        session_token: credentials.session_token.as_ref().map(Secret::expose),
        expiration: credentials.expiration_rfc3339(),
    };
    // Serializing a struct of strings cannot fail.
    let mut text = serde_json::to_string_pretty(&process).unwrap_or_default();
    text.push('\n');
    text
}

/// A POSIX shell word that stands for exactly `value`.
fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    fn creds(token: Option<&str>) -> Credentials {
        Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "se'cr\"et $HOME `x`".into(),
            session_token: token.map(Secret::from),
            expiration: token.map(|_| SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)),
        }
    }

    #[test]
    fn quoting_survives_a_real_shell() {
        let env = Environment::new(&creds(Some("tok")), "eu-west-1", "prod");
        let script = format!("{}printf '%s' \"$AWS_SECRET_ACCESS_KEY\"", env.shell());
        let out = Command::new("sh").arg("-c").arg(script).output().unwrap();
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            "se'cr\"et $HOME `x`"
        );
    }

    #[test]
    fn long_term_keys_clear_stale_tokens() {
        let env = Environment::new(&creds(None), "eu-west-1", "prod");
        assert!(env.unset.contains(&"AWS_SESSION_TOKEN"));
        assert!(env.unset.contains(&"AWS_PROFILE"));
        assert!(
            !env.set
                .iter()
                .any(|(n, _)| *n == "AWS_CREDENTIAL_EXPIRATION")
        );
    }

    #[test]
    fn json_is_the_credential_process_format() {
        let v: serde_json::Value = serde_json::from_str(&json(&creds(Some("tok")))).unwrap();
        assert_eq!(v["Version"], 1);
        assert_eq!(v["SessionToken"], "tok");
        assert_eq!(v["Expiration"], "2027-01-15T08:00:00Z");
        assert!(json(&creds(None)).starts_with("{\n  \"Version\": 1,\n  \"AccessKeyId\""));
        let v: serde_json::Value = serde_json::from_str(&json(&creds(None))).unwrap();
        assert!(v.get("SessionToken").is_none() && v.get("Expiration").is_none());
    }
}
