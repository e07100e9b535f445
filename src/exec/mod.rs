//! Handing credentials on: the child's environment and `execvp`, the print formats, and the
//! credentials file that `-c` writes.

pub mod credentials_file;
pub mod format;

pub use format::Format;

use crate::credentials::Credentials;
use crate::error::Error;
use crate::secret::Secret;
use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::process::Command;

/// Variables that would make an SDK in the child ignore the credentials `runas` sets: a
/// profile name sends it back to the files (and to another MFA prompt).
const REMOVED: [&str; 2] = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"];

/// What a child served by a credential endpoint must not see: keys of its own, and every
/// source the SDKs try before the container endpoint (a relative container URI and a token
/// file even take precedence over the full URI and the token).
const REMOVED_WHEN_SERVED: [&str; 11] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_ACCOUNT_ID",
];

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
        // SDKs use it for account-based endpoints: an inherited one would send these
        // credentials to another account's.
        match &credentials.account_id {
            Some(account) => set.push(("AWS_ACCOUNT_ID", account.clone())),
            None => unset.push("AWS_ACCOUNT_ID"),
        }
        set.push(("RUNAS_PROFILE", profile.to_owned()));
        set.push(("AWSRUNAS_PROFILE", profile.to_owned()));
        Environment { set, unset }
    }

    /// For a child that asks an ECS-style endpoint for its credentials (`runas -S`): the
    /// endpoint's address and token instead of keys, so the SDK asks again before expiry.
    pub fn served(uri: &str, token: &str, region: &str, profile: &str) -> Self {
        let mut environment = Self::around(region, profile);
        environment.set.splice(
            0..0,
            [
                ("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri.to_owned()),
                ("AWS_CONTAINER_AUTHORIZATION_TOKEN", token.to_owned()),
            ],
        );
        environment
    }

    /// For processes pointed at an IMDSv2-style endpoint (`runas serve imds`).
    pub fn metadata(endpoint: &str, region: &str, profile: &str) -> Self {
        let mut environment = Self::around(region, profile);
        environment.set.splice(
            0..0,
            [
                ("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint.to_owned()),
                ("AWS_EC2_METADATA_V1_DISABLED", "true".to_owned()),
            ],
        );
        environment.unset.extend([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            "AWS_EC2_METADATA_DISABLED",
        ]);
        environment
    }

    /// Region and profile, and none of the variables that would come before an endpoint.
    fn around(region: &str, profile: &str) -> Self {
        let mut unset: Vec<&'static str> = REMOVED.to_vec();
        unset.extend(REMOVED_WHEN_SERVED);
        Environment {
            set: vec![
                ("AWS_REGION", region.to_owned()),
                ("AWS_DEFAULT_REGION", region.to_owned()),
                ("RUNAS_PROFILE", profile.to_owned()),
                ("AWSRUNAS_PROFILE", profile.to_owned()),
            ],
            unset,
        }
    }

    /// Points an SDK at other profile files: the served views without `[default]`'s
    /// credentials (see `serve::views`).
    pub fn reading(&mut self, config: &std::path::Path, credentials: &std::path::Path) {
        self.set.extend([
            ("AWS_CONFIG_FILE", config.to_string_lossy().into_owned()),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                credentials.to_string_lossy().into_owned(),
            ),
        ]);
    }

    /// Applies the changes to a command about to be started.
    pub fn apply(&self, command: &mut Command) {
        for name in &self.unset {
            command.env_remove(name);
        }
        for (name, value) in &self.set {
            command.env(name, value);
        }
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
    environment.apply(&mut child);
    start_failure(program, child.exec())
}

/// Why a command did not start: 127 for one that is not there, 126 for one that cannot run.
pub(crate) fn start_failure(program: &std::ffi::OsStr, error: std::io::Error) -> Error {
    let program = program.to_string_lossy().into_owned();
    match error.kind() {
        std::io::ErrorKind::NotFound => Error::CommandNotFound {
            program,
            hint: String::new(),
        },
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
        #[serde(skip_serializing_if = "Option::is_none")]
        account_id: Option<&'a str>,
    }
    let process = Process {
        version: 1,
        access_key_id: &credentials.access_key_id,
        secret_access_key: credentials.secret_access_key.expose(),
        session_token: credentials.session_token.as_ref().map(Secret::expose),
        expiration: credentials.expiration_rfc3339(),
        account_id: credentials.account_id.as_deref(),
    };
    // Serializing a struct of strings cannot fail.
    let mut text = serde_json::to_string_pretty(&process).unwrap_or_default();
    text.push('\n');
    text
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
            account_id: None,
        }
    }

    #[test]
    fn quoting_survives_a_real_shell() {
        let env = Environment::new(&creds(Some("tok")), "eu-west-1", "prod");
        let script = format!(
            "{}printf '%s' \"$AWS_SECRET_ACCESS_KEY\"",
            format::posix::render(&env)
        );
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
    fn a_served_child_gets_an_address_and_no_keys() {
        let env = Environment::served("http://127.0.0.1:1/c", "t0k", "eu-west-1", "prod");
        let set: Vec<&str> = env.set.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            set[..3],
            [
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                "AWS_REGION"
            ]
        );
        for gone in ["AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "AWS_PROFILE"] {
            assert!(env.unset.contains(&gone) && !set.contains(&gone), "{gone}");
        }
        let env = Environment::metadata("http://127.0.0.1:1", "eu-west-1", "prod");
        assert!(env.unset.contains(&"AWS_CONTAINER_CREDENTIALS_FULL_URI"));
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
