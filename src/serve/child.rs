//! The child of `runas -S`: started, not exec'd, because runas must stay to serve it.
//!
//! The child stays in runas's process group, so it stays in the terminal's foreground:
//! Ctrl-C, Ctrl-Z and window-size changes reach it from the terminal as they would without
//! runas. Signals sent to runas alone (`kill PID`, a CI runner's SIGTERM) are passed on.
//! A signal the kernel sent to the whole foreground group (the terminal's Ctrl-C, SIGWINCH,
//! hang-up) has reached the child already and is not sent twice: twice would turn one
//! Ctrl-C into "interrupted twice, exit now" for programs such as terraform.
//!
//! The endpoint lives in runas, so the child never runs without it. A SIGTSTP sent to
//! runas alone stops the child and not runas (which would freeze the endpoint under a
//! running command); the terminal's Ctrl-Z stops both, as a shell's job control expects.
//! And the child dies with runas: were runas killed outright (SIGKILL, the OOM killer),
//! its port would be free for anyone on the machine to take, forge the answers and
//! collect the child's token.

use crate::error::Result;
use crate::exec::{self, Environment};
use crate::log::debug;
use std::ffi::OsString;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicI32, Ordering};

/// Signals passed on to the child.
const FORWARDED: [libc::c_int; 9] = [
    libc::SIGINT,
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGWINCH,
    libc::SIGTSTP,
    libc::SIGCONT,
];

/// The write end of the pipe from the signal handler to the forwarding thread.
static SIGNAL_PIPE: AtomicI32 = AtomicI32::new(-1);

/// The child while it runs; 0 once reaped, so that no signal goes to a reused pid.
static CHILD: AtomicI32 = AtomicI32::new(0);

/// Runs `command` to its end, passing signals on; its status becomes runas's: its exit code,
/// or 128 + N for a signal N, as shells report it.
pub fn run(command: &[OsString], environment: &Environment) -> Result<ExitCode> {
    let Some((program, args)) = command.split_first() else {
        return Err(crate::error::Error::Usage("no command to run".into()));
    };
    let signals = forward_signals();
    let mut child = Command::new(program);
    child.args(args);
    environment.apply(&mut child);
    dies_with_runas(&mut child);
    let mut child = child.spawn().map_err(|e| exec::start_failure(program, e))?;
    let pid = i32::try_from(child.id()).unwrap_or(0);
    CHILD.store(pid, Ordering::SeqCst);
    if let Some(signals) = signals {
        std::thread::spawn(move || pass_on(signals));
    }
    debug!("started {} (pid {pid})", program.to_string_lossy());
    let status = child.wait();
    CHILD.store(0, Ordering::SeqCst);
    let status = status.map_err(|e| exec::start_failure(program, e))?;
    let code = match (status.code(), status.signal()) {
        (Some(code), _) => code,
        (None, Some(signal)) => 128 + signal,
        (None, None) => 1,
    };
    debug!("{} ended: {status}", program.to_string_lossy());
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
}

/// Makes the child's kernel kill it when runas ends, even by SIGKILL: `PR_SET_PDEATHSIG`,
/// set in the child before it execs, and a look at its parent after, in case runas died
/// in between. Also gives the child back the descriptor limit runas started with.
fn dies_with_runas(child: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: getpid(2) has no preconditions.
    let parent = unsafe { libc::getpid() };
    let limit = crate::serve::connections::original_limit();
    // SAFETY: the closure runs between fork and exec and calls only prctl(2), getppid(2)
    // and setrlimit(2), which are async-signal-safe; it allocates nothing.
    unsafe {
        child.pre_exec(move || {
            #[cfg(any(target_os = "linux", target_os = "android"))]
            {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::getppid() != parent {
                    return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
                }
            }
            #[cfg(not(any(target_os = "linux", target_os = "android")))]
            let _ = parent;
            if let Some(limit) = limit {
                libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
            }
            Ok(())
        });
    }
}

/// Installs the handlers; returns the read end of their pipe. Without a pipe (no file
/// descriptors left) signals keep their default action, which is what runas did before.
fn forward_signals() -> Option<libc::c_int> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: `fds` has room for the two descriptors pipe(2) writes; FD_CLOEXEC keeps them
    // out of the child (no other thread starts a program meanwhile).
    unsafe {
        if libc::pipe(fds.as_mut_ptr()) != 0 {
            return None;
        }
        for fd in fds {
            libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
        }
    }
    SIGNAL_PIPE.store(fds[1], Ordering::SeqCst);
    for signal in FORWARDED {
        // SAFETY: a zeroed sigaction is valid; the handler only calls write(2), which is
        // async-signal-safe, and keeps errno.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
    Some(fds[0])
}

extern "C" fn on_signal(signal: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo to an SA_SIGINFO handler; errno is saved
    // and restored around the write so the interrupted code sees its own.
    unsafe {
        let errno = *errno_location();
        let from_kernel = !info.is_null() && sent_by_kernel(&*info);
        let message = [signal as u8, u8::from(from_kernel)];
        libc::write(
            SIGNAL_PIPE.load(Ordering::Relaxed),
            message.as_ptr().cast(),
            message.len(),
        );
        *errno_location() = errno;
    }
}

/// Linux marks the signals a terminal sends to its foreground group (and a hang-up) as
/// the kernel's own, apart from kill(2)'s.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn sent_by_kernel(info: &libc::siginfo_t) -> bool {
    info.si_code == libc::SI_KERNEL
}

/// Elsewhere there is no telling, and every signal is passed on.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn sent_by_kernel(_: &libc::siginfo_t) -> bool {
    false
}

use crate::program::errno_location;

/// Reads what the handler wrote and sends the signals on to the child.
fn pass_on(pipe: libc::c_int) {
    let mut message = [0u8; 2];
    loop {
        // SAFETY: reads into a buffer of the length given.
        let n = unsafe { libc::read(pipe, message.as_mut_ptr().cast(), message.len()) };
        if n != 2 {
            if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return;
        }
        let [signal, from_kernel] = message;
        if from_kernel == 1 {
            debug!("signal {signal} came from the terminal to the child too");
            if libc::c_int::from(signal) == libc::SIGTSTP {
                // Ctrl-Z: the child stops, and so does runas, as the job's other process.
                // SAFETY: kill(2) on this process.
                unsafe { libc::kill(libc::getpid(), libc::SIGSTOP) };
            }
            continue;
        }
        let pid = CHILD.load(Ordering::SeqCst);
        if pid > 0 {
            debug!("passing signal {signal} on to pid {pid}");
            // SAFETY: kill(2) with a pid runas started and has not yet reaped.
            unsafe { libc::kill(pid, libc::c_int::from(signal)) };
        }
    }
}
