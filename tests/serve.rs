//! `runas -S`, `runas serve ecs` and `runas serve imds` against moto, with boto3 and the
//! AWS CLI as the clients.

mod testenv;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use testenv::*;

const CLIENT_INSTALL: &str = "python3 -m pip install --quiet boto3 awscli";

fn client_script() -> String {
    format!(
        "{}/tests/support/serve_client.py",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// One moto, with a request log, for every test here: a test that counts STS calls counts
/// only those for its own role or MFA device. It lives as long as the test process.
fn logged_moto() -> &'static Moto {
    static MOTO: std::sync::OnceLock<Moto> = std::sync::OnceLock::new();
    MOTO.get_or_init(Moto::start)
}

/// The calls of `action` for the role or MFA device named `name`.
fn count(action: &str, name: &str) -> usize {
    let suffix = format!("/{name}");
    logged_moto()
        .requests()
        .iter()
        .filter(|r| r.action == action)
        .filter(|r| {
            [&r.role, &r.serial]
                .iter()
                .any(|v| v.as_deref().is_some_and(|v| v.ends_with(&suffix)))
        })
        .count()
}

/// A role of 15 minutes sourced from static keys, and one for the endpoint's default.
fn env_with_role(name: &str) -> TestEnv {
    let env = TestEnv::new(&logged_moto().url());
    env.config(&format!(
        "{}region = us-east-1\n[profile prod]\nrole_arn = {}\nsource_profile = base\nregion = us-east-1\nduration_seconds = 900\n",
        base_profile(),
        role("123456789012", name)
    ));
    env
}

/// Fails loudly, with the install command, when a client tool is missing.
fn require_clients() {
    let boto3 = Command::new("python3")
        .args(["-c", "import boto3"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(boto3, "boto3 is missing; install it with: {CLIENT_INSTALL}");
    let aws = Command::new("aws")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        aws,
        "the AWS CLI is missing; install it with: {CLIENT_INSTALL}"
    );
}

fn client(env: &TestEnv, args: &[&str]) -> Run {
    let mut all = vec!["-S", "prod", "python3"];
    let script = client_script();
    all.push(&script);
    all.extend(args);
    env.run(&all)
}

#[test]
fn boto3_and_the_aws_cli_get_the_role_through_the_endpoint() {
    require_clients();
    let env = env_with_role("Served");
    // Both at once, each under a runas of its own.
    let (run, cli) = std::thread::scope(|scope| {
        let cli = scope.spawn(|| {
            env.run(&[
                "-S",
                "prod",
                "aws",
                "sts",
                "get-caller-identity",
                "--query",
                "Arn",
                "--output",
                "text",
            ])
        });
        (client(&env, &["identity"]), cli.join().unwrap())
    });
    let run = run.ok();
    assert_eq!(
        run.var("ARN").as_deref(),
        Some("arn:aws:sts::123456789012:assumed-role/Served/runas-tester"),
        "{}",
        run.stderr
    );
    let run = cli.ok();
    assert_eq!(
        run.stdout.trim(),
        "arn:aws:sts::123456789012:assumed-role/Served/runas-tester"
    );
    // RUNAS_SERVE=1 and the profile key do the same as -S.
    let mut env = env;
    env.env("RUNAS_SERVE", "1");
    let run = env
        .run(&[
            "prod",
            "sh",
            "-c",
            "echo KEY=${AWS_ACCESS_KEY_ID:-none}; echo URI=$AWS_CONTAINER_CREDENTIALS_FULL_URI",
        ])
        .ok();
    assert_eq!(run.var("KEY").as_deref(), Some("none"));
    assert!(run.var("URI").unwrap().starts_with("http://127.0.0.1:"));
}

#[test]
fn the_profile_key_serves_too_and_the_child_has_no_keys() {
    let env = env_with_role("Keyed");
    env.config(&format!(
        "{}region = us-east-1\n[profile prod]\nrole_arn = {}\nsource_profile = base\nregion = us-east-1\nrunas_serve = true\n",
        base_profile(),
        role("123456789012", "Keyed")
    ));
    let mut env = env;
    env.env("AWS_PROFILE", "base")
        .env("AWS_SESSION_TOKEN", "stale");
    // Twice: the second run must not take the warm shortcut past the profile key.
    for _ in 0..2 {
        let run = env.run(&["prod", "env"]).ok();
        assert!(
            run.var("AWS_CONTAINER_CREDENTIALS_FULL_URI").is_some(),
            "{}",
            run.stdout
        );
        assert_eq!(
            run.var("AWS_CONTAINER_AUTHORIZATION_TOKEN")
                .map(|t| t.len()),
            Some(64)
        );
        assert_eq!(run.var("AWS_REGION").as_deref(), Some("us-east-1"));
        assert_eq!(run.var("RUNAS_PROFILE").as_deref(), Some("prod"));
        for gone in [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_PROFILE",
        ] {
            assert_eq!(run.var(gone), None, "{gone}");
        }
    }
    let run = env.run(&["-e", "prod", "true"]).ok();
    assert!(
        run.stderr.contains("the endpoint refreshes them"),
        "{}",
        run.stderr
    );
    env.run(&["-w", "prod", "true"])
        .fails(2, "-w and -c want one set");
    // Printing is unchanged.
    let run = env.run(&["prod"]).ok();
    assert!(run.stdout.contains("export AWS_ACCESS_KEY_ID="));
}

#[test]
fn requests_without_the_token_are_refused_and_the_endpoint_closes_after() {
    let env = env_with_role("Probed");
    let run = client(&env, &["probe"]).ok();
    let none = run.var("NONE").unwrap();
    let wrong = run.var("WRONG").unwrap();
    let right = run.var("RIGHT").unwrap();
    assert!(none.starts_with("401 "), "{none}");
    assert!(wrong.starts_with("403 "), "{wrong}");
    assert!(right.starts_with("200 "), "{right}");
    let credentials: serde_json::Value = serde_json::from_str(&right[4..]).unwrap();
    let secret = credentials["SecretAccessKey"].as_str().unwrap();
    let token = credentials["Token"].as_str().unwrap();
    assert!(
        credentials["AccessKeyId"]
            .as_str()
            .unwrap()
            .starts_with("ASIA")
    );
    assert_eq!(credentials["AccountId"], "123456789012");
    let expiration = credentials["Expiration"].as_str().unwrap();
    assert!(
        expiration.len() == 20 && expiration.ends_with('Z'),
        "RFC 3339: {expiration}"
    );
    for refused in [&none, &wrong] {
        assert!(!refused.contains(secret) && !refused.contains(token) && !refused.contains("ASIA"));
    }
    // The child has ended, and so has the endpoint.
    let uri = run.var("URI").unwrap();
    let address = uri
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        std::net::TcpStream::connect(&address).is_err(),
        "{address} still listens"
    );
}

#[test]
fn signals_reach_the_child_and_its_status_comes_back() {
    let env = env_with_role("Signalled");
    let script = client_script();
    for (child, expected) in [
        (vec!["python3", script.as_str(), "sleep"], 42),
        (vec!["sh", "-c", "echo READY; exec sleep 30"], 128 + 15),
    ] {
        let mut args = vec!["-S", "prod"];
        args.extend(child);
        let mut runas = Spawned::new(env.command().args(&args));
        runas.wait_for_line("READY");
        runas.signal("TERM");
        assert_eq!(runas.wait(Duration::from_secs(10)), Some(expected));
    }
    // A plain exit status passes through too.
    assert_eq!(
        env.run(&["-S", "prod", "sh", "-c", "exit 7"]).status,
        Some(7)
    );
    env.run(&["-S", "prod", "no-such-command-here"])
        .fails(127, "command not found");
}

#[test]
fn a_long_running_child_sees_keys_rotate_without_errors() {
    require_clients();
    let mut env = TestEnv::new(&logged_moto().url());
    env.config(&format!(
        "{}region = us-east-1\n[profile prod]\nrole_arn = {}\nsource_profile = base\nregion = us-east-1\nduration_seconds = 900\n",
        base_profile(),
        role("123456789012", "Rotating")
    ));
    // A fast clock: the role's credentials are stale 2 s after they are issued.
    env.env("RUNAS_REFRESH_MARGIN", "14m58s");
    // boto3 calls STS until it has seen three sets of keys and made 30 calls.
    let run = client(&env, &["rotate", "3", "30"]).ok();
    let number = |k: &str| {
        run.var(k)
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0)
    };
    assert_eq!(number("ERRORS"), 0, "{}", run.stderr);
    assert!(
        number("KEYS") >= 3,
        "keys seen: {}\n{}",
        number("KEYS"),
        run.stdout
    );
    assert!(number("CALLS") >= 30, "{}", run.stdout);
    assert!(count("AssumeRole", "Rotating") >= 3);
}

