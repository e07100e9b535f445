//! Opening a page in the user's browser, for `runas sso login` and `runas console`: the
//! programs named in `BROWSER` (colon-separated; `%s` in one stands for the page, else the
//! page is its last argument), then `xdg-open`, then `open`.
//!
//! What is handed over lands in the browser's argv, where every local user can read it. The
//! SSO authorize URL may: it carries no credential (a client id, the redirect URI, a `state`
//! and the PKCE challenge; the code that comes back is useless without the verifier, which
//! never leaves this process, and comes back only to this run's loopback port). The
//! console's sign-in URL is a credential, so the console hands over a private page instead.

use crate::variables::BROWSER;
use std::process::{Command, Stdio};

/// Opens `url` (or a page's path); the program that did, or `None` if none could.
pub fn open(url: &str) -> Option<String> {
    let mut candidates: Vec<Vec<String>> = std::env::var(BROWSER.name)
        .unwrap_or_default()
        .split(':')
        .filter(|entry| !entry.trim().is_empty())
        .map(|entry| entry.split_whitespace().map(str::to_owned).collect())
        .collect();
    candidates.push(vec!["xdg-open".to_owned()]);
    candidates.push(vec!["open".to_owned()]);
    for words in candidates {
        let Some((program, args)) = words.split_first() else {
            continue;
        };
        if which::which(program).is_err() {
            continue;
        }
        let mut command = Command::new(program);
        let mut substituted = false;
        for arg in args {
            if arg.contains("%s") {
                substituted = true;
                command.arg(arg.replace("%s", url));
            } else {
                command.arg(arg);
            }
        }
        if !substituted {
            command.arg(url);
        }
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Ok(done) = crate::program::run(command, None, false)
            && done.status.success()
        {
            return Some(program.clone());
        }
    }
    None
}
