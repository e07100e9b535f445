//! A shortcut for the warm path: what the last full resolution of the very same inputs
//! ended with.
//!
//! Resolving a profile means parsing the profile files with the SDK's parser, which costs
//! about 20 ms for a file of 10,000 profiles; hashing the same bytes costs well under one.
//! The plan is a pure function of the files' bytes, the environment and the request, so
//! when all three hash as they did, the plan is the one resolved then, and its last step's
//! cache key can be read from a note left by that run. Any change to either file, to any
//! `AWS_*`/`RUNAS_*` variable or to the flags misses, and the full resolution runs. The note
//! holds a cache key, a region and warnings; the key can hold a `credential_process`
//! command line, so notes are 0600 like the entries.

use super::key::{Key, StableHasher};
use crate::log::debug;
use crate::private_file::digest as file_digest;
use crate::profile::Files;
use crate::profile::chain::Chain;
use crate::profile::sections::MAX_FILE;
use crate::variables::{HOME, USER, XDG_CACHE_HOME, XDG_CONFIG_HOME};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// Everything a plan depends on, hashed.
pub(crate) struct Inputs(u64);

/// A note on disk: whose inputs it answers, then what it says.
#[derive(Serialize, Deserialize)]
struct Note<T> {
    /// The runas that wrote it: another version may resolve differently.
    version: String,
    inputs: String,
    /// Files outside the profile files whose content the plan's identity depends on (a
    /// web identity token), with their digests: a new token is a new identity.
    #[serde(default)]
    watched: Vec<(PathBuf, String)>,
    #[serde(flatten)]
    body: T,
}

/// What `runas PROFILE` notes: the end of its plan.
#[derive(Serialize, Deserialize)]
pub(crate) struct Memo {
    /// The cache key of the chain's last step.
    pub last_key: Key,
    pub region: String,
    pub warnings: Vec<String>,
    /// The profile's `runas_serve`: commands are served, so the shortcut does not apply.
    #[serde(default)]
    pub serve: bool,
}

impl Inputs {
    /// `request` is whatever else the answer depends on: the flags of a run, the registry
    /// host of a credential helper's `get`.
    pub(crate) fn gather(files: &Files, request: &impl Hash) -> Inputs {
        let mut h = StableHasher::default();
        env!("CARGO_PKG_VERSION").hash(&mut h);
        for path in [&files.config, &files.credentials] {
            path.hash(&mut h);
            // A missing or unreadable file hashes as such; the full path reports it. The
            // same checks as there: no FIFO, no endless device, no `~` without HOME. Its
            // bytes are hashed as they are read, not checked as text: a file the full
            // path refuses never left a note to match.
            let mut file = StableHasher::default();
            let read = !path.starts_with("~")
                && crate::private_file::stream_regular(path, MAX_FILE, |chunk| {
                    file.write_long(chunk)
                })
                .is_ok();
            h.write_u8(u8::from(read));
            if read {
                h.write_u64(file.finish());
            }
        }
        let mut vars: Vec<(String, String)> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .filter(|(k, _)| {
                k.starts_with("AWS_")
                    || k.starts_with("RUNAS_")
                    || [HOME, USER, XDG_CACHE_HOME, XDG_CONFIG_HOME]
                        .iter()
                        .any(|v| v.name == k)
            })
            .collect();
        vars.sort();
        vars.hash(&mut h);
        request.hash(&mut h);
        Inputs(h.finish())
    }

    fn name(&self) -> String {
        format!("{:016x}", self.0)
    }

    fn path(&self, cache_dir: &Path, kind: &str) -> PathBuf {
        cache_dir.join(format!("{}.{kind}", self.name()))
    }

    /// The note for these inputs, if a run left one.
    pub(crate) fn recall(&self, cache_dir: &Path) -> Option<Memo> {
        self.recall_note(cache_dir, "plan")
    }

    /// Leaves a note; failing to is only a slower next run. The cache directory exists
    /// (the credentials were just stored there).
    pub(crate) fn remember(&self, cache_dir: &Path, last_key: &Key, chain: &Chain) {
        let memo = Memo {
            last_key: last_key.clone(),
            region: chain.region.clone(),
            warnings: chain.warnings.clone(),
            serve: chain.serve,
        };
        self.remember_note(cache_dir, "plan", &memo, &chain.watched_files());
    }

    /// A note of any kind (a file extension that `Cache::prune` knows) for these inputs,
    /// if the files it watches are as they were.
    pub(crate) fn recall_note<T: DeserializeOwned>(
        &self,
        cache_dir: &Path,
        kind: &str,
    ) -> Option<T> {
        let bytes = crate::private_file::read_private(&self.path(cache_dir, kind), 1 << 20).ok()?;
        let note: Note<T> = serde_json::from_slice(&bytes).ok()?;
        let same = note.version == env!("CARGO_PKG_VERSION")
            && note.inputs == self.name()
            && note
                .watched
                .iter()
                .all(|(path, digest)| file_digest(path) == *digest);
        same.then_some(note.body)
    }

    pub(crate) fn remember_note<T: Serialize>(
        &self,
        cache_dir: &Path,
        kind: &str,
        body: &T,
        watched: &[PathBuf],
    ) {
        let note = Note {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            inputs: self.name(),
            watched: watched
                .iter()
                .map(|p| (p.clone(), file_digest(p)))
                .collect(),
            body,
        };
        let written = serde_json::to_vec(&note)
            .map_err(std::io::Error::from)
            .and_then(|bytes| crate::private_file::replace(&self.path(cache_dir, kind), &bytes));
        if let Err(e) = written {
            debug!("cannot note the plan for the next run: {e}");
        }
    }
}
