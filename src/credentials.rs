//! The credentials `runas` hands on: a key pair, perhaps a session token, perhaps an expiry.

use crate::secret::Secret;
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use std::fmt;
use std::time::{Duration, SystemTime};

#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Option<Secret>,
    pub expiration: Option<SystemTime>,
    /// The account the credentials belong to, when their source says it (a role's ARN,
    /// SSO, a login session, a process's `AccountId`, the profile's `aws_account_id`).
    pub account_id: Option<String>,
}

/// Only the key id's last four characters and the expiry: a `{:?}` anywhere, in a log line
/// or a panic, cannot leak a secret.
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &crate::log::key_hint(&self.access_key_id))
            .field("secret_access_key", &self.secret_access_key)
            .field("session_token", &self.session_token)
            .field("expiration", &self.expiration.map(rfc3339))
            .finish()
    }
}

impl Credentials {
    /// Still good `margin` from now. Credentials without an expiry (long-term keys) are.
    pub fn fresh_for(&self, margin: Duration) -> bool {
        match self.expiration {
            None => true,
            Some(expiry) => expiry > SystemTime::now() + margin,
        }
    }

    /// What is wrong with these values, if anything, without repeating them: an access key
    /// id is 16 to 128 upper-case letters and digits; a secret and a token are printable
    /// ASCII without whitespace. Values from outside (profile files, the environment, a
    /// credential_process, STS, the cache) pass here before they are used, cached or
    /// written, so a stray newline can never reach a signer, a header or a file.
    pub fn problem(&self) -> Option<String> {
        let id = &self.access_key_id;
        if !(16..=128).contains(&id.len())
            || !id
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Some(format!(
                "the access key id is not 16 to 128 upper-case letters and digits ({} characters{})",
                id.chars().count(),
                if id.chars().any(char::is_whitespace) {
                    ", with whitespace: an indented line after it continues its value"
                } else {
                    ""
                }
            ));
        }
        if let Some(why) = opaque_problem(self.secret_access_key.expose()) {
            return Some(format!("the secret access key {why}"));
        }
        if let Some(why) = self
            .session_token
            .as_ref()
            .and_then(|t| opaque_problem(t.expose()))
        {
            return Some(format!("the session token {why}"));
        }
        None
    }

    /// Expired already (by the clock of this machine).
    pub fn expired(&self) -> bool {
        self.expiration.is_some_and(|t| t <= SystemTime::now())
    }

    pub fn expiration_rfc3339(&self) -> Option<String> {
        self.expiration.map(rfc3339)
    }

    /// For SDK clients that need these credentials to sign their calls.
    pub fn to_sdk(&self) -> aws_credential_types::Credentials {
        aws_credential_types::Credentials::new(
            &self.access_key_id,
            self.secret_access_key.expose(),
            self.session_token.as_ref().map(|t| t.expose().to_owned()),
            self.expiration,
            "runas",
        )
    }

    pub fn from_sdk(c: &aws_credential_types::Credentials) -> Self {
        Credentials {
            access_key_id: c.access_key_id().to_owned(),
            secret_access_key: Secret::new(c.secret_access_key()),
            session_token: c.session_token().map(Secret::new),
            expiration: c.expiry(),
            account_id: c.account_id().map(|a| a.as_str().to_owned()),
        }
    }
}

/// Secrets and tokens: printable ASCII, no whitespace, not empty.
fn opaque_problem(value: &str) -> Option<&'static str> {
    if value.is_empty() {
        Some("is empty")
    } else if value.bytes().any(|b| b.is_ascii_whitespace()) {
        Some("contains whitespace (an indented line after it continues its value)")
    } else if !value.bytes().all(|b| b.is_ascii_graphic()) {
        Some("contains characters other than printable ASCII")
    } else {
        None
    }
}