/// A margin as long as the credentials live made every endpoint request an AssumeRole
/// call (11 for 10 requests): it is taken as half their lifetime, and boto3, which asks
/// the endpoint again and again for 15-minute credentials, gets the same ones.
#[test]
fn a_margin_longer_than_the_credentials_live_makes_one_call() {
    require_clients();
    let moto = Moto::start();
    let mut env = TestEnv::new(&moto.url());
    env.config(&format!(
        "{}region = us-east-1\n[profile prod]\nrole_arn = {}\nsource_profile = base\nregion = us-east-1\nduration_seconds = 900\n",
        base_profile(),
        role("123456789012", "Margin")
    ));
    env.env("RUNAS_REFRESH_MARGIN", "20m");
    let run = client(&env, &["rotate", "1", "10"]).ok();
    let number = |k: &str| run.var(k).and_then(|v| v.parse::<usize>().ok());
    assert_eq!(number("ERRORS"), Some(0), "{}", run.stderr);
    assert_eq!(number("KEYS"), Some(1), "{}", run.stdout);
    assert!(number("CALLS").unwrap_or(0) >= 5, "{}", run.stdout);
    assert_eq!(moto.count("AssumeRole"), 1, "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("is not below the lifetime").count(),
        1,
        "{}",
        run.stderr
    );
}

