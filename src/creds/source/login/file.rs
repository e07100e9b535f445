//! The login session cache the AWS CLI's `aws login` writes, and the SDKs (botocore,
//! aws-config) read and rewrite: `$AWS_LOGIN_CACHE_DIRECTORY`, else `~/.aws/login/cache`,
//! one file per session named `hex(sha256(login_session trimmed)).json`.
//!
//! The file belongs to the CLI as much as to runas: a rewrite keeps every key it holds and
//! changes only the credentials, their expiry and the refresh token, which rotates.

use crate::credentials::{Credentials, parse_rfc3339, rfc3339};
use crate::secret::Secret;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// A few kilobytes in practice (keys, tokens, a PEM key); a larger file is not one.
pub(crate) const MAX_SIZE: u64 = 256 << 10;

/// The directory of the login caches: `AWS_LOGIN_CACHE_DIRECTORY`, else `~/.aws/login/cache`.
pub fn dir(variable: Option<String>, home: Option<String>) -> Option<PathBuf> {
    variable
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            home.filter(|h| !h.is_empty())
                .map(|h| Path::new(&h).join(".aws/login/cache"))
        })
}

/// The file of `session` in `dir`.
pub fn path(dir: &Path, session: &str) -> PathBuf {
    let digest = Sha256::digest(session.trim().as_bytes());
    let name: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    dir.join(format!("{name}.json"))
}

/// Why a cache file cannot be used. None of them repeats a value of the file.
#[derive(Debug)]
pub enum Problem {
    Missing,
    /// Not readable, or not private (another user's, open to others): it holds a refresh
    /// token.
    Unreadable(String),
    Malformed(String),
    /// `dpopKey` is not a P-256 private key.
    WrongKey,
}

/// What the file holds, read and checked; the whole document is kept for the rewrite.
pub struct Session {
    document: Map<String, Value>,
    pub credentials: Credentials,
    pub refresh_token: Secret,
    pub client_id: String,
    /// `dpopKey`, read only for a refresh, as the SDKs do: fresh credentials need no key.
    key_pem: Secret,
}

/// A short view for `diagnose`: no secret, and as much as a damaged file still says.
pub(crate) struct Summary {
    pub expires: Option<SystemTime>,
    pub refresh_token: bool,
}

/// Reads the file at `path` (or where its symlinks lead) if it is a plain file of this
/// user that no one else can read or write, as the AWS CLI leaves it.
pub fn read(path: &Path) -> Result<Session, Problem> {
    parse(&read_private(path)?)
}

/// What `diagnose` shows of the file, or why it cannot be used.
pub fn summary(path: &Path) -> Result<Summary, Problem> {
    let bytes = read_private(path)?;
    let document: Value =
        serde_json::from_slice(&bytes).map_err(|_| Problem::Malformed("it is not JSON".into()))?;
    Ok(Summary {
        expires: document["accessToken"]["expiresAt"]
            .as_str()
            .and_then(parse_rfc3339),
        refresh_token: document["refreshToken"]
            .as_str()
            .is_some_and(|t| !t.is_empty()),
    })
}

/// Through the file's symlinks, with runas's one rule for private files.
fn read_private(path: &Path) -> Result<Vec<u8>, Problem> {
    let target =
        crate::private_file::target(path).map_err(|e| Problem::Unreadable(e.to_string()))?;
    crate::private_file::read_private(&target, MAX_SIZE).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => Problem::Missing,
        _ => Problem::Unreadable(e.to_string()),
    })
}

