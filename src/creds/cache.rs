//! The credential cache: one file per chain step, shared by every `runas` process.
//!
//! A step's key is derived from the plan alone (the root's identity and every step's
//! parameters), so the warm path finds the last step's entry without touching anything
//! before it. Entries are read, locked and written through [`super::single_flight`]: a
//! reader sees a whole entry or none; an entry that is not private, or cannot be parsed, is
//! a miss, with a warning; concurrent runs that miss wait for the one that is fetching.

use super::Credentials;
use super::key::Key;
use crate::credentials::{parse_rfc3339, rfc3339};
use crate::log::{debug, warning};
use crate::private_file;
use crate::secret::Secret;
use crate::single_flight::{Look, Slot};
use crate::variables::{
    HOME, RUNAS_CACHE_DIR, RUNAS_REFRESH_MARGIN, XDG_CACHE_HOME, XDG_RUNTIME_DIR,
};
use aws_types::os_shim_internal::Env;
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Entries are refreshed this long before they expire, so a command started with them has
/// time to finish its work. `RUNAS_REFRESH_MARGIN` changes it (a long-running server's
/// tests set it close to the credentials' lifetime, to see refreshes within seconds).
pub(crate) const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);
/// An entry is a few hundred bytes; anything much larger is not one.
const MAX_ENTRY: u64 = 64 * 1024;
/// The extension of credential entries.
pub(crate) const ENTRY: &str = "json";

/// The cache, or none: a directory that is not the user's own is not used at all.
pub struct Cache {
    dir: Option<PathBuf>,
    margin: Duration,
}

/// One entry on disk. The key is stored in full and compared on read, so two keys that
/// share a file name can never hand out each other's credentials.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Entry {
    key: String,
    /// What the step was, for a person looking in the directory.
    description: String,
    access_key_id: String,
    secret_access_key: Secret,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    session_token: Option<Secret>,
    expiration: String,
    /// When it was fetched, so that the margin can be kept below its lifetime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issued: Option<String>,
    /// Absent in entries written before runas knew accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account_id: Option<String>,
}

impl Cache {
    /// `RUNAS_CACHE_DIR`, else `$XDG_CACHE_HOME/runas`, else `~/.cache/runas`; without
    /// HOME, `$XDG_RUNTIME_DIR/runas` if that is the user's private directory, else none.
    /// A directory that another user owns or can write is not used (with a warning).
    pub(crate) fn locate(env: &Env) -> Self {
        let var = |k: &str| env.get(k).ok().filter(|v| !v.is_empty());
        let dir = var(RUNAS_CACHE_DIR.name)
            .map(PathBuf::from)
            .or_else(|| var(XDG_CACHE_HOME.name).map(|d| Path::new(&d).join("runas")))
            .or_else(|| var(HOME.name).map(|h| Path::new(&h).join(".cache").join("runas")))
            .or_else(|| {
                let runtime = PathBuf::from(var(XDG_RUNTIME_DIR.name)?);
                let private = fs::metadata(&runtime)
                    .is_ok_and(|m| m.is_dir() && private_file::distrust(&m).is_none());
                private.then(|| runtime.join("runas"))
            });
        if dir.is_none() {
            debug!("no HOME and no private XDG_RUNTIME_DIR: running without a cache");
        }
        Cache {
            dir: dir.filter(|d| trusted(d)),
            margin: refresh_margin(var(RUNAS_REFRESH_MARGIN.name).as_deref()),
        }
    }

    /// How long before their expiry entries count as stale.
    pub fn margin(&self) -> Duration {
        self.margin
    }

    /// The margin for credentials that live `lifetime` (when it is known): below it. A
    /// margin as long as the credentials live would make each of them stale on arrival (an
    /// STS call and an MFA code for every run and every request), so such a margin is
    /// taken as half the lifetime. A margin just below it is a choice (the tests of the
    /// credential servers refresh every few seconds that way) and stays.
    pub(crate) fn margin_within(&self, lifetime: Option<Duration>) -> Duration {
        margin_within(self.margin, lifetime)
    }

    /// The directory, when there is a cache.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The file of `key` with `extension`: other caches (ECR tokens) share the directory,
    /// its naming and its pruning. None without a cache.
    pub fn path(&self, key: &Key, extension: &str) -> Option<PathBuf> {
        Some(self.dir()?.join(key.file_name(extension)))
    }

