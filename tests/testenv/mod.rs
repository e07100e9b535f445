//! Test harness: real servers on loopback and a throwaway HOME for each test.
//!
//! moto's server plays STS. A test that cannot start it fails and says how to install it.
#![allow(dead_code)]

pub mod lab;
pub mod signin;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub const MOTO_INSTALL: &str = "pip install 'moto[server]'";
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
pub const ROOT_KEY: &str = "AKIAIOSFODNN7EXAMPLE";

/// moto's server with a request log (tests/support/moto_logged.py).
pub fn moto_script() -> String {
    format!(
        "{}/tests/support/moto_logged.py",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Runs a server so that it cannot outlive the test process. A shell starts it in the
/// background and waits for its own stdin, a pipe from this process, to close: when the
/// [`Guard`] is dropped, or when this process exits however it ends (a static is never
/// dropped; a panic, `kill -9` or Ctrl-C: the shell ignores the signals that end the tests).
/// It then kills the server, waits for it, and removes `cleanup`. A server that exits by
/// itself ends the shell too, with its status.
const HOLDER: &str = r#"
dir=$1; shift
"$@" &
pid=$!
trap '' INT TERM HUP QUIT PIPE
exec 3<&0
{ read _ <&3 || true; kill "$pid" 2>/dev/null; } &
exec 3<&-
# dash reports a job that a signal ended ("Terminated") on the shell's stderr; the
# server's own stderr is set already, so the shell's may go.
exec 2>/dev/null
wait "$pid"
status=$?
[ -z "$dir" ] || rm -rf "$dir"
exit $status
"#;

/// `command`'s program and arguments, run under [`HOLDER`]; set its stdout and stderr,
/// then spawn it and keep it in a [`Guard`].
pub fn guarded(command: &Command, cleanup: Option<&Path>) -> Command {
    let mut holder = Command::new("sh");
    holder
        .args(["-c", HOLDER, "sh"])
        .arg(cleanup.map(Path::as_os_str).unwrap_or_default())
        .arg(command.get_program())
        .args(command.get_args())
        .stdin(Stdio::piped());
    for (name, value) in command.get_envs() {
        match value {
            Some(value) => holder.env(name, value),
            None => holder.env_remove(name),
        };
    }
    holder
}

/// A guarded server: dropping it stops the server and waits until it is gone.
pub struct Guard(Child);

impl Guard {
    pub fn new(holder: Child) -> Guard {
        Guard(holder)
    }

    pub fn child(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        drop(self.0.stdin.take());
        let _ = self.0.wait();
    }
}

/// A moto server on a free loopback port, stopped when dropped.
pub struct Moto {
    pub port: u16,
    pid: u32,
    /// The zygote that forked it.
    zygote: String,
    log: tempfile::TempDir,
}

/// `tests/support/moto_zygote.py`, run through one launcher: it imports moto once and
/// forks a fresh server for each [`Moto`] (importing moto costs a second or more of CPU,
/// and the tests start dozens of servers). It ends with this process: when its stdin, a
/// pipe from here, closes, it stops the servers and removes their directories.
struct Zygote {
    stdin: std::process::ChildStdin,
    stdout: BufReader<std::process::ChildStdout>,
    _process: Child,
}

impl Zygote {
    fn start(launcher: &Command) -> Zygote {
        let mut command = Command::new(launcher.get_program());
        command.args(launcher.get_args());
        if launcher.get_program() != "python3" {
            command.arg("python3");
        }
        command
            .arg(format!(
                "{}/tests/support/moto_zygote.py",
                env!("CARGO_MANIFEST_DIR")
            ))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        let mut process = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start moto ({e}); install it with: {MOTO_INSTALL}"));
        Zygote {
            stdin: process.stdin.take().expect("stdin was piped"),
            stdout: BufReader::new(process.stdout.take().expect("stdout was piped")),
            _process: process,
        }
    }

    /// Sends one request to the zygote of `launcher` (started on first use) and returns
    /// its answer.
    fn ask(launcher: &str, start: impl FnOnce() -> Zygote, request: &str) -> String {
        static ZYGOTES: OnceLock<Mutex<Vec<(String, Zygote)>>> = OnceLock::new();
        let mut zygotes = ZYGOTES
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let at = match zygotes.iter().position(|(key, _)| key == launcher) {
            Some(at) => at,
            None => {
                zygotes.push((launcher.to_owned(), start()));
                zygotes.len() - 1
            }
        };
        let zygote = &mut zygotes[at].1;
        let mut answer = String::new();
        let asked = writeln!(zygote.stdin, "{request}").and_then(|_| zygote.stdin.flush());
        if asked.is_err() || zygote.stdout.read_line(&mut answer).unwrap_or(0) == 0 {
            panic!("moto did not start; install it with: {MOTO_INSTALL}");
        }
        answer.trim_end().to_owned()
    }
}

impl Moto {
    pub fn start() -> Moto {
        Moto::start_with(Command::new("python3"), free_port(), 0)
    }

    /// moto without the strict STS layer: a stand-in for an STS-compatible service
    /// (LocalStack, MinIO) that takes what the SDKs send and AWS would refuse.
    pub fn start_lenient() -> Moto {
        Moto::launch(Command::new("python3"), free_port(), 0, "lenient")
    }

    /// Starts moto through `launcher` (python3 itself, or nsenter into a namespace), and
    /// returns once it listens.
    pub fn start_with(launcher: Command, port: u16, latency_ms: u32) -> Moto {
        Moto::launch(launcher, port, latency_ms, "strict")
    }

    fn launch(launcher: Command, port: u16, latency_ms: u32, mode: &str) -> Moto {
        let log = tempfile::tempdir().expect("a temporary directory");
        let key = format!("{launcher:?}");
        let answer = Zygote::ask(
            &key,
            || Zygote::start(&launcher),
            &format!("start {port} {latency_ms} {mode} {}", log.path().display()),
        );
        let pid = answer
            .strip_prefix("ready ")
            .and_then(|pid| pid.parse().ok())
            .unwrap_or_else(|| {
                panic!("moto did not start: {answer}; install it with: {MOTO_INSTALL}")
            });
        Moto {
            port,
            pid,
            zygote: key,
            log,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Requests moto has served, in order.
    pub fn requests(&self) -> Vec<Request> {
        read(&self.log.path().join("requests.log"))
            .lines()
            .filter_map(Request::parse)
            .collect()
    }

    /// The STS calls made, as [`Request::summary`] gives them.
    pub fn sts_calls(&self) -> Vec<String> {
        self.requests()
            .iter()
            .filter(|r| r.service == "sts")
            .map(Request::summary)
            .collect()
    }

    pub fn count(&self, action: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.action == action)
            .count()
    }
}

impl Drop for Moto {
    /// Stops the server and waits until it is gone.
    fn drop(&mut self) {
        let request = format!("stop {}", self.pid);
        Zygote::ask(
            &self.zygote,
            || unreachable!("a zygote started this server"),
            &request,
        );
    }
}

/// One line of moto's request log (JSON, written by tests/support/moto_logged.py).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Request {
    pub service: String,
    pub action: String,
    pub region: String,
    #[serde(rename = "key")]
    pub access_key_id: String,
    /// Signed with session credentials (the request carried a security token).
    pub session: bool,
    pub duration: Option<String>,
    pub session_name: Option<String>,
    pub role: Option<String>,
    pub serial: Option<String>,
    /// The MFA code sent (test values only).
    pub code: Option<String>,
    /// The HTTP status of the answer: 200, or the strict layer's or moto's refusal.
    pub status: u16,
    pub at: f64,
}

impl Request {
    fn parse(line: &str) -> Option<Request> {
        serde_json::from_str(line).ok()
    }

    /// `AssumeRole 3600s code=123456 session`, a call as the tests compare it.
    pub fn summary(&self) -> String {
        let mut text = self.action.clone();
        if let Some(d) = &self.duration {
            text.push_str(&format!(" {d}s"));
        }
        if let Some(c) = &self.code {
            text.push_str(&format!(" code={c}"));
        }
        text.push_str(if self.session {
            " session"
        } else {
            " long-term"
        });
        if self.status != 200 {
            text.push_str(&format!(" -> {}", self.status));
        }
        text
    }
}

/// One moto for every test of this binary that does not need to stop it or read its
/// log. It lives as long as the test process.
pub fn shared_moto() -> String {
    static SHARED: OnceLock<Moto> = OnceLock::new();
    SHARED.get_or_init(Moto::start).url()
}

pub fn wait_for_port(port: u16, child: &mut Child, what: &str, install: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "{what} exited ({status}) before listening on 127.0.0.1:{port}; install it with: {install}"
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not listen on 127.0.0.1:{port} within 30s; install it with: {install}");
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A throwaway HOME with its own profile files and cache, pointed at one STS endpoint.
pub struct TestEnv {
    pub home: tempfile::TempDir,
    pub endpoint: String,
    /// Sent as the SDK's app id: the strict STS layer remembers one-time MFA codes per
    /// scope, so each test environment is its own account with its own devices.
    pub scope: String,
    extra_env: Vec<(String, String)>,
}

impl TestEnv {
    pub fn new(endpoint: &str) -> TestEnv {
        let home = tempfile::tempdir().expect("a temporary directory");
        std::fs::create_dir_all(home.path().join(".aws")).expect("~/.aws");
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        TestEnv {
            home,
            endpoint: endpoint.to_owned(),
            scope: format!("test-{}-{n}", std::process::id()),
            extra_env: vec![],
        }
    }

    /// With the shared moto.
    pub fn shared() -> TestEnv {
        TestEnv::new(&shared_moto())
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.home.path().join(rel)
    }

    pub fn config(&self, text: &str) -> &Self {
        std::fs::write(self.path(".aws/config"), text).expect("write config");
        self
    }

    pub fn credentials(&self, text: &str) -> &Self {
        std::fs::write(self.path(".aws/credentials"), text).expect("write credentials");
        self
    }

    pub fn env(&mut self, name: &str, value: &str) -> &mut Self {
        self.extra_env.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.path("cache")
    }

    /// Cache entries on disk (not lock files).
    pub fn cache_entries(&self) -> usize {
        std::fs::read_dir(self.cache_dir())
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                    .count()
            })
            .unwrap_or(0)
    }

    /// `runas` with a clean environment: only what the test sets reaches it.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_runas"));
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("USER", "tester")
            .env("RUNAS_CACHE_DIR", self.cache_dir())
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_SDK_UA_APP_ID", &self.scope)
            .stdin(Stdio::null());
        for (k, v) in &self.extra_env {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let mut cmd = self.command();
        cmd.args(args);
        let mut run = Run::from(cmd.output().expect("run runas"));
        run.command = command_line(&cmd);
        run
    }
}

/// What a run printed and how it ended.
pub struct Run {
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// The command line, shown when an assertion fails (empty when unknown).
    pub command: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            status: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            command: String::new(),
        }
    }
}

