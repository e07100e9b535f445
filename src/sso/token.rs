//! The token file that the AWS CLI, the SDKs and runas share:
//! `~/.aws/sso/cache/<SHA-1 of the sso-session name, or of the start URL>.json`, in the
//! CLI's format, so one sign-in serves them all. runas writes it whole (temp file and
//! rename, mode 0600, through the single-flight slot) and checks every value it reads.

use crate::credentials::{parse_rfc3339, rfc3339};
use crate::profile::chain::SsoSession;
use crate::secret::Secret;
use serde_json::{Map, Value};
use sha1::{Digest, Sha1};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// A token with less than this left is refreshed if it can be (the SDKs' window).
pub(crate) const NEAR_EXPIRY: Duration = Duration::from_secs(5 * 60);
/// Longer than any access or refresh token the service issues.
const MAX_VALUE: usize = 16 * 1024;

/// The client registration a token was issued to, needed to refresh it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: String,
    pub secret: Secret,
    pub expires_at: SystemTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub start_url: String,
    pub region: String,
    pub access_token: Secret,
    pub expires_at: SystemTime,
    pub client: Option<Client>,
    pub refresh_token: Option<Secret>,
}

impl Token {
    /// Good for longer than [`NEAR_EXPIRY`].
    pub fn fresh(&self) -> bool {
        self.expires_at > SystemTime::now() + NEAR_EXPIRY
    }

    /// Still accepted by the portal, if only for a moment.
    pub(crate) fn valid(&self) -> bool {
        self.expires_at > SystemTime::now() + Duration::from_secs(30)
    }

    /// A refresh token, and the registration it belongs to still live.
    pub fn refreshable(&self) -> bool {
        self.refresh_token.is_some()
            && self
                .client
                .as_ref()
                .is_some_and(|c| c.expires_at > SystemTime::now())
    }

    /// The CLI's JSON, its keys in the CLI's order.
    pub(crate) fn to_json(&self) -> Vec<u8> {
        let mut map = Map::new();
        let mut put = |k: &str, v: &str| {
            map.insert(k.to_owned(), Value::String(v.to_owned()));
        };
        put("startUrl", &self.start_url);
        put("region", &self.region);
        put("accessToken", self.access_token.expose());
        put("expiresAt", &rfc3339(self.expires_at));
        if let Some(client) = &self.client {
            put("clientId", &client.id);
            put("clientSecret", client.secret.expose());
            put("registrationExpiresAt", &rfc3339(client.expires_at));
        }
        if let Some(refresh) = &self.refresh_token {
            put("refreshToken", refresh.expose());
        }
        serde_json::to_vec(&Value::Object(map)).unwrap_or_default()
    }

    /// A token file's contents, or why they are not a token (never quoting a value).
    pub(crate) fn from_json(bytes: &[u8]) -> Result<Token, String> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON ({e})"))?;
        let map = value.as_object().ok_or("not a JSON object")?;
        let text = |k: &str| -> Result<Option<&str>, String> {
            match map.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if s.len() <= MAX_VALUE => Ok(Some(s.as_str())),
                Some(_) => Err(format!("{k} is not a string of at most {MAX_VALUE} bytes")),
            }
        };
        let required = |k: &str| text(k)?.ok_or_else(|| format!("it has no {k}"));
        let secret = |k: &str| -> Result<Option<Secret>, String> {
            match text(k)? {
                None => Ok(None),
                Some(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic()) => {
                    Ok(Some(Secret::new(s)))
                }
                Some(_) => Err(format!("{k} is not printable ASCII")),
            }
        };
        let time = |k: &str, s: &str| parse_time(s).ok_or_else(|| format!("{k} is not a time"));
        let client = match (text("clientId")?, secret("clientSecret")?) {
            (Some(id), Some(secret)) if !id.is_empty() => Some(Client {
                id: id.to_owned(),
                secret,
                expires_at: match text("registrationExpiresAt")? {
                    Some(s) => time("registrationExpiresAt", s)?,
                    None => SystemTime::UNIX_EPOCH,
                },
            }),
            _ => None,
        };
        Ok(Token {
            start_url: text("startUrl")?.unwrap_or_default().to_owned(),
            region: text("region")?.unwrap_or_default().to_owned(),
            access_token: secret("accessToken")?.ok_or("it has no accessToken")?,
            expires_at: time("expiresAt", required("expiresAt")?)?,
            client,
            refresh_token: secret("refreshToken")?,
        })
    }
}

