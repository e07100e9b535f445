//! Every file runas writes: cache entries and notes, the shared credentials file (`-c`) and
//! Docker's `config.json` (`ecr login --write-config`); and the one rule for reading a file
//! that holds something private ([`read_private`]) and for trusting a directory ([`distrust_dir`]).
//!
//! A file is replaced whole: written to a temporary file beside it (mode 0600 from
//! creation, whatever the umask), synced, and renamed over it, so a reader or a crash sees
//! the old file or the new one. Temporary files carry [`TEMP_MARK`] in their name; they are
//! removed on every error path, and ones a killed run left behind are swept after a day.
//! Files other tools share are updated under a lock ([`Update`]), and through their
//! symlinks: a `config.json` that links into a dotfiles checkout stays a link.

use crate::deadline;
use std::fs::{self, File, TryLockError};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// In the name of every temporary file runas writes: `.config.json.runas-tmp-Ab12Cd`.
pub const TEMP_MARK: &str = ".runas-tmp-";
/// Left-over temporary files older than this are removed.
const ORPHAN_AGE: Duration = Duration::from_secs(24 * 3600);
/// The most of a shared file runas reads; a larger one is not one of these files.
const MAX_SIZE: u64 = 16 << 20;
/// Symlinks followed before giving up, as the kernel does (ELOOP).
const MAX_LINKS: usize = 40;

/// Creates `dir` and its missing parents with mode 0700, whatever the umask.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
}

/// Replaces the file at `path` (a symlink there is replaced, not followed) with `bytes`.
pub fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = parent(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    sweep(dir);
    let mut file = tempfile::Builder::new()
        .prefix(&format!(".{name}{TEMP_MARK}"))
        .permissions(fs::Permissions::from_mode(0o600))
        .tempfile_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Removes temporary files of runas in `dir` that a killed run left behind.
pub(crate) fn sweep(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let Some(old) = SystemTime::now().checked_sub(ORPHAN_AGE) else {
        return;
    };
    for entry in entries.flatten() {
        let ours = entry.file_name().to_string_lossy().contains(TEMP_MARK);
        let orphan = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < old);
        if ours && orphan {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The file at the end of `path`'s symlinks, whether or not it exists yet.
pub fn target(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_owned();
    for _ in 0..MAX_LINKS {
        match fs::read_link(&current) {
            Ok(link) if link.is_absolute() => current = link,
            Ok(link) => current = parent(&current).join(link),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::InvalidInput
                ) =>
            {
                return Ok(current);
            }
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Reads a file someone named (a profile file, a token file, a shared file): only a
/// regular file, and at most `limit` bytes, so that a FIFO cannot block the run and a
/// device such as `/dev/zero` cannot fill its memory.
pub(crate) fn read_regular(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let (file, len) = open_regular(path, limit)?;
    // Room for the whole file and the one byte that shows it ends there: a file of 10,000
    // profiles is read in one go, not into a buffer that grows (and is copied) as it fills.
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0) + 1);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

/// Hands the bytes of a file someone named to `each`, under the checks of
/// [`read_regular`], in chunks of `CHUNK` bytes (the last one shorter), whatever sizes the
/// reads return: the same file gives the same chunks. For a digest of a large file
/// (10,000 profiles, 1 MiB): reading it whole touched a fresh page of memory per 4 KiB,
/// about 250 page faults on a run that otherwise makes 160.
pub(crate) fn stream_regular(
    path: &Path,
    limit: u64,
    mut each: impl FnMut(&[u8]),
) -> io::Result<()> {
    const CHUNK: u64 = 64 * 1024;
    let (mut file, len) = open_regular(path, limit)?;
    let mut chunk = Vec::with_capacity(usize::try_from(len.min(CHUNK)).unwrap_or(0) + 1);
    let mut total = 0;
    loop {
        chunk.clear();
        (&mut file).take(CHUNK).read_to_end(&mut chunk)?;
        total += chunk.len() as u64;
        if total > limit {
            return Err(too_large(limit));
        }
        if chunk.is_empty() {
            return Ok(());
        }
        each(&chunk);
        if (chunk.len() as u64) < CHUNK {
            return Ok(());
        }
    }
}

/// Opens `path` for [`read_regular`] and [`stream_regular`]: a regular file, no larger than
/// `limit` bytes now (a file that grows is stopped at the limit as it is read). Also
/// returns its length.
fn open_regular(path: &Path, limit: u64) -> io::Result<(File, u64)> {
    let file = File::options()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::other("it is not a regular file"));
    }
    if meta.len() > limit {
        return Err(too_large(limit));
    }
    Ok((file, meta.len()))
}

fn too_large(limit: u64) -> io::Error {
    io::Error::other(format!("it is larger than {} MiB", limit >> 20))
}

/// Reads a file that holds something private (a cache entry, a token, a note, a
/// registrations file, a sign-in cache): only a plain file reached without a symlink, owned
/// by this user, with no group or other permission bits, of at most `limit` bytes. Any
/// other file is refused with the reason, naming owner or mode; the checks are made on the
/// open file, so a swap after them changes nothing. This is the only function that opens
/// such a file for reading.
pub(crate) fn read_private(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = File::options()
        .read(true)
        // Not through a symlink planted there; not blocking on a FIFO.
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) => io::Error::other("it is a symbolic link"),
            _ => e,
        })?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::other("it is not a plain file"));
    }
    let mode = meta.mode() & 0o7777;
    if meta.uid() != euid() {
        return Err(io::Error::other(format!(
            "it belongs to uid {} (mode {mode:04o}), not to uid {}",
            meta.uid(),
            euid()
        )));
    }
    if mode & 0o077 != 0 {
        return Err(io::Error::other(format!(
            "its mode {mode:04o} lets other users at it (0600 is private)"
        )));
    }
    // Sized from the file's length: `take` hides it from `read_to_end`, which would start
    // at 32 bytes and read (and grow) half a dozen times for a cache entry.
    let expected = meta.len().min(limit) as usize;
    let mut bytes = Vec::with_capacity(expected + 1);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::other(format!("it is larger than {limit} bytes")));
    }
    Ok(bytes)
}

