//! Views of the profile files for a served process, without `[default]`'s credentials.
//!
//! Every SDK's default chain reads the profile files before it asks a container or
//! metadata endpoint, and with no profile named it reads `[default]`. Long-term keys
//! there (the layout `aws configure` writes), or a role, SSO, `credential_process`, web
//! identity or `login_session` setting, would win over the endpoint, and the command
//! would run as that identity instead of the one served. So a served process gets its
//! own copy of the two files (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`) in which
//! `[default]` (and `[profile default]` in the config file) keeps everything but those
//! settings. They move to a profile of their own, [`MOVED`], and every `source_profile =
//! default` elsewhere points there, so `--profile other` still works inside the command.
//! Every other line is kept byte for byte, comments included.
//!
//! The views are written 0600 in a directory of their own under the cache directory,
//! named after runas's pid, and removed when the [`Views`] is dropped; ones left by a
//! runas that was killed outright are removed by the next one that makes views.

use crate::error::{Error, Result};
use crate::log::debug;
use crate::private_file;
use crate::profile::Files;
use std::path::{Path, PathBuf};

/// The profile that holds `[default]`'s credential settings in the views.
pub(crate) const MOVED: &str = "runas-default";

/// Settings that make `[default]` a source of credentials for some SDK (botocore's and
/// the JavaScript SDK's default chains read each of them; the JavaScript SDK takes a
/// profile with any `sso_` setting, even `sso_region` alone, for an SSO profile).
const CREDENTIAL_SETTINGS: [&str; 20] = [
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
    "aws_credential_expiration",
    "aws_account_id",
    "role_arn",
    "source_profile",
    "credential_source",
    "role_session_name",
    "external_id",
    "duration_seconds",
    "web_identity_token_file",
    "credential_process",
    "sso_session",
    "sso_start_url",
    "sso_region",
    "sso_account_id",
    "sso_role_name",
    "login_session",
];

/// Kept in `[default]`, where runas reads it for roles that source from it, and copied
/// to [`MOVED`] with the role it protects.
const COPIED: &str = "mfa_serial";

/// The profile files a file's text was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Config,
    Credentials,
}

/// The two views, or None when `[default]` has no credential setting in either file.
pub(crate) fn without_default_credentials(
    config: &str,
    credentials: &str,
) -> Option<(String, String)> {
    let config = view(config, Kind::Config);
    let credentials = view(credentials, Kind::Credentials);
    (config.moved || credentials.moved).then_some((config.text, credentials.text))
}

struct View {
    text: String,
    moved: bool,
}

#[derive(Clone, Copy)]
enum Following {
    Kept,
    Moved,
    Copied,
}

/// One file's view: `[default]`'s credential settings (with their continuation lines)
/// moved to [`MOVED`] at the end, `source_profile = default` pointed there.
fn view(text: &str, kind: Kind) -> View {
    let mut kept = String::with_capacity(text.len());
    let mut moved = String::new();
    let mut copied = String::new();
    let mut in_default = false;
    // Where continuation lines go: after a moved property, with it; after a copied one,
    // to both places.
    let mut following = Following::Kept;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            in_default = is_default(trimmed, kind);
            following = Following::Kept;
            kept.push_str(line);
            continue;
        }
        let continuation = line.starts_with([' ', '\t']) && !trimmed.is_empty();
        if continuation {
            match following {
                Following::Moved => moved.push_str(&with_newline(line)),
                Following::Copied => {
                    copied.push_str(&with_newline(line));
                    kept.push_str(line);
                }
                Following::Kept => kept.push_str(line),
            }
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
            kept.push_str(line);
            continue;
        }
        following = Following::Kept;
        let Some((key, value)) = line.split_once('=') else {
            kept.push_str(line);
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        if in_default && CREDENTIAL_SETTINGS.contains(&key.as_str()) {
            moved.push_str(&with_newline(line));
            following = Following::Moved;
        } else if in_default && key == COPIED {
            copied.push_str(&with_newline(line));
            kept.push_str(line);
            following = Following::Copied;
        } else if !in_default && key == "source_profile" && names_default(value) {
            let at = line.len() - value.len();
            kept.push_str(&line[..at]);
            kept.push_str(&value.replacen("default", MOVED, 1));
        } else {
            kept.push_str(line);
        }
    }
    let any = !moved.is_empty();
    if any {
        if !kept.is_empty() && !kept.ends_with('\n') {
            kept.push('\n');
        }
        kept.push_str(match kind {
            Kind::Config => "[profile runas-default]\n",
            Kind::Credentials => "[runas-default]\n",
        });
        kept.push_str(&moved);
        kept.push_str(&copied);
    }
    View {
        text: kept,
        moved: any,
    }
}

fn with_newline(line: &str) -> String {
    if line.ends_with('\n') {
        line.to_owned()
    } else {
        format!("{line}\n")
    }
}

/// `[default]`, and in the config file `[profile default]` too (spaces inside the
/// brackets allowed, a comment after them).
fn is_default(header: &str, kind: Kind) -> bool {
    let Some(name) = header
        .strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .map(|(name, _)| name.trim())
    else {
        return false;
    };
    if name == "default" {
        return true;
    }
    kind == Kind::Config
        && name
            .strip_prefix("profile")
            .is_some_and(|rest| rest.starts_with([' ', '\t']) && rest.trim() == "default")
}

/// A `source_profile` value naming `default`, perhaps with a comment after it.
fn names_default(value: &str) -> bool {
    let value = value.trim();
    let word = value.split([' ', '\t']).next().unwrap_or_default();
    let rest = value[word.len()..].trim_start();
    word == "default" && (rest.is_empty() || rest.starts_with(['#', ';']))
}

/// The views on disk, removed when dropped.
#[derive(Debug)]
pub(crate) struct Views {
    dir: PathBuf,
    pub config: PathBuf,
    pub credentials: PathBuf,
}

impl Views {
    /// Writes the views of `files` under `cache_dir`, when `[default]` has credential
    /// settings; None otherwise.
    pub fn write(files: &Files, cache_dir: &Path) -> Result<Option<Views>> {
        let read = |path: &Path| match private_file::read_regular(path, 16 << 20) {
            Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(Error::Serve(format!(
                "cannot read {} to make the command's view of it: {e}",
                path.display()
            ))),
        };
        let (config, credentials) = (read(&files.config)?, read(&files.credentials)?);
        let Some((config, credentials)) = without_default_credentials(&config, &credentials) else {
            return Ok(None);
        };
        let parent = cache_dir.join("views");
        sweep(&parent);
        let dir = parent.join(std::process::id().to_string());
        let views = Views {
            config: dir.join("config"),
            credentials: dir.join("credentials"),
            dir,
        };
        let fail = |e: std::io::Error| {
            Error::Serve(format!(
                "cannot write the command's view of the profile files in {}: {e}",
                views.dir.display()
            ))
        };
        private_file::create_dir(&views.dir).map_err(fail)?;
        private_file::replace(&views.config, config.as_bytes()).map_err(fail)?;
        private_file::replace(&views.credentials, credentials.as_bytes()).map_err(fail)?;
        debug!(
            "[default] has credentials of its own: the command reads the profile files from {}",
            views.dir.display()
        );
        Ok(Some(views))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Views {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Removes views whose runas is gone (killed outright, so it could not remove them).
fn sweep(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let pid = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok());
        // SAFETY: kill(2) with signal 0 only checks that the process exists.
        let gone = pid.is_some_and(|pid| {
            pid > 0
                && unsafe { libc::kill(pid, 0) } != 0
                && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
        });
        if gone {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests;
