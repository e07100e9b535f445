//! Registry tokens kept between credential-helper calls, so that a warm `get` reads one
//! file and makes no call: the entry's format and when a token is fresh. Where entries live,
//! and how they are read, locked and written, is the credential cache's.
//!
//! A token is good for every registry of its region (or for ECR Public), for whoever asked
//! for it. The key is the region and the plan of the identity (the chain's last cache key:
//! its role ARN, session name, source), never the access key id, which changes with every
//! STS session and would make every new session miss. The entry holds a registry password:
//! it lives in the credential cache's 0700 directory, is written 0600 by rename, and is
//! used only when it is still 0600 and the caller's own.

use super::endpoint::Scope;
use super::token::AuthToken;
use crate::credentials::rfc3339;
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime};

/// Tokens are fetched anew this long before they expire, so a push that starts with one
/// does not end with a refusal.
pub(crate) const REFRESH_MARGIN: Duration = Duration::from_secs(10 * 60);

/// How long ECR says its tokens last. A token whose expiry has already passed when it
/// arrives was judged by a clock other than this machine's; it is kept this long from its
/// arrival, which no clock offset changes.
pub(crate) const LIFETIME: Duration = Duration::from_secs(12 * 3600);

/// The extension of token entries in the cache directory.
pub(crate) const EXTENSION: &str = "token";

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Entry {
    key: String,
    description: String,
    username: String,
    password: Secret,
    encoded: Secret,
    /// What ECR said, if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<String>,
    /// When this entry stops being handed out (before the margin).
    usable_until: String,
}

/// What the key of the token for `scope` says (the words the identity's key is extended
/// with), and its description for `profile`. A region's endpoint variants (FIPS,
/// dual-stack) share its token.
pub(crate) fn key_words(scope: &Scope, profile: &str) -> (String, String) {
    let region = match scope {
        Scope::Private { region, .. } => format!("ecr {region}"),
        Scope::Public => "ecr-public".to_owned(),
    };
    (
        format!("registry token {region}"),
        format!("{scope} token for profile `{profile}`"),
    )
}

/// Until when a token just received may be used.
pub(crate) fn usable_until(token: &AuthToken, now: SystemTime) -> SystemTime {
    token
        .expires_at
        .filter(|t| *t > now)
        .unwrap_or(now + LIFETIME)
}

/// What an entry's bytes hold, for the key whose full text is `key`.
pub enum Decoded {
    /// A token good for the margin, and until when it may be used.
    Usable(AuthToken, SystemTime),
    /// Another key's entry, or one about to expire.
    Stale(&'static str),
    /// Not an entry.
    Damaged(String),
}

/// Reads an entry's bytes.
pub fn decode(bytes: &[u8], key: &str, now: SystemTime) -> Decoded {
    let entry: Entry = match serde_json::from_slice(bytes) {
        Ok(entry) => entry,
        Err(e) => return Decoded::Damaged(format!("not a token entry: {e}")),
    };
    if entry.key != key {
        return Decoded::Stale("the entry belongs to another key");
    }
    let Some(until) = crate::credentials::parse_rfc3339(&entry.usable_until) else {
        return Decoded::Damaged("no valid expiry".into());
    };
    if until <= now + REFRESH_MARGIN {
        return Decoded::Stale("the token is about to expire");
    }
    let token = AuthToken {
        username: entry.username,
        password: entry.password,
        encoded: entry.encoded,
        expires_at: entry
            .expires_at
            .as_deref()
            .and_then(crate::credentials::parse_rfc3339),
    };
    Decoded::Usable(token, until)
}

/// An entry for `token` under the key whose full text is `key`, and until when the token
/// may be used.
pub fn encode(
    key: &str,
    description: &str,
    token: &AuthToken,
    now: SystemTime,
) -> (Vec<u8>, SystemTime) {
    let until = usable_until(token, now);
    let entry = Entry {
        key: key.to_owned(),
        description: description.to_owned(),
        username: token.username.clone(),
        password: token.password.clone(),
        encoded: token.encoded.clone(),
        expires_at: token.expires_at.map(rfc3339),
        usable_until: rfc3339(until),
    };
    let bytes = serde_json::to_vec(&entry).unwrap_or_default();
    (bytes, until)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(expires_in: Option<i64>) -> AuthToken {
        let now = SystemTime::now();
        AuthToken {
            username: "AWS".into(),
            password: "pw".into(),
            encoded: "QVdTOnB3".into(),
            expires_at: expires_in.map(|s| {
                if s >= 0 {
                    now + Duration::from_secs(s as u64)
                } else {
                    now - Duration::from_secs((-s) as u64)
                }
            }),
        }
    }

    #[test]
    fn keys_name_the_region_not_the_variant() {
        let east = Scope::Private {
            region: "us-east-1".into(),
            fips: false,
            dual_stack: false,
        };
        let east_fips = Scope::Private {
            region: "us-east-1".into(),
            fips: true,
            dual_stack: false,
        };
        assert_eq!(key_words(&east, "p").0, key_words(&east_fips, "p").0);
        assert_ne!(key_words(&east, "p").0, key_words(&Scope::Public, "p").0);
    }

    #[test]
    fn entries_round_trip_until_their_expiry() {
        let now = SystemTime::now();
        let (bytes, _) = encode("k", "d", &token(Some(3600)), now);
        match decode(&bytes, "k", now) {
            Decoded::Usable(got, _) => assert_eq!(got.password.expose(), "pw"),
            _ => panic!("not usable"),
        }
        assert!(matches!(decode(&bytes, "other", now), Decoded::Stale(_)));
        let (soon, _) = encode("k", "d", &token(Some(300)), now);
        assert!(
            matches!(decode(&soon, "k", now), Decoded::Stale(_)),
            "inside the margin"
        );
        assert!(matches!(decode(b"{ no", "k", now), Decoded::Damaged(_)));
    }

    #[test]
    fn an_expiry_already_past_counts_from_arrival() {
        let now = SystemTime::now();
        assert_eq!(usable_until(&token(Some(-86400)), now), now + LIFETIME);
        assert_eq!(usable_until(&token(None), now), now + LIFETIME);
        let later = token(Some(3600));
        assert_eq!(usable_until(&later, now), later.expires_at.unwrap());
    }
}
