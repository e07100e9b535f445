//! Endpoint URLs from the environment and the profile (`AWS_ENDPOINT_URL`,
//! `AWS_ENDPOINT_URL_STS`, `endpoint_url`…), checked before any SDK client sees them: the
//! SDK's own error for a URL without a scheme quotes the whole request, and blames the
//! network.

use crate::error::{Error, Result};
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

/// Checks every endpoint variable that is set, and `extra` (a profile's value, with where
/// it comes from).
pub fn check(extra: Option<(&str, &str)>) -> Result<()> {
    for name in VARIABLES {
        if let Ok(value) = std::env::var(name)
            && !value.is_empty()
        {
            check_one(&value, name)?;
        }
    }
    match extra {
        Some((value, origin)) => check_one(value, origin),
        None => Ok(()),
    }
}

fn check_one(value: &str, origin: &str) -> Result<()> {
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
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "{origin} `{}` is not an endpoint URL: it needs http:// or https:// and a host, as in https://sts.us-east-1.amazonaws.com or http://127.0.0.1:4566",
            escape(value)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scheme_and_a_host_are_needed() {
        assert!(check_one("http://127.0.0.1:9", "x").is_ok());
        assert!(check_one("HTTPS://sts.amazonaws.com/", "x").is_ok());
        for bad in [
            "127.0.0.1:9",
            "http://",
            "ftp://h",
            "https:// h",
            "http:///x",
        ] {
            let err = check_one(bad, "AWS_ENDPOINT_URL").unwrap_err().to_string();
            assert!(err.contains("is not an endpoint URL"), "{bad}: {err}");
        }
    }
}
