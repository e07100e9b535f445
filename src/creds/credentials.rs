//! The credentials `runas` hands on: a key pair, perhaps a session token, perhaps an expiry.

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use std::fmt;
use std::time::{Duration, SystemTime};

#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
    pub expiration: Option<SystemTime>,
}

/// Only the key id's last four characters and the expiry: a `{:?}` anywhere, in a log line
/// or a panic, cannot leak a secret.
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &crate::log::key_hint(&self.access_key_id))
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "** redacted **"),
            )
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

    pub fn expiration_rfc3339(&self) -> Option<String> {
        self.expiration.map(rfc3339)
    }

    /// For SDK clients that need these credentials to sign their calls.
    pub fn to_sdk(&self) -> aws_credential_types::Credentials {
        aws_credential_types::Credentials::new(
            &self.access_key_id,
            &self.secret_access_key,
            self.session_token.clone(),
            self.expiration,
            "runas",
        )
    }

    pub fn from_sdk(c: &aws_credential_types::Credentials) -> Self {
        Credentials {
            access_key_id: c.access_key_id().to_owned(),
            secret_access_key: c.secret_access_key().to_owned(),
            session_token: c.session_token().map(str::to_owned),
            expiration: c.expiry(),
        }
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
        crate::profile::duration::display(Duration::from_secs(minutes * 60))
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
