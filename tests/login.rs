//! `login_session` roots (`aws login`): the sign-in stand-in proven against botocore, and
//! runas refreshing, sharing and writing back the AWS CLI's login cache.

mod testenv;

use std::path::Path;
use testenv::signin::*;
use testenv::*;

const ACCOUNT: &str = "111122223333";
const SESSION: &str = "arn:aws:iam::111122223333:user/alice";

fn botocore_env(home: &Path, signin: &Signin) -> Vec<(&'static str, String)> {
    std::fs::write(
        home.join("config"),
        format!("[profile alice]\nlogin_session = {SESSION}\nregion = us-east-1\n"),
    )
    .expect("write config");
    vec![
        ("AWS_CONFIG_FILE", home.join("config").display().to_string()),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            home.join("none").display().to_string(),
        ),
        (
            "AWS_LOGIN_CACHE_DIRECTORY",
            home.join("cache").display().to_string(),
        ),
        ("AWS_ENDPOINT_URL_SIGNIN", signin.url()),
    ]
}

/// The stand-in is right: botocore's own login provider refreshes an expired session
/// through it and reads the file it then wrote; proofs that are spoiled are refused, each
/// for its reason, and a spent refresh token is refused as the service refuses it.
#[test]
fn the_standin_accepts_botocore_and_refuses_tampered_proofs() {
    let home = tempfile::tempdir().expect("a temporary directory");
    let cache = login_cache(&home.path().join("cache"), SESSION, ACCOUNT, -60);
    let signin = Signin::start(&[&cache], "ok");
    let env = botocore_env(home.path(), &signin);
    let answer = botocore(&env, &["botocore", "alice"]).expect("botocore refreshes");
    assert_eq!(answer["account_id"], ACCOUNT);
    assert_eq!(signin.refreshes(), 1, "{:?}", signin.requests());
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cache).expect("cache")).expect("json");
    assert_eq!(written["accessToken"]["accessKeyId"], answer["access_key"]);
    // botocore reads its own write-back without another request.
    botocore(&env, &["botocore", "alice"]).expect("botocore reads the cache");
    assert_eq!(signin.refreshes(), 1);

    let url = format!("{}/v1/token", signin.url());
    let statuses = botocore(&[], &["tampered", &url, cache.to_str().expect("utf-8")])
        .expect("the tampering client runs");
    assert_eq!(
        statuses,
        serde_json::json!({
            "other key": "400 INVALID_REQUEST",
            "foreign signature": "400 INVALID_REQUEST",
            "other htu": "400 INVALID_REQUEST",
            "altered payload": "400 INVALID_REQUEST",
            "stale iat": "400 INVALID_REQUEST",
            "good": "200",
            "replayed jti": "400 INVALID_REQUEST",
            "spent refresh token": "400 TOKEN_EXPIRED",
        })
    );
}

/// What the service says of an ended session reaches botocore as its "run aws login" error:
/// the stand-in's refusals have the service's shape.
#[test]
fn the_standins_refusal_is_botocores_reauthenticate_error() {
    let home = tempfile::tempdir().expect("a temporary directory");
    let cache = login_cache(&home.path().join("cache"), SESSION, ACCOUNT, -60);
    let signin = Signin::start(&[&cache], "TOKEN_EXPIRED");
    let env = botocore_env(home.path(), &signin);
    let error = botocore(&env, &["botocore", "alice"]).expect_err("refused");
    assert!(error.contains("LoginRefreshRequired"), "{error}");
}

/// A HOME whose `alice` profile is an `aws login` session, its cache in the default place
/// (~/.aws/login/cache), with credentials expiring `expires_in` seconds from now.
fn login_home(signin_url: Option<&str>, expires_in: i64) -> (TestEnv, std::path::PathBuf) {
    let mut env = TestEnv::shared();
    env.config(&format!(
        "[default]\nregion = us-east-1\n[profile alice]\nlogin_session = {SESSION}\n"
    ));
    let cache = login_cache(&env.path(".aws/login/cache"), SESSION, ACCOUNT, expires_in);
    if let Some(url) = signin_url {
        env.env("AWS_ENDPOINT_URL_SIGNIN", url);
    }
    (env, cache)
}

fn cached_key(cache: &Path) -> String {
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(cache).expect("cache")).expect("json");
    doc["accessToken"]["accessKeyId"]
        .as_str()
        .expect("a key id")
        .to_owned()
}