/// `2026-01-01T00:00:00Z`, and the forms other writers used: `+00:00`, and the `UTC`
/// suffix of older AWS CLI versions.
pub(crate) fn parse_time(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let normal = if let Some(head) = text.strip_suffix("UTC") {
        format!("{head}Z")
    } else if let Some(head) = text.strip_suffix("+00:00") {
        format!("{head}Z")
    } else {
        text.to_owned()
    };
    parse_rfc3339(&normal)
}

/// The AWS CLI's token cache directory.
pub fn dir(home: &Path) -> PathBuf {
    home.join(".aws").join("sso").join("cache")
}

/// The token file of `session`: named after the session's name, or the start URL of a
/// profile without one.
pub fn path(home: &Path, session: &SsoSession) -> PathBuf {
    let identifier = session.name.as_deref().unwrap_or(&session.start_url);
    dir(home).join(format!("{}.json", sha1_hex(identifier.as_bytes())))
}

pub fn sha1_hex(bytes: &[u8]) -> String {
    super::pkce::hex(&Sha1::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(name: Option<&str>) -> SsoSession {
        SsoSession {
            name: name.map(str::to_owned),
            region: "eu-west-1".into(),
            start_url: "https://corp.awsapps.com/start".into(),
            scopes: None,
        }
    }

    #[test]
    fn files_are_named_as_the_cli_names_them() {
        let home = Path::new("/h");
        // sha1("corp") and sha1 of the start URL, as botocore's SSOTokenLoader computes them.
        assert_eq!(
            path(home, &session(Some("corp"))),
            Path::new("/h/.aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json")
        );
        assert_eq!(
            path(home, &session(None)).file_name().unwrap(),
            format!("{}.json", sha1_hex(b"https://corp.awsapps.com/start")).as_str()
        );
    }

    #[test]
    fn the_cli_format_round_trips_and_other_writers_times_are_read() {
        let cli = br#"{"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1",
            "accessToken": "at", "expiresAt": "2099-01-01T00:00:00UTC", "clientId": "c",
            "clientSecret": "s", "registrationExpiresAt": "2099-02-01T00:00:00+00:00",
            "refreshToken": "rt"}"#;
        let token = Token::from_json(cli).unwrap();
        assert!(token.fresh() && token.refreshable());
        let again = Token::from_json(&token.to_json()).unwrap();
        assert_eq!(again, token);
        let text = String::from_utf8(token.to_json()).unwrap();
        assert!(text.starts_with(r#"{"startUrl":"https://corp.awsapps.com/start","region":"eu-west-1","accessToken":"at","expiresAt":"2099-01-01T00:00:00Z","clientId":"c""#), "{text}");
    }

    #[test]
    fn bad_values_are_refused_without_being_repeated() {
        for (json, why) in [
            (
                r#"{"expiresAt": "2099-01-01T00:00:00Z"}"#,
                "it has no accessToken",
            ),
            (
                r#"{"accessToken": "a\nb", "expiresAt": "2099-01-01T00:00:00Z"}"#,
                "accessToken is not printable ASCII",
            ),
            (
                r#"{"accessToken": "a", "expiresAt": "soon"}"#,
                "expiresAt is not a time",
            ),
            (
                r#"{"accessToken": 5, "expiresAt": "2099-01-01T00:00:00Z"}"#,
                "accessToken is not a string",
            ),
            ("[]", "not a JSON object"),
        ] {
            let error = Token::from_json(json.as_bytes()).unwrap_err();
            assert!(error.starts_with(why), "{json}: {error}");
        }
        let legacy =
            Token::from_json(br#"{"accessToken": "a", "expiresAt": "2000-01-01T00:00:00Z"}"#)
                .unwrap();
        assert!(!legacy.fresh() && !legacy.refreshable());
    }
}
