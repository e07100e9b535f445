//! Waiting for another run that is fetching the same step: visible and bounded.
//!
//! The lock is `flock` on a file in the cache directory, so the kernel releases it when its
//! holder exits, however it exits: a run killed with -9 leaves nothing to wait for. The
//! holder writes its pid into the file, so that a run that waits can say whom it waits for.
//! A holder whose MFA code STS refused leaves a note there instead: the runs that waited
//! for it then stop too, rather than each asking for a code in turn.

use crate::deadline;
use crate::error::{Error, Result};
use crate::log::warning;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;
use std::time::{Duration, Instant};

/// A run waiting longer than this says so.
const QUIET: Duration = Duration::from_millis(250);
const POLL: Duration = Duration::from_millis(25);

/// What a holder whose code STS refused leaves in the lock file.
const REFUSED: &str = "refused";

/// A held lock; released when dropped (or when the process ends).
pub struct Held {
    file: File,
    /// The holder this run waited for had its MFA code refused.
    refused_before: bool,
}

impl Held {
    /// Whether the run this one waited for had its MFA code refused by STS.
    pub(crate) fn refused_before(&self) -> bool {
        self.refused_before
    }

    /// Leaves the note that STS refused this run's MFA code, for the runs waiting.
    pub(crate) fn note_refusal(&mut self) {
        let _ = self
            .file
            .set_len(0)
            .and_then(|()| self.file.rewind())
            .and_then(|()| self.file.write_all(REFUSED.as_bytes()));
    }
}

/// Takes the lock at `path` for `step` (a description for messages), waiting at most
/// `wait` for another holder (`None`: `RUNAS_TIMEOUT`). A lock file that cannot be used is
/// a warning, and the run goes on without it: at worst two runs fetch the same step.
pub(crate) fn acquire(path: &Path, step: &str, wait: Option<Duration>) -> Result<Option<Held>> {
    let mut file = match open(path) {
        Ok(file) => file,
        Err(e) => {
            warning!(
                "cannot use lock file {}: {e}; going on without it",
                path.display()
            );
            return Ok(None);
        }
    };
    let started = Instant::now();
    let deadline = started + wait.unwrap_or_else(deadline::timeout);
    let (limit, longer) = match wait {
        None => (
            deadline::describe(),
            "wait longer with a larger RUNAS_TIMEOUT",
        ),
        Some(wait) => (format!("{}s", wait.as_secs()), "try again later"),
    };
    let mut announced = false;
    let mut waited = false;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) => waited = true,
            Err(TryLockError::Error(e)) => {
                warning!("cannot lock {}: {e}; going on without it", path.display());
                return Ok(None);
            }
        }
        if !announced && started.elapsed() >= QUIET {
            announced = true;
            eprintln!(
                "runas: waiting for {}, which is fetching {step} (at most {limit})",
                holder(&mut file),
            );
        }
        if Instant::now() >= deadline {
            return Err(Error::Credentials {
                what: step.to_owned(),
                message: format!(
                    "gave up waiting for {} after {limit}; if it is stuck, end it, or {longer}",
                    holder(&mut file),
                ),
            });
        }
        std::thread::sleep(POLL);
    }
    // Only a note left while this run waited counts: the next holder overwrites it.
    let refused_before = waited && note(&mut file) == REFUSED;
    // Marks the lock as in use (for pruning), and says who holds it.
    let _ = file.set_modified(std::time::SystemTime::now());
    let pid = std::process::id().to_string();
    let _ = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(pid.as_bytes()));
    Ok(Some(Held {
        file,
        refused_before,
    }))
}

/// What the last holder wrote: its pid, or the refusal note.
fn note(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file
        .rewind()
        .and_then(|()| file.take(64).read_to_string(&mut text));
    text.trim().to_owned()
}

/// Opens (or creates, 0600) the lock file without following a symlink planted in its
/// place, and refuses one that is not a plain file of this user's.
fn open(path: &Path) -> std::io::Result<File> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    let meta = file.metadata()?;
    // SAFETY: geteuid cannot fail.
    let me = unsafe { libc::geteuid() };
    if !meta.is_file() || meta.uid() != me {
        return Err(std::io::Error::other(format!(
            "it is not a plain file of user {me}"
        )));
    }
    Ok(file)
}

/// "runas (pid 1234)", from what the holder wrote.
fn holder(file: &mut File) -> String {
    match note(file).parse::<u32>() {
        Ok(pid) => format!("another runas (pid {pid})"),
        Err(_) => "another runas".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_holder_writes_its_pid_and_symlinks_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.lock");
        let held = acquire(&path, "step", None).unwrap();
        assert!(held.is_some());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            std::process::id().to_string()
        );
        drop(held);
        let link = dir.path().join("b.lock");
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), &link).unwrap();
        assert!(open(&link).is_err());
        assert!(!dir.path().join("elsewhere").exists());
    }

    #[test]
    fn the_caller_chooses_how_long_to_wait() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.lock");
        let _held = acquire(&path, "step", None).unwrap().unwrap();
        // flock locks belong to the open file, so a second open in this process waits.
        let started = Instant::now();
        let err = match acquire(&path, "a sign-in", Some(Duration::from_secs(1))) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("the lock was taken twice"),
        };
        assert!(started.elapsed() >= Duration::from_secs(1));
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(err.contains("after 1s"), "{err}");
        assert!(
            err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
    }

    #[test]
    fn a_refusal_is_seen_only_by_a_run_that_waited_for_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.lock");
        let mut first = acquire(&path, "step", None).unwrap().unwrap();
        assert!(!first.refused_before());
        let waiter = {
            let path = path.clone();
            std::thread::spawn(move || {
                acquire(&path, "step", None)
                    .unwrap()
                    .unwrap()
                    .refused_before()
            })
        };
        std::thread::sleep(Duration::from_millis(100));
        first.note_refusal();
        drop(first);
        assert!(
            waiter.join().unwrap(),
            "the run that waited sees the refusal"
        );
        let mut again = acquire(&path, "step", None).unwrap().unwrap();
        assert!(
            !again.refused_before(),
            "a later run that did not wait asks anew"
        );
        again.note_refusal();
        drop(again);
        assert!(
            !acquire(&path, "step", None)
                .unwrap()
                .unwrap()
                .refused_before()
        );
    }
}
