//! Which requests reach an endpoint at all: those a program on this machine sends to the
//! address it was given, and not those a web page sends.
//!
//! A page can re-point its own name at 127.0.0.1 (DNS rebinding); the browser then treats
//! the endpoint as the page's own origin, sends its requests without a preflight and lets
//! the page read the answers. Such a request names the page's host in `Host`, and a
//! cross-origin one carries `Origin`, which no SDK sends. So only a `Host` of the loopback
//! address (as `127.0.0.1`, `localhost` or `[::1]`) and the endpoint's port is answered,
//! and any request with `Origin` is refused. HTTP/1.1 makes `Host` mandatory (RFC 9112,
//! section 3.2); HTTP/1.0 clients may leave it out.

use hyper::{HeaderMap, Uri, Version, header};

/// Why a request is not answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// HTTP/1.1 without `Host`, or with more than one.
    NoHost,
    /// A `Host` (or an absolute URI) naming something other than this endpoint.
    OtherHost,
    /// An `Origin` header: a browser's request.
    FromBrowser,
}

impl Refusal {
    /// The answer's status, code and message; none echoes what the request said.
    pub fn answer(self) -> (hyper::StatusCode, &'static str, &'static str) {
        use hyper::StatusCode;
        match self {
            Refusal::NoHost => (
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "HTTP/1.1 needs exactly one Host header",
            ),
            Refusal::OtherHost => (
                StatusCode::FORBIDDEN,
                "Forbidden",
                "only requests to 127.0.0.1, localhost or [::1] with this port are answered",
            ),
            Refusal::FromBrowser => (
                StatusCode::FORBIDDEN,
                "Forbidden",
                "requests from web pages (with an Origin header) are refused",
            ),
        }
    }
}

/// Checks a request's `Host`, absolute URI and `Origin` against an endpoint on `port`.
pub fn check(version: Version, uri: &Uri, headers: &HeaderMap, port: u16) -> Result<(), Refusal> {
    if headers.contains_key(header::ORIGIN) {
        return Err(Refusal::FromBrowser);
    }
    if let Some(authority) = uri.authority()
        && !is_this_endpoint(authority.as_str(), port)
    {
        return Err(Refusal::OtherHost);
    }
    let mut hosts = headers.get_all(header::HOST).iter();
    match (hosts.next(), hosts.next()) {
        (Some(_), Some(_)) => Err(Refusal::NoHost),
        (Some(host), None) => match host.to_str() {
            Ok(host) if is_this_endpoint(host, port) => Ok(()),
            _ => Err(Refusal::OtherHost),
        },
        (None, _) if version == Version::HTTP_10 || version == Version::HTTP_09 => Ok(()),
        (None, _) => Err(Refusal::NoHost),
    }
}

/// `127.0.0.1:PORT`, `localhost:PORT` or `[::1]:PORT` (any case); without the port only
/// when it is 80, the one a client may leave out.
fn is_this_endpoint(host: &str, port: u16) -> bool {
    let (name, given) = match host.rsplit_once(':') {
        Some((name, given)) if !name.is_empty() && !given.contains(']') => (name, Some(given)),
        _ => (host, None),
    };
    let port_matches = match given {
        Some(given) => given.parse::<u16>().ok() == Some(port) && !given.starts_with('+'),
        None => port == 80,
    };
    let loopback = ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .any(|allowed| name.eq_ignore_ascii_case(allowed));
    port_matches && loopback
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        map
    }

    fn checked(version: Version, uri: &str, pairs: &[(&str, &str)]) -> Result<(), Refusal> {
        check(version, &uri.parse().unwrap(), &headers(pairs), 8123)
    }

    #[test]
    fn loopback_names_with_the_port_are_answered() {
        for host in [
            "127.0.0.1:8123",
            "localhost:8123",
            "LocalHost:8123",
            "[::1]:8123",
        ] {
            assert_eq!(
                checked(Version::HTTP_11, "/credentials", &[("host", host)]),
                Ok(()),
                "{host}"
            );
        }
        assert_eq!(checked(Version::HTTP_10, "/credentials", &[]), Ok(()));
        assert!(is_this_endpoint("127.0.0.1", 80));
    }

    #[test]
    fn other_names_ports_origins_and_missing_hosts_are_refused() {
        for host in [
            "evil.example:8123",
            "127.0.0.1",
            "127.0.0.1:80",
            "127.0.0.1:+8123",
            "127.0.0.2:8123",
            "localhost.:8123",
            "[::1]",
            "127.0.0.1:8123@evil.example",
            "",
        ] {
            assert_eq!(
                checked(Version::HTTP_11, "/credentials", &[("host", host)]),
                Err(Refusal::OtherHost),
                "{host}"
            );
        }
        assert_eq!(
            checked(Version::HTTP_11, "/credentials", &[]),
            Err(Refusal::NoHost)
        );
        assert_eq!(
            checked(
                Version::HTTP_11,
                "/credentials",
                &[("host", "127.0.0.1:8123"), ("host", "127.0.0.1:8123")]
            ),
            Err(Refusal::NoHost)
        );
        assert_eq!(
            checked(
                Version::HTTP_11,
                "/credentials",
                &[
                    ("host", "127.0.0.1:8123"),
                    ("origin", "http://127.0.0.1:8123")
                ]
            ),
            Err(Refusal::FromBrowser)
        );
        assert_eq!(
            checked(
                Version::HTTP_11,
                "http://evil.example:8123/credentials",
                &[("host", "127.0.0.1:8123")]
            ),
            Err(Refusal::OtherHost)
        );
    }
}
