//! What `runas diagnose` can tell without a network call about the programs and files a
//! run will use: `credential_process`, `mfa_process` and the ECR client on `PATH`, the SSO
//! token `aws sso login` left, and a profile name that a subcommand would take.

use super::{Context, Report};
use crate::profile::chain::Step;
use crate::profile::root::Source;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Words that start a shell command line without naming a program file.
const SHELL_WORDS: [&str; 16] = [
    "exit", "eval", "exec", "cd", "export", "set", ".", ":", "command", "test", "[", "if", "for",
    "while", "{", "(",
];

/// The programs the plan runs: credential_process at the root, mfa_process on a step.
pub(super) fn programs(context: &mut Context, report: &mut Report) {
    let Some(chain) = context.chain.as_ref() else {
        return;
    };
    let mut found: Vec<(String, String)> = Vec::new();
    if let Source::CredentialProcess(command) = &chain.root.source {
        let profile = &chain.root.profile;
        found.push((
            format!("credential_process of profile `{profile}`"),
            command.expose().to_owned(),
        ));
    }
    for step in &chain.steps {
        let mfa = match step {
            Step::SessionToken { mfa, .. } => mfa.as_ref(),
            Step::AssumeRole(role) => role.mfa.as_ref(),
        };
        if let Some(process) = mfa.and_then(|m| m.process.as_ref()) {
            found.push((
                format!("mfa_process of profile `{}`", process.profile),
                process.command.expose().to_owned(),
            ));
        }
    }
    for (what, command) in found {
        check_program(&what, &command, report);
    }
}

/// The first word of a shell command line, without quotes; `VAR=x` assignments skipped.
fn first_word(command: &str) -> Option<String> {
    command
        .split_whitespace()
        .map(|w| w.trim_matches(['\'', '"']))
        .find(|w| !w.contains('=') || w.starts_with('/') || w.starts_with('.'))
        .map(str::to_owned)
}

/// Says whether the program a command line starts with can be run. Only the program's
/// name is shown: the rest of the line may hold a secret.
pub(super) fn check_program(what: &str, command: &str, report: &mut Report) {
    let Some(word) = first_word(command) else {
        report.problem(format!("{what} is empty: set it to a command"));
        return;
    };
    if SHELL_WORDS.contains(&word.as_str()) {
        report.note(format!(
            "{what} starts with the shell's `{word}`; its program is not checked"
        ));
        return;
    }
    let path = if word.contains('/') {
        PathBuf::from(&word)
    } else {
        match which::which(&word) {
            Ok(path) => path,
            Err(_) => {
                report.problem(format!(
                    "{what}: `{}` is not on PATH, so the run will fail: install it, or name it by its full path",
                    crate::text::escape(&word)
                ));
                return;
            }
        }
    };
    match mode_problem(&path) {
        Some(why) => report.problem(format!("{what}: {}: {why}", path.display())),
        None => report.ok(format!("{what} runs {}", path.display())),
    }
}

/// Why the file at `path` cannot be trusted to run: missing, not a file, not executable,
/// or writable by other users (who could then run anything with your credentials).
fn mode_problem(path: &Path) -> Option<String> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) => return Some(format!("cannot use it ({e})")),
    };
    let mode = meta.permissions().mode();
    if !meta.is_file() {
        Some("it is not a file".to_owned())
    } else if mode & 0o111 == 0 {
        Some(format!(
            "it is not executable (mode {:o}): chmod +x it",
            mode & 0o7777
        ))
    } else if mode & 0o022 != 0 {
        Some(format!(
            "other users may write it (mode {:o}), and it runs with your credentials: chmod go-w it",
            mode & 0o7777
        ))
    } else {
        None
    }
}