/// `VAR=value … program arg …`, as a person would retype it.
fn command_line(cmd: &Command) -> String {
    let mut words: Vec<String> = cmd
        .get_envs()
        .filter_map(|(k, v)| Some(format!("{}={:?}", k.to_string_lossy(), v?)))
        .collect();
    words.push(cmd.get_program().to_string_lossy().into_owned());
    words.extend(cmd.get_args().map(|a| format!("{:?}", a.to_string_lossy())));
    words.join(" ")
}

impl Run {
    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(
            self.status,
            Some(0),
            "runas failed.\ncommand: {}\nstdout: {}\nstderr: {}",
            self.command,
            self.stdout,
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn fails(self, code: i32, message: &str) -> Run {
        assert_eq!(
            self.status,
            Some(code),
            "wrong exit status.\ncommand: {}\nstdout: {}\nstderr: {}",
            self.command,
            self.stdout,
            self.stderr
        );
        assert!(
            self.stderr.contains(message),
            "stderr lacks {message:?}:\ncommand: {}\n{}",
            self.command,
            self.stderr
        );
        self
    }

    /// The whole of stderr, to the letter: for messages whose every word matters.
    #[track_caller]
    pub fn says(self, stderr: &str) -> Run {
        assert_eq!(self.stderr, stderr, "command: {}", self.command);
        self
    }

    /// The value of `NAME=value` lines printed by `env` in the child.
    pub fn var(&self, name: &str) -> Option<String> {
        self.stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")).map(str::to_owned))
    }
}

/// A static-keys profile named `base` that other profiles source from.
pub fn base_profile() -> String {
    format!("[profile base]\naws_access_key_id = {ROOT_KEY}\naws_secret_access_key = {SECRET}\n")
}

pub fn role(account: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:role/{name}")
}

/// A stand-in for STS that answers every request with one error, for the refusals moto
/// never gives (a wrong MFA code). Returns its URL and a log of the request bodies.
pub fn refusing_sts(code: &str, message: &str) -> (String, std::sync::Arc<Mutex<Vec<String>>>) {
    refusing_sts_dated(code, message, None)
}

/// As [`refusing_sts`], with a `Date` header of the server's "clock".
pub fn refusing_sts_dated(
    code: &str,
    message: &str,
    date: Option<String>,
) -> (String, std::sync::Arc<Mutex<Vec<String>>>) {
    let body = format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
    );
    canned_http("403 Forbidden", "text/xml", &body, date)
}

/// A server that gives every request the same answer (an STS that is not STS: a proxy's
/// HTML page, an empty body, broken XML, a forged answer). Returns its URL and a log of
/// the request bodies.
pub fn canned_http(
    status: &str,
    content_type: &str,
    body: &str,
    date: Option<String>,
) -> (String, std::sync::Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let (status, content_type, body) =
        (status.to_owned(), content_type.to_owned(), body.to_owned());
    let log = std::sync::Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut request = vec![0; length];
            let _ = reader.read_exact(&mut request);
            seen.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&request).into_owned());
            let mut stream = reader.into_inner();
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{}Connection: close\r\n\r\n{body}",
                body.len(),
                date.as_ref()
                    .map(|d| format!("Date: {d}\r\n"))
                    .unwrap_or_default()
            );
        }
    });
    (url, log)
}

/// An executable script in the test's HOME.
pub fn script(env: &TestEnv, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = env.path(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}
