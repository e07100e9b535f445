//! Which directories and files runas trusts with credentials: those of the user it runs
//! as, that no other user can write. A cache directory another user created first (in a
//! shared `/tmp`, say) could hand this run planted credentials, or a symlink that makes it
//! write where it should not.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;

/// Why `meta` is not to be trusted, naming owner and mode; `None` when it is.
pub fn distrust(meta: &Metadata) -> Option<String> {
    // SAFETY: geteuid cannot fail.
    let me = unsafe { libc::geteuid() };
    let mode = meta.mode() & 0o7777;
    if meta.uid() != me {
        Some(format!(
            "it belongs to uid {} (mode {mode:04o}), not to uid {me}",
            meta.uid()
        ))
    } else if mode & 0o022 != 0 {
        Some(format!("its mode {mode:04o} lets other users write to it"))
    } else {
        None
    }
}

/// Why the directory at `dir` is not to be trusted; `None` when it is, or is not there.
pub fn distrust_dir(dir: &Path) -> Option<String> {
    match std::fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => Some("it is not a directory".to_owned()),
        Ok(meta) => distrust(&meta),
        Err(_) => None,
    }
}

/// Reads a small file of runas's own: not through a symlink, and only if it is a plain
/// file this user owns and only this user can write.
pub fn read_own(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file: File = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::other("it is not a plain file"));
    }
    if let Some(why) = distrust(&meta) {
        return Err(io::Error::other(why));
    }
    let mut bytes = Vec::new();
    file.take(limit).read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn writable_by_others_or_linked_is_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("entry");
        std::fs::write(&path, "x").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(read_own(&path, 10).unwrap(), b"x");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        let err = read_own(&path, 10).unwrap_err().to_string();
        assert!(err.contains("mode 0666"), "{err}");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        assert!(read_own(&link, 10).is_err());
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(distrust_dir(dir.path()).unwrap().contains("0777"));
    }
}
