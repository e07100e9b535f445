//! The one-time values of an authorization-code sign-in (RFC 7636 with S256, and the
//! `state` that ties the callback to this run), from the kernel's random source.

use crate::secret::Secret;
use sha2::{Digest, Sha256};
use std::io::Read;

/// The verifier stays in this process; only its challenge goes to the browser.
pub(crate) struct Pkce {
    pub verifier: Secret,
    pub challenge: String,
    /// Compared with the callback's, so a callback this run did not ask for is refused.
    pub state: String,
}

impl Pkce {
    pub fn new() -> std::io::Result<Pkce> {
        let verifier = base64url(&random::<32>()?);
        let challenge = challenge(&verifier);
        let state = hex(&random::<16>()?);
        Ok(Pkce {
            verifier: Secret::new(verifier),
            challenge,
            state,
        })
    }
}

/// `BASE64URL(SHA256(verifier))`, without padding.
pub(crate) fn challenge(verifier: &str) -> String {
    base64url(&Sha256::digest(verifier.as_bytes()))
}

fn random<const N: usize>() -> std::io::Result<[u8; N]> {
    let mut bytes = [0u8; N];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes)
}

fn base64url(bytes: &[u8]) -> String {
    aws_smithy_types::base64::encode(bytes)
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_rfc_7636s() {
        // RFC 7636, appendix B.
        assert_eq!(
            challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn values_are_fresh_each_time_and_url_safe() {
        let (a, b) = (Pkce::new().unwrap(), Pkce::new().unwrap());
        assert_ne!(a.verifier.expose(), b.verifier.expose());
        assert_ne!(a.state, b.state);
        assert_eq!(a.verifier.expose().len(), 43);
        assert!(
            a.verifier
                .expose()
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_eq!(a.challenge, challenge(a.verifier.expose()));
    }
}
