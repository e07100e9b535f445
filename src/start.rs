//! How the executables start and end when they skip the standard library's start-up.
//!
//! A warm `runas PROFILE -- cmd` does so little that the process's own start-up is a
//! large share of it. Before `main`, the standard library's runtime reads and parses
//! `/proc/self/maps` to find the main thread's stack, maps an alternate signal stack and
//! installs SIGSEGV and SIGBUS handlers for its stack-overflow message: about 100,000
//! instructions and 20 system calls, a sixth of a warm run. On Linux with glibc the
//! executables therefore define the C `main` themselves (`#![no_main]`), and this module
//! does the part of that runtime they rely on. The arguments need nothing: glibc hands
//! them to the standard library before `main` on that platform.
//!
//! Traded: a stack overflow ends in a plain SIGSEGV instead of the runtime's one-line
//! message (it aborts either way), and a panic names its thread `<unnamed>`.

use std::process::ExitCode;

/// Does what the standard library's runtime would have done before `main` and the
/// executables depend on.
///
/// - Descriptors 0, 1 and 2 are opened on `/dev/null` if they are closed, so that no file
///   runas opens (a cache entry, a lock) lands on one of them and is written to as output
///   or handed to the command as its standard input.
/// - SIGPIPE is ignored, so that writing to a closed pipe is an error runas reports (and
///   the command it runs gets SIGPIPE's default back, as the standard library's `exec`
///   restores it).
pub fn prepare() {
    #[cfg(unix)]
    {
        open_closed_stdio();
        // SAFETY: setting a signal's disposition to SIG_IGN runs no code of ours.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_IGN);
        }
    }
}

#[cfg(unix)]
fn open_closed_stdio() {
    let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    });
    // SAFETY: `fds` is a valid array of three pollfd for the length given; a zero timeout
    // does not block.
    let polled = unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) };
    if polled < 0 {
        return;
    }
    for pollfd in fds.iter().filter(|p| p.revents & libc::POLLNVAL != 0) {
        // SAFETY: the path is a NUL-terminated constant. Descriptors are allocated lowest
        // first, so with `pollfd.fd` closed (and the ones below it open, in this order)
        // the new descriptor is that one; it is left open for the life of the process.
        let opened = unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) };
        if opened != pollfd.fd {
            // /dev/null could not be opened (or not on that descriptor): no safe way on,
            // and the standard library's runtime aborts here too.
            std::process::abort();
        }
    }
}

/// Ends the process with `code`, after the standard library's own clean-up (which flushes
/// standard output), as returning from a Rust `main` would.
pub fn exit(code: ExitCode) -> ! {
    std::process::exit(status(code))
}

/// The number behind an `ExitCode`. The type keeps it private (its accessor is unstable),
/// but it compares equal to the code made from the same byte, and every code runas makes
/// comes from a byte.
fn status(code: ExitCode) -> i32 {
    (0..=u8::MAX)
        .find(|byte| ExitCode::from(*byte) == code)
        .map_or(1, i32::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_comes_back_as_its_status() {
        for byte in 0..=u8::MAX {
            assert_eq!(status(ExitCode::from(byte)), i32::from(byte));
        }
        assert_eq!(status(ExitCode::SUCCESS), 0);
        assert_eq!(status(ExitCode::FAILURE), 1);
    }
}
