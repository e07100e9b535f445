//! The docker-credential-helpers protocol, as `docker-credential-runas` speaks it: the
//! verbs, what a server URL names, and the replies' wire format. Answering them (whose
//! token, from where) is `commands::ecr::credential_helper`.
//!
//! `get` reads a server URL on stdin and prints `{"ServerURL","Username","Secret"}`;
//! `list` prints the registries it serves; `store` and `erase` accept their input and do
//! nothing, since nothing is stored. A registry it does not serve gets exit 1 and Docker's
//! own not-found sentence on stdout, so Docker goes on without credentials.

use super::endpoint::{self, Endpoint, Registry};
use super::token::AuthToken;

/// What Docker (and every docker-credential-helpers client) reads as "no credentials".
pub const NOT_FOUND: &str = "credentials not found in native keychain";

/// The verbs of the docker-credential-helpers protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    List,
    Store,
    Erase,
    Version,
}

/// The registry a server URL names, if it is an ECR registry: `HOST`, `https://HOST`,
/// `https://HOST/v2/...` and `http://` forms alike, and `HOST:443` (HTTPS's own port, which
/// Docker sends for some configurations) as `HOST`.
pub(crate) fn registry_of(server_url: &str) -> Option<Registry> {
    let text = server_url.trim();
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .unwrap_or(text);
    let host = rest.split('/').next().unwrap_or_default();
    let host = host.strip_suffix(":443").unwrap_or(host);
    match endpoint::parse(host) {
        Ok(Endpoint::Registry(registry)) => Some(registry),
        _ => None,
    }
}

/// `get`'s answer: the token for `server_url`, as Docker reads it. It holds the password.
pub(crate) fn get_reply(server_url: &str, token: &AuthToken) -> String {
    serde_json::json!({
        "ServerURL": server_url,
        "Username": token.username,
        "Secret": token.password.expose(),
    })
    .to_string()
}

/// `list`'s answer: each registry served, with its user name.
pub(crate) fn list_reply<'a>(hosts: impl Iterator<Item = &'a str>) -> String {
    let map: serde_json::Map<String, serde_json::Value> = hosts
        .map(|host| (format!("https://{host}"), "AWS".into()))
        .collect();
    serde_json::Value::Object(map).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ecr::endpoint::Scope;

    #[test]
    fn server_urls_in_every_form_docker_sends() {
        for url in [
            "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            "https://123456789012.dkr.ecr.us-east-1.amazonaws.com",
            "https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/",
            "http://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/app/manifests/1",
            " 123456789012.DKR.ECR.US-EAST-1.AMAZONAWS.COM\n",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com:443",
            "https://123456789012.dkr.ecr.us-east-1.amazonaws.com:443/v2/",
        ] {
            assert_eq!(
                registry_of(url).map(|r| r.host).as_deref(),
                Some("123456789012.dkr.ecr.us-east-1.amazonaws.com"),
                "{url}"
            );
        }
        assert_eq!(
            registry_of("https://public.ecr.aws").map(|r| r.scope),
            Some(Scope::Public)
        );
        for other in [
            "",
            "https://index.docker.io/v1/",
            "ghcr.io",
            "123456789012",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com:5000",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com:443:443",
        ] {
            assert!(registry_of(other).is_none(), "{other}");
        }
    }
}
