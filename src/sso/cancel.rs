//! Ctrl-C (or SIGTERM, SIGHUP) while a person signs in: noticed, so that the sign-in ends as
//! a failure that the runs waiting behind it read (and do not each open the next browser),
//! rather than as a process that vanished.

use std::sync::atomic::{AtomicBool, Ordering};

const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];
static CANCELLED: AtomicBool = AtomicBool::new(false);

extern "C" fn note(_: libc::c_int) {
    CANCELLED.store(true, Ordering::SeqCst);
}

/// While it lives, the signals above are noted instead of ending the process.
pub(crate) struct Watch {
    previous: [libc::sigaction; 3],
}

impl Watch {
    pub fn start() -> Watch {
        CANCELLED.store(false, Ordering::SeqCst);
        // SAFETY: a zeroed sigaction is a valid value; each is overwritten just below.
        let mut previous: [libc::sigaction; 3] = unsafe { std::mem::zeroed() };
        for (signal, old) in SIGNALS.iter().zip(previous.iter_mut()) {
            // SAFETY: reads the current action, then installs a handler that only stores
            // to an atomic, unless the signal is ignored (it stays so).
            unsafe {
                libc::sigaction(*signal, std::ptr::null(), old);
                if old.sa_sigaction != libc::SIG_IGN {
                    let mut action: libc::sigaction = std::mem::zeroed();
                    action.sa_sigaction = note as *const () as libc::sighandler_t;
                    action.sa_flags = libc::SA_RESTART;
                    libc::sigemptyset(&mut action.sa_mask);
                    libc::sigaction(*signal, &action, std::ptr::null_mut());
                }
            }
        }
        Watch { previous }
    }

    pub fn cancelled(&self) -> bool {
        CANCELLED.load(Ordering::SeqCst)
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        for (signal, old) in SIGNALS.iter().zip(self.previous.iter()) {
            // SAFETY: puts back the action read in `start`.
            unsafe { libc::sigaction(*signal, old, std::ptr::null_mut()) };
        }
    }
}
