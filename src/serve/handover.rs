//! How `runas serve` hands its variables (the endpoint's address and, for `serve ecs`,
//! its token) to the shell that will use them: on stdout, or in a private file.
//!
//! `runas serve ecs prod > env.sh` puts the token in a file the shell creates, usually
//! readable by every local user (umask 022), who could then ask the endpoint for the
//! credentials. `--env-file PATH` writes the same lines to PATH as a 0600 file, replaced
//! whole (see [`crate::private_file`]), and removes it when the server stops: the token
//! is worth nothing after that. Printing to a regular file that others can read is
//! allowed, as shells allow it, and warned about.

use crate::error::{Error, Result};
use crate::log::warning;
use crate::private_file;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file `--env-file` wrote, removed when dropped.
#[derive(Debug)]
pub(crate) struct EnvFile(PathBuf);

impl Drop for EnvFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Writes `lines` to `file`, or prints them; `secret` says whether they carry a token.
/// `used_by` says how the file is put to use, in the shell the lines are for.
pub(crate) fn hand_over(
    lines: &str,
    file: Option<&Path>,
    used_by: impl Fn(&Path) -> String,
    secret: bool,
) -> Result<Option<EnvFile>> {
    if let Some(path) = file {
        private_file::replace(path, lines.as_bytes()).map_err(|e| {
            Error::Serve(format!(
                "cannot write the endpoint's variables to {}: {e}",
                path.display()
            ))
        })?;
        eprintln!(
            "runas: the endpoint's variables are in {} (mode 0600; {}), removed when this server stops",
            path.display(),
            used_by(path)
        );
        return Ok(Some(EnvFile(path.to_owned())));
    }
    if secret && stdout_is_readable_by_others() {
        warning!(
            "stdout is a file other users can read, and the endpoint's token is in it: \
             anyone on this machine who reads it can ask the endpoint for the credentials; \
             use --env-file PATH, which writes a file only you can read"
        );
    }
    let mut stdout = std::io::stdout();
    stdout
        .write_all(lines.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Error::Serve(format!("cannot print the endpoint's variables: {e}")))?;
    Ok(None)
}

/// Whether descriptor 1 is a regular file with a group or other read bit.
fn stdout_is_readable_by_others() -> bool {
    // SAFETY: fstat(2) writes into the zeroed struct it is given; descriptor 1 is only
    // looked at, not taken.
    unsafe {
        let mut stat: libc::stat = std::mem::zeroed();
        libc::fstat(libc::STDOUT_FILENO, &mut stat) == 0
            && stat.st_mode & libc::S_IFMT == libc::S_IFREG
            && stat.st_mode & 0o044 != 0
    }
}
