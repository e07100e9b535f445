//! One way to keep a cached, refreshable thing in a file shared by many processes: look it
//! up, and on a miss lock, look again (another process may have fetched it meanwhile),
//! fetch, and store it whole. Credential steps and ECR tokens go through it; so does anything
//! else that is fetched once and read by every run until it goes stale.
//!
//! The primitive knows files and bytes, not formats: the caller says where the thing lives
//! and where its lock is (a file of runas's cache directory, or one another tool shares,
//! such as a sign-in cache), how to judge the bytes found there ([`Look`]) and how to fetch
//! new ones. What it guarantees is the same for all of them: the file is read only when it
//! is private ([`private_file::read_private`]); a damaged or foreign file is a miss, warned
//! about once per run; concurrent misses make one fetch, and the runs that wait say whom
//! they wait for, within a deadline the caller chooses; the file is replaced by rename, so
//! a reader sees the old bytes or the new ones. A failure may be remembered for a while
//! ([`Slot::remember_failures`]), so that the runs that waited for it, and those that come
//! soon after, report it instead of repeating it (an MFA prompt, a browser sign-in).

mod lock;

use crate::error::{Error, Result};
use crate::log::{debug, warning};
use crate::private_file;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The most of a file the primitive reads unless the caller says otherwise.
const LIMIT: u64 = 1 << 20;

/// What the caller makes of the bytes in the file.
pub(crate) enum Look<T> {
    /// Good, and fresh enough to use.
    Fresh(T),
    /// Whole, but not the answer: stale, or another key's. Said at debug level.
    Miss(String),
    /// Not what this file should hold: warned about (once), then fetched anew.
    Corrupt(String),
}

/// What a fetch gives: the value, and the bytes to store for the next run (`None`: nothing
/// to keep, such as credentials without an expiry).
pub(crate) struct Fetched<T> {
    pub value: T,
    pub bytes: Option<Vec<u8>>,
}

/// Where one cached thing lives, and how to wait for it.
#[derive(Debug, Clone)]
pub(crate) struct Slot {
    file: PathBuf,
    lock: PathBuf,
    what: String,
    wait: Option<Duration>,
    limit: u64,
    memo: Option<(PathBuf, Duration)>,
}

/// A failure remembered for the runs that come after it.
#[derive(Serialize, Deserialize)]
struct Memo {
    pid: u32,
    /// Seconds since the epoch.
    failed_at: u64,
    reason: String,
}

impl Slot {
    /// The thing in `file`, locked through `lock`, described as `what` in messages ("role
    /// arn:… of profile `prod`"). Waits for another holder at most `RUNAS_TIMEOUT`.
    pub fn new(file: PathBuf, lock: PathBuf, what: impl Into<String>) -> Slot {
        Slot {
            file,
            lock,
            what: what.into(),
            wait: None,
            limit: LIMIT,
            memo: None,
        }
    }

    /// Waits for another holder of the lock at most `wait` (a sign-in in a browser takes
    /// minutes, not `RUNAS_TIMEOUT`).
    pub fn wait(mut self, wait: Duration) -> Slot {
        self.wait = Some(wait);
        self
    }

    /// Reads at most `limit` bytes of the file; a larger file is damaged.
    pub fn limit(mut self, limit: u64) -> Slot {
        self.limit = limit;
        self
    }

    /// Remembers a failed fetch in `memo` (a private file) for `period`: a run that gets the
    /// lock within it reports the failure instead of fetching again.
    pub(crate) fn remember_failures(mut self, memo: PathBuf, period: Duration) -> Slot {
        self.memo = Some((memo, period));
        self
    }

    /// The file the thing lives in.
    #[cfg(test)]
    fn file(&self) -> &Path {
        &self.file
    }

