//! One sign-in or refresh per token file at a time, however many runs need it: a lock per
//! token file (`flock`, released by the kernel however its holder ends), and a short memo
//! of a failed sign-in, so that the runs that waited for it fail at once with its reason
//! instead of each opening the next browser.
//!
//! Both live in `.runas/` beside the token file, named after it.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// How long a sign-in may take: a person at a browser, not `RUNAS_TIMEOUT`.
pub const LOGIN_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// A failure this recent is the answer for a run that waited for it.
const MEMO_LIFE: Duration = Duration::from_secs(60);
const QUIET: Duration = Duration::from_millis(250);
const POLL: Duration = Duration::from_millis(50);
const MAX_MEMO: u64 = 1024;

/// The lock of one token file, held.
pub struct Held {
    _file: File,
    memo: PathBuf,
    /// Whether another run held it first (and may have done the work).
    pub waited: bool,
}

fn side(token: &Path, extension: &str) -> PathBuf {
    let name = token
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    super::parent(token)
        .join(".runas")
        .join(format!("{name}.{extension}"))
}

/// Takes the lock of `token`, waiting up to [`LOGIN_TIMEOUT`] for another run, and saying
/// once, on stderr, whom it waits for.
pub fn take(token: &Path, what: &str) -> Result<Held> {
    let path = side(token, "lock");
    let io = |e: std::io::Error| Error::File {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    crate::private_file::create_dir(super::parent(&path)).map_err(io)?;
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
        .map_err(io)?;
    let started = Instant::now();
    let mut announced = false;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        if !announced && started.elapsed() >= QUIET {
            announced = true;
            eprintln!(
                "runas: another runas ({}) is signing in to IAM Identity Center for {what}; waiting for it (at most {}m)",
                holder(&mut file),
                LOGIN_TIMEOUT.as_secs() / 60
            );
        }
        if started.elapsed() >= LOGIN_TIMEOUT {
            return Err(Error::Credentials {
                what: what.to_owned(),
                message: format!(
                    "gave up waiting for {} to sign in after {}m; if it is stuck, end it",
                    holder(&mut file),
                    LOGIN_TIMEOUT.as_secs() / 60
                ),
            });
        }
        std::thread::sleep(POLL);
    }
    let pid = std::process::id().to_string();
    let _ = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(pid.as_bytes()));
    Ok(Held {
        _file: file,
        memo: side(token, "failed"),
        waited: started.elapsed() >= POLL,
    })
}

fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file
        .rewind()
        .and_then(|()| (&*file).take(32).read_to_string(&mut text));
    match text.trim().parse::<u32>() {
        Ok(pid) => format!("pid {pid}"),
        Err(_) => "another process".to_owned(),
    }
}

impl Held {
    /// The reason a sign-in failed less than a minute ago, if one did.
    pub fn recent_failure(&self) -> Option<String> {
        let meta = std::fs::symlink_metadata(&self.memo).ok()?;
        let age = SystemTime::now()
            .duration_since(meta.modified().ok()?)
            .unwrap_or_default();
        if age > MEMO_LIFE || !meta.is_file() {
            return None;
        }
        let bytes = crate::sso::read_bounded(&self.memo, MAX_MEMO).ok()?;
        Some(crate::text::escape(String::from_utf8_lossy(&bytes).trim()))
    }

    /// Leaves the reason a sign-in failed, for the runs waiting behind this one.
    pub fn remember_failure(&self, reason: &str) {
        let reason: String = reason.chars().take(MAX_MEMO as usize / 2).collect();
        let _ = crate::private_file::replace(&self.memo, reason.as_bytes());
    }

    pub fn forget_failure(&self) {
        let _ = std::fs::remove_file(&self.memo);
    }
}