/// `2026-11-22T23:01:26Z`: the form of `AWS_CREDENTIAL_EXPIRATION` and of credential_process.
pub fn rfc3339(t: SystemTime) -> String {
    // Whole seconds: the form STS and credential_process use, and the one people read.
    let seconds = match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(before) => -(before.duration().as_secs() as i64),
    };
    DateTime::from_secs(seconds)
        .fmt(Format::DateTime)
        // Formatting fails only for times beyond year 9999, which no expiry reaches.
        .unwrap_or_else(|_| "9999-12-31T23:59:59Z".to_owned())
}

pub fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    DateTime::from_str(text, Format::DateTime)
        .ok()
        .and_then(|t| SystemTime::try_from(t).ok())
}

/// "expires in 11h59m", or "expired 3m ago"; whole days beyond two.
pub fn remaining(t: SystemTime) -> String {
    let (word, span) = match t.duration_since(SystemTime::now()) {
        Ok(left) => ("expires in", left),
        Err(past) => ("expired", past.duration()),
    };
    let minutes = span.as_secs() / 60;
    let text = if minutes >= 48 * 60 {
        format!("{} days", minutes / (24 * 60))
    } else {
        crate::duration::display(Duration::from_secs(minutes * 60))
    };
    if word == "expired" {
        format!("expired {text} ago")
    } else {
        format!("{word} {text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Credentials {
        Credentials {
            access_key_id: "ASIAEXAMPLEKEY1234".into(),
            secret_access_key: "very-secret-key".into(),
            session_token: Some("very-secret-token".into()),
            expiration: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)),
            account_id: None,
        }
    }

    #[test]
    fn debug_shows_no_secret() {
        let text = format!("{:?}", sample());
        assert!(!text.contains("very-secret"), "{text}");
        assert!(!text.contains("ASIAEXAMPLEKEY"), "{text}");
        assert!(text.contains("1234"), "{text}");
    }

    #[test]
    fn rfc3339_round_trips() {
        let text = sample().expiration_rfc3339().unwrap();
        assert_eq!(text, "2027-01-15T08:00:00Z");
        assert_eq!(parse_rfc3339(&text), sample().expiration);
        assert_eq!(parse_rfc3339("not a date"), None);
    }

    #[test]
    fn remaining_reads_naturally() {
        let now = SystemTime::now();
        assert_eq!(
            remaining(now + Duration::from_secs(11 * 3600 + 59 * 60 + 30)),
            "expires in 11h59m"
        );
        assert_eq!(remaining(now - Duration::from_secs(181)), "expired 3m ago");
        assert_eq!(
            remaining(now - Duration::from_secs(10 * 86400 + 5)),
            "expired 10 days ago"
        );
    }

    #[test]
    fn values_from_outside_are_checked_without_being_repeated() {
        assert_eq!(sample().problem(), None);
        let mut c = sample();
        c.access_key_id = "AKIAIOSFODNN7EXAMPLE\n[evil]".into();
        let why = c.problem().unwrap();
        assert!(why.contains("access key id"), "{why}");
        assert!(!why.contains("EXAMPLE"), "{why}");
        let mut c = sample();
        c.access_key_id = "akiaiosfodnn7example".into();
        assert!(c.problem().is_some());
        let mut c = sample();
        c.secret_access_key = "abc\n# comment".into();
        assert!(c.problem().unwrap().contains("whitespace"));
        let mut c = sample();
        c.session_token = Some(Secret::default());
        assert!(c.problem().unwrap().contains("session token is empty"));
        let mut c = sample();
        c.secret_access_key = "caf\u{e9}".into();
        assert!(c.problem().unwrap().contains("printable ASCII"));
    }

    #[test]
    fn freshness_keeps_a_margin() {
        let mut c = sample();
        c.expiration = Some(SystemTime::now() + Duration::from_secs(240));
        assert!(!c.fresh_for(Duration::from_secs(300)));
        c.expiration = Some(SystemTime::now() + Duration::from_secs(600));
        assert!(c.fresh_for(Duration::from_secs(300)));
        c.expiration = None;
        assert!(c.fresh_for(Duration::from_secs(300)));
    }
}
