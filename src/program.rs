//! External programs (`credential_process`, `mfa_process`, registry clients) run with a
//! deadline. Each runs in a process group of its own, so that at the deadline the program
//! and everything it started are killed together, and a shell wrapper cannot leave its
//! `sleep` (or a hung helper) behind.

use crate::deadline;
use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicI32, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

/// The most a program may print on one stream. A credential_process answer or a
/// client's chatter is a few KiB; a program that prints more is broken (`yes`), and is
/// stopped before runas's memory follows its output.
pub(crate) const OUTPUT_LIMIT: usize = 1024 * 1024;
/// The most `mfa_process` may print: a code is six digits, a wrapper's chatter a line.
pub(crate) const MFA_OUTPUT_LIMIT: usize = 4 * 1024;

/// What a program left when it exited in time.
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

#[derive(Debug)]
pub enum Failure {
    /// It could not be started at all.
    Start(std::io::Error),
    /// It (or a process it started, holding its output open) outlived the deadline and
    /// was killed.
    TimedOut,
    /// It printed more than its limit on `stream` and was killed.
    TooMuch { stream: &'static str, limit: usize },
}

impl Failure {
    /// "did not finish within 60s (RUNAS_TIMEOUT) and was stopped", or the start error.
    pub fn describe(&self) -> String {
        match self {
            Failure::Start(e) => format!("could not start: {e}"),
            Failure::TimedOut => format!(
                "did not finish within {} and was stopped",
                deadline::describe()
            ),
            Failure::TooMuch { stream, limit } => format!(
                "printed more than {limit} bytes on {stream} and was stopped; run it by hand \
                 to see what it prints"
            ),
        }
    }
}

/// Runs `command` until it exits or the deadline passes. `input` goes to its stdin; piped
/// stdout and stderr are collected, up to [`OUTPUT_LIMIT`] each. With `terminal`, a
/// program started from an interactive shell gets the terminal for the time it runs (it
/// may ask for a PIN).
pub fn run(command: Command, input: Option<Vec<u8>>, terminal: bool) -> Result<Finished, Failure> {
    run_limited(command, input, terminal, OUTPUT_LIMIT)
}

/// [`run`], with at most `limit` bytes on each piped stream: past it, the program's
/// group is killed.
pub(crate) fn run_limited(
    mut command: Command,
    input: Option<Vec<u8>>,
    terminal: bool,
    limit: usize,
) -> Result<Finished, Failure> {
    let deadline = deadline::from_now();
    command.process_group(0);
    if input.is_some() {
        command.stdin(Stdio::piped());
    }
    let mut child = command.spawn().map_err(Failure::Start)?;
    let group = i32::try_from(child.id()).unwrap_or(i32::MAX);
    let _forwarded = Ending::watch(group);
    note_group(group);
    let foreground = if terminal {
        Foreground::give(group)
    } else {
        None
    };
    if let (Some(bytes), Some(mut pipe)) = (input, child.stdin.take()) {
        // A client that exits without reading closes the pipe; its own message says why.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        });
    }
    let (sender, outputs) = mpsc::channel();
    // The stream (1 or 2) that went past the limit, if one did.
    let overflow = Arc::new(AtomicU8::new(0));
    let mut expected = 0;
    if let Some(out) = child.stdout.take() {
        expected += 1;
        collect(out, (1, limit), sender.clone(), overflow.clone());
    }
    if let Some(err) = child.stderr.take() {
        expected += 1;
        collect(err, (2, limit), sender, overflow.clone());
    }
    let finished = wait_until(&mut child, deadline, &overflow).and_then(|status| {
        let mut done = Finished {
            status,
            stdout: Vec::new(),
            stderr: Vec::new(),
        };
        for _ in 0..expected {
            let wait = deadline.saturating_duration_since(Instant::now());
            match outputs.recv_timeout(wait).ok()? {
                _ if overflow.load(Ordering::SeqCst) != 0 => return None,
                (1, bytes) => done.stdout = bytes,
                (_, bytes) => done.stderr = bytes,
            }
        }
        Some(done)
    });
    if finished.is_none() {
        // SAFETY: kill(2) on the group this child leads; it has not been reaped while
        // `wait_until` saw it running, so the id is still its own.
        unsafe { libc::kill(-group, libc::SIGKILL) };
        let _ = child.wait();
    }
    note_group(0);
    drop(foreground);
    match overflow.load(Ordering::SeqCst) {
        0 => finished.ok_or(Failure::TimedOut),
        1 => Err(Failure::TooMuch {
            stream: "stdout",
            limit,
        }),
        _ => Err(Failure::TooMuch {
            stream: "stderr",
            limit,
        }),
    }
}

/// Reads one stream to its end, or to one byte past `limit`: then it marks `overflow`
/// with the stream's number and stops reading (the program gets SIGPIPE, and is killed).
fn collect(
    pipe: impl Read + Send + 'static,
    (which, limit): (u8, usize),
    sender: mpsc::Sender<(u8, Vec<u8>)>,
    overflow: Arc<AtomicU8>,
) {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let past = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
        let _ = pipe.take(past).read_to_end(&mut bytes);
        if bytes.len() > limit {
            overflow.store(which, Ordering::SeqCst);
            bytes = Vec::new();
        }
        let _ = sender.send((which, bytes));
    });
}

