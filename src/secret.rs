//! A value that must never be shown: a secret access key, a session token, an MFA code, an
//! ECR password. Its `Debug` prints a placeholder and it has no `Display`, so a `{:?}` in a
//! log line or a panic cannot leak it; taking the value out is an explicit, searchable
//! call to [`Secret::expose`].

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself, for the one place that must send or write it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// No core dump, and no ptrace or /proc/PID/mem reading by other processes of the same
/// user, while secrets are in this process's memory. The kernel makes a command runas
/// executes dumpable again (an exec of a program that is not set-uid resets the flag).
pub fn keep_out_of_dumps() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl(PR_SET_DUMPABLE) only changes a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(** redacted **)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new("wJalrXUtnFEMI");
        assert_eq!(format!("{secret:?}"), "Secret(** redacted **)");
        assert_eq!(
            format!("{:?}", Some(&secret)),
            "Some(Secret(** redacted **))"
        );
        assert_eq!(secret.expose(), "wJalrXUtnFEMI");
        assert_eq!(serde_json::to_string(&secret).unwrap(), "\"wJalrXUtnFEMI\"");
    }
}