    /// The thing, if the file holds a fresh one; no lock, no fetch (the warm path).
    pub fn peek<T>(&self, judge: impl Fn(&[u8]) -> Look<T>) -> Option<T> {
        let bytes = match private_file::read_private(&self.file, self.limit) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                warn_once(&self.file, || {
                    format!(
                        "not using {} for {}: {e}; fetching anew",
                        self.file.display(),
                        self.what
                    )
                });
                return None;
            }
        };
        match judge(&bytes) {
            Look::Fresh(value) => Some(value),
            Look::Miss(why) => {
                debug!("{} in {}: {why}", self.what, self.file.display());
                None
            }
            Look::Corrupt(why) => {
                warn_once(&self.file, || {
                    format!(
                        "{} is corrupt ({why}); fetching {} anew",
                        self.file.display(),
                        self.what
                    )
                });
                None
            }
        }
    }

    /// The thing: from the file if it is fresh there (unless `renew`), else fetched by this
    /// run or by the one it waits for, and stored. `renew` fetches even when the file holds
    /// a fresh one, and does not read a remembered failure.
    pub fn get<T>(
        &self,
        renew: bool,
        judge: impl Fn(&[u8]) -> Look<T>,
        fetch: impl FnOnce() -> Result<Fetched<T>>,
    ) -> Result<T> {
        if !renew && let Some(value) = self.peek(&judge) {
            debug!("cache hit: {}", self.what);
            return Ok(value);
        }
        let mut lock = self.lock()?;
        if !renew {
            // Another run may have fetched it, or failed to, while this one waited.
            if let Some(value) = self.peek(&judge) {
                debug!("cache hit after waiting: {}", self.what);
                return Ok(value);
            }
            self.recall_failure()?;
        }
        // Parallel runs of one profile (`make -j`) ask for one new MFA code, not one each:
        // a run that waited while the holder's code was refused stops too, and leaves the
        // note for the runs still waiting behind it.
        if let Some(held) = lock.as_mut().filter(|held| held.refused_before()) {
            held.note_refusal();
            return Err(Error::MfaRefused(format!(
                "{}: STS refused the MFA code of another runas that was fetching the same \
                 credentials while this one waited; run again and give a new code",
                self.what
            )));
        }
        match fetch() {
            Ok(fetched) => {
                if let Some(bytes) = &fetched.bytes {
                    self.store(bytes);
                }
                self.forget_failure();
                Ok(fetched.value)
            }
            Err(e) => {
                if let (Error::MfaRefused(_), Some(held)) = (&e, lock.as_mut()) {
                    held.note_refusal();
                }
                self.remember_failure(&e);
                Err(e)
            }
        }
    }

    /// Holds the lock, creating its directory (0700) if need be. A directory that cannot
    /// hold it costs a duplicate fetch at worst, not this run.
    fn lock(&self) -> Result<Option<lock::Held>> {
        if let Err(e) = prepare_dir(&self.lock) {
            warning!(
                "cannot use lock file {}: {e}; going on without it",
                self.lock.display()
            );
            return Ok(None);
        }
        lock::acquire(&self.lock, &self.what, self.wait)
    }

    /// Replaces the file; one that cannot be written costs a later fetch, not this run.
    fn store(&self, bytes: &[u8]) {
        let written =
            prepare_dir(&self.file).and_then(|()| private_file::replace(&self.file, bytes));
        match written {
            Ok(()) => debug!("cached {} in {}", self.what, self.file.display()),
            Err(e) => warning!("cannot cache {} in {}: {e}", self.what, self.file.display()),
        }
    }

    /// A failure another run remembered, still within its period, as this run's error.
    fn recall_failure(&self) -> Result<()> {
        let Some((path, period)) = &self.memo else {
            return Ok(());
        };
        let Ok(bytes) = private_file::read_private(path, 64 * 1024) else {
            return Ok(());
        };
        let Ok(memo) = serde_json::from_slice::<Memo>(&bytes) else {
            return Ok(());
        };
        let age = now_secs().saturating_sub(memo.failed_at);
        if age >= period.as_secs() || memo.failed_at > now_secs() + 1 {
            return Ok(());
        }
        Err(Error::Credentials {
            what: self.what.clone(),
            message: format!(
                "{} (what runas pid {} got {age}s ago; it is tried again in {}s)",
                memo.reason,
                memo.pid,
                period.as_secs() - age
            ),
        })
    }

    fn remember_failure(&self, error: &Error) {
        let Some((path, _)) = &self.memo else { return };
        let memo = Memo {
            pid: std::process::id(),
            failed_at: now_secs(),
            reason: error.to_string(),
        };
        let written = serde_json::to_vec(&memo)
            .map_err(std::io::Error::from)
            .and_then(|bytes| prepare_dir(path).and_then(|()| private_file::replace(path, &bytes)));
        if let Err(e) = written {
            debug!("cannot remember the failure in {}: {e}", path.display());
        }
    }

    fn forget_failure(&self) {
        if let Some((path, _)) = &self.memo {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Creates the directory of `file` (0700) if need be, and checks it again: another user may
/// have made it first.
fn prepare_dir(file: &Path) -> std::io::Result<()> {
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    private_file::create_dir(dir)?;
    match private_file::distrust_dir(dir) {
        Some(why) => Err(std::io::Error::other(format!("{}: {why}", dir.display()))),
        None => Ok(()),
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// A damaged file is read at every level, retry and refresh of a run: it is said once.
fn warn_once(path: &Path, message: impl FnOnce() -> String) {
    static WARNED: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);
    let first = match WARNED.lock() {
        Ok(mut warned) => warned.get_or_insert_default().insert(path.to_owned()),
        Err(_) => true,
    };
    if first {
        warning!("{}", message());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::os::unix::fs::PermissionsExt;

    fn judge(bytes: &[u8]) -> Look<String> {
        match std::str::from_utf8(bytes) {
            Ok("stale") => Look::Miss("stale".into()),
            Ok(text) if text.starts_with('{') => Look::Corrupt("braces".into()),
            Ok(text) => Look::Fresh(text.to_owned()),
            Err(e) => Look::Corrupt(e.to_string()),
        }
    }

    fn fetched(text: &str) -> Result<Fetched<String>> {
        Ok(Fetched {
            value: text.to_owned(),
            bytes: Some(text.as_bytes().to_vec()),
        })
    }

    fn slot(dir: &Path) -> Slot {
        Slot::new(
            dir.join("sub/thing.json"),
            dir.join("sub/thing.lock"),
            "a thing",
        )
    }

    #[test]
    fn a_miss_fetches_and_stores_privately_and_a_hit_does_not_fetch() {
        let dir = tempfile::tempdir().unwrap();
        let slot = slot(dir.path());
        let calls = Cell::new(0);
        let fetch = || {
            calls.set(calls.get() + 1);
            fetched("v1")
        };
        assert_eq!(slot.get(false, judge, fetch).unwrap(), "v1");
        let mode = std::fs::metadata(slot.file()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let fetch = || {
            calls.set(calls.get() + 1);
            fetched("v2")
        };
        assert_eq!(slot.get(false, judge, fetch).unwrap(), "v1");
        assert_eq!(calls.get(), 1);
        assert_eq!(slot.get(true, judge, || fetched("v3")).unwrap(), "v3");
        std::fs::write(slot.file(), "stale").unwrap();
        assert_eq!(slot.get(false, judge, || fetched("v4")).unwrap(), "v4");
        std::fs::write(slot.file(), "{").unwrap();
        assert_eq!(slot.get(false, judge, || fetched("v5")).unwrap(), "v5");
    }

    #[test]
    fn a_file_others_can_read_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let slot = slot(dir.path());
        slot.get(false, judge, || fetched("mine")).unwrap();
        std::fs::set_permissions(slot.file(), std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(slot.peek(judge), None);
        assert_eq!(slot.get(false, judge, || fetched("new")).unwrap(), "new");
        assert_eq!(
            slot.peek(judge).as_deref(),
            Some("new"),
            "stored 0600 again"
        );
    }

    #[test]
    fn a_remembered_failure_is_reported_until_its_period_ends() {
        let dir = tempfile::tempdir().unwrap();
        let memo = dir.path().join("sub/thing.failed");
        let slot = slot(dir.path()).remember_failures(memo.clone(), Duration::from_secs(60));
        let failing =
            || -> Result<Fetched<String>> { Err(Error::Mfa("the sign-in was cancelled".into())) };
        assert!(slot.get(false, judge, failing).is_err());
        let calls = Cell::new(0);
        let err = slot
            .get(false, judge, || {
                calls.set(1);
                fetched("x")
            })
            .unwrap_err()
            .to_string();
        assert_eq!(calls.get(), 0, "not fetched again");
        assert!(err.contains("the sign-in was cancelled"), "{err}");
        assert!(
            err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        // Renewing on purpose tries again, and success forgets the failure.
        assert_eq!(slot.get(true, judge, || fetched("ok")).unwrap(), "ok");
        assert!(!memo.exists());
        // An old failure is not reported.
        let old = Memo {
            pid: 1,
            failed_at: now_secs() - 61,
            reason: "old".into(),
        };
        private_file::replace(&memo, &serde_json::to_vec(&old).unwrap()).unwrap();
        std::fs::remove_file(slot.file()).unwrap();
        assert_eq!(
            slot.get(false, judge, || fetched("again")).unwrap(),
            "again"
        );
    }

    #[test]
    fn a_waiter_gives_up_at_the_deadline_it_was_given() {
        let dir = tempfile::tempdir().unwrap();
        let slot = slot(dir.path());
        let (fetching, started) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            s.spawn(|| {
                slot.get(false, judge, || {
                    fetching.send(()).unwrap();
                    std::thread::sleep(Duration::from_millis(2500));
                    fetched("slow")
                })
                .unwrap();
            });
            started.recv().unwrap();
            let waiter = slot.clone().wait(Duration::from_secs(1));
            let err = waiter
                .get(false, judge, || fetched("never"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("after 1s"), "{err}");
            assert!(err.contains("a thing"), "{err}");
        });
    }

    #[test]
    fn concurrent_misses_make_one_fetch() {
        let dir = tempfile::tempdir().unwrap();
        let slot = slot(dir.path());
        let calls = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    let got = slot
                        .get(false, judge, || {
                            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(100));
                            fetched("once")
                        })
                        .unwrap();
                    assert_eq!(got, "once");
                });
            }
        });
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}
