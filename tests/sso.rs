//! IAM Identity Center sign-in (`runas sso login`, and sign-ins on a credentials miss),
//! against the loopback stand-in of the OIDC service and portal (tests/support/sso_standin.py)
//! and a browser that logs each URL and follows it with curl (tests/support/sso_browser.sh).
//! Every count comes from their logs.

mod testenv;

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use testenv::{Guard, Run, TestEnv, free_port, guarded};

const CONFIG: &str = "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\n\
                      sso_role_name = Dev\nregion = eu-west-1\n\
                      [sso-session corp]\nsso_region = eu-west-1\n\
                      sso_start_url = https://corp.awsapps.com/start\n\
                      sso_registration_scopes = sso:account:access\n";
/// sha1("corp"): the token file the AWS CLI names after the session.
const TOKEN_FILE: &str = ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json";

fn support(name: &str) -> String {
    format!("{}/tests/support/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The stand-in on a free port, logging to a file of its own.
struct Standin {
    _guard: Guard,
    url: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Standin {
    fn start(args: &[&str]) -> Standin {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let log = dir.path().join("requests.log");
        let port = free_port();
        let mut command = Command::new("python3");
        command
            .arg(support("sso_standin.py"))
            .args(["--port", &port.to_string()])
            .arg("--log")
            .arg(&log)
            .args(args);
        let mut guard = Guard::new(
            guarded(&command, None)
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("python3 runs the SSO stand-in (install python3)"),
        );
        let stdout = guard.child().stdout.take().expect("stdout was piped");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).ok();
        assert_eq!(
            line.trim(),
            "listening",
            "the SSO stand-in did not start; it needs python3"
        );
        Standin {
            _guard: guard,
            url: format!("http://127.0.0.1:{port}"),
            log,
            _dir: dir,
        }
    }

    fn requests(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    }

    /// Requests of `op` (and, for CreateToken, of `grant`).
    fn count(&self, op: &str, grant: Option<&str>) -> usize {
        self.requests()
            .iter()
            .filter(|r| r["op"] == op && grant.is_none_or(|g| r["grantType"] == g))
            .count()
    }
}

/// A HOME with the SSO profile, every AWS endpoint at the stand-in, and the logging browser.
fn env(standin: &Standin) -> TestEnv {
    let mut env = TestEnv::new(&standin.url);
    env.config(CONFIG);
    let browser_log = env.path("browser.log");
    env.env("BROWSER", &support("sso_browser.sh"))
        .env("SSO_BROWSER_LOG", &browser_log.display().to_string());
    env
}

fn browser_lines(env: &TestEnv) -> usize {
    std::fs::read_to_string(env.path("browser.log"))
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

fn token(env: &TestEnv) -> Value {
    serde_json::from_str(&std::fs::read_to_string(env.path(TOKEN_FILE)).expect("a token file"))
        .expect("JSON")
}

/// Moves the token file's access token into the past, leaving its refresh token.
fn expire(env: &TestEnv) {
    let mut token = token(env);
    token["expiresAt"] = "2020-01-01T00:00:00Z".into();
    std::fs::write(env.path(TOKEN_FILE), token.to_string()).unwrap();
    let _ = std::fs::remove_dir_all(env.cache_dir());
}

const PRINT_KEY: &[&str] = &["dev", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"];

/// `n` runs at once, each for a profile of its own (a role of its own) in the one session,
/// so that only the token file is shared.
fn parallel_profiles(env: &TestEnv, n: usize) -> Vec<Run> {
    let mut config = CONFIG.to_owned();
    for i in 0..n {
        config.push_str(&format!(
            "[profile p{i}]\nsso_session = corp\nsso_account_id = 123456789012\n\
             sso_role_name = Role{i}\nregion = eu-west-1\n"
        ));
    }
    env.config(&config);
    let children: Vec<_> = (0..n)
        .map(|i| {
            let mut command = env.command();
            command
                .args([
                    &format!("p{i}"),
                    "--",
                    "sh",
                    "-c",
                    "echo $AWS_ACCESS_KEY_ID",
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            command.spawn().expect("runas starts")
        })
        .collect();
    children
        .into_iter()
        .map(|c| Run::from(c.wait_with_output().expect("runas ends")))
        .collect()
}

#[test]
fn ten_runs_without_a_token_sign_in_once() {
    let standin = Standin::start(&[]);
    let mut env = env(&standin);
    env.env("RUNAS_SSO_AUTO_LOGIN", "1");
    // Signing in takes the person a second: long enough for every waiter to say so.
    env.env("SSO_BROWSER_DELAY", "1");
    let runs = parallel_profiles(&env, 10);
    for run in &runs {
        assert_eq!(run.status, Some(0), "{}", run.stderr);
        assert!(run.stdout.starts_with("ASIA"), "{}", run.stdout);
    }
    assert_eq!(browser_lines(&env), 1);
    assert_eq!(standin.count("RegisterClient", None), 1);
    assert_eq!(standin.count("Authorize", None), 1);
    assert_eq!(standin.count("CreateToken", None), 1);
    assert_eq!(standin.count("GetRoleCredentials", None), 10);
    let waiting = "which is fetching the IAM Identity Center sign-in of sso-session corp";
    let waited = runs.iter().filter(|r| r.stderr.contains(waiting)).count();
    let said = runs.iter().map(|r| r.stderr.matches(waiting).count()).max();
    let stderr: Vec<&str> = runs.iter().map(|r| r.stderr.as_str()).collect();
    assert!(
        waited >= 1 && said == Some(1),
        "each waiter says so once: {stderr:#?}"
    );
    // The AWS CLI's format, mode 0600, with the registration and the refresh token.
    let token = token(&env);
    for key in [
        "startUrl",
        "region",
        "accessToken",
        "expiresAt",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
        "refreshToken",
    ] {
        assert!(token.get(key).is_some(), "{key} in {token}");
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(env.path(TOKEN_FILE))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // The next run uses the file: no browser, no OIDC call.
    env.run(PRINT_KEY).ok();
    assert_eq!(
        (browser_lines(&env), standin.count("CreateToken", None)),
        (1, 1)
    );
}

#[test]
fn an_expired_token_is_refreshed_once_and_never_opens_a_browser() {
    let standin = Standin::start(&[]);
    let env = env(&standin);
    env.run(&["sso", "login", "dev"]).ok();
    let first = token(&env)["refreshToken"].clone();
    expire(&env);
    // No terminal and no opt-in: a refresh needs neither.
    let runs = parallel_profiles(&env, 10);
    for run in &runs {
        assert_eq!(run.status, Some(0), "{}", run.stderr);
    }
    assert_eq!(standin.count("CreateToken", Some("refresh_token")), 1);
    assert_eq!(browser_lines(&env), 1, "only the sign-in's");
    let rotated = token(&env)["refreshToken"].clone();
    assert_ne!(rotated, first, "the rotated refresh token is written back");
    // The stand-in refuses the old one, as the service does; the new one works.
    expire(&env);
    env.run(PRINT_KEY).ok();
    assert_eq!(standin.count("CreateToken", Some("refresh_token")), 2);
}

#[test]
fn a_refused_sign_in_fails_every_waiting_run_at_once() {
    let standin = Standin::start(&["--deny"]);
    let mut env = env(&standin);
    env.env("RUNAS_SSO_AUTO_LOGIN", "1");
    let started = Instant::now();
    let runs = parallel_profiles(&env, 10);
    assert!(
        started.elapsed() < Duration::from_secs(70),
        "{:?}",
        started.elapsed()
    );
    for run in &runs {
        assert_eq!(run.status, Some(4), "{}", run.stderr);
        assert!(run.stderr.contains("access_denied"), "{}", run.stderr);
    }
    assert_eq!(browser_lines(&env), 1);
    assert_eq!(standin.count("Authorize", None), 1);
    assert_eq!(standin.count("CreateToken", None), 0);
}

#[test]
fn without_a_terminal_or_opt_in_a_run_says_what_to_run() {
    let standin = Standin::start(&[]);
    let env = env(&standin);
    env.run(PRINT_KEY)
        .fails(4, "run `runas sso login --profile dev`");
    assert_eq!(browser_lines(&env), 0);
    assert_eq!(standin.count("RegisterClient", None), 0);
    // The profile's own opt-in.
    env.config(&CONFIG.replace(
        "region = eu-west-1\n",
        "region = eu-west-1\nsso_auto_login = true\n",
    ));
    env.run(PRINT_KEY).ok();
    assert_eq!(browser_lines(&env), 1);
}

#[test]
fn the_device_code_flow_polls_at_the_interval_and_slows_down() {
    let standin = Standin::start(&["--device", "pending,pending,slow_down", "--interval", "1"]);
    let env = env(&standin);
    let run = env
        .run(&["sso", "login", "--use-device-code", "--no-browser", "dev"])
        .ok();
    assert!(
        run.stderr.contains("enter the code ABCD-EFGH"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("https://device.sso.example/"),
        "{}",
        run.stderr
    );
    assert_eq!(browser_lines(&env), 0, "--no-browser");
    let polls: Vec<Option<f64>> = standin
        .requests()
        .iter()
        .filter(|r| r["grantType"] == "urn:ietf:params:oauth:grant-type:device_code")
        .map(|r| r["sinceLast"].as_f64())
        .collect();
    assert_eq!(
        polls.len(),
        4,
        "pending, pending, slow_down, then the token: {polls:?}"
    );
    let gap = |i: usize| polls[i].unwrap_or_default();
    assert!(gap(1) >= 0.95 && gap(1) < 3.0, "{polls:?}");
    assert!(gap(2) >= 0.95 && gap(2) < 3.0, "{polls:?}");
    assert!(gap(3) >= 5.95, "5 s more after slow_down: {polls:?}");
    // The device flow's registration has no grant types of its own, as the CLI's.
    assert!(
        token(&env)["refreshToken"].is_string(),
        "scopes were asked for"
    );
}

fn botocore(env: &TestEnv, standin: &Standin, args: &[&str]) -> String {
    let out = Command::new("python3")
        .arg(support("sso_botocore.py"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", env.home.path())
        .env("AWS_ENDPOINT_URL_SSO_OIDC", &standin.url)
        .env("AWS_ENDPOINT_URL_SSO", &standin.url)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("python3 runs (pip install botocore)");
    assert!(
        out.status.success(),
        "botocore: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn botocore_uses_the_files_runas_writes_and_runas_the_clis() {
    let standin = Standin::start(&[]);
    // Only the service-specific variables point at the stand-in.
    let mut env = TestEnv::new("http://127.0.0.1:9");
    env.config(CONFIG);
    let browser_log = env.path("browser.log").display().to_string();
    env.env("AWS_ENDPOINT_URL_SSO_OIDC", &standin.url)
        .env("AWS_ENDPOINT_URL_SSO", &standin.url)
        .env("BROWSER", &support("sso_browser.sh"))
        .env("SSO_BROWSER_LOG", &browser_log);
    env.run(&["sso", "login", "--profile", "dev"]).ok();
    let written = token(&env);
    // botocore reads runas's token, and refreshes it with the registration runas wrote.
    expire(&env);
    let out: Value =
        serde_json::from_str(&botocore(&env, &standin, &["credentials", "dev"])).unwrap();
    assert!(out["accessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert_ne!(
        out["refreshToken"], written["refreshToken"],
        "botocore refreshed it"
    );
    assert_eq!(standin.count("CreateToken", Some("refresh_token")), 1);
    // runas reads what botocore (as the AWS CLI) wrote, with no sign-in of its own.
    std::fs::remove_file(env.path(TOKEN_FILE)).unwrap();
    botocore(&env, &standin, &["login", "corp"]);
    let browser = browser_lines(&env);
    env.run(PRINT_KEY).ok();
    assert_eq!(browser_lines(&env), browser);
    assert_eq!(
        standin.count("RegisterClient", None),
        2,
        "runas's, then botocore's"
    );
    // A registry token fetched with the sign-in's role credentials, which the Docker
    // helper hands out from the cache.
    let ecr = testenv::Moto::start();
    env.env("AWS_ENDPOINT_URL_ECR", &ecr.url());
    env.config(&CONFIG.replace(
        "region = eu-west-1\n",
        "region = eu-west-1\necr_registries = 123456789012\n",
    ));
    let got = helper_get(&env, REGISTRY);
    assert!(got.status.success(), "{got:?}");
    let tokens = |env: &TestEnv| {
        std::fs::read_dir(env.cache_dir())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "token"))
            .count()
    };
    assert_eq!(tokens(&env), 1);
    // Logout: the portal's Logout, the file is gone, and so are the role credentials and
    // the registry token runas cached with it: the next run has nothing to go on.
    assert!(env.cache_entries() >= 1);
    let run = env.run(&["sso", "logout", "--sso-session", "corp"]).ok();
    assert!(
        run.stderr
            .contains("removed 2 cached entries (credentials, registry tokens)"),
        "{}",
        run.stderr
    );
    assert!(!env.path(TOKEN_FILE).exists());
    assert_eq!(standin.count("Logout", None), 1);
    assert_eq!(env.cache_entries(), 0);
    assert_eq!(tokens(&env), 0);
    env.run(PRINT_KEY)
        .fails(4, "run `runas sso login --profile dev`");
}

#[test]
fn the_registration_is_cached_in_the_clis_file_and_reused() {
    let standin = Standin::start(&[]);
    let env = env(&standin);
    env.run(&["sso", "login", "dev"]).ok();
    env.run(&["sso", "login", "--sso-session", "corp"]).ok();
    assert_eq!(standin.count("RegisterClient", None), 1);
    assert_eq!(standin.count("CreateToken", Some("authorization_code")), 2);
    assert_eq!(browser_lines(&env), 2, "an explicit login signs in anew");
    let registrations = std::fs::read_dir(env.path(".aws/sso/cache"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() != Path::new(TOKEN_FILE).file_name().unwrap())
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .count();
    assert_eq!(registrations, 1);
    // diagnose says where the token is and whether it refreshes, never the token.
    let run = env.run(&["diagnose", "dev"]);
    assert!(
        run.stdout
            .contains("IAM Identity Center token of sso-session corp")
            && run.stdout.contains("refreshable"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout
            .contains(token(&env)["accessToken"].as_str().unwrap())
    );
}

/// The Rust SDK's SSO credential provider, in a process of its own whose HOME and endpoints
/// the parent test sets (the provider reads the process's environment): role credentials
/// with the token runas wrote, refreshed with the registration runas wrote.
#[test]
#[ignore = "run by rust_sdk_uses_the_files_runas_writes, in a HOME of its own"]
fn rust_sdk_child() {
    use aws_config::provider_config::ProviderConfig;
    use aws_config::sso::SsoCredentialsProvider;
    use aws_credential_types::provider::ProvideCredentials;
    use aws_types::region::Region;
    let region = Region::new("eu-west-1");
    let provider = SsoCredentialsProvider::builder()
        .configure(&ProviderConfig::default().with_region(Some(region.clone())))
        .region(region)
        .session_name("corp")
        .start_url("https://corp.awsapps.com/start")
        .account_id("123456789012")
        .role_name("Dev")
        .build();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let credentials = runtime
        .block_on(provider.provide_credentials())
        .expect("the SDK takes runas's token file");
    println!("SDK-KEY={}", credentials.access_key_id());
}

#[test]
fn rust_sdk_uses_the_files_runas_writes() {
    let standin = Standin::start(&[]);
    let env = env(&standin);
    env.run(&["sso", "login", "dev"]).ok();
    expire(&env);
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "rust_sdk_child", "--nocapture"])
        .env_clear()
        .env("HOME", env.home.path())
        .env("AWS_ENDPOINT_URL_SSO_OIDC", &standin.url)
        .env("AWS_ENDPOINT_URL_SSO", &standin.url)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("SDK-KEY=ASIA"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        standin.count("CreateToken", Some("refresh_token")),
        1,
        "the SDK refreshed it"
    );
    assert_eq!(standin.count("GetRoleCredentials", None), 1);
    // And runas goes on with the token the SDK rotated.
    env.run(PRINT_KEY).ok();
    assert_eq!(standin.count("CreateToken", None), 2);
}

const REGISTRY: &str = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

/// `docker-credential-runas get` for `host`, in `env`'s environment.
fn helper_get(env: &TestEnv, host: &str) -> std::process::Output {
    let command = env.command();
    let mut helper = Command::new(env!("CARGO_BIN_EXE_docker-credential-runas"));
    helper
        .env_clear()
        .envs(command.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = helper.spawn().unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(host.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn the_docker_credential_helper_never_signs_in() {
    let standin = Standin::start(&[]);
    let mut env = env(&standin);
    env.env("RUNAS_SSO_AUTO_LOGIN", "1");
    env.config(&CONFIG.replace(
        "region = eu-west-1\n",
        "region = eu-west-1\necr_registries = 123456789012\nsso_auto_login = true\n",
    ));
    let out = helper_get(&env, REGISTRY);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("run `runas sso login --profile dev`"),
        "{stderr}"
    );
    assert_eq!(browser_lines(&env), 0);
    assert_eq!(standin.count("RegisterClient", None), 0);
}

#[test]
fn without_registration_scopes_there_is_no_refresh_token() {
    let standin = Standin::start(&[]);
    let env = env(&standin);
    env.config(&CONFIG.replace("sso_registration_scopes = sso:account:access\n", ""));
    env.run(&["sso", "login", "dev"]).ok();
    let written = token(&env);
    assert!(written.get("refreshToken").is_none(), "{written}");
    assert!(
        written["clientId"].is_string(),
        "the registration is kept with the token"
    );
    // Expired, nothing to refresh with, no terminal: what to run, and no browser.
    expire(&env);
    env.run(PRINT_KEY)
        .fails(4, "run `runas sso login --profile dev`");
    assert_eq!(browser_lines(&env), 1);
    assert_eq!(standin.count("CreateToken", Some("refresh_token")), 0);
}

#[test]
fn a_cancelled_sign_in_is_remembered_for_the_runs_after_it() {
    let standin = Standin::start(&[]);
    let mut env = env(&standin);
    // A person who opens the page and walks away.
    let log = env.path("browser.log").display().to_string();
    let idle = testenv::script(
        &env,
        "idle-browser",
        &format!("printf '%s\\n' \"$1\" >> '{log}'\n"),
    );
    env.env("BROWSER", &idle.display().to_string());
    let mut login = env.command();
    login
        .args(["sso", "login", "dev"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = login.spawn().unwrap();
    let started = Instant::now();
    while browser_lines(&env) == 0 {
        assert!(started.elapsed() < Duration::from_secs(30), "no browser");
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: a signal to the child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let run = Run::from(child.wait_with_output().unwrap());
    let run = run.fails(4, "the sign-in was cancelled");
    assert!(!run.stderr.contains("signed in"), "{}", run.stderr);
    // Within the minute, a run that may sign in reports it instead of opening a browser.
    env.env("RUNAS_SSO_AUTO_LOGIN", "1");
    env.run(PRINT_KEY).fails(4, "the sign-in was cancelled");
    assert_eq!(browser_lines(&env), 1);
    // An explicit login is a new attempt.
    env.env("BROWSER", &support("sso_browser.sh"));
    env.run(&["sso", "login", "dev"]).ok();
}

#[test]
fn legacy_profiles_sign_in_with_a_device_code_and_an_expired_code_says_so() {
    const LEGACY: &str = "[profile legacy]\nsso_start_url = https://corp.awsapps.com/start\n\
         sso_region = eu-west-1\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\n\
         region = eu-west-1\n";
    let expiring = Standin::start(&["--device", "pending,expired"]);
    let e = env(&expiring);
    e.config(LEGACY);
    e.run(&["sso", "login", "--no-browser", "legacy"])
        .fails(4, "ExpiredTokenException: expired");
    let standin = Standin::start(&[]);
    let env = env(&standin);
    env.config(LEGACY);
    env.run(&["sso", "login", "--no-browser", "legacy"]).ok();
    // Named after the start URL, without a registration, as the AWS CLI writes it.
    let name = std::fs::read_dir(env.path(".aws/sso/cache"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| {
            n.ends_with(".json") && !n.starts_with('.') && {
                let text = std::fs::read_to_string(env.path(".aws/sso/cache").join(n)).unwrap();
                text.contains("accessToken")
            }
        })
        .expect("a token file");
    assert_eq!(
        name,
        format!("{}.json", sha1_hex("https://corp.awsapps.com/start"))
    );
    let token: Value = serde_json::from_str(
        &std::fs::read_to_string(env.path(".aws/sso/cache").join(&name)).unwrap(),
    )
    .unwrap();
    assert!(
        token.get("clientId").is_none() && token.get("refreshToken").is_none(),
        "{token}"
    );
    assert_eq!(
        standin.count("Authorize", None),
        0,
        "no browser flow for a legacy profile"
    );
    env.run(&["legacy", "--", "true"]).ok();
}

fn sha1_hex(text: &str) -> String {
    let out = Command::new("python3")
        .args([
            "-c",
            "import hashlib,sys; print(hashlib.sha1(sys.argv[1].encode()).hexdigest())",
            text,
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn a_services_section_moves_the_oidc_service_and_the_portal() {
    let standin = Standin::start(&[]);
    // Only the profile's services section finds the stand-in.
    let mut env = TestEnv::new("http://127.0.0.1:9");
    env.config(&format!(
        "{}[services local-sso]\nsso-oidc =\n  endpoint_url = {url}\nsso =\n  endpoint_url = {url}\n",
        CONFIG.replacen("region = eu-west-1\n", "region = eu-west-1\nservices = local-sso\n", 1),
        url = standin.url
    ));
    let browser_log = env.path("browser.log").display().to_string();
    env.env("BROWSER", &support("sso_browser.sh"))
        .env("SSO_BROWSER_LOG", &browser_log)
        .env("RUNAS_SSO_AUTO_LOGIN", "1");
    // Without AWS_ENDPOINT_URL: in the Rust SDK, a variable wins over a services section,
    // and the OIDC service's key there is `sso-oidc` (its service id, lower case, hyphens).
    let mut command = env.command();
    command.env_remove("AWS_ENDPOINT_URL").args(PRINT_KEY);
    Run::from(command.output().unwrap()).ok();
    assert_eq!(browser_lines(&env), 1);
    let url = std::fs::read_to_string(env.path("browser.log")).unwrap();
    assert!(
        url.starts_with(&format!("{}/authorize?", standin.url)),
        "{url}"
    );
    assert_eq!(standin.count("GetRoleCredentials", None), 1);
}

#[test]
fn the_refresh_of_an_endpoint_never_signs_in() {
    // Tokens of 3 s and no refresh token: the endpoint's refresh finds nothing usable.
    let standin = Standin::start(&["--token-seconds", "3"]);
    let mut env = env(&standin);
    env.config(&CONFIG.replace("sso_registration_scopes = sso:account:access\n", ""));
    // The first sign-in is the run's own (opted in); the role credentials are stale at once.
    env.env("RUNAS_SSO_AUTO_LOGIN", "1")
        .env("RUNAS_REFRESH_MARGIN", "59m58s");
    let client = format!(
        "{}/tests/support/serve_client.py",
        env!("CARGO_MANIFEST_DIR")
    );
    let run = env.run(&[
        "-S",
        "dev",
        "sh",
        "-c",
        "sleep 4; python3 \"$0\" probe",
        &client,
    ]);
    let right = run.var("RIGHT").unwrap_or_default();
    assert!(right.starts_with("200 "), "{right}\n{}", run.stderr);
    assert!(
        run.stderr.contains("run `runas sso login --profile dev`"),
        "{}",
        run.stderr
    );
    assert_eq!(browser_lines(&env), 1, "only the run's own sign-in");
    assert_eq!(standin.count("RegisterClient", None), 1);
}
