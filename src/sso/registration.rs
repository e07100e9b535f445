//! The client registration (`RegisterClient`) a sign-in uses, cached where and as the AWS
//! CLI caches it, so that runas and the CLI reuse one registration until it expires:
//! `~/.aws/sso/cache/<SHA-1 of the CLI's JSON of {tool, startUrl, region, scopes,
//! session_name}>.json` with `clientId`, `clientSecret`, `expiresAt`, and `scopes` and
//! `grantTypes` when there are any.

use super::token::{Client, parse_time, sha1_hex};
use crate::credentials::rfc3339;
use crate::profile::chain::SsoSession;
use crate::secret::Secret;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The grants of an authorization-code client, as the AWS CLI registers them.
pub(crate) const AUTH_CODE_GRANTS: [&str; 2] = ["authorization_code", "refresh_token"];
/// A registration this close to its end is not started with: a sign-in must finish first.
const MARGIN: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone)]
pub(crate) struct Registration {
    pub client: Client,
    pub scopes: Option<Vec<String>>,
    pub grant_types: Option<Vec<String>>,
}

impl Registration {
    /// Live for a while yet, and able to do what this sign-in needs.
    pub fn usable(&self, auth_code: bool) -> bool {
        let grants = self.grant_types.as_deref().unwrap_or_default();
        self.client.expires_at > SystemTime::now() + MARGIN
            && (!auth_code || grants.iter().any(|g| g == "authorization_code"))
    }

    fn to_json(&self) -> Vec<u8> {
        let mut map = Map::new();
        map.insert("clientId".into(), self.client.id.clone().into());
        map.insert(
            "clientSecret".into(),
            self.client.secret.expose().to_owned().into(),
        );
        map.insert("expiresAt".into(), rfc3339(self.client.expires_at).into());
        if let Some(scopes) = &self.scopes {
            map.insert("scopes".into(), scopes.clone().into());
        }
        if let Some(grants) = &self.grant_types {
            map.insert("grantTypes".into(), grants.clone().into());
        }
        serde_json::to_vec(&Value::Object(map)).unwrap_or_default()
    }

    fn from_json(bytes: &[u8]) -> Option<Registration> {
        let value: Value = serde_json::from_slice(bytes).ok()?;
        let text = |k: &str| value.get(k)?.as_str().filter(|s| s.len() <= 16 * 1024);
        let list = |k: &str| -> Option<Vec<String>> {
            value.get(k)?.as_array().map(|items| {
                items
                    .iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
        };
        let secret = text("clientSecret").filter(|s| s.bytes().all(|b| b.is_ascii_graphic()))?;
        Some(Registration {
            client: Client {
                id: text("clientId").filter(|s| !s.is_empty())?.to_owned(),
                secret: Secret::new(secret),
                expires_at: parse_time(text("expiresAt")?)?,
            },
            scopes: list("scopes"),
            grant_types: list("grantTypes"),
        })
    }
}

/// The CLI's name for `session`'s registration file.
pub fn path(home: &Path, session: &SsoSession) -> PathBuf {
    let scopes = match &session.scopes {
        None => "null".to_owned(),
        Some(list) => format!(
            "[{}]",
            list.iter()
                .map(|s| py_str(s))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let name = session.name.as_deref().map_or("null".to_owned(), py_str);
    // Python's json.dumps(args, sort_keys=True): keys sorted, ", " and ": " between.
    let key = format!(
        "{{\"region\": {}, \"scopes\": {scopes}, \"session_name\": {name}, \"startUrl\": {}, \"tool\": \"botocore\"}}",
        py_str(&session.region),
        py_str(&session.start_url)
    );
    super::token::dir(home).join(format!("{}.json", sha1_hex(key.as_bytes())))
}

/// A string as Python's `json.dumps` writes it (ASCII only, `\uXXXX` for the rest).
fn py_str(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

/// The cached registration, if there is a readable one.
pub fn read(path: &Path) -> Option<Registration> {
    let bytes = crate::private_file::read_private(path, 64 * 1024).ok()?;
    Registration::from_json(&bytes)
}

pub fn write(path: &Path, registration: &Registration) -> std::io::Result<()> {
    crate::private_file::create_dir(super::parent(path))?;
    crate::private_file::replace(path, &registration.to_json())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_is_the_clis() {
        // From python3: hashlib.sha1(json.dumps({...}, sort_keys=True).encode()).hexdigest()
        let mut session = SsoSession {
            name: Some("corp".into()),
            region: "eu-west-1".into(),
            start_url: "https://corp.awsapps.com/start".into(),
            scopes: None,
        };
        let name = |s: &SsoSession| {
            path(Path::new("/h"), s)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        };
        assert_eq!(
            name(&session),
            "a5ef4a75f83137c047e4ff336d1dade82162017b.json"
        );
        session.scopes = Some(vec!["sso:account:access".into(), "é".into()]);
        session.name = None;
        assert_eq!(
            name(&session),
            "7284cbdff731ed523048d085d035f995badc76d3.json"
        );
    }
}