#[test]
fn fresh_login_credentials_are_used_without_a_request_until_r() {
    let (mut env, cache) = login_home(None, 3600);
    let signin = Signin::start(&[&cache], "ok");
    env.env("AWS_ENDPOINT_URL_SIGNIN", &signin.url());
    let run = env.run(&["alice", "env"]).ok();
    let first = run.var("AWS_ACCESS_KEY_ID");
    assert_eq!(first, Some(cached_key(&cache)));
    assert!(run.var("AWS_SESSION_TOKEN").is_some());
    assert_eq!(run.var("AWS_ACCOUNT_ID").as_deref(), Some(ACCOUNT));
    assert!(signin.requests().is_empty(), "{:?}", signin.requests());
    // -r renews the session however fresh it is: one refresh, new keys, written back.
    let run = env.run(&["-r", "alice", "env"]).ok();
    assert_eq!(signin.refreshes(), 1, "{:?}", signin.requests());
    let renewed = cached_key(&cache);
    assert_eq!(run.var("AWS_ACCESS_KEY_ID"), Some(renewed.clone()));
    assert_ne!(run.var("AWS_ACCESS_KEY_ID"), first);
    // And the next run uses them as they are.
    let run = env.run(&["alice", "env"]).ok();
    assert_eq!(run.var("AWS_ACCESS_KEY_ID"), Some(renewed));
    assert_eq!(signin.requests().len(), 1);
}