    /// Where `key`'s thing with `extension` lives and is locked, for [`Slot::get`]. None
    /// without a cache.
    pub(crate) fn slot(&self, key: &Key, extension: &str) -> Option<Slot> {
        Some(
            Slot::new(
                self.path(key, extension)?,
                self.path(key, "lock")?,
                key.description(),
            )
            .limit(MAX_ENTRY),
        )
    }

    /// The credentials entry of `key`.
    pub(crate) fn entry_slot(&self, key: &Key) -> Option<Slot> {
        self.slot(key, ENTRY)
    }

    /// The entry for `key` if it is there, private, whole, and good for the refresh margin
    /// more.
    pub fn fresh(&self, key: &Key) -> Option<Credentials> {
        self.entry_slot(key)?
            .peek(|bytes| Cache::judge(key, self.margin, bytes))
    }

    /// What the bytes of `key`'s entry are worth, for a refresh margin of `margin`.
    pub(crate) fn judge(key: &Key, margin: Duration, bytes: &[u8]) -> Look<Credentials> {
        let entry: Entry = match serde_json::from_slice(bytes) {
            Ok(entry) => entry,
            Err(e) => return Look::Corrupt(format!("not a cache entry: {e}")),
        };
        if entry.key != key.text() {
            return Look::Miss("the entry belongs to another step".into());
        }
        let Some(expiration) = parse_rfc3339(&entry.expiration) else {
            return Look::Corrupt("no valid expiry".into());
        };
        let credentials = Credentials {
            access_key_id: entry.access_key_id,
            secret_access_key: entry.secret_access_key,
            session_token: entry.session_token,
            expiration: Some(expiration),
            account_id: entry.account_id,
        };
        if let Some(why) = credentials.problem() {
            return Look::Corrupt(format!("bad values: {why}"));
        }
        let lifetime = entry
            .issued
            .as_deref()
            .and_then(parse_rfc3339)
            .and_then(|issued| expiration.duration_since(issued).ok());
        if credentials.fresh_for(margin_within(margin, lifetime)) {
            Look::Fresh(credentials)
        } else {
            Look::Miss("about to expire".into())
        }
    }

    /// The bytes of `key`'s entry for `credentials`; none for credentials without an expiry,
    /// which are not cached.
    pub fn entry(key: &Key, credentials: &Credentials) -> Option<Vec<u8>> {
        let entry = Entry {
            key: key.text().to_owned(),
            description: key.description().to_owned(),
            access_key_id: credentials.access_key_id.clone(),
            secret_access_key: credentials.secret_access_key.clone(),
            session_token: credentials.session_token.clone(),
            expiration: rfc3339(credentials.expiration?),
            issued: Some(rfc3339(std::time::SystemTime::now())),
            account_id: credentials.account_id.clone(),
        };
        serde_json::to_vec(&entry).ok()
    }

    /// Saves an entry, as a fetch does.
    #[cfg(test)]
    fn store(&self, key: &Key, credentials: &Credentials) {
        let slot = self.entry_slot(key).unwrap();
        let fetched = || {
            Ok(crate::single_flight::Fetched {
                value: (),
                bytes: Cache::entry(key, credentials),
            })
        };
        slot.get(true, |_| Look::Miss(String::new()), fetched)
            .unwrap();
    }