/// A refresh that cannot get an MFA code (no terminal, no `mfa_process`) is said on
/// stderr, and the command keeps the credentials it has while they last.
#[test]
fn a_refresh_that_needs_mfa_without_a_terminal_warns_and_serves_the_current_credentials() {
    let mut env = TestEnv::new(&logged_moto().url());
    env.config(&format!(
        "{}region = us-east-1\nmfa_serial = arn:aws:iam::123456789012:mfa/served\nsession_token_duration = 15m\n\
         [profile prod]\nrole_arn = {}\nsource_profile = base\nregion = us-east-1\nduration_seconds = 900\n",
        base_profile(),
        role("123456789012", "Guarded")
    ));
    env.env("RUNAS_REFRESH_MARGIN", "14m58s")
        .env("MFA_CODE", "318205");
    // setsid: no controlling terminal, so no /dev/tty to prompt on.
    let mut setsid = Command::new("setsid");
    let runas = env.command();
    setsid.arg(runas.get_program());
    setsid
        .env_clear()
        .envs(runas.get_envs().filter_map(|(k, v)| Some((k, v?))));
    setsid.args([
        "-S",
        "prod",
        "sh",
        "-c",
        // The credentials are stale 2 s after they were issued (within a second of
        // start, as STS gives whole seconds).
        "sleep 2.5; python3 \"$0\" probe",
        &client_script(),
    ]);
    let run = Run::from(setsid.stdin(Stdio::null()).output().expect("setsid"));
    let right = run.var("RIGHT").unwrap_or_default();
    assert!(right.starts_with("200 "), "{right}\n{}", run.stderr);
    assert!(right.contains("\"AccessKeyId\""), "{right}");
    assert!(
        run.stderr
            .contains("cannot refresh the credentials of the endpoint")
            && run.stderr.contains("MFA")
            && run.stderr.contains("no terminal"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("318205") && !right.contains("318205"));
    assert_eq!(
        count("GetSessionToken", "served"),
        1,
        "the one-time code is not sent twice"
    );
}

#[test]
fn serve_imds_answers_boto3_through_imdsv2_only() {
    require_clients();
    let env = env_with_role("Metadata");
    let mut runas = Spawned::new(env.command().args(["-v", "serve", "imds", "prod"]));
    let endpoint = runas.wait_for_line("export AWS_EC2_METADATA_SERVICE_ENDPOINT=");
    let endpoint = endpoint
        .split('=')
        .nth(1)
        .unwrap()
        .trim_matches('\'')
        .to_owned();
    let boto3 = Command::new("python3")
        .arg(client_script())
        .arg("identity")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", env.home.path())
        .env("AWS_ENDPOINT_URL", &env.endpoint)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &endpoint)
        .env("AWS_EC2_METADATA_V1_DISABLED", "true")
        .output()
        .expect("python3");
    let run = Run::from(boto3);
    assert_eq!(
        run.var("ARN").as_deref(),
        Some("arn:aws:sts::123456789012:assumed-role/Metadata/runas-tester"),
        "{}",
        run.stderr
    );
    // IMDSv1 (no token) is refused; the role name and credentials need a token.
    let host = endpoint.trim_start_matches("http://");
    assert!(
        http(
            host,
            "GET /latest/meta-data/iam/security-credentials/ HTTP/1.1",
            ""
        )
        .starts_with("HTTP/1.1 401")
    );
    assert!(http(host, "PUT /latest/api/token HTTP/1.1", "").starts_with("HTTP/1.1 400"));
    let answer = http(
        host,
        "PUT /latest/api/token HTTP/1.1",
        "X-aws-ec2-metadata-token-ttl-seconds: 60\r\n",
    );
    let token = answer.rsplit("\r\n\r\n").next().unwrap().to_owned();
    let proxied = http(
        host,
        "PUT /latest/api/token HTTP/1.1",
        "X-aws-ec2-metadata-token-ttl-seconds: 60\r\nX-Forwarded-For: 10.0.0.1\r\n",
    );
    assert!(proxied.starts_with("HTTP/1.1 403"), "{proxied}");
    let with = format!("X-aws-ec2-metadata-token: {token}\r\n");
    let names = http(
        host,
        "GET /latest/meta-data/iam/security-credentials/ HTTP/1.1",
        &with,
    );
    assert!(names.ends_with("\r\n\r\nMetadata"), "{names}");
    let extended = http(
        host,
        "GET /latest/meta-data/iam/security-credentials-extended/Metadata HTTP/1.1",
        &with,
    );
    assert!(
        extended.contains("\"AccountId\":\"123456789012\""),
        "{extended}"
    );
    assert!(
        http(
            host,
            "GET /latest/meta-data/iam/security-credentials/Other HTTP/1.1",
            &with
        )
        .starts_with("HTTP/1.1 404")
    );
    runas.signal("TERM");
    assert_eq!(runas.wait(Duration::from_secs(10)), Some(0));
    assert!(
        runas
            .stderr()
            .contains("GET /latest/meta-data/iam/security-credentials/ -> 401")
    );
    assert!(
        !runas.stderr().contains(&token),
        "the token is never logged"
    );
}

#[test]
fn serve_ecs_prints_its_variables_and_stops_on_sigint() {
    let env = env_with_role("Printed");
    let mut runas = Spawned::new(env.command().args(["serve", "ecs", "prod"]));
    let uri = runas.wait_for_line("export AWS_CONTAINER_CREDENTIALS_FULL_URI=");
    let token = runas.wait_for_line("export AWS_CONTAINER_AUTHORIZATION_TOKEN=");
    let uri = uri.split('=').nth(1).unwrap().trim_matches('\'').to_owned();
    let token = token
        .split('=')
        .nth(1)
        .unwrap()
        .trim_matches('\'')
        .to_owned();
    let rest = uri.trim_start_matches("http://");
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let answer = http(
        host,
        &format!("GET {path} HTTP/1.1"),
        &format!("Authorization: {token}\r\n"),
    );
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.contains("\"Token\""),
        "{answer}"
    );
    let port: u16 = host.rsplit(':').next().unwrap().parse().unwrap();
    assert_only_loopback(runas.id(), port);
    runas.signal("INT");
    assert_eq!(runas.wait(Duration::from_secs(10)), Some(0));
    assert!(std::net::TcpStream::connect(host).is_err());
    // Long-term keys are no use to an endpoint's clients: refused at start.
    env.run(&["serve", "ecs", "base"])
        .fails(2, "long-term keys");
}

#[test]
fn nothing_listens_off_loopback() {
    let env = env_with_role("Local");
    let mut runas = Spawned::new(env.command().args([
        "-S",
        "prod",
        "sh",
        "-c",
        "echo READY $AWS_CONTAINER_CREDENTIALS_FULL_URI; exec sleep 30",
    ]));
    let ready = runas.wait_for_line("READY");
    let port = ready.rsplit(':').next().unwrap().split('/').next().unwrap();
    assert_only_loopback(runas.id(), port.parse().unwrap());
    runas.signal("TERM");
    runas.wait(Duration::from_secs(10));
}

