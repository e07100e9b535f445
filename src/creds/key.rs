//! Cache keys: what makes a cached thing the answer to a question, and a description of it
//! for people.
//!
//! A step's key is derived from the plan alone (the root's identity and every step's
//! parameters), so the warm path finds the last step's entry without touching anything
//! before it. Each key holds the one before it, so a step is tied to the identity that made
//! it. The full text is stored in the entry and compared on read; the file name is only a
//! hash of it.

use crate::profile::chain::{Chain, Step};
use aws_types::os_shim_internal::Env;
use serde::{Deserialize, Serialize};

/// The text can hold a `credential_process` command line, which may carry a secret: the
/// key is written only to 0600 files, and its `Debug` shows the description alone.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    text: String,
    description: String,
}

impl Key {
    /// One key per level of `chain`: the root's first, then each step's.
    pub fn levels(chain: &Chain, env: &Env) -> Vec<Key> {
        let mut keys = vec![Key::root(chain, env)];
        for step in &chain.steps {
            let next = keys.last().map(|before| before.then(step));
            keys.extend(next);
        }
        keys
    }

    /// The key of the chain's end: the credentials it plans, as an identity other caches
    /// (ECR tokens) can derive their keys from.
    pub fn last(chain: &Chain, env: &Env) -> Key {
        chain
            .steps
            .iter()
            .fold(Key::root(chain, env), |key, step| key.then(step))
    }

    /// The root's identity, and the STS it will be sent to: credentials for one partition
    /// or endpoint are no use to another.
    fn root(chain: &Chain, env: &Env) -> Key {
        let endpoint = chain
            .sts_endpoint
            .clone()
            .unwrap_or_else(|| format!("partition {}", crate::partition::of_region(&chain.region)));
        Key {
            text: format!("{endpoint}\n{}", chain.root.identity(env)),
            description: chain.root.describe(),
        }
    }

    /// The key of `step` taken with the credentials of this one.
    fn then(&self, step: &Step) -> Key {
        let serial = |mfa: &Option<crate::profile::chain::Mfa>| {
            mfa.as_ref().map(|m| m.serial.clone()).unwrap_or_default()
        };
        let this = match step {
            Step::SessionToken { duration, mfa } => {
                format!("session-token {}s mfa={}", duration.as_secs(), serial(mfa))
            }
            Step::AssumeRole(r) => format!(
                "assume-role {} session={} external-id={} {}s mfa={}",
                r.role_arn,
                r.session_name,
                r.external_id.as_deref().unwrap_or(""),
                r.duration.as_secs(),
                serial(&r.mfa)
            ),
        };
        Key {
            text: format!("{}\n{this}", self.text),
            description: step.describe(),
        }
    }

    /// The key of something fetched with the credentials of this one (an ECR token for a
    /// region): `what` says what, in the key and in the description.
    pub(crate) fn derived(&self, what: &str, description: String) -> Key {
        Key {
            text: format!("{what}\n{}", self.text),
            description,
        }
    }

    /// What the key stands for, for a person: a log line, a lock's waiting message, the
    /// entry on disk.
    pub(crate) fn description(&self) -> &str {
        &self.description
    }

    /// The whole key, stored in the entry and compared on read.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// A file name for the key with `extension`: a stable 64-bit hash, whose collisions
    /// the stored text catches.
    pub fn file_name(&self, extension: &str) -> String {
        format!("{:016x}.{extension}", stable_hash(self.text.as_bytes()))
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Key").field(&self.description).finish()
    }
}

/// The one hash runas keeps on disk (cache file names, the warm path's inputs): FNV-1a,
/// 64 bits, the same in every build and every version, unlike the standard library's
/// `DefaultHasher`. Not for secrets: a stored full key or a compared digest catches its
/// collisions.
pub(crate) struct StableHasher(u64);

impl Default for StableHasher {
    fn default() -> Self {
        StableHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for StableHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl StableHasher {
    /// Hashes a long byte string (a profile file) a 64-bit word at a time: the byte-wise
    /// loop costs a multiplication per byte, about 1 ms per MiB, which the warm path would
    /// feel with a large file. Four lanes take every fourth word, so that the
    /// multiplications do not wait on each other (one lane was about 0.3 ms per MiB); they
    /// are folded in order at the end, so that the words' order still counts.
    pub(crate) fn write_long(&mut self, bytes: &[u8]) {
        use std::hash::Hasher;
        // Every word passed is 8 bytes: from `chunks_exact(8)` or a lane's `to_le_bytes`.
        fn mix(lane: &mut u64, word: &[u8]) {
            let word = u64::from_le_bytes(word.try_into().expect("chunks of 8 bytes"));
            *lane = (*lane ^ word).wrapping_mul(0x0000_0100_0000_01b3);
            *lane ^= *lane >> 32;
        }
        self.write_usize(bytes.len());
        let mut lanes = [self.0, self.0 ^ 1, self.0 ^ 2, self.0 ^ 3];
        let mut blocks = bytes.chunks_exact(32);
        for block in blocks.by_ref() {
            for (lane, word) in lanes.iter_mut().zip(block.chunks_exact(8)) {
                mix(lane, word);
            }
        }
        for lane in lanes {
            mix(&mut self.0, &lane.to_le_bytes());
        }
        let mut words = blocks.remainder().chunks_exact(8);
        for word in words.by_ref() {
            mix(&mut self.0, word);
        }
        self.write(words.remainder());
    }
}

/// The [`StableHasher`] hash of `bytes`.
pub(crate) fn stable_hash(bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut hasher = StableHasher::default();
    hasher.write(bytes);
    hasher.finish()
}

/// A key made in a test, for entries written by hand.
#[cfg(test)]
pub(crate) fn test_key(text: &str) -> Key {
    Key {
        text: text.to_owned(),
        description: format!("test {text}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_the_description_only() {
        let key = Key {
            text: "partition aws\ncredential_process vault read --token=s3cr3t".into(),
            description: "credential_process of profile `p`".into(),
        };
        let shown = format!("{key:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert_eq!(shown, "Key(\"credential_process of profile `p`\")");
    }

    #[test]
    fn fnv_is_stable() {
        // Renaming every cache file would throw away every cached credential.
        assert_eq!(stable_hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash(b"a"), 0xaf63_dc4c_8601_ec8c);
        let long = |bytes: &[u8]| {
            use std::hash::Hasher;
            let mut hasher = StableHasher::default();
            hasher.write_long(bytes);
            hasher.finish()
        };
        assert_eq!(long(b"0123456789"), long(b"0123456789"));
        assert_ne!(long(b"0123456789"), long(b"0123456788"));
        assert_ne!(long(b"01234567\x80"), long(b"01234567\x00"));
        assert_ne!(long(b"x"), long(b"x\0"));
        // Whole blocks of four words, in each lane and across lanes: order counts.
        let block: Vec<u8> = (0..64u8).collect();
        let mut swapped = block.clone();
        swapped[..8].copy_from_slice(&block[32..40]);
        swapped[32..40].copy_from_slice(&block[..8]);
        assert_ne!(long(&block), long(&swapped));
        let mut lanes_swapped = block.clone();
        lanes_swapped[..8].copy_from_slice(&block[8..16]);
        lanes_swapped[8..16].copy_from_slice(&block[..8]);
        assert_ne!(long(&block), long(&lanes_swapped));
        let mut flipped = block.clone();
        flipped[45] ^= 0x10;
        assert_ne!(long(&block), long(&flipped));
    }
}