    /// Removes entries, ECR tokens, plan notes and lock files nobody has touched for two days: STS
    /// grants at most 36 hours, so the entries can only be expired, and the keys that named
    /// them may never come again. Taking a lock touches its file. (Should a run open an
    /// old lock file just as it is removed, two runs may fetch the same step once: a
    /// duplicate call, not a wrong answer.)
    pub(crate) fn prune(&self) {
        let Some(dir) = self.dir() else { return };
        private_file::sweep(dir);
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        let old = std::time::SystemTime::now() - Duration::from_secs(48 * 3600);
        for entry in entries.flatten() {
            let path = entry.path();
            let ours = path.extension().is_some_and(|x| {
                ["json", "plan", "lock", "token", "failed"]
                    .iter()
                    .any(|e| x == *e)
            });
            let stale = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t < old);
            if ours && stale && fs::remove_file(&path).is_ok() {
                debug!("removed stale cache file {}", path.display());
            }
        }
    }

    /// Removes every entry of the `kinds` named (credentials, [`ENTRY`], and whatever else
    /// slots of this cache hold under keys derived from them, such as registry tokens)
    /// whose key has a line `matches` accepts (a key is the endpoint, the root's identity,
    /// then each step, a line each), so that nothing made from a root outlives it (`runas
    /// sso logout`); how many went. Nothing else in the directory is read: not the locks,
    /// the warm path's notes, a store's temporary file, or another program's files.
    pub(crate) fn forget(&self, kinds: &[&str], matches: impl Fn(&str) -> bool) -> usize {
        /// What every entry of a slot holds, whatever else it holds.
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Keyed {
            key: String,
            description: String,
        }
        let Some(dir) = self.dir() else { return 0 };
        let Ok(entries) = fs::read_dir(dir) else {
            return 0;
        };
        let mut removed = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            if !path
                .extension()
                .is_some_and(|x| kinds.iter().any(|k| x == *k))
            {
                continue;
            }
            let Ok(bytes) = private_file::read_private(&path, MAX_ENTRY) else {
                continue;
            };
            let Ok(found) = serde_json::from_slice::<Keyed>(&bytes) else {
                continue;
            };
            if found.key.lines().any(&matches) && fs::remove_file(&path).is_ok() {
                debug!("removed {} ({})", path.display(), found.description);
                removed += 1;
            }
        }
        removed
    }

    /// Creates the directory (0700), and checks it again: another user may have made it
    /// between `locate` and now. (Runs create it through their slots; tests write entries
    /// by hand.)
    #[cfg(test)]
    fn ensure_dir(&self) -> std::io::Result<()> {
        let Some(dir) = self.dir() else {
            return Err(std::io::Error::other("no cache directory"));
        };
        private_file::create_dir(dir)?;
        match private_file::distrust_dir(dir) {
            Some(why) => Err(std::io::Error::other(why)),
            None => Ok(()),
        }
    }

    /// Raw bytes in place of an entry, to test how damaged entries are read.
    #[cfg(test)]
    fn write_test_entry(&self, key: &Key, contents: &[u8]) -> std::io::Result<()> {
        self.ensure_dir()?;
        private_file::replace(&self.path(key, "json").unwrap(), contents)
    }
}

/// `RUNAS_REFRESH_MARGIN`, else [`REFRESH_MARGIN`]. A value that does not parse is
/// reported and the default used: a margin is a tuning knob, not a reason to stop.
fn refresh_margin(value: Option<&str>) -> Duration {
    let Some(text) = value else {
        return REFRESH_MARGIN;
    };
    match crate::duration::parse(text) {
        Ok(margin) => margin,
        Err(message) => {
            warning!("RUNAS_REFRESH_MARGIN: {message}; using 5m");
            REFRESH_MARGIN
        }
    }
}

/// `margin`, or half of `lifetime` when the margin is not below it; the first time, with
/// a warning.
fn margin_within(margin: Duration, lifetime: Option<Duration>) -> Duration {
    static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let Some(half) = lifetime.filter(|l| margin >= *l).map(|l| l / 2) else {
        return margin;
    };
    if !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        let display = |d: Duration| {
            crate::duration::display(Duration::from_secs(d.as_secs_f64().round() as u64))
        };
        warning!(
            "the refresh margin (RUNAS_REFRESH_MARGIN, {}) is not below the lifetime of \
             credentials that live {}; using half of it ({}) for them, else they would be \
             fetched anew on every use",
            display(margin),
            display(half * 2),
            display(half)
        );
    }
    half
}