/// Nothing listens on `port` but 127.0.0.1 (no other address, no IPv6), and, when its
/// descriptors can be read (runas makes itself undumpable, so only root can), every
/// listening socket of `pid` is on 127.0.0.1.
fn assert_only_loopback(pid: u32, port: u16) {
    let inodes: Option<Vec<String>> = std::fs::read_dir(format!("/proc/{pid}/fd")).ok().map(|d| {
        d.filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
            .filter_map(|l| {
                Some(
                    l.to_str()?
                        .strip_prefix("socket:[")?
                        .trim_end_matches(']')
                        .to_owned(),
                )
            })
            .collect()
    });
    let (mut on_port, mut owned) = (0, 0);
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        for line in read(std::path::Path::new(table)).lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() <= 9 || f[3] != "0A" {
                continue;
            }
            let loopback = table.ends_with("tcp") && f[1].starts_with("0100007F:");
            if f[1].ends_with(&format!(":{port:04X}")) {
                assert!(loopback, "port {port} listens on {} in {table}", f[1]);
                on_port += 1;
            }
            if inodes.as_ref().is_some_and(|i| i.iter().any(|i| i == f[9])) {
                assert!(loopback, "runas listens on {} in {table}", f[1]);
                owned += 1;
            }
        }
    }
    assert_eq!(on_port, 1, "one listener on port {port}");
    assert!(
        inodes.is_none() || owned == 1,
        "runas has one listening socket"
    );
}

/// A raw HTTP/1.1 request, answered in full (the connection is closed after it).
fn http(host: &str, request_line: &str, headers: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(host).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "{request_line}\r\nHost: {host}\r\n{headers}Connection: close\r\nContent-Length: 0\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

/// runas in the background, its stdout read line by line, killed if the test fails.
struct Spawned {
    child: Child,
    lines: std::sync::mpsc::Receiver<String>,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Spawned {
    fn new(command: &mut Command) -> Spawned {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("runas");
        let (send, lines) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = stderr.clone();
        let pipe = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                sink.lock().unwrap().push_str(&format!("{line}\n"));
            }
        });
        Spawned {
            child,
            lines,
            stderr,
        }
    }

    fn id(&self) -> u32 {
        self.child.id()
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn wait_for_line(&mut self, prefix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) if line.starts_with(prefix) => return line,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!("no line starting {prefix:?}; stderr:\n{}", self.stderr());
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn wait(&mut self, limit: Duration) -> Option<i32> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "runas did not end within {limit:?}; stderr:\n{}",
            self.stderr()
        );
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A role of 15 minutes behind an MFA session of 15 minutes whose codes come from
/// `mfa_process`: the script counts from `first`, and from the second code on runs `later`
/// (shell) before it answers. `margin` makes the credentials stale within seconds.
fn mfa_process_env(name: &str, first: u32, later: &str, margin: &str) -> TestEnv {
    let mut env = TestEnv::new(&logged_moto().url());
    let counter = env.path("codes");
    let codes = script(
        &env,
        "codes.sh",
        &format!(
            "n=$(cat '{0}' 2>/dev/null || echo {first}); n=$((n + 1)); echo $n > '{0}'\n\
             if [ $n -gt {second} ]; then {later}; fi\necho $n",
            counter.display(),
            second = first + 1,
        ),
    );
    env.config(&format!(
        "{}region = us-east-1\nmfa_serial = arn:aws:iam::123456789012:mfa/{name}\nsession_token_duration = 15m\n\
         mfa_process = {}\n[profile prod]\nrole_arn = {}\nsource_profile = base\nregion = us-east-1\nduration_seconds = 900\n",
        base_profile(),
        codes.display(),
        role("123456789012", name)
    ));
    env.env("RUNAS_REFRESH_MARGIN", margin);
    env
}

#[test]
fn a_refresh_through_mfa_process_keeps_signals_forwarded() {
    let env = mfa_process_env("forwarded", 400000, ":", "14m58s");
    let child = format!(
        "sleep 2.5; python3 '{0}' probe; exec python3 '{0}' sleep",
        client_script()
    );
    let mut runas = Spawned::new(env.command().args(["-S", "prod", "sh", "-c", &child]));
    let right = runas.wait_for_line("RIGHT=");
    assert!(
        right.starts_with("RIGHT=200 "),
        "{right}\n{}",
        runas.stderr()
    );
    runas.wait_for_line("READY");
    assert_eq!(
        count("GetSessionToken", "forwarded"),
        2,
        "a new session through mfa_process"
    );
    runas.signal("TERM");
    assert_eq!(runas.wait(Duration::from_secs(10)), Some(42));
}