/// The user runas runs as.
fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Why a directory with `meta` is not to be trusted with private files, naming owner and
/// mode; `None` when it is: this user's, and no other user can write to it. A directory
/// another user created first (in a shared `/tmp`, say) could hand a run planted files, or a
/// symlink that makes it write where it should not.
pub(crate) fn distrust(meta: &fs::Metadata) -> Option<String> {
    let mode = meta.mode() & 0o7777;
    if meta.uid() != euid() {
        Some(format!(
            "it belongs to uid {} (mode {mode:04o}), not to uid {}",
            meta.uid(),
            euid()
        ))
    } else if mode & 0o022 != 0 {
        Some(format!("its mode {mode:04o} lets other users write to it"))
    } else {
        None
    }
}

/// Why the directory at `dir` is not to be trusted; `None` when it is, or is not there.
pub(crate) fn distrust_dir(dir: &Path) -> Option<String> {
    match fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => Some("it is not a directory".to_owned()),
        Ok(meta) => distrust(&meta),
        Err(_) => None,
    }
}

/// A read-modify-write of a shared file: the directory of its target is locked (`flock`,
/// released by the kernel if this run dies), so two runs cannot both read the old file
/// and each write back only its own change.
pub(crate) struct Update {
    target: PathBuf,
    _lock: File,
}

