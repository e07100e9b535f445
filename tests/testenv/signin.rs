//! The sign-in stand-in (tests/support/signin_standin.py): the token endpoint of `aws login`
//! sessions, with DPoP checks and rotating refresh tokens, and the login cache files the
//! AWS CLI writes.

use super::{Guard, free_port, guarded, wait_for_port};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const CRYPTOGRAPHY_INSTALL: &str = "pip install cryptography 'botocore[crt]'";

fn script(name: &str) -> String {
    format!("{}/tests/support/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Writes a login cache file for `session` into `dir` as `aws login` does (a new P-256
/// key), its credentials expiring `expires_in` seconds from now; returns its path.
pub fn login_cache(dir: &Path, session: &str, account: &str, expires_in: i64) -> PathBuf {
    let out = Command::new("python3")
        .arg(script("signin_standin.py"))
        .args(["newcache", "--dir"])
        .arg(dir)
        .args(["--session", session, "--account", account])
        .arg(format!("--expires-in={expires_in}"))
        .output()
        .expect("python3 is needed to run the tests");
    assert!(
        out.status.success(),
        "cannot write a login cache; install what the stand-in needs with: {CRYPTOGRAPHY_INSTALL}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// The stand-in on a free loopback port, stopped when dropped.
pub struct Signin {
    _child: Guard,
    pub port: u16,
    log: tempfile::TempDir,
}

impl Signin {
    /// Knows the refresh tokens of `caches`; `answer` is `ok` or what every request gets.
    pub fn start(caches: &[&Path], answer: &str) -> Signin {
        Signin::start_with(caches, answer, 0)
    }

    pub fn start_with(caches: &[&Path], answer: &str, latency_ms: u32) -> Signin {
        let log = tempfile::tempdir().expect("a temporary directory");
        let port = free_port();
        let mut standin = Command::new("python3");
        standin
            .arg(script("signin_standin.py"))
            .args(["serve", "--port", &port.to_string(), "--answer", answer])
            .arg(format!("--latency-ms={latency_ms}"))
            .arg("--log")
            .arg(log.path().join("requests.log"))
            .arg("--register")
            .args(caches);
        let mut child = Guard::new(
            guarded(&standin, None)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("sh is needed to run the tests"),
        );
        wait_for_port(
            port,
            child.child(),
            "the sign-in stand-in",
            CRYPTOGRAPHY_INSTALL,
        );
        Signin {
            _child: child,
            port,
            log,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request the stand-in was sent, in order.
    pub fn requests(&self) -> Vec<serde_json::Value> {
        super::read(&self.log.path().join("requests.log"))
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Token requests it answered with new credentials.
    pub fn refreshes(&self) -> usize {
        self.requests()
            .iter()
            .filter(|r| r["status"] == 200)
            .count()
    }
}

/// botocore's own login provider, run as `python3 signin_client.py ARGS…` with `env`'s
/// variables: its JSON answer, or its stderr as the error.
pub fn botocore(env: &[(&str, String)], args: &[&str]) -> Result<serde_json::Value, String> {
    let mut cmd = Command::new("python3");
    cmd.arg(script("signin_client.py"))
        .args(args)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("python3 is needed to run the tests");
    if out.status.success() {
        serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}
