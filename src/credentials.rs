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
    pub(crate) fn fresh_for(&self, margin: Duration) -> bool {
        match self.expiration {
            None => true,
            Some(expiry) => expiry > SystemTime::now() + margin,
        }
    }

    /// What is wrong with these values, if anything, without repeating them. Only what
    /// would break a header, a file or a terminal is wrong: whitespace, control characters,
    /// anything beyond printable ASCII, an empty value or an absurd length. The form of a
    /// key id is the service's business: LocalStack takes `test`, MinIO `minioadmin`,
    /// Cloudflare R2 32 lower-case hex digits, and the SDKs send whatever they are given.
    /// Values from outside (profile files, the environment, a credential_process, STS,
    /// the cache) pass here before they are used, cached or written.
    pub(crate) fn problem(&self) -> Option<String> {
        let values = [
            ("access key id", Some(self.access_key_id.as_str()), MAX_KEY),
            (
                "secret access key",
                Some(self.secret_access_key.expose()),
                MAX_KEY,
            ),
            (
                "session token",
                self.session_token.as_ref().map(Secret::expose),
                MAX_TOKEN,
            ),
        ];
        values.into_iter().find_map(|(what, value, max)| {
            value_problem(value?, max).map(|why| format!("the {what} {why}"))
        })
    }

    /// Expired already (by the clock of this machine).
    pub fn expired(&self) -> bool {
        self.expiration.is_some_and(|t| t <= SystemTime::now())
    }

    pub(crate) fn expiration_rfc3339(&self) -> Option<String> {
        self.expiration.map(rfc3339)
    }

    /// For SDK clients that need these credentials to sign their calls.
    pub(crate) fn to_sdk(&self) -> aws_credential_types::Credentials {
        aws_credential_types::Credentials::new(
            &self.access_key_id,
            self.secret_access_key.expose(),
            self.session_token.as_ref().map(|t| t.expose().to_owned()),
            self.expiration,
            "runas",
        )
    }

    pub(crate) fn from_sdk(c: &aws_credential_types::Credentials) -> Self {
        Credentials {
            access_key_id: c.access_key_id().to_owned(),
            secret_access_key: Secret::new(c.secret_access_key()),
            session_token: c.session_token().map(Secret::new),
            expiration: c.expiry(),
            account_id: c.account_id().map(|a| a.as_str().to_owned()),
        }
    }
}

/// The longest key id or secret taken: AWS's key ids have at most 128 characters and
/// other services' fewer; anything near this is not a key but a file pasted by mistake.
const MAX_KEY: usize = 1024;
/// The longest session token taken: STS's grow with session tags and policies to a few
/// KiB; this still fits in a header, an environment variable and a cache entry.
const MAX_TOKEN: usize = 16 * 1024;

/// What makes one value unusable, without repeating it.
fn value_problem(value: &str, max: usize) -> Option<String> {
    if value.is_empty() {
        Some("is empty".into())
    } else if value.len() > max {
        Some(format!(
            "is {} bytes long, more than the {max} any service issues",
            value.len()
        ))
    } else if value.bytes().all(|b| b.is_ascii_graphic()) {
        // Every good value (one pass over bytes, on every warm run); the checks below only
        // say what is wrong with a bad one.
        None
    } else if value.chars().any(char::is_whitespace) {
        Some(format!(
            "contains whitespace ({} characters; an indented line after it continues its value)",
            value.chars().count()
        ))
    } else if value.chars().any(char::is_control) {
        Some("contains control characters".into())
    } else {
        Some("contains characters other than printable ASCII".into())
    }
}

/// `2026-11-22T23:01:26Z`: the form of `AWS_CREDENTIAL_EXPIRATION` and of credential_process.
pub(crate) fn rfc3339(t: SystemTime) -> String {
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

pub(crate) fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    DateTime::from_str(text, Format::DateTime)
        .ok()
        .and_then(|t| SystemTime::try_from(t).ok())
}

/// "expires in 11h59m", or "expired 3m ago"; whole days beyond two.
pub(crate) fn remaining(t: SystemTime) -> String {
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
        assert!(why.contains("access key id contains whitespace"), "{why}");
        assert!(!why.contains("EXAMPLE"), "{why}");
        let mut c = sample();
        c.secret_access_key = "abc\n# comment".into();
        assert!(c.problem().unwrap().contains("whitespace"));
        let mut c = sample();
        c.session_token = Some(Secret::default());
        assert!(c.problem().unwrap().contains("session token is empty"));
        let mut c = sample();
        c.secret_access_key = "caf\u{e9}".into();
        assert!(c.problem().unwrap().contains("printable ASCII"));
        let mut c = sample();
        c.access_key_id = "AKIA\u{1b}]0;x\u{7}".into();
        assert!(c.problem().unwrap().contains("control characters"));
        let mut c = sample();
        c.access_key_id = "A".repeat(1025);
        assert!(c.problem().unwrap().contains("1025 bytes long"));
        let mut c = sample();
        c.session_token = Some("t".repeat(16 * 1024 + 1).into());
        assert!(
            c.problem()
                .unwrap()
                .contains("session token is 16385 bytes")
        );
    }

    #[test]
    fn key_ids_of_other_services_and_of_the_sdks_tests_are_taken() {
        // LocalStack, MinIO, Cloudflare R2, Ceph, and the SDKs' own assume-role tests
        // (`abc123`, `!23`, `bug_if_returned`).
        for id in [
            "test",
            "minioadmin",
            "0123456789abcdef0123456789abcdef",
            "0555b35654ad1656d804",
            "abc123",
            "!23",
            "bug_if_returned",
            "a",
        ] {
            let mut c = sample();
            c.access_key_id = id.into();
            c.secret_access_key = "test".into();
            assert_eq!(c.problem(), None, "{id}");
        }
        let mut c = sample();
        c.session_token = Some("t".repeat(16 * 1024).into());
        assert_eq!(c.problem(), None);
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