#[test]
fn sixteen_parallel_runs_on_a_stale_session_refresh_it_once() {
    let (mut env, cache) = login_home(None, -60);
    let before = std::fs::read_to_string(&cache).expect("cache");
    let signin = Signin::start_with(&[&cache], "ok", 300);
    env.env("AWS_ENDPOINT_URL_SIGNIN", &signin.url());
    let children: Vec<_> = (0..16)
        .map(|_| {
            let mut cmd = env.command();
            cmd.args(["alice", "env"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            cmd.spawn().expect("spawn runas")
        })
        .collect();
    let mut keys = Vec::new();
    for child in children {
        let run = Run::from(child.wait_with_output().expect("runas ends")).ok();
        keys.push(run.var("AWS_ACCESS_KEY_ID").expect("a key"));
    }
    assert_eq!(signin.requests().len(), 1, "{:?}", signin.requests());
    assert_eq!(signin.refreshes(), 1);
    let key = cached_key(&cache);
    assert!(keys.iter().all(|k| *k == key), "{keys:?} vs {key}");
    // The rewrite kept the CLI's keys and rotated the refresh token.
    let (old, new): (serde_json::Value, serde_json::Value) = (
        serde_json::from_str(&before).unwrap(),
        serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap(),
    );
    for k in ["clientId", "dpopKey", "idToken", "tokenType"] {
        assert_eq!(old[k], new[k], "{k}");
    }
    assert_ne!(old["refreshToken"], new["refreshToken"]);
    assert_eq!(new["accessToken"]["accountId"], ACCOUNT);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&cache).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

/// `-r` asks for credentials newer than the ones cached; runs that waited while another
/// refreshed take its answer, so eight parallel `-r` runs make one refresh (each refresh
/// rotates the session's refresh token).
#[test]
fn parallel_r_runs_refresh_a_login_session_once() {
    let (mut env, cache) = login_home(None, 3600);
    let before = cached_key(&cache);
    let signin = Signin::start_with(&[&cache], "ok", 300);
    env.env("AWS_ENDPOINT_URL_SIGNIN", &signin.url());
    let children: Vec<_> = (0..8)
        .map(|_| {
            let mut cmd = env.command();
            cmd.args(["-r", "alice", "env"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            cmd.spawn().expect("spawn runas")
        })
        .collect();
    let key = |child: std::process::Child| {
        let run = Run::from(child.wait_with_output().expect("runas ends")).ok();
        run.var("AWS_ACCESS_KEY_ID").expect("a key")
    };
    let keys: Vec<String> = children.into_iter().map(key).collect();
    assert_eq!(signin.refreshes(), 1, "{:?}", signin.requests());
    let after = cached_key(&cache);
    assert_ne!(after, before);
    assert!(keys.iter().all(|k| *k == after), "{keys:?} vs {after}");
}

#[test]
fn a_role_sourced_from_a_login_session() {
    let moto = Moto::start();
    let mut env = TestEnv::new(&moto.url());
    env.config(&format!(
        "[default]\nregion = us-east-1\n[profile alice]\nlogin_session = {SESSION}\n\
         [profile admin]\nrole_arn = {}\nsource_profile = alice\nduration_seconds = 7200\n",
        role(ACCOUNT, "Admin")
    ));
    let cache = login_cache(&env.path(".aws/login/cache"), SESSION, ACCOUNT, -60);
    let signin = Signin::start(&[&cache], "ok");
    env.env("AWS_ENDPOINT_URL_SIGNIN", &signin.url());
    let run = env.run(&["admin", "env"]).ok();
    assert!(
        run.stderr.contains("one hour is the STS limit"),
        "{}",
        run.stderr
    );
    assert_eq!(signin.refreshes(), 1);
    assert_eq!(moto.sts_calls(), vec!["AssumeRole 3600s session"]);
    let role_key = run.var("AWS_ACCESS_KEY_ID").expect("a key");
    assert_ne!(role_key, cached_key(&cache));
    // Warm: nothing more is asked of anyone.
    env.run(&["admin", "true"]).ok();
    assert_eq!(signin.requests().len(), 1);
    assert_eq!(moto.sts_calls().len(), 1);
}

#[test]
fn an_ended_session_says_to_run_aws_login() {
    let (mut env, cache) = login_home(None, -60);
    let before = std::fs::read(&cache).expect("cache");
    let signin = Signin::start(&[&cache], "TOKEN_EXPIRED");
    env.env("AWS_ENDPOINT_URL_SIGNIN", &signin.url());
    env.run(&["alice", "true"])
        .fails(4, "run `aws login --profile alice`");
    assert_eq!(
        std::fs::read(&cache).expect("cache"),
        before,
        "nothing written"
    );
}

#[test]
fn insufficient_permissions_name_the_action() {
    let (mut env, cache) = login_home(None, -60);
    let signin = Signin::start(&[&cache], "INSUFFICIENT_PERMISSIONS");
    env.env("AWS_ENDPOINT_URL_SIGNIN", &signin.url());
    env.run(&["alice", "true"])
        .fails(4, "signin:CreateOAuth2Token");
}

#[test]
fn nonsense_hangs_and_floods_write_nothing_and_leak_nothing() {
    // Side by side: the hang waits out its deadline while the others run.
    let cases = ["nonsense", "hang", "oversized"].map(|answer| {
        std::thread::spawn(move || {
            let (mut env, cache) = login_home(None, -60);
            let before = std::fs::read_to_string(&cache).expect("cache");
            let signin = Signin::start(&[&cache], answer);
            env.env("AWS_ENDPOINT_URL_SIGNIN", &signin.url())
                .env("RUNAS_TIMEOUT", "2");
            let run = env.run(&["alice", "true"]);
            let after = std::fs::read_to_string(&cache).expect("cache");
            (answer, before, after, run)
        })
    });
    for case in cases {
        let (answer, before, after, run) =
            case.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        let run = run.fails(4, "nothing was written");
        assert_eq!(after, before, "{answer}");
        let doc: serde_json::Value = serde_json::from_str(&before).unwrap();
        for secret in [&doc["refreshToken"], &doc["accessToken"]["secretAccessKey"]] {
            assert!(
                !run.stderr.contains(secret.as_str().unwrap()),
                "{answer}: {}",
                run.stderr
            );
        }
    }
}

#[test]
fn a_missing_session_says_to_run_aws_login() {
    let env = TestEnv::shared();
    env.config(&format!(
        "[default]\nregion = us-east-1\n[profile alice]\nlogin_session = {SESSION}\n"
    ));
    env.run(&["alice", "true"])
        .fails(4, "run `aws login --profile alice`");
}

#[test]
fn login_session_beside_other_credentials_is_refused() {
    let env = TestEnv::shared();
    env.config(&format!(
        "[default]\nregion = us-east-1\n[profile alice]\nlogin_session = {SESSION}\n\
         credential_process = /bin/false\n"
    ));
    env.run(&["alice", "true"]).fails(
        3,
        "profile `alice`: has login_session and also credential_process",
    );
}

/// botocore and runas share one cache, each way: runas uses what botocore refreshed, and
/// botocore refreshes from the file runas rewrote (the rotated refresh token).
#[test]
fn botocore_and_runas_share_the_login_cache() {
    let (mut env, cache) = login_home(None, -60);
    let signin = Signin::start(&[&cache], "ok");
    env.env("AWS_ENDPOINT_URL_SIGNIN", &signin.url());
    let boto_env = vec![
        (
            "AWS_CONFIG_FILE",
            env.path(".aws/config").display().to_string(),
        ),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            env.path("none").display().to_string(),
        ),
        (
            "AWS_LOGIN_CACHE_DIRECTORY",
            env.path(".aws/login/cache").display().to_string(),
        ),
        ("AWS_ENDPOINT_URL_SIGNIN", signin.url()),
        ("AWS_DEFAULT_REGION", "us-east-1".to_owned()),
    ];
    // botocore refreshes; runas then reads botocore's rewrite and asks for nothing.
    let boto = botocore(&boto_env, &["botocore", "alice"]).expect("botocore refreshes");
    assert_eq!(signin.refreshes(), 1);
    let run = env.run(&["alice", "env"]).ok();
    assert_eq!(
        run.var("AWS_ACCESS_KEY_ID").as_deref(),
        boto["access_key"].as_str()
    );
    assert_eq!(signin.requests().len(), 1);

    // runas refreshes; botocore reads its rewrite as it is, and, once those credentials
    // are stale too, refreshes with the refresh token runas wrote.
    rewrite_expiry(&cache, "2020-01-01T00:00:00Z");
    let run = env.run(&["-r", "alice", "env"]).ok();
    assert_eq!(signin.refreshes(), 2);
    assert_eq!(run.var("AWS_ACCESS_KEY_ID"), Some(cached_key(&cache)));
    let boto = botocore(&boto_env, &["botocore", "alice"]).expect("botocore reads runas's file");
    assert_eq!(
        boto["access_key"].as_str(),
        Some(cached_key(&cache).as_str())
    );
    assert_eq!(signin.refreshes(), 2);
    rewrite_expiry(&cache, "2020-01-01T00:00:00Z");
    let boto =
        botocore(&boto_env, &["botocore", "alice"]).expect("botocore refreshes runas's file");
    assert_eq!(signin.refreshes(), 3, "{:?}", signin.requests());
    assert_eq!(boto["account_id"], ACCOUNT);
    assert_eq!(
        boto["access_key"].as_str(),
        Some(cached_key(&cache).as_str())
    );
}

fn rewrite_expiry(cache: &Path, at: &str) {
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(cache).unwrap()).unwrap();
    doc["accessToken"]["expiresAt"] = at.into();
    std::fs::write(cache, doc.to_string()).unwrap();
}

#[test]
fn diagnose_shows_the_session_and_no_secret() {
    let (env, cache) = login_home(None, 3600);
    let run = env.run(&["diagnose", "alice"]);
    let out = format!("{}{}", run.stdout, run.stderr);
    assert!(
        out.contains(&format!(
            "login session {SESSION} (aws login) of profile `alice`"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("login cache: {}", cache.display())),
        "{out}"
    );
    assert!(out.contains("login credentials: expire "), "{out}");
    assert!(out.contains("login refresh token: present"), "{out}");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    for secret in [
        &doc["refreshToken"],
        &doc["accessToken"]["secretAccessKey"],
        &doc["accessToken"]["sessionToken"],
    ] {
        assert!(!out.contains(secret.as_str().unwrap()), "{out}");
    }
}

/// Runs that waited for a refresh the service refused report its refusal instead of
/// sending the spent refresh token again: one request for eight runs.
#[test]
fn parallel_runs_on_an_ended_session_send_one_request() {
    let (mut env, cache) = login_home(None, -60);
    let signin = Signin::start_with(&[&cache], "TOKEN_EXPIRED", 0);
    env.env("AWS_ENDPOINT_URL_SIGNIN", &signin.url());
    let children: Vec<_> = (0..8)
        .map(|_| {
            let mut cmd = env.command();
            cmd.args(["alice", "true"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            cmd.spawn().expect("spawn runas")
        })
        .collect();
    for child in children {
        Run::from(child.wait_with_output().expect("runas ends"))
            .fails(4, "run `aws login --profile alice`");
    }
    assert_eq!(signin.requests().len(), 1, "{:?}", signin.requests());
}

/// The sign-in endpoint is configured as every other service's: a `[services]` entry for
/// `signin` in the profile is used (after AWS_ENDPOINT_URL_SIGNIN and AWS_ENDPOINT_URL, as
/// the SDKs order them), before the profile's own `endpoint_url`.
#[test]
fn a_services_section_names_the_sign_in_endpoint() {
    let env = TestEnv::shared();
    let cache = login_cache(&env.path(".aws/login/cache"), SESSION, ACCOUNT, -60);
    let signin = Signin::start(&[&cache], "ok");
    env.config(&format!(
        "[default]\nregion = us-east-1\n[profile alice]\nlogin_session = {SESSION}\nservices = local\n\
         endpoint_url = http://127.0.0.1:9\n[services local]\nsignin =\n  endpoint_url = {}\n",
        signin.url()
    ));
    let mut cmd = env.command();
    cmd.env_remove("AWS_ENDPOINT_URL").args(["alice", "true"]);
    Run::from(cmd.output().expect("run runas")).ok();
    assert_eq!(signin.refreshes(), 1, "{:?}", signin.requests());
}