pub fn parse(bytes: &[u8]) -> Result<Session, Problem> {
    let malformed = |why: &str| Problem::Malformed(why.to_owned());
    let document: Map<String, Value> =
        serde_json::from_slice(bytes).map_err(|_| malformed("it is not a JSON object"))?;
    let text = |object: &Map<String, Value>, name: &str| -> Result<String, Problem> {
        match object.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            Some(_) => Err(Problem::Malformed(format!("`{name}` is not a string"))),
            None => Err(Problem::Malformed(format!("it has no `{name}`"))),
        }
    };
    let access = match document.get("accessToken") {
        Some(Value::Object(access)) => access,
        _ => return Err(malformed("it has no `accessToken` object")),
    };
    let expires = parse_rfc3339(&text(access, "expiresAt")?)
        .ok_or_else(|| malformed("`accessToken.expiresAt` is not an RFC 3339 time"))?;
    let account = text(access, "accountId")?;
    if !plain(&account, 64) {
        return Err(malformed("`accessToken.accountId` is not an account id"));
    }
    let credentials = Credentials {
        access_key_id: text(access, "accessKeyId")?,
        secret_access_key: Secret::new(text(access, "secretAccessKey")?),
        session_token: Some(Secret::new(text(access, "sessionToken")?)),
        expiration: Some(expires),
        account_id: Some(account),
    };
    if let Some(why) = credentials.problem() {
        return Err(Problem::Malformed(format!("in `accessToken`, {why}")));
    }
    let refresh_token = text(&document, "refreshToken")?;
    if !plain(&refresh_token, 4096) {
        return Err(malformed("`refreshToken` is not a token"));
    }
    let client_id = text(&document, "clientId")?;
    if !plain(&client_id, 512) {
        return Err(malformed("`clientId` is not a client id"));
    }
    let key_pem = Secret::new(text(&document, "dpopKey")?);
    Ok(Session {
        credentials,
        refresh_token: Secret::new(refresh_token),
        client_id,
        key_pem,
        document,
    })
}

/// The key as the CLI writes it (SEC1, `EC PRIVATE KEY`), or as PKCS #8.
fn private_key(pem: &str) -> Option<p256::SecretKey> {
    use p256::pkcs8::DecodePrivateKey;
    p256::SecretKey::from_sec1_pem(pem)
        .ok()
        .or_else(|| p256::SecretKey::from_pkcs8_pem(pem).ok())
}

/// Printable ASCII without whitespace, not empty, at most `max` bytes: a value that is
/// safe in a header, a JSON body and an environment variable.
fn plain(value: &str, max: usize) -> bool {
    !value.is_empty() && value.len() <= max && value.bytes().all(|b| b.is_ascii_graphic())
}

/// What a refresh brought: new credentials for `expires_in`, and the next refresh token.
pub(crate) struct Refreshed {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Secret,
    pub expires_in: Duration,
    pub refresh_token: Secret,
}

impl Session {
    /// The session's P-256 key, which signs the refresh's proof.
    pub fn key(&self) -> Result<p256::SecretKey, Problem> {
        private_key(self.key_pem.expose()).ok_or(Problem::WrongKey)
    }

    /// The file with `refreshed` in it, every other key as it was, and the credentials it
    /// now holds.
    pub(crate) fn renewed(&self, refreshed: &Refreshed, now: SystemTime) -> (Vec<u8>, Credentials) {
        let expires = now + refreshed.expires_in;
        let mut document = self.document.clone();
        let mut access = match document.remove("accessToken") {
            Some(Value::Object(access)) => access,
            _ => Map::new(),
        };
        access.insert("accessKeyId".into(), refreshed.access_key_id.clone().into());
        access.insert(
            "secretAccessKey".into(),
            refreshed.secret_access_key.expose().into(),
        );
        access.insert(
            "sessionToken".into(),
            refreshed.session_token.expose().into(),
        );
        access.insert("expiresAt".into(), rfc3339(expires).into());
        document.insert("accessToken".into(), Value::Object(access));
        document.insert(
            "refreshToken".into(),
            refreshed.refresh_token.expose().into(),
        );
        let bytes = serde_json::to_vec_pretty(&document).expect("a JSON map serializes");
        let credentials = Credentials {
            access_key_id: refreshed.access_key_id.clone(),
            secret_access_key: refreshed.secret_access_key.clone(),
            session_token: Some(refreshed.session_token.clone()),
            expiration: Some(expires),
            account_id: self.credentials.account_id.clone(),
        };
        (bytes, credentials)
    }
}

