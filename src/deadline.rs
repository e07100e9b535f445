//! How long runas waits for anything outside itself: one setting, `RUNAS_TIMEOUT` (seconds,
//! default 60), for every network call, external program and lock held by another run.
//!
//! A hung STS endpoint or `credential_process` would otherwise hang this run and, through
//! the step's lock, every other run that needs the same step.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const VAR: &str = crate::variables::RUNAS_TIMEOUT.name;
pub(crate) const DEFAULT: Duration = Duration::from_secs(60);
/// A day: longer than any sensible wait, short enough to catch a typo in the unit.
const MAX_SECONDS: u64 = 86_400;

/// The value of `RUNAS_TIMEOUT`, or why it is not a number of seconds.
pub fn from_env() -> Result<Duration, String> {
    match std::env::var(VAR) {
        Err(std::env::VarError::NotPresent) => Ok(DEFAULT),
        Ok(text) if text.trim().is_empty() => Ok(DEFAULT),
        Ok(text) => parse(&text),
        Err(std::env::VarError::NotUnicode(_)) => Err(format!(
            "{VAR} is not a whole number of seconds (1 to {MAX_SECONDS})"
        )),
    }
}

fn parse(text: &str) -> Result<Duration, String> {
    match text.trim().parse::<u64>() {
        Ok(seconds) if (1..=MAX_SECONDS).contains(&seconds) => Ok(Duration::from_secs(seconds)),
        _ => Err(format!(
            "{VAR}={} is not a whole number of seconds (1 to {MAX_SECONDS})",
            crate::text::escape(text)
        )),
    }
}

/// The timeout every wait uses. `main` checks the variable first, so a bad value has
/// already been reported; here it falls back to the default.
pub fn timeout() -> Duration {
    static TIMEOUT: OnceLock<Duration> = OnceLock::new();
    *TIMEOUT.get_or_init(|| from_env().unwrap_or(DEFAULT))
}

/// The instant by which something started now must be done.
pub(crate) fn from_now() -> Instant {
    Instant::now() + timeout()
}

/// For messages: "2s (RUNAS_TIMEOUT)".
pub fn describe() -> String {
    format!("{}s ({VAR})", timeout().as_secs())
}

/// The SDK's timeouts: the whole operation, retries included, within the deadline, and
/// each attempt within a third of it, so that one stalled connection leaves time to retry.
pub(crate) fn sdk_timeouts() -> aws_config::timeout::TimeoutConfig {
    let total = timeout();
    let attempt = (total / 3).max(Duration::from_secs(1)).min(total);
    aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(attempt)
        .operation_attempt_timeout(attempt)
        .operation_timeout(total)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_seconds_only() {
        assert_eq!(parse("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse(" 90 "), Ok(Duration::from_secs(90)));
        for bad in ["0", "-1", "1.5", "10s", "abc", "86401"] {
            assert!(parse(bad).unwrap_err().contains(VAR), "{bad}");
        }
    }
}