impl Update {
    /// Locks the file at `path` for update, creating its directory (0700) if need be,
    /// waiting for another run at most `RUNAS_TIMEOUT`.
    pub(crate) fn begin(path: &Path) -> io::Result<Update> {
        let target = target(path)?;
        let dir = parent(&target);
        create_dir(dir)?;
        let lock = File::options()
            .read(true)
            .custom_flags(libc::O_DIRECTORY)
            .open(dir)?;
        let deadline = Instant::now() + deadline::timeout();
        loop {
            match lock.try_lock() {
                Ok(()) => break,
                Err(TryLockError::Error(e)) => return Err(e),
                Err(TryLockError::WouldBlock) if Instant::now() >= deadline => {
                    return Err(io::Error::other(format!(
                        "another runas kept it locked for {}",
                        deadline::describe()
                    )));
                }
                Err(TryLockError::WouldBlock) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
        Ok(Update {
            target,
            _lock: lock,
        })
    }

    /// The file that is written: `path`, or where its symlinks lead.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The current contents; `None` when there is no file yet.
    pub fn read(&self) -> io::Result<Option<Vec<u8>>> {
        match read_regular(&self.target, MAX_SIZE) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Replaces the target with `bytes` and releases the lock.
    pub(crate) fn commit(self, bytes: &[u8]) -> io::Result<()> {
        replace(&self.target, bytes)
    }
}

/// The SHA-256 of a small file's content without surrounding whitespace, in hex: a web
/// identity token in a cache key, so that another token in the same file (another CI job
/// on the runner, a rotated EKS token) is another identity and never receives the role
/// credentials cached for the one before. An unreadable file gets a digest of its own; the
/// fetch then says why it cannot be read.
pub fn digest(path: &Path) -> String {
    use sha2::{Digest, Sha256};
    // A FIFO or a device here must not hang or exhaust the warm path.
    match read_regular(path, 1 << 20) {
        Ok(token) => {
            let digest = Sha256::digest(token.trim_ascii());
            digest.iter().map(|b| format!("{b:02x}")).collect()
        }
        Err(_) => "unreadable".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_streamed_file_comes_in_whole_chunks_within_its_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        let bytes: Vec<u8> = (0..150_000u32).map(|i| (i % 251) as u8).collect();
        fs::write(&path, &bytes).unwrap();
        let mut chunks = Vec::new();
        stream_regular(&path, 1 << 20, |c| chunks.push(c.to_vec())).unwrap();
        let sizes: Vec<usize> = chunks.iter().map(Vec::len).collect();
        assert_eq!(sizes, [65_536, 65_536, 18_928]);
        assert_eq!(chunks.concat(), bytes);
        // An empty file: no chunk at all. A larger one than the limit: refused.
        fs::write(&path, b"").unwrap();
        stream_regular(&path, 10, |_| panic!("no chunk")).unwrap();
        fs::write(&path, &bytes).unwrap();
        let err = stream_regular(&path, 100_000, |_| ()).unwrap_err();
        assert!(err.to_string().contains("larger than"), "{err}");
        // A FIFO is refused before it is read (a read would wait for a writer).
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let err = stream_regular(&fifo, 1 << 20, |_| ()).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }

    #[test]
    fn writes_go_through_symlinks_and_leave_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("dotfiles").join("config.json");
        let link = dir.path().join("config.json");
        std::os::unix::fs::symlink("dotfiles/config.json", &link).unwrap();
        // A dangling link: the target is created where it points.
        let update = Update::begin(&link).unwrap();
        assert_eq!(update.read().unwrap(), None);
        update.commit(b"{}").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&real).unwrap(), b"{}");
        assert_eq!(
            fs::metadata(&real).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            fs::metadata(real.parent().unwrap())
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o700
        );
        let names: Vec<_> = fs::read_dir(real.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["config.json"]);
    }

    #[test]
    fn old_temporary_files_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        let orphan = dir.path().join(format!(".credentials{TEMP_MARK}x1"));
        let recent = dir.path().join(format!(".credentials{TEMP_MARK}x2"));
        for path in [&orphan, &recent] {
            fs::write(path, "secret").unwrap();
        }
        File::options()
            .write(true)
            .open(&orphan)
            .unwrap()
            .set_modified(SystemTime::now() - Duration::from_secs(25 * 3600))
            .unwrap();
        replace(&dir.path().join("credentials"), b"x").unwrap();
        assert!(!orphan.exists());
        assert!(recent.exists(), "a run in progress may still own it");
    }

    #[test]
    fn only_private_plain_files_of_this_user_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("entry");
        fs::write(&path, "x").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(read_private(&path, 10).unwrap(), b"x");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).unwrap();
        assert_eq!(read_private(&path, 10).unwrap(), b"x");
        // Readable by others is refused like writable by others.
        for mode in [0o644, 0o640, 0o604, 0o666] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            let err = read_private(&path, 10).unwrap_err().to_string();
            assert!(err.contains(&format!("mode {mode:04o}")), "{err}");
        }
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        let err = read_private(&link, 10).unwrap_err().to_string();
        assert!(err.contains("symbolic link"), "{err}");
        assert!(read_private(dir.path(), 10).is_err(), "a directory");
        fs::write(&path, "too long").unwrap();
        assert!(read_private(&path, 3).is_err());
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o777)).unwrap();
        assert!(distrust_dir(dir.path()).unwrap().contains("0777"));
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        assert!(distrust_dir(dir.path()).is_none());
    }

    #[test]
    fn link_loops_are_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::os::unix::fs::symlink("a", &a).unwrap();
        assert!(target(&a).is_err());
    }
}