/// A P-256 key in the CLI's form, for tests.
#[cfg(test)]
pub(crate) fn tests_key() -> &'static str {
    tests::KEY
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    pub const KEY: &str = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBWGIP6Kt9jJK+X2o9GElTfdbVLzqLP8GOyMJyjiFWs3oAoGCCqGSM49\nAwEHoUQDQgAEF5VVn/dq1D9i0PUXPT7pbsLcC/7q4EmANv9PD8tLWZKgKymMCVge\nLkN7FKNavrWSzaAUqzvy7lQhuzTu/P6efw==\n-----END EC PRIVATE KEY-----\n";

    fn document() -> Value {
        serde_json::json!({
            "accessToken": {
                "accessKeyId": "ASIAEXAMPLEKEYID0001",
                "secretAccessKey": "secret/key",
                "sessionToken": "session+token",
                "accountId": "111122223333",
                "expiresAt": "2030-01-01T00:00:00Z"
            },
            "tokenType": "aws_sigv4",
            "refreshToken": "refresh-1",
            "idToken": "id-token",
            "clientId": "arn:aws:signin:::devtools/same-device",
            "dpopKey": KEY,
            "somethingNewer": {"kept": true}
        })
    }

    #[test]
    fn the_file_name_is_the_sha256_of_the_trimmed_session() {
        // The name the AWS CLI and both SDKs use for this session.
        let session = "arn:aws:sts::012345678910:assumed-role/Admin/admin";
        let expected = path(Path::new("/c"), session);
        assert_eq!(path(Path::new("/c"), &format!("  {session}\n")), expected);
        assert_eq!(
            expected.file_name().and_then(|n| n.to_str()).map(str::len),
            Some(64 + ".json".len())
        );
    }

    #[test]
    fn a_rewrite_keeps_every_other_key() {
        let session = parse(document().to_string().as_bytes()).expect("parses");
        assert_eq!(
            session.credentials.account_id.as_deref(),
            Some("111122223333")
        );
        let refreshed = Refreshed {
            access_key_id: "ASIANEWKEYID00000002".into(),
            secret_access_key: Secret::new("new/secret"),
            session_token: Secret::new("new+token"),
            expires_in: Duration::from_secs(900),
            refresh_token: Secret::new("refresh-2"),
        };
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let (bytes, credentials) = session.renewed(&refreshed, now);
        let mut expected = document();
        expected["accessToken"]["accessKeyId"] = "ASIANEWKEYID00000002".into();
        expected["accessToken"]["secretAccessKey"] = "new/secret".into();
        expected["accessToken"]["sessionToken"] = "new+token".into();
        expected["accessToken"]["expiresAt"] = "2027-01-15T08:15:00Z".into();
        expected["refreshToken"] = "refresh-2".into();
        let written: Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(written, expected);
        assert_eq!(credentials.account_id.as_deref(), Some("111122223333"));
        assert_eq!(
            parse(&bytes).expect("reads back").refresh_token.expose(),
            "refresh-2"
        );
    }

    #[test]
    fn damage_is_named_without_values() {
        let mut no_key = document();
        no_key["dpopKey"] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".into();
        let session = parse(no_key.to_string().as_bytes()).expect("fresh credentials need no key");
        assert!(matches!(session.key(), Err(Problem::WrongKey)));
        let mut no_refresh = document();
        no_refresh.as_object_mut().unwrap().remove("refreshToken");
        match parse(no_refresh.to_string().as_bytes()) {
            Err(Problem::Malformed(why)) => assert_eq!(why, "it has no `refreshToken`"),
            _ => panic!("accepted"),
        }
        let mut bad_secret = document();
        bad_secret["accessToken"]["secretAccessKey"] = "two words".into();
        match parse(bad_secret.to_string().as_bytes()) {
            Err(Problem::Malformed(why)) => assert!(!why.contains("two"), "{why}"),
            _ => panic!("accepted"),
        }
    }

    #[test]
    fn only_a_private_file_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.json");
        std::fs::write(&file, document().to_string()).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(read(&file).is_ok());
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        match read(&file) {
            Err(Problem::Unreadable(why)) => assert!(why.contains("0644"), "{why}"),
            _ => panic!("read a file others can read"),
        }
        assert!(matches!(
            read(&dir.path().join("none.json")),
            Err(Problem::Missing)
        ));
    }
}