/// The SSO token `aws sso login` leaves in `~/.aws/sso/cache`, found by its start URL.
pub(super) fn sso_token(context: &mut Context, report: &mut Report) {
    let Some((profile, Source::Sso(sso))) = context
        .chain
        .as_ref()
        .map(|c| (&c.root.profile, &c.root.source))
    else {
        return;
    };
    let (session_name, start_url) = (&sso.session_name, &sso.start_url);
    let login = format!("aws sso login --profile {profile}");
    let Ok(home) = context.env.get(crate::variables::HOME.name) else {
        return;
    };
    let dir = Path::new(&home).join(".aws/sso/cache");
    let tokens = match tokens_for(&dir, start_url) {
        Ok(tokens) => tokens,
        Err(why) => {
            report.problem(format!("{why}; the SSO token cannot be read"));
            return;
        }
    };
    let Some(token) = tokens.into_iter().max_by_key(|t| t.expires) else {
        report.problem(format!(
            "no SSO token for {start_url} in {}: run `{login}`",
            dir.display()
        ));
        return;
    };
    let now = SystemTime::now();
    match token.expires {
        Some(t) if t > now => report.ok(format!(
            "SSO token {} for {start_url}: {}",
            token.path.display(),
            crate::creds::remaining(t)
        )),
        Some(_) if session_name.is_some() && token.refreshable => report.note(format!(
            "SSO token {} has expired; the SDK renews it with its refresh token",
            token.path.display()
        )),
        _ => report.problem(format!(
            "SSO token {} has expired (or says not when it does): run `{login}`",
            token.path.display()
        )),
    }
}

struct Token {
    path: PathBuf,
    expires: Option<SystemTime>,
    refreshable: bool,
}

/// The token files in `dir` for `start_url`; a file that cannot be read is named.
fn tokens_for(dir: &Path, start_url: &str) -> Result<Vec<Token>, String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for entry in entries.flatten().take(1000) {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let bytes = crate::private_file::read_regular(&path, 1 << 20)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let Ok(json) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
            continue;
        };
        if json.get("startUrl").and_then(|v| v.as_str()) != Some(start_url)
            || json.get("accessToken").is_none()
        {
            continue;
        }
        let expires = json
            .get("expiresAt")
            .and_then(|v| v.as_str())
            .and_then(|t| {
                aws_smithy_types::DateTime::from_str(
                    t,
                    aws_smithy_types::date_time::Format::DateTime,
                )
                .ok()
            })
            .and_then(|t| SystemTime::try_from(t).ok());
        found.push(Token {
            path,
            expires,
            refreshable: json.get("refreshToken").is_some(),
        });
    }
    Ok(found)
}

/// A profile named like a subcommand is run as `runas -- NAME …`.
pub(super) fn name_of_a_subcommand(context: &mut Context, report: &mut Report) {
    let name = context.profile;
    if crate::commands::SUBCOMMANDS.contains(&name) {
        report.note(format!(
            "profile `{name}` has the name of a subcommand: `runas {name} …` runs the subcommand; \
             run the profile as `runas -- {name} COMMAND…` (or print it with `runas -- {name}`)"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_program_is_the_first_word_that_is_not_an_assignment() {
        assert_eq!(
            first_word("aws-vault export --format=json x"),
            Some("aws-vault".into())
        );
        assert_eq!(
            first_word("TOKEN=abc '/opt/tool' x"),
            Some("/opt/tool".into())
        );
        assert_eq!(first_word("  "), None);
    }

    #[test]
    fn modes_that_break_or_endanger_a_run_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("p");
        std::fs::write(&file, "#!/bin/sh\n").unwrap();
        let set = |mode| std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode));
        set(0o644).unwrap();
        assert!(
            mode_problem(&file)
                .unwrap()
                .contains("not executable (mode 644)")
        );
        set(0o757).unwrap();
        assert!(
            mode_problem(&file)
                .unwrap()
                .contains("other users may write it")
        );
        set(0o755).unwrap();
        assert!(mode_problem(&file).is_none());
        assert!(mode_problem(&dir.path().join("none")).is_some());
    }
}
