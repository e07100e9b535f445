//! `credential_process`: the profile's command, run by `sh -c` as the SDKs run it, with a
//! deadline; its stdout is the JSON the AWS documentation specifies.
//!
//! runas runs it itself rather than through the SDK's provider, which waits for the
//! program however long it takes and leaves it running when dropped.

use super::Credentials;
use crate::credentials::parse_rfc3339;
use crate::error::{Error, Result};
use crate::log::debug;
use crate::program;
use crate::secret::Secret;
use crate::text::escape;
use serde_json::{Map, Value};
use std::process::{Command, Stdio};

/// The command is named by its profile only: its arguments may hold a secret.
pub fn credentials(profile: &str, command: &Secret) -> Result<Credentials> {
    let what = format!("credential_process of profile `{profile}`");
    let fail = |message: String| Error::Credentials {
        what: what.clone(),
        message,
    };
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(command.expose())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    debug!("running the {what}");
    let named = program::naming(what.clone());
    let done = program::run(sh, None, true).map_err(|f| fail(f.describe()))?;
    drop(named);
    let stderr = String::from_utf8_lossy(&done.stderr);
    for line in stderr.lines() {
        debug!("  {}", escape(line));
    }
    if !done.status.success() {
        let last = stderr.lines().map(str::trim).rfind(|l| !l.is_empty());
        return Err(fail(match last {
            Some(line) => format!("it failed ({}): {}", done.status, escape(line)),
            None => format!("it failed ({})", done.status),
        }));
    }
    parse(&done.stdout).map_err(|m| fail(format!("its output {m}")))
}

/// The credential_process JSON: `Version` 1, `AccessKeyId`, `SecretAccessKey`, and
/// optionally `SessionToken` and `Expiration` (RFC 3339); keys in any case, as the SDK
/// reads them. Messages name fields, never values.
fn parse(stdout: &[u8]) -> std::result::Result<Credentials, String> {
    let object: Map<String, Value> = match serde_json::from_slice(stdout) {
        Ok(Value::Object(object)) => object,
        Ok(_) => return Err("is not a JSON object".into()),
        Err(e) => return Err(format!("is not JSON ({e})")),
    };
    let field = |name: &str| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    };
    let text = |name: &'static str| match field(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("has a `{name}` that is not a string")),
    };
    match field("Version").and_then(Value::as_i64) {
        Some(1) => {}
        Some(other) => return Err(format!("has `Version` {other}; only 1 is known")),
        None => return Err("has no `Version` (it must be 1)".into()),
    }
    let required = |name: &'static str| text(name)?.ok_or_else(|| format!("has no `{name}`"));
    let expiration = match text("Expiration")? {
        None => None,
        Some(t) => Some(
            parse_rfc3339(&t)
                .ok_or_else(|| "has an `Expiration` that is not RFC 3339".to_owned())?,
        ),
    };
    Ok(Credentials {
        access_key_id: required("AccessKeyId")?,
        secret_access_key: Secret::new(required("SecretAccessKey")?),
        session_token: text("SessionToken")?.map(Secret::new),
        expiration,
        account_id: match text("AccountId")? {
            Some(a) if a.len() <= 64 && a.bytes().all(|b| b.is_ascii_graphic()) => Some(a),
            Some(_) => return Err("has an `AccountId` that is not an account id".into()),
            None => None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_format_in_any_case() {
        let c = parse(
            br#"{"version": 1, "AccessKeyId": "ASIA1", "secretaccesskey": "s", "SessionToken": "t", "Expiration": "2030-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(c.access_key_id, "ASIA1");
        assert_eq!(c.session_token.as_ref().map(Secret::expose), Some("t"));
        assert!(c.expiration.is_some());
        let c =
            parse(br#"{"Version": 1, "AccessKeyId": "AKIA1", "SecretAccessKey": "s"}"#).unwrap();
        assert!(c.session_token.is_none() && c.expiration.is_none());
    }

    #[test]
    fn refusals_name_the_field_not_the_value() {
        for (input, wanted) in [
            (&br#"{"Version": 2}"#[..], "Version` 2"),
            (br#"{"AccessKeyId": "A"}"#, "no `Version`"),
            (br#"{"Version": 1, "AccessKeyId": "A"}"#, "no `SecretAccessKey`"),
            (
                br#"{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "hunter2", "Expiration": "soon"}"#,
                "not RFC 3339",
            ),
            (b"oops", "not JSON"),
            (b"[1]", "not a JSON object"),
        ] {
            let err = parse(input).unwrap_err();
            assert!(err.contains(wanted), "{err}");
            assert!(!err.contains("hunter2"));
        }
    }
}
