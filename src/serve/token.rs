//! The secret a client must present: 256 bits from the kernel's random source, compared
//! in constant time, never printed by `Debug`.

use crate::secret::Secret;
use std::fmt;
use std::io::Read;

/// 32 random bytes, as 64 hexadecimal characters (what goes in a header).
#[derive(Clone)]
pub struct AuthToken(Secret);

impl AuthToken {
    pub fn random() -> std::io::Result<AuthToken> {
        let mut bytes = [0u8; 32];
        std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Ok(AuthToken(Secret::new(hex)))
    }

    /// Whether `presented` is this token. Every byte is looked at whatever the first
    /// difference, so the time taken says nothing about how much of a guess was right.
    /// (The length is not secret: it is always 64.)
    pub fn matches(&self, presented: &[u8]) -> bool {
        let expected = self.0.expose().as_bytes();
        if presented.len() != expected.len() {
            return false;
        }
        let difference = expected
            .iter()
            .zip(presented)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        std::hint::black_box(difference) == 0
    }

    /// The token itself, for the one place it is handed to a client.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl fmt::Debug for AuthToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthToken(** redacted **)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_matched_exactly() {
        let a = AuthToken::random().unwrap();
        let b = AuthToken::random().unwrap();
        assert_eq!(a.expose().len(), 64);
        assert_ne!(a.expose(), b.expose());
        assert!(a.matches(a.expose().as_bytes()));
        assert!(!a.matches(b.expose().as_bytes()));
        assert!(!a.matches(&a.expose().as_bytes()[..63]));
        assert!(!a.matches(b""));
        assert!(!format!("{a:?}").contains(a.expose()));
    }
}
