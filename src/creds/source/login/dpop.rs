//! Proof of possession for the refresh call (RFC 9449, DPoP): a JWS signed with the
//! session's P-256 key, whose header carries the public half, over the method, the URL, the
//! time and a one-time id. The sign-in service binds the refresh token to that key, so a
//! stolen refresh token alone refreshes nothing.

use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use std::io::Read;
use std::time::SystemTime;

/// The `DPoP` header for a POST to `url` at `now`.
pub(crate) fn proof(key: &p256::SecretKey, url: &str, now: SystemTime) -> std::io::Result<String> {
    let point = key.public_key().to_encoded_point(false);
    let (Some(x), Some(y)) = (point.x(), point.y()) else {
        return Err(std::io::Error::other("the key's public point is not whole"));
    };
    let header = serde_json::json!({
        "typ": "dpop+jwt",
        "alg": "ES256",
        "jwk": {"kty": "EC", "x": base64url(x), "y": base64url(y), "crv": "P-256"},
    });
    let iat = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let payload = serde_json::json!({
        "jti": jti()?,
        "htm": "POST",
        "htu": url,
        "iat": iat,
    });
    let input = format!(
        "{}.{}",
        base64url(header.to_string().as_bytes()),
        base64url(payload.to_string().as_bytes())
    );
    let signature: Signature = SigningKey::from(key).sign(input.as_bytes());
    Ok(format!("{input}.{}", base64url(&signature.to_bytes())))
}

/// 128 random bits as a UUID (version 4), the form the SDKs send.
fn jti() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

/// Base64 with the URL alphabet and no padding, as JWS wants it.
fn base64url(bytes: &[u8]) -> String {
    aws_smithy_types::base64::encode(bytes)
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::VerifyingKey;
    use p256::ecdsa::signature::Verifier;

    fn decode(text: &str) -> Vec<u8> {
        let standard = text.replace('-', "+").replace('_', "/");
        let padded = format!("{standard}{}", "=".repeat((4 - standard.len() % 4) % 4));
        aws_smithy_types::base64::decode(padded).expect("base64")
    }

    #[test]
    fn the_proof_verifies_with_the_key_in_its_header() {
        let key = p256::SecretKey::from_sec1_pem(super::super::file::tests_key()).unwrap();
        let now = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000);
        let proof = proof(
            &key,
            "https://us-east-1.signin.aws.amazon.com/v1/token",
            now,
        )
        .unwrap();
        let parts: Vec<&str> = proof.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value = serde_json::from_slice(&decode(parts[0])).unwrap();
        let payload: serde_json::Value = serde_json::from_slice(&decode(parts[1])).unwrap();
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["jwk"]["crv"], "P-256");
        assert_eq!(payload["htm"], "POST");
        assert_eq!(
            payload["htu"],
            "https://us-east-1.signin.aws.amazon.com/v1/token"
        );
        assert_eq!(payload["iat"], 1_800_000_000);
        assert_eq!(payload["jti"].as_str().map(str::len), Some(36));
        let mut sec1 = vec![4u8];
        sec1.extend(decode(header["jwk"]["x"].as_str().unwrap()));
        sec1.extend(decode(header["jwk"]["y"].as_str().unwrap()));
        let verifying = VerifyingKey::from_sec1_bytes(&sec1).unwrap();
        let signature = Signature::from_slice(&decode(parts[2])).unwrap();
        let signed = format!("{}.{}", parts[0], parts[1]);
        assert!(verifying.verify(signed.as_bytes(), &signature).is_ok());
        assert!(verifying.verify(b"something else", &signature).is_err());
        let again = super::proof(&key, "https://x/v1/token", now).unwrap();
        let again: serde_json::Value =
            serde_json::from_slice(&decode(again.split('.').nth(1).unwrap())).unwrap();
        assert_ne!(again["jti"], payload["jti"], "a jti is never reused");
    }
}
