//! Endpoint URLs from the environment and the profile (`AWS_ENDPOINT_URL`,
//! `AWS_ENDPOINT_URL_STS`, `endpoint_url`…), checked before any SDK client sees them: the
//! SDK's own error for a URL without a scheme quotes the whole request, and blames the
//! network.

use crate::error::{Error, Result};
use crate::log::warning;
use crate::text::escape;
use crate::variables;

/// The variables of the services runas calls.
const VARIABLES: [&str; 6] = [
    variables::AWS_ENDPOINT_URL.name,
    variables::AWS_ENDPOINT_URL_STS.name,
    variables::AWS_ENDPOINT_URL_ECR.name,
    variables::AWS_ENDPOINT_URL_ECR_PUBLIC.name,
    variables::AWS_ENDPOINT_URL_IAM.name,
    variables::AWS_ENDPOINT_URL_SIGNIN.name,
];

/// Where an endpoint URL was set: a variable is like a flag (a usage error), the profile's
/// `endpoint_url` is configuration (a configuration error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Variable(&'static str),
    Profile,
}

impl Origin {
    fn name(self) -> &'static str {
        match self {
            Origin::Variable(name) => name,
            Origin::Profile => "endpoint_url",
        }
    }
}

/// Checks every endpoint variable that is set, then `profile_value`, the profile's
/// `endpoint_url` (reached only when no variable overrides it).
pub fn check(profile_value: Option<&str>) -> Result<()> {
    for name in VARIABLES {
        if let Ok(value) = std::env::var(name)
            && !value.is_empty()
        {
            check_one(&value, Origin::Variable(name))?;
        }
    }
    match profile_value {
        Some(value) => check_one(value, Origin::Profile),
        None => Ok(()),
    }
}

fn check_one(value: &str, origin: Origin) -> Result<()> {
    let lower = value.to_ascii_lowercase();
    let host = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let fine = host.is_some_and(|h| {
        !h.is_empty()
            && !h.starts_with('/')
            && !h.chars().any(|c| c.is_whitespace() || c.is_control())
    });
    if fine {
        if lower.starts_with("http://") && !loopback(&lower["http://".len()..]) {
            plain_http_warning(value, origin.name());
        }
        Ok(())
    } else {
        let why = format!(
            "`{}` is not an endpoint URL: it needs http:// or https:// and a host, as in https://sts.us-east-1.amazonaws.com or http://127.0.0.1:4566",
            escape(value)
        );
        Err(match origin {
            Origin::Variable(name) => Error::Usage(format!("{name} {why}")),
            Origin::Profile => Error::EndpointUrl(format!("endpoint_url {why}")),
        })
    }
}

/// Whether the host of `rest` (what follows `http://`) is this machine: `localhost`,
/// 127.0.0.0/8 or `[::1]`. Plain http there never crosses a network.
fn loopback(rest: &str) -> bool {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    if host_port.starts_with("[::1]") {
        return true;
    }
    let host = host_port.split(':').next().unwrap_or_default();
    host == "localhost"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// STS's answers hold credentials: over plain http to another machine, anyone on the
/// way reads them. A local stand-in (LocalStack, moto) is reached on loopback and is not
/// warned about. Said once per run.
fn plain_http_warning(value: &str, origin: &str) {
    static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        warning!(
            "{origin} `{}` is plain http to another machine: anyone on the network between \
             can read the credentials STS sends back; use https://",
            escape(value)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scheme_and_a_host_are_needed() {
        let x = Origin::Variable("X");
        assert!(check_one("http://127.0.0.1:9", x).is_ok());
        assert!(check_one("HTTPS://sts.amazonaws.com/", x).is_ok());
        for bad in [
            "127.0.0.1:9",
            "http://",
            "ftp://h",
            "https:// h",
            "http:///x",
        ] {
            let err = check_one(bad, Origin::Variable("AWS_ENDPOINT_URL")).unwrap_err();
            assert_eq!(err.exit(), crate::error::Exit::Usage);
            let err = err.to_string();
            assert!(err.contains("is not an endpoint URL"), "{bad}: {err}");
        }
        let err =
            check_one("http://u:PASSWORD@ h", Origin::Variable("AWS_ENDPOINT_URL")).unwrap_err();
        assert!(!err.to_string().contains("PASSWORD"), "{err}");
    }

    #[test]
    fn plain_http_is_for_this_machine() {
        for local in [
            "localhost:4566",
            "127.0.0.1",
            "127.1.2.3:9/x",
            "[::1]:8080",
            "u:p@127.0.0.1:9",
        ] {
            assert!(loopback(local), "{local}");
        }
        for remote in [
            "sts.example.com",
            "10.0.0.1:9000",
            "localhost.example.com",
            "127.0.0.1.example.com",
            "u:p@minio.lan:9000",
        ] {
            assert!(!loopback(remote), "{remote}");
        }
    }

    #[test]
    fn a_bad_profile_value_is_a_configuration_error() {
        let err = check_one("127.0.0.1:9", Origin::Profile).unwrap_err();
        assert_eq!(err.exit(), crate::error::Exit::Config);
        assert!(
            err.to_string()
                .starts_with("endpoint_url `127.0.0.1:9` is not")
        );
    }
}