/// Whether `dir` may hold the cache; says why not, once per run.
fn trusted(dir: &Path) -> bool {
    static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let Some(why) = private_file::distrust_dir(dir) else {
        return true;
    };
    if !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        warning!(
            "not using the cache directory {}: {why}; running without the cache",
            dir.display()
        );
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::creds::key::test_key;
    use std::os::unix::fs::PermissionsExt;
    use std::time::SystemTime;

    fn creds(expires_in: u64) -> Credentials {
        Credentials {
            access_key_id: "ASIAEXAMPLE00000".into(),
            secret_access_key: "secret".into(),
            session_token: Some("token".into()),
            expiration: Some(SystemTime::now() + Duration::from_secs(expires_in)),
            account_id: None,
        }
    }

    /// What `sso logout` removes: the sign-in's credentials and the entries of other kinds
    /// keyed under them (a registry token), nothing of another sign-in, and no file of a
    /// kind not named: a lock, a warm-path note, a store's temporary file, a stranger's.
    #[test]
    fn forget_removes_the_named_kinds_of_a_root_only() {
        let home = tempfile::tempdir().unwrap();
        let cache = Cache {
            dir: Some(home.path().join("cache")),
            margin: REFRESH_MARGIN,
        };
        let ours = test_key("endpoint\nsso ours\nrole A");
        let theirs = test_key("endpoint\nsso theirs\nrole A");
        cache.store(&ours, &creds(3600));
        cache.store(&theirs, &creds(3600));
        let token = ours.derived("registry token ecr us-east-1", "token".into());
        let token_bytes = serde_json::to_vec(&serde_json::json!({
            "Key": token.text(), "Description": "token", "Password": "p"
        }))
        .unwrap();
        private_file::replace(&cache.path(&token, "token").unwrap(), &token_bytes).unwrap();
        let dir = cache.dir().unwrap().to_owned();
        let keyed = format!("{{\"Key\": {:?}, \"Description\": \"x\"}}", ours.text());
        let bystanders = [".a.json.runas-tmp-AbCd", "b.plan", "c.lock", "d.other"];
        for name in bystanders {
            private_file::replace(&dir.join(name), keyed.as_bytes()).unwrap();
        }
        let forgotten = cache.forget(&[ENTRY, "token"], |line| line == "sso ours");
        assert_eq!(forgotten, 2);
        assert!(cache.fresh(&ours).is_none());
        assert!(!cache.path(&token, "token").unwrap().exists());
        assert!(cache.fresh(&theirs).is_some());
        for name in bystanders {
            assert!(dir.join(name).exists(), "{name}");
        }
    }

    #[test]
    fn entries_round_trip_with_private_modes() {
        let home = tempfile::tempdir().unwrap();
        let cache = Cache {
            dir: Some(home.path().join("cache")),
            margin: REFRESH_MARGIN,
        };
        assert!(cache.fresh(&test_key("k")).is_none());
        cache.store(&test_key("k"), &creds(3600));
        let got = cache.fresh(&test_key("k")).unwrap();
        assert_eq!(got.access_key_id, "ASIAEXAMPLE00000");
        let dir_mode = fs::metadata(cache.dir().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dir_mode, 0o700);
        let file_mode = fs::metadata(cache.path(&test_key("k"), "json").unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(file_mode, 0o600);
    }

    #[test]
    fn stale_corrupt_and_foreign_entries_are_misses() {
        let home = tempfile::tempdir().unwrap();
        let cache = Cache {
            dir: Some(home.path().to_owned()),
            margin: REFRESH_MARGIN,
        };
        // Fetched an hour ago, a minute left.
        let issued = SystemTime::now() - Duration::from_secs(3540);
        let entry = Entry {
            key: test_key("soon").text().to_owned(),
            description: "soon".into(),
            access_key_id: "ASIAEXAMPLE00000".into(),
            secret_access_key: "secret".into(),
            session_token: None,
            expiration: rfc3339(issued + Duration::from_secs(3600)),
            issued: Some(rfc3339(issued)),
            account_id: None,
        };
        let bytes = serde_json::to_vec(&entry).unwrap();
        cache.write_test_entry(&test_key("soon"), &bytes).unwrap();
        assert!(
            cache.fresh(&test_key("soon")).is_none(),
            "inside the refresh margin"
        );
        cache
            .write_test_entry(&test_key("bad"), b"{ not json")
            .unwrap();
        assert!(cache.fresh(&test_key("bad")).is_none());
        // An entry whose stored key differs (a name collision) is not handed out.
        cache.store(&test_key("mine"), &creds(3600));
        let text = fs::read_to_string(cache.path(&test_key("mine"), "json").unwrap()).unwrap();
        fs::write(
            cache.path(&test_key("mine"), "json").unwrap(),
            text.replace("\"mine\"", "\"theirs\""),
        )
        .unwrap();
        assert!(cache.fresh(&test_key("mine")).is_none());
    }

    #[test]
    fn an_entry_others_can_read_is_a_miss() {
        let home = tempfile::tempdir().unwrap();
        let cache = Cache {
            dir: Some(home.path().to_owned()),
            margin: REFRESH_MARGIN,
        };
        cache.store(&test_key("k"), &creds(3600));
        let path = cache.path(&test_key("k"), "json").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(cache.fresh(&test_key("k")).is_none(), "a 0644 entry");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        assert!(cache.fresh(&test_key("k")).is_some());
    }

    #[test]
    fn pruning_removes_only_old_entries_and_notes() {
        let home = tempfile::tempdir().unwrap();
        let cache = Cache {
            dir: Some(home.path().to_owned()),
            margin: REFRESH_MARGIN,
        };
        cache.store(&test_key("fresh"), &creds(3600));
        for name in ["old.json", "old.plan", "old.lock", "other.txt"] {
            let path = home.path().join(name);
            fs::write(&path, "").unwrap();
            let three_days_ago = std::time::SystemTime::now() - Duration::from_secs(72 * 3600);
            fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(three_days_ago)
                .unwrap();
        }
        cache.prune();
        let mut left: Vec<String> = fs::read_dir(home.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert!(cache.fresh(&test_key("fresh")).is_some());
        assert!(
            left.contains(&"other.txt".to_owned()),
            "only runas's own files go"
        );
        for gone in ["old.plan", "old.json", "old.lock"] {
            assert!(!left.contains(&gone.to_owned()), "{gone}");
        }
        // A lock just taken is fresh, whatever the age of its file.
        cache.store(&test_key("k"), &creds(3600));
        let age = fs::metadata(cache.path(&test_key("k"), "lock").unwrap())
            .unwrap()
            .modified()
            .unwrap()
            .elapsed()
            .unwrap();
        assert!(age < Duration::from_secs(60));
    }

    #[test]
    fn the_margin_comes_from_the_environment() {
        assert_eq!(refresh_margin(None), REFRESH_MARGIN);
        assert_eq!(refresh_margin(Some("14m55s")), Duration::from_secs(895));
        assert_eq!(refresh_margin(Some("soon")), REFRESH_MARGIN);
        let home = tempfile::tempdir().unwrap();
        let cache = Cache {
            dir: Some(home.path().to_owned()),
            margin: Duration::from_secs(30),
        };
        cache.store(&test_key("k"), &creds(60));
        assert!(
            cache.fresh(&test_key("k")).is_some(),
            "outside a 30 s margin"
        );
    }

    #[test]
    fn a_margin_as_long_as_the_lifetime_is_halved() {
        // A margin at or above the lifetime made every entry stale on arrival: an STS
        // call for every endpoint request, an MFA code for every run.
        let home = tempfile::tempdir().unwrap();
        let cache = Cache {
            dir: Some(home.path().to_owned()),
            margin: Duration::from_secs(20 * 60),
        };
        cache.store(&test_key("k"), &creds(15 * 60));
        assert!(cache.fresh(&test_key("k")).is_some());
        let quarter = Some(Duration::from_secs(900));
        assert_eq!(cache.margin_within(quarter), Duration::from_secs(450));
        assert_eq!(cache.margin_within(None), Duration::from_secs(1200));
        assert_eq!(margin_within(REFRESH_MARGIN, quarter), REFRESH_MARGIN);
        let just_below = Duration::from_secs(895);
        assert_eq!(margin_within(just_below, quarter), just_below);
        assert_eq!(
            margin_within(Duration::from_secs(900), quarter),
            Duration::from_secs(450)
        );
        // Past half its lifetime an entry is stale again.
        let issued = SystemTime::now() - Duration::from_secs(500);
        let entry = Entry {
            key: test_key("old").text().to_owned(),
            description: "old".into(),
            access_key_id: "ASIAEXAMPLE00000".into(),
            secret_access_key: "secret".into(),
            session_token: None,
            expiration: rfc3339(issued + Duration::from_secs(900)),
            issued: Some(rfc3339(issued)),
            account_id: None,
        };
        cache
            .write_test_entry(&test_key("old"), &serde_json::to_vec(&entry).unwrap())
            .unwrap();
        assert!(cache.fresh(&test_key("old")).is_none());
    }
}