/// The exit status, or `None` once the deadline has passed or a stream went past its limit.
fn wait_until(child: &mut Child, deadline: Instant, overflow: &AtomicU8) -> Option<ExitStatus> {
    let mut pause = Duration::from_millis(1);
    loop {
        if overflow.load(Ordering::SeqCst) != 0 {
            return None;
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        std::thread::sleep(pause.min(left));
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// While a program runs, a signal that ends runas (Ctrl-C without a terminal handover, a
/// CI job cancelled with SIGTERM, a closed terminal) ends the program's group first: in a
/// group of its own it would not get the signal, and would run on. Then the signal does
/// what it did before: it ends runas by default, or it goes to the handler runas had
/// installed (`runas -S` forwards it to its command and keeps serving until that command
/// ends). A signal runas was told to ignore (`nohup`) stays ignored.
struct Ending {
    /// The whole previous actions, flags included, so that a handler installed with
    /// SA_SIGINFO comes back as it was.
    previous: [libc::sigaction; 3],
}

static RUNNING_GROUP: AtomicI32 = AtomicI32::new(0);
const ENDING_SIGNALS: [i32; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];
/// The handler each ending signal had before, and its flags, for `end_group` to pass the
/// signal on to; read in a signal handler, so atomics only.
static PASS_ON: [AtomicUsize; 3] = [const { AtomicUsize::new(0) }; 3];
static PASS_ON_FLAGS: [AtomicI32; 3] = [const { AtomicI32::new(0) }; 3];

impl Ending {
    fn watch(group: i32) -> Ending {
        RUNNING_GROUP.store(group, Ordering::SeqCst);
        // SAFETY: a zeroed sigaction is a valid value; it is overwritten just below.
        let mut previous: [libc::sigaction; 3] = unsafe { std::mem::zeroed() };
        for (i, (signal, old)) in ENDING_SIGNALS.iter().zip(previous.iter_mut()).enumerate() {
            // SAFETY: reads the current action, then installs a handler that only calls
            // async-signal-safe functions, unless the signal is ignored (it stays so).
            unsafe {
                libc::sigaction(*signal, std::ptr::null(), old);
                // A watch inside another (runas runs one program at a time, so only by a
                // later change) keeps passing on to the outer one's handler, never to
                // itself.
                if old.sa_sigaction != end_group as *const () as libc::sighandler_t {
                    PASS_ON[i].store(old.sa_sigaction, Ordering::SeqCst);
                    PASS_ON_FLAGS[i].store(old.sa_flags, Ordering::SeqCst);
                }
                if old.sa_sigaction != libc::SIG_IGN {
                    let mut action: libc::sigaction = std::mem::zeroed();
                    action.sa_sigaction = end_group as *const () as libc::sighandler_t;
                    action.sa_flags = libc::SA_RESTART | libc::SA_SIGINFO;
                    libc::sigemptyset(&mut action.sa_mask);
                    libc::sigaction(*signal, &action, std::ptr::null_mut());
                }
            }
        }
        Ending { previous }
    }
}

impl Drop for Ending {
    fn drop(&mut self) {
        RUNNING_GROUP.store(0, Ordering::SeqCst);
        for (signal, old) in ENDING_SIGNALS.iter().zip(self.previous.iter()) {
            // SAFETY: restores the action runas had before, as it was.
            unsafe { libc::sigaction(*signal, old, std::ptr::null_mut()) };
        }
    }
}

type Handler = extern "C" fn(libc::c_int);
type InfoHandler = extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void);

#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) use libc::__errno_location as errno_location;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) use libc::__error as errno_location;

extern "C" fn end_group(
    signal: libc::c_int,
    info: *mut libc::siginfo_t,
    context: *mut libc::c_void,
) {
    // SAFETY: errno_location gives this thread's errno; the handler may return to the
    // code it interrupted, which must find errno as it left it.
    let errno = unsafe { *errno_location() };
    let group = RUNNING_GROUP.load(Ordering::SeqCst);
    let slot = ENDING_SIGNALS.iter().position(|s| *s == signal);
    let before = slot.map_or(libc::SIG_DFL, |i| PASS_ON[i].load(Ordering::SeqCst));
    let flags = slot.map_or(0, |i| PASS_ON_FLAGS[i].load(Ordering::SeqCst));
    // SAFETY: kill, signal and raise are async-signal-safe.
    unsafe {
        if group > 0 {
            libc::kill(-group, libc::SIGKILL);
        }
        if before == libc::SIG_DFL || before == libc::SIG_IGN {
            // runas ends by the same signal, as it would have without the handler.
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        } else if flags & libc::SA_SIGINFO != 0 {
            // SAFETY: `before` is the handler installed for this signal before `watch`,
            // one that takes a siginfo as its flags say; it gets the kernel's arguments.
            std::mem::transmute::<usize, InfoHandler>(before)(signal, info, context);
        } else {
            // SAFETY: as above, a handler that takes the signal number only.
            std::mem::transmute::<usize, Handler>(before)(signal);
        }
        *errno_location() = errno;
    }
}

/// The terminal handed to a program's group for as long as it runs, and taken back after.
/// A group other than the terminal's foreground one is stopped when it reads from it.
struct Foreground;

impl Foreground {
    fn give(group: i32) -> Option<Foreground> {
        // SAFETY: plain syscalls on fd 0; SIGTTOU is ignored around tcsetpgrp so that a
        // background runas is not stopped by asking, and restored right after.
        unsafe {
            if libc::isatty(0) != 1 || libc::tcgetpgrp(0) != libc::getpgrp() {
                return None;
            }
            let given = with_sigttou_ignored(|| libc::tcsetpgrp(0, group) == 0);
            // It may already have tried to read and been stopped.
            libc::kill(-group, libc::SIGCONT);
            given.then_some(Foreground)
        }
    }
}

impl Drop for Foreground {
    fn drop(&mut self) {
        // SAFETY: as in `give`; the terminal goes back to this process's own group.
        unsafe {
            with_sigttou_ignored(|| libc::tcsetpgrp(0, libc::getpgrp()) == 0);
        }
    }
}

unsafe fn with_sigttou_ignored(f: impl FnOnce() -> bool) -> bool {
    // SAFETY: swaps the disposition of SIGTTOU and puts the old one back.
    unsafe {
        let old = libc::signal(libc::SIGTTOU, libc::SIG_IGN);
        let result = f();
        libc::signal(libc::SIGTTOU, old);
        result
    }
}

/// The program a thread runs now, named ("credential_process of profile `prod`"), for a
/// caller that gives up on that thread ([`stop_running`]). Never its command line, which
/// may hold a secret.
struct Named {
    thread: std::thread::ThreadId,
    name: String,
    /// Its process group while it runs; 0 before and after.
    group: i32,
}

static NAMED: std::sync::Mutex<Vec<Named>> = std::sync::Mutex::new(Vec::new());

/// Names the programs this thread runs while it lives.
pub struct Naming(());

/// Names the programs this thread runs until the returned value is dropped.
pub fn naming(name: String) -> Naming {
    let thread = std::thread::current().id();
    if let Ok(mut named) = NAMED.lock() {
        named.retain(|n| n.thread != thread);
        named.push(Named {
            thread,
            name,
            group: 0,
        });
    }
    Naming(())
}

impl Drop for Naming {
    fn drop(&mut self) {
        let thread = std::thread::current().id();
        if let Ok(mut named) = NAMED.lock() {
            named.retain(|n| n.thread != thread);
        }
    }
}

/// Records the group of the program this thread runs now (0: none), if it is named.
fn note_group(group: i32) {
    let thread = std::thread::current().id();
    if let Ok(mut named) = NAMED.lock()
        && let Some(named) = named.iter_mut().find(|n| n.thread == thread)
    {
        named.group = group;
    }
}

/// Kills the process group of the named program that `thread` is running, if it is
/// running one, and says what it was: for a process about to give up on that thread and
/// exit (the credential helper at its own deadline), so that the program and what it
/// started do not run on without it.
pub(crate) fn stop_running(thread: std::thread::ThreadId) -> Option<String> {
    let named = NAMED.lock().ok()?;
    let named = named.iter().find(|n| n.thread == thread && n.group > 0)?;
    // SAFETY: kill(2) on the group of a program `run` is still waiting for (the group is
    // cleared, under this lock, before `run` returns).
    unsafe { libc::kill(-named.group, libc::SIGKILL) };
    Some(named.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg(script)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    #[test]
    fn output_and_input_pass_through() {
        let done = run(
            sh("read x; echo \"got $x\"; echo warn >&2"),
            Some(b"pw\n".to_vec()),
            false,
        )
        .unwrap();
        assert!(done.status.success());
        assert_eq!(done.stdout, b"got pw\n");
        assert_eq!(done.stderr, b"warn\n");
        assert!(matches!(
            run(Command::new("/nonexistent/program"), None, false),
            Err(Failure::Start(_))
        ));
    }

    #[test]
    fn output_past_the_limit_stops_the_program_and_its_group() {
        let started = Instant::now();
        // `yes` took runas to 2 GiB in 3 s; the message then blamed its SIGPIPE.
        let err = run(sh("yes"), None, false).err().expect("stopped");
        assert!(
            matches!(
                err,
                Failure::TooMuch {
                    stream: "stdout",
                    limit: OUTPUT_LIMIT
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.describe(),
            "printed more than 1048576 bytes on stdout and was stopped; run it by hand to see what it prints"
        );
        assert!(started.elapsed() < Duration::from_secs(10));
        // A child that keeps the pipe open and ignores SIGPIPE goes with its group.
        let dir = tempfile::tempdir().unwrap();
        let mark = dir.path().join("alive");
        let script = format!(
            "(trap '' PIPE; while :; do echo x >&2 2>/dev/null; done) & \
             (sleep 2; touch {}) & head -c 5000 /dev/zero >&2; wait",
            mark.display()
        );
        let err = run_limited(sh(&script), None, false, 4096)
            .err()
            .expect("stopped");
        assert!(
            matches!(
                err,
                Failure::TooMuch {
                    stream: "stderr",
                    limit: 4096
                }
            ),
            "{err:?}"
        );
        std::thread::sleep(Duration::from_millis(2500));
        assert!(!mark.exists(), "the group outlived the limit");
        // Exactly the limit is fine.
        let done = run_limited(sh("head -c 4096 /dev/zero"), None, false, 4096).unwrap();
        assert_eq!(done.stdout.len(), 4096);
    }
}