/// A SIGTERM that reaches `runas -S` while a refresh waits on `mfa_process` ends that
/// program, goes on to the command, and runas ends with the command's status: it does not
/// die and leave the command without its endpoint.
#[test]
fn a_signal_during_a_refresh_reaches_the_command() {
    let env = mfa_process_env(
        "interrupted",
        500000,
        "echo $$ > \"$HOME/asking.pid\"; exec sleep 30",
        "14m58s",
    );
    let asking = env.path("asking.pid");
    // The probe asks in the background once the credentials are stale, and waits on the
    // refresh; the command itself waits for SIGTERM and exits 42 on it.
    let child = format!(
        "(sleep 2.5; python3 '{0}' probe) & exec python3 '{0}' sleep",
        client_script()
    );
    let mut runas = Spawned::new(env.command().args(["-S", "prod", "sh", "-c", &child]));
    runas.wait_for_line("READY");
    let deadline = Instant::now() + Duration::from_secs(20);
    let pid = loop {
        if let Ok(pid) = std::fs::read_to_string(&asking)
            && !pid.trim().is_empty()
        {
            break pid.trim().to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "mfa_process was never asked again; stderr:\n{}",
            runas.stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    runas.signal("TERM");
    assert_eq!(
        runas.wait(Duration::from_secs(10)),
        Some(42),
        "{}",
        runas.stderr()
    );
    let gone = Instant::now() + Duration::from_secs(5);
    while std::path::Path::new(&format!("/proc/{pid}")).exists() {
        assert!(Instant::now() < gone, "mfa_process {pid} outlived runas");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A refresh that takes longer than an SDK waits for its endpoint (a slow `mfa_process`
/// here; a person typing a code in real life) does not fail the command's requests: they
/// get the current credentials, still good for minutes, at once, and the new ones after.
#[test]
fn a_slow_refresh_answers_with_the_current_credentials_meanwhile() {
    let env = mfa_process_env("slow", 600000, "sleep 2", "14m58s");
    let client = client_script();
    // Stale 2 s after they were issued; then one request while the refresh (2 s of
    // mfa_process) is under way, and requests until the new keys come.
    let child = format!(
        "first=$(python3 '{client}' quick); echo \"$first\"; sleep 2.5; python3 '{client}' quick; \
         python3 '{client}' until-new \"${{first##*KEY=}}\""
    );
    let run = env.run(&["-S", "prod", "sh", "-c", &child]).ok();
    let answers: Vec<(u64, String, String)> = run
        .stdout
        .lines()
        .filter_map(|line| {
            let mut fields = line.split(' ').map(|f| f.split_once('=').map(|(_, v)| v));
            Some((
                fields.next()??.parse().ok()?,
                fields.next()??.to_owned(),
                fields.next()??.to_owned(),
            ))
        })
        .collect();
    assert_eq!(answers.len(), 3, "{}\n{}", run.stdout, run.stderr);
    let (first, stale, after) = (&answers[0], &answers[1], &answers[2]);
    assert_eq!(first.1, "200");
    assert_eq!(stale.1, "200", "{}", run.stderr);
    assert!(
        stale.0 < 1000,
        "the stale request waited {} ms for the refresh",
        stale.0
    );
    assert_eq!(stale.2, first.2, "meanwhile, the current credentials");
    assert_eq!(after.1, "200");
    assert_ne!(after.2, first.2, "then the refreshed ones");
    assert_eq!(count("GetSessionToken", "slow"), 2);
}

/// A request as the bytes given, answered in full or until the server closes.
fn raw(host: &str, request: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(host).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

/// `serve ecs PROFILE` (with `args` before it) in the background: the process, its
/// `host:port` and its token.
fn serve_ecs(env: &TestEnv, args: &[&str]) -> (Spawned, String, String) {
    let mut runas = Spawned::new(env.command().args(args).args(["serve", "ecs", "prod"]));
    let value = |line: String| {
        line.split('=')
            .nth(1)
            .unwrap()
            .trim_matches('\'')
            .to_owned()
    };
    let uri = value(runas.wait_for_line("export AWS_CONTAINER_CREDENTIALS_FULL_URI="));
    let token = value(runas.wait_for_line("export AWS_CONTAINER_AUTHORIZATION_TOKEN="));
    let host = uri
        .trim_start_matches("http://")
        .trim_end_matches("/credentials")
        .to_owned();
    (runas, host, token)
}

/// A web page whose name was re-pointed at 127.0.0.1 (DNS rebinding) sends its own name
/// as `Host`, and a cross-origin one an `Origin`: neither endpoint answers either.
#[test]
fn the_endpoints_answer_only_requests_to_their_loopback_address() {
    let env = env_with_role("Rebound");
    let (_ecs, host, token) = serve_ecs(&env, &[]);
    let port = host.rsplit(':').next().unwrap().to_owned();
    let get = |host_header: &str, extra: &str| {
        raw(
            &host,
            &format!(
                "GET /credentials HTTP/1.1\r\n{host_header}Authorization: {token}\r\n{extra}Connection: close\r\n\r\n"
            ),
        )
    };
    for name in ["127.0.0.1", "localhost", "LOCALHOST", "[::1]"] {
        let answer = get(&format!("Host: {name}:{port}\r\n"), "");
        assert!(answer.starts_with("HTTP/1.1 200"), "{name}: {answer}");
    }
    let refused = [
        get(&format!("Host: rebound.example:{port}\r\n"), ""),
        get("Host: 127.0.0.1\r\n", ""),
        get(
            &format!("Host: 127.0.0.1:{port}\r\n"),
            "Origin: http://rebound.example\r\n",
        ),
        get(
            &format!("Host: 127.0.0.1:{port}\r\n"),
            &format!("Origin: http://127.0.0.1:{port}\r\n"),
        ),
    ];
    for answer in &refused {
        assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
        assert!(!answer.contains("ASIA") && !answer.contains("\"Token\""));
    }
    assert!(refused[0].contains("only requests to 127.0.0.1, localhost or [::1]"));
    assert!(refused[2].contains("requests from web pages"));
    let hostless = get("", "");
    assert!(hostless.starts_with("HTTP/1.1 400"), "{hostless}");
    assert!(hostless.contains("needs exactly one Host"), "{hostless}");
    // HTTP/1.0 has no Host to require.
    let old = raw(
        &host,
        &format!("GET /credentials HTTP/1.0\r\nAuthorization: {token}\r\n\r\n"),
    );
    assert!(old.starts_with("HTTP/1.0 200"), "{old}");

    // The metadata endpoint's token needs no preflight from a rebound page: refused too.
    let mut imds = Spawned::new(env.command().args(["serve", "imds", "prod"]));
    let line = imds.wait_for_line("export AWS_EC2_METADATA_SERVICE_ENDPOINT=");
    let address = line.split('=').nth(1).unwrap().trim_matches('\'');
    let address = address.trim_start_matches("http://").to_owned();
    let port = address.rsplit(':').next().unwrap();
    let put = |host_header: &str| {
        raw(
            &address,
            &format!(
                "PUT /latest/api/token HTTP/1.1\r\n{host_header}X-aws-ec2-metadata-token-ttl-seconds: 60\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            ),
        )
    };
    let rebound = put(&format!("Host: rebound.example:{port}\r\n"));
    assert!(rebound.starts_with("HTTP/1.1 403"), "{rebound}");
    let local = put(&format!("Host: 127.0.0.1:{port}\r\n"));
    assert!(local.starts_with("HTTP/1.1 200"), "{local}");
}

/// `--port` on a port that is taken fails at once: no MFA code asked, no STS call made.
#[test]
fn a_taken_port_fails_before_any_mfa_prompt_or_sts_call() {
    let (sts, calls) = refusing_sts("AccessDenied", "not reached");
    let env = TestEnv::new(&sts);
    let asked = env.path("asked");
    let mfa = script(
        &env,
        "mfa.sh",
        &format!("touch '{}'; echo 123456", asked.display()),
    );
    env.config(&format!(
        "{}region = us-east-1\nmfa_serial = arn:aws:iam::123456789012:mfa/taken\nmfa_process = {}\n\
         [profile prod]\nrole_arn = {}\nsource_profile = base\nregion = us-east-1\n",
        base_profile(),
        mfa.display(),
        role("123456789012", "Taken")
    ));
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    for kind in ["ecs", "imds"] {
        env.run(&["serve", kind, "--port", &port, "prod"])
            .fails(1, &format!("cannot listen on 127.0.0.1:{port}"));
    }
    assert!(calls.lock().unwrap().is_empty(), "STS was called");
    assert!(!asked.exists(), "an MFA code was asked for");
}

/// Connections that send nothing cannot starve a real client: with the descriptor limit
/// low (256 here; 256 is also the usual soft limit on macOS) and 1,000 of them held, a
/// request is still answered at once, and a silent connection is closed within seconds.
#[test]
fn idle_connections_do_not_delay_a_real_client() {
    let env = env_with_role("Crowded");
    let runas = env.command();
    let mut limited = Command::new("sh");
    limited
        .env_clear()
        .envs(runas.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .args(["-c", "ulimit -n 256 && exec \"$0\" serve ecs prod"])
        .arg(runas.get_program());
    let mut server = Spawned::new(&mut limited);
    let value = |line: String| {
        line.split('=')
            .nth(1)
            .unwrap()
            .trim_matches('\'')
            .to_owned()
    };
    let uri = value(server.wait_for_line("export AWS_CONTAINER_CREDENTIALS_FULL_URI="));
    let token = value(server.wait_for_line("export AWS_CONTAINER_AUTHORIZATION_TOKEN="));
    let host = uri
        .trim_start_matches("http://")
        .trim_end_matches("/credentials")
        .to_owned();
    let address: std::net::SocketAddr = host.parse().unwrap();
    let mut idle = Vec::new();
    for _ in 0..1000 {
        match std::net::TcpStream::connect_timeout(&address, Duration::from_secs(1)) {
            Ok(stream) => idle.push(stream),
            Err(e) => panic!(
                "connection {} of 1000 was not accepted: {e}\n{}",
                idle.len() + 1,
                server.stderr()
            ),
        }
    }
    let started = Instant::now();
    let answer = http(
        &host,
        "GET /credentials HTTP/1.1",
        &format!("Authorization: {token}\r\n"),
    );
    let took = started.elapsed();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    eprintln!("answered in {took:?} with 1000 idle connections open");
    assert!(
        took < Duration::from_secs(1),
        "answered after {took:?}, longer than SDKs wait"
    );
    // The newest idle connection is still held, and closed for its silence.
    use std::io::Read;
    let last = idle.last_mut().unwrap();
    last.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let started = Instant::now();
    assert_eq!(last.read(&mut [0u8; 1]).unwrap_or(0), 0);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

/// The state letter of a process in /proc (R, S, T, Z...), or None once it is gone.
fn state(pid: &str) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit(')').next()?.trim_start().chars().next()
}

/// Waits up to 10 s for `pid` to reach a state `wanted` accepts.
fn wait_for_state(pid: &str, wanted: impl Fn(Option<char>) -> bool, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !wanted(state(pid)) {
        assert!(Instant::now() < deadline, "{pid} {what}: {:?}", state(pid));
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// runas killed outright (SIGKILL, the OOM killer) takes the command with it: otherwise
/// the command would keep a URL whose port anyone could take.
#[test]
fn the_command_does_not_outlive_runas_killed() {
    let env = env_with_role("Orphaned");
    let mut runas =
        Spawned::new(
            env.command()
                .args(["-S", "prod", "sh", "-c", "echo PID=$$; exec sleep 30"]),
        );
    let pid = runas.wait_for_line("PID=")[4..].to_owned();
    runas.signal("KILL");
    runas.wait(Duration::from_secs(10));
    wait_for_state(&pid, |s| matches!(s, None | Some('Z')), "outlived runas");
}

/// SIGTSTP sent to runas alone stops the command, not runas, whose endpoint keeps
/// answering; SIGCONT goes on to the command too.
#[test]
fn a_stop_sent_to_runas_stops_the_command_and_not_the_endpoint() {
    let env = env_with_role("Paused");
    // Keys in [default]: the command reads views, which must go with SIGTERM too.
    env.credentials(&format!(
        "[default]\naws_access_key_id = {ROOT_KEY}\naws_secret_access_key = {SECRET}\n"
    ));
    let child = format!(
        "echo VIEW=$AWS_CONFIG_FILE; echo PID=$$; echo HOST=${{AWS_CONTAINER_CREDENTIALS_FULL_URI#http://}}; \
         echo TOKEN=$AWS_CONTAINER_AUTHORIZATION_TOKEN; echo LIMIT=$(ulimit -Sn); \
         exec python3 '{}' sleep",
        client_script()
    );
    let runas = env.command();
    let mut limited = Command::new("sh");
    limited
        .env_clear()
        .envs(runas.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .args(["-c", "ulimit -Sn 300 && exec \"$0\" -S prod sh -c \"$1\""])
        .arg(runas.get_program())
        .arg(&child);
    // A group of its own, whose parent (this test) is in another group of the same session:
    // the kernel discards SIGTSTP in an orphaned group, which the suite's own group may be
    // (under setsid, or once the shell that started it has gone).
    std::os::unix::process::CommandExt::process_group(&mut limited, 0);
    let mut runas = Spawned::new(&mut limited);
    let view = std::path::PathBuf::from(&runas.wait_for_line("VIEW=")[5..]);
    assert!(view.exists(), "{}", view.display());
    let pid = runas.wait_for_line("PID=")[4..].to_owned();
    let host = runas.wait_for_line("HOST=")[5..]
        .trim_end_matches("/credentials")
        .to_owned();
    let token = runas.wait_for_line("TOKEN=")[6..].to_owned();
    let limit = runas.wait_for_line("LIMIT=");
    assert_eq!(
        limit, "LIMIT=300",
        "the command gets runas's own descriptor limit back"
    );
    runas.wait_for_line("READY");
    runas.signal("TSTP");
    wait_for_state(&pid, |s| s == Some('T'), "did not stop");
    let own = runas.id().to_string();
    assert_ne!(state(&own), Some('T'), "runas stopped");
    let answer = http(
        &host,
        "GET /credentials HTTP/1.1",
        &format!("Authorization: {token}\r\n"),
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    runas.signal("CONT");
    wait_for_state(&pid, |s| s != Some('T'), "did not continue");
    runas.signal("TERM");
    assert_eq!(runas.wait(Duration::from_secs(10)), Some(42));
    assert!(!view.exists(), "the views outlived a SIGTERM");
}

const JS_INSTALL: &str = "npm ci --prefix tests/support/js";

/// The JavaScript SDK's client script, failing loudly when its packages are missing.
fn js_client() -> String {
    let dir = format!("{}/tests/support/js", env!("CARGO_MANIFEST_DIR"));
    assert!(
        std::path::Path::new(&dir)
            .join("node_modules/@aws-sdk/client-sts")
            .is_dir(),
        "the JavaScript SDK is missing; install it with: {JS_INSTALL}"
    );
    format!("{dir}/identity.mjs")
}

/// Long-term keys in `[default]` (what `aws configure` writes) and roles sourced from
/// them: the commonest layout there is.
fn env_with_default_keys() -> TestEnv {
    let env = TestEnv::new(&logged_moto().url());
    env.credentials(&format!(
        "# aws configure\n[default]\naws_access_key_id = {ROOT_KEY}\naws_secret_access_key = {SECRET}\n"
    ));
    env.config(&format!(
        "[default]\nregion = us-east-1\n\n[profile prod]\nrole_arn = {}\nsource_profile = default\nregion = us-east-1\n\
         [profile other]\nrole_arn = {}\nsource_profile = default\nregion = us-east-1\n",
        role("123456789012", "Served"),
        role("123456789012", "Other")
    ));
    env
}

/// With keys in `[default]`, every SDK's default chain inside `runas -S` still gets the
/// served role, not the keys: boto3, the AWS CLI and the JavaScript SDK. Other profiles
/// still work, and the views of the files the command read are gone when runas ends.
#[test]
fn the_command_is_the_served_identity_even_with_keys_in_default() {
    require_clients();
    let js = js_client();
    let env = env_with_default_keys();
    let (config, credentials) = (
        read(&env.path(".aws/config")),
        read(&env.path(".aws/credentials")),
    );
    // The four clients at once, each printing its lines whole.
    let child = format!(
        "echo VIEW=$AWS_CONFIG_FILE; \
         (out=$(python3 '{}' identity); echo \"BOTO3=${{out#ARN=}}\") & \
         (echo CLI=$(aws sts get-caller-identity --query Arn --output text)) & \
         (out=$(node '{js}'); echo \"$out\" | sed s/^ARN=/JS=/) & \
         (echo OTHER=$(aws --profile other sts get-caller-identity --query Arn --output text)) & \
         wait",
        client_script()
    );
    let run = env.run(&["-S", "prod", "sh", "-c", &child]).ok();
    let served = "arn:aws:sts::123456789012:assumed-role/Served/runas-tester";
    for client in ["BOTO3", "CLI", "JS"] {
        assert_eq!(
            run.var(client).as_deref(),
            Some(served),
            "{client}\n{}\n{}",
            run.stdout,
            run.stderr
        );
    }
    assert_eq!(
        run.var("KEY").as_deref(),
        Some("ASIA"),
        "the endpoint's keys"
    );
    let other = run.var("OTHER").unwrap_or_default();
    assert!(
        other.contains(":assumed-role/Other/"),
        "{other}\n{}",
        run.stderr
    );
    let view = std::path::PathBuf::from(run.var("VIEW").unwrap());
    assert!(view.starts_with(env.cache_dir()), "{}", view.display());
    assert!(!view.parent().unwrap().exists(), "the views outlived runas");
    assert_eq!(read(&env.path(".aws/config")), config);
    assert_eq!(read(&env.path(".aws/credentials")), credentials);

    // `serve ecs` prints the same for another shell, and removes the views when it stops.
    let (mut server, _, _) = serve_ecs(&env, &[]);
    let line = server.wait_for_line("export AWS_SHARED_CREDENTIALS_FILE=");
    let view = std::path::PathBuf::from(line.split('=').nth(1).unwrap().trim_matches('\''));
    let text = read(&view);
    assert!(text.starts_with("# aws configure\n[default]\n"), "{text}");
    assert!(
        text.contains("[runas-default]\naws_access_key_id"),
        "{text}"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&view).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    server.signal("INT");
    assert_eq!(server.wait(Duration::from_secs(10)), Some(0));
    assert!(
        server.stderr().contains("removed when this server stops"),
        "{}",
        server.stderr()
    );
    assert!(!view.exists(), "the view outlived `serve ecs`");
}

/// `serve ecs --env-file PATH` hands the token over in a file only the user can read, and
/// removes it when it stops; printing it into a file others can read is warned about.
#[test]
fn serve_ecs_writes_its_token_to_a_private_file_and_removes_it() {
    use std::os::unix::fs::PermissionsExt;
    let env = env_with_role("Filed");
    let file = env.path("endpoint.env");
    let runas = env.command();
    let mut shell = Command::new("sh");
    shell
        .env_clear()
        .envs(runas.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .args([
            "-c",
            "umask 022; \"$0\" serve ecs --env-file \"$1\" prod; echo STOPPED",
        ])
        .arg(runas.get_program())
        .arg(&file);
    let mut server = Spawned::new(&mut shell);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !read(&file).contains("AWS_CONTAINER_AUTHORIZATION_TOKEN=") {
        assert!(
            Instant::now() < deadline,
            "no {}:\n{}",
            file.display(),
            server.stderr()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "whatever the umask");
    let probe = Command::new("sh")
        .args(["-c", ". \"$0\" && python3 \"$1\" probe"])
        .arg(&file)
        .arg(client_script())
        .output()
        .unwrap();
    let run = Run::from(probe);
    assert!(
        run.var("RIGHT").unwrap_or_default().starts_with("200 "),
        "{}",
        run.stderr
    );
    // SIGINT to runas, the shell's child.
    let children = std::fs::read_to_string(format!("/proc/{}/task/{0}/children", server.id()))
        .unwrap_or_default();
    let runas_pid = children.split_whitespace().next().expect("runas runs");
    assert!(
        Command::new("kill")
            .args(["-INT", runas_pid])
            .status()
            .unwrap()
            .success()
    );
    server.wait_for_line("STOPPED");
    assert!(!file.exists(), "the token file outlived the server");
    assert!(server.stderr().contains("removed when this server stops"));

    // Without --env-file, into a file others can read: said on stderr.
    let printed = env.path("printed.env");
    let mut shell = Command::new("sh");
    shell
        .env_clear()
        .envs(runas.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .args(["-c", "umask 022; exec \"$0\" serve ecs prod > \"$1\""])
        .arg(runas.get_program())
        .arg(&printed);
    let mut server = Spawned::new(&mut shell);
    while !server.stderr().contains("until interrupted") {
        assert!(Instant::now() < deadline, "{}", server.stderr());
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        server.stderr().contains("use --env-file PATH"),
        "{}",
        server.stderr()
    );
    server.signal("INT");
    assert_eq!(server.wait(Duration::from_secs(10)), Some(0));
}

/// Every shell: `-O fish` prints fish's lines, which fish sources into a client of the
/// endpoint; the message about the file says how fish uses it. Formats without variables
/// (json, ini) are not offered.
#[test]
fn serve_prints_its_variables_for_other_shells() {
    let env = env_with_role("Fished");
    let file = env.path("endpoint.fish");
    let mut runas = env.command();
    runas
        .args(["serve", "ecs", "-O", "fish", "--env-file"])
        .arg(&file)
        .arg("prod");
    let mut server = Spawned::new(&mut runas);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !server.stderr().contains("until interrupted") {
        assert!(Instant::now() < deadline, "{}", server.stderr());
        std::thread::sleep(Duration::from_millis(20));
    }
    let text = read(&file);
    assert!(
        text.contains("set -gx AWS_CONTAINER_AUTHORIZATION_TOKEN '"),
        "{text}"
    );
    assert!(
        server
            .stderr()
            .contains(&format!("`source {}` in fish uses them", file.display())),
        "{}",
        server.stderr()
    );
    let probe = Command::new("fish")
        .args([
            "--no-config",
            "-c",
            "source $argv[1]; and python3 $argv[2] probe",
        ])
        .arg(&file)
        .arg(client_script())
        .output()
        .expect("fish runs (apt-get install fish)");
    let run = Run::from(probe);
    assert!(
        run.var("RIGHT").unwrap_or_default().starts_with("200 "),
        "{}",
        run.stderr
    );
    server.signal("INT");
    assert_eq!(server.wait(Duration::from_secs(10)), Some(0));
    assert!(!file.exists());
    env.run(&["serve", "ecs", "-O", "json", "prod"])
        .fails(2, "invalid value 'json'");
    // env's words would put the token in a command's arguments: refused before any call.
    let calls = || {
        logged_moto()
            .requests()
            .iter()
            .filter(|r| r.role.as_deref().is_some_and(|r| r.ends_with("/Unworded")))
            .count()
    };
    let env = env_with_role("Unworded");
    env.run(&["serve", "ecs", "-O", "env-no-export", "prod"])
        .fails(2, "would put the endpoint's token in a command's arguments");
    assert_eq!(calls(), 0);
    // For the metadata endpoint there is no token: its words are fine.
    let mut runas = env.command();
    runas.args(["serve", "imds", "-O", "env-no-export", "prod"]);
    let mut server = Spawned::new(&mut runas);
    server.wait_for_line("AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:");
    server.signal("INT");
    assert_eq!(server.wait(Duration::from_secs(10)), Some(0));
    assert_eq!(calls(), 1);
}

/// The terminal's Ctrl-Z stops the command and runas both, so that the shell sees the job
/// stopped; `fg` resumes both; Ctrl-C ends both (runas handles SIGTSTP, and stops itself
/// when the terminal sent it).
#[test]
fn ctrl_z_and_fg_in_an_interactive_shell_stop_and_resume_both() {
    let env = env_with_role("Suspended");
    let runas = env.command();
    let command = format!(
        "{} -S prod sh -c 'echo CHILD=$$ PARENT=$PPID; exec sleep 30'",
        runas.get_program().to_string_lossy()
    );
    let mut python = Command::new("python3");
    python
        .env_clear()
        .envs(runas.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .arg(format!(
            "{}/tests/support/job_control.py",
            env!("CARGO_MANIFEST_DIR")
        ))
        .arg(&command)
        .stdin(Stdio::null());
    let run = Run::from(python.output().expect("python3"));
    assert_eq!(
        run.var("STOPPED").as_deref(),
        Some("T T"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    let resumed = run.var("RESUMED").unwrap_or_default();
    assert!(!resumed.contains('T') && resumed.len() == 3, "{resumed}");
    let interrupted = run.var("INTERRUPTED").unwrap_or_default();
    assert!(
        interrupted.split(' ').all(|s| s == "gone" || s == "Z"),
        "{interrupted}"
    );
}
