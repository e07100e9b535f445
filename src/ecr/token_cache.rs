//! Registry tokens kept between credential-helper calls, so that a warm `get` reads one
//! file and makes no call.
//!
//! A token is good for every registry of its region (or for ECR Public), for whoever asked
//! for it. The key is the region and the plan of the identity (the chain's last cache key:
//! its role ARN, session name, source), never the access key id, which changes with every
//! STS session and would make every new session miss. The entry holds a registry password:
//! it lives in the credential cache's 0700 directory, is written 0600 by rename, and is
//! used only when it is still 0600 and the caller's own.

use super::endpoint::Scope;
use super::token::AuthToken;
use crate::creds::cache::Cache;
use crate::creds::key::Key;
use crate::creds::rfc3339;
use crate::log::{debug, warning};
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Read;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;
use std::time::{Duration, SystemTime};

/// Tokens are fetched anew this long before they expire, so a push that starts with one
/// does not end with a refusal.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(10 * 60);

/// How long ECR says its tokens last. A token whose expiry has already passed when it
/// arrives was judged by a clock other than this machine's; it is kept this long from its
/// arrival, which no clock offset changes.
pub const LIFETIME: Duration = Duration::from_secs(12 * 3600);

const EXTENSION: &str = "token";

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

/// The cache key of the token for `scope` fetched with the credentials planned by
/// `identity` (a chain's last cache key), for `profile`. A region's endpoint variants
/// (FIPS, dual-stack) share its token.
pub fn key(scope: &Scope, identity: &Key, profile: &str) -> Key {
    let region = match scope {
        Scope::Private { region, .. } => format!("ecr {region}"),
        Scope::Public => "ecr-public".to_owned(),
    };
    identity.derived(
        &format!("registry token {region}"),
        format!("{scope} token for profile `{profile}`"),
    )
}

/// Until when a token just received may be used.
pub fn usable_until(token: &AuthToken, now: SystemTime) -> SystemTime {
    token
        .expires_at
        .filter(|t| *t > now)
        .unwrap_or(now + LIFETIME)
}

/// The token for `key`, if an entry is there, private, whole, and good for the margin.
pub fn fresh(cache: &Cache, key: &Key) -> Option<(AuthToken, SystemTime)> {
    let path = cache.path(key, EXTENSION)?;
    let bytes = read_private(&path)?;
    let entry: Entry = match serde_json::from_slice(&bytes) {
        Ok(entry) => entry,
        Err(e) => {
            warning!(
                "token cache {} is corrupt ({e}); fetching anew",
                path.display()
            );
            return None;
        }
    };
    if entry.key != key.text() {
        debug!("token cache {} belongs to another key", path.display());
        return None;
    }
    let until = crate::credentials::parse_rfc3339(&entry.usable_until)?;
    if until <= SystemTime::now() + REFRESH_MARGIN {
        debug!("cached {} is about to expire", entry.description);
        return None;
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
    Some((token, until))
}

/// Saves a token; a cache that cannot be written costs a later call, not this one.
pub fn store(cache: &Cache, key: &Key, token: &AuthToken) -> SystemTime {
    let until = usable_until(token, SystemTime::now());
    let description = key.description();
    let entry = Entry {
        key: key.text().to_owned(),
        description: description.to_owned(),
        username: token.username.clone(),
        password: token.password.clone(),
        encoded: token.encoded.clone(),
        expires_at: token.expires_at.map(rfc3339),
        usable_until: rfc3339(until),
    };
    let Some(path) = cache.path(key, EXTENSION) else {
        return until;
    };
    let written = cache
        .ensure_dir()
        .and_then(|()| crate::private_file::replace(&path, &serde_json::to_vec(&entry)?));
    match written {
        Ok(()) => debug!("cached {description} in {}", path.display()),
        Err(e) => warning!("cannot write token cache {}: {e}", path.display()),
    }
    until
}

/// The bytes of a file that only this user can read or change; anything else is a miss
/// (with a warning when the file is there but not private).
fn read_private(path: &Path) -> Option<Vec<u8>> {
    // Not through a symlink; not blocking on a FIFO planted there.
    let opened = fs::File::options()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path);
    let file = match opened {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            warning!("cannot read token cache {}: {e}", path.display());
            return None;
        }
    };
    // The checks are on the open file, so a swap after them changes nothing.
    let meta = file.metadata().ok()?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if !meta.is_file() || meta.uid() != me || meta.mode() & 0o077 != 0 {
        warning!(
            "token cache {} is not a private file of this user (mode {:o}, owner {}); ignoring it",
            path.display(),
            meta.mode() & 0o7777,
            meta.uid()
        );
        return None;
    }
    let mut bytes = Vec::new();
    file.take(1 << 20).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::creds::key::test_key;
    use aws_types::os_shim_internal::Env;
    use std::os::unix::fs::PermissionsExt;

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

    fn cache(dir: &Path) -> Cache {
        Cache::locate(&Env::from_slice(&[(
            "RUNAS_CACHE_DIR",
            dir.to_str().unwrap(),
        )]))
    }

    #[test]
    fn keys_name_the_region_and_the_plan_not_the_session() {
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
        let (plan, plan_b) = (test_key("plan"), test_key("plan b"));
        assert_eq!(
            key(&east, &plan, "p").text(),
            key(&east_fips, &plan, "p").text()
        );
        assert_ne!(key(&east, &plan, "p"), key(&Scope::Public, &plan, "p"));
        assert_ne!(key(&east, &plan, "p"), key(&east, &plan_b, "p"));
    }

    #[test]
    fn tokens_round_trip_privately_until_their_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        assert!(fresh(&cache, &test_key("k")).is_none());
        store(&cache, &test_key("k"), &token(Some(3600)));
        let (got, _) = fresh(&cache, &test_key("k")).unwrap();
        assert_eq!(got.password.expose(), "pw");
        let mode = fs::metadata(cache.path(&test_key("k"), EXTENSION).unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        store(&cache, &test_key("soon"), &token(Some(300)));
        assert!(
            fresh(&cache, &test_key("soon")).is_none(),
            "inside the margin"
        );
    }

    #[test]
    fn an_expiry_already_past_counts_from_arrival() {
        let now = SystemTime::now();
        assert_eq!(usable_until(&token(Some(-86400)), now), now + LIFETIME);
        assert_eq!(usable_until(&token(None), now), now + LIFETIME);
        let later = token(Some(3600));
        assert_eq!(usable_until(&later, now), later.expires_at.unwrap());
    }

    #[test]
    fn shared_or_foreign_files_are_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        store(&cache, &test_key("k"), &token(Some(3600)));
        let path = cache.path(&test_key("k"), EXTENSION).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(fresh(&cache, &test_key("k")).is_none());
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        assert!(fresh(&cache, &test_key("k")).is_some());
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, text.replace("\"k\"", "\"other\"")).unwrap();
        assert!(
            fresh(&cache, &test_key("k")).is_none(),
            "another key's entry"
        );
    }
}
