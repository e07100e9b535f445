//! Diagnostics on stderr. `-v` turns on debug lines; warnings always show.
//!
//! Callers pass identifiers only (profile names, role ARNs, the last four characters of a
//! key id); nothing here knows how to print a secret, and nothing should be asked to.

use std::sync::atomic::{AtomicU8, Ordering};

static VERBOSITY: AtomicU8 = AtomicU8::new(0);

pub fn set_verbosity(level: u8) {
    VERBOSITY.store(level, Ordering::Relaxed);
}

pub(crate) fn verbosity() -> u8 {
    VERBOSITY.load(Ordering::Relaxed)
}

/// A debug line, shown from `-v` on.
macro_rules! debug {
    ($($arg:tt)*) => {
        if $crate::log::verbosity() > 0 {
            eprintln!("runas: {}", $crate::text::escape_message(&format!($($arg)*)));
        }
    };
}

/// A warning: something the user should fix, but not a reason to stop.
macro_rules! warning {
    ($($arg:tt)*) => {
        eprintln!("runas: warning: {}", $crate::text::escape_message(&format!($($arg)*)))
    };
}

pub(crate) use {debug, warning};

/// The last four characters of a key id, the most of it a log line may show; of a short
/// one (LocalStack's `test`, MinIO's `minioadmin`), a quarter at most, never the whole.
pub(crate) fn key_hint(access_key_id: &str) -> String {
    let shown = (access_key_id.chars().count() / 4).min(4);
    let tail: String = access_key_id
        .chars()
        .rev()
        .take(shown)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("…{tail}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn key_hint_keeps_only_the_last_four_characters_and_never_a_short_key_whole() {
        assert_eq!(super::key_hint("AKIAIOSFODNN7EXAMPLE"), "…MPLE");
        assert_eq!(super::key_hint("AB"), "…");
        assert_eq!(super::key_hint("test"), "…t");
        assert_eq!(super::key_hint("minioadmin"), "…in");
    }
}
