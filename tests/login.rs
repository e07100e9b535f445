//! `login_session` roots (`aws login`): the sign-in stand-in proven against botocore, and
//! runas refreshing, sharing and writing back the AWS CLI's login cache.

mod testenv;

use std::path::Path;
use testenv::signin::*;

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
