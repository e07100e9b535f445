//! runas against the strict STS layer: the calls it makes are the ones real STS accepts.
//! Each test asserts the exact STS calls the server received (action, duration, MFA code,
//! whether they were signed with session or long-term credentials) and the identity the
//! command gets.

mod testenv;

use std::time::{Duration, SystemTime};
use testenv::*;

const MFA: &str = "arn:aws:iam::123456789012:mfa/tester";

fn whoami_arn(run: &Run) -> String {
    run.stderr
        .lines()
        .find_map(|l| l.strip_prefix("Arn: "))
        .unwrap_or_else(|| panic!("no Arn line in:\n{}", run.stderr))
        .to_owned()
}

/// The STS calls that made credentials (GetCallerIdentity for `-w` left out).
fn credential_calls(moto: &Moto) -> Vec<String> {
    moto.sts_calls()
        .into_iter()
        .filter(|c| !c.starts_with("GetCallerIdentity"))
        .collect()
}

/// How long the credentials a child got are good for, from AWS_CREDENTIAL_EXPIRATION.
fn lifetime(run: &Run) -> Duration {
    let text = run.var("AWS_CREDENTIAL_EXPIRATION").expect("an expiration");
    let out = std::process::Command::new("date")
        .args(["-d", &text, "+%s"])
        .output()
        .expect("date");
    let at: u64 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("epoch");
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    Duration::from_secs(at.saturating_sub(now))
}

fn me() -> String {
    format!(
        "[default]\nregion = us-east-1\n[profile me]\naws_access_key_id = {ROOT_KEY}\naws_secret_access_key = {SECRET}\n"
    )
}

#[test]
fn an_eight_hour_role_behind_mfa_is_assumed_directly_with_the_code() {
    let moto = Moto::start();
    let env = TestEnv::new(&moto.url());
    env.config(&format!(
        "{}mfa_serial = {MFA}\n[profile prod]\nrole_arn = {}\nsource_profile = me\nduration_seconds = 28800\n",
        me(),
        role("123456789012", "Prod")
    ));
    let run = env.run(&["-w", "--otp", "111111", "prod", "env"]).ok();
    assert_eq!(
        whoami_arn(&run),
        "arn:aws:sts::123456789012:assumed-role/Prod/runas-tester"
    );
    assert_eq!(
        credential_calls(&moto),
        ["AssumeRole 28800s code=111111 long-term"]
    );
    assert!(
        lifetime(&run) > Duration::from_secs(7 * 3600 + 3000),
        "cached for its full life"
    );
    // The next run, hours of credentials later, needs no code and no call.
    let again = env.run(&["prod", "env"]).ok();
    assert_eq!(again.var("AWS_ACCESS_KEY_ID"), run.var("AWS_ACCESS_KEY_ID"));
    assert_eq!(credential_calls(&moto).len(), 1);
    // -a asks for the same of a one-hour profile.
    let diagnose = env.run(&["diagnose", "prod"]);
    assert!(
        diagnose
            .stdout
            .contains("mfa: the code goes with AssumeRole"),
        "{}",
        diagnose.stdout
    );
}

#[test]
fn a_long_duration_from_the_command_line_takes_the_direct_mode_too() {
    let moto = Moto::start();
    let env = TestEnv::new(&moto.url());
    env.config(&format!(
        "{}[profile prod]\nrole_arn = {}\nsource_profile = me\nmfa_serial = {MFA}\n",
        me(),
        role("123456789012", "Prod")
    ));
    env.run(&["-a", "8h", "--otp", "121212", "prod", "true"])
        .ok();
    env.run(&["--otp", "131313", "prod", "true"]).ok();
    assert_eq!(
        credential_calls(&moto),
        [
            "AssumeRole 28800s code=121212 long-term",
            "GetSessionToken 43200s code=131313 long-term",
            "AssumeRole 3600s session",
        ]
    );
}

#[test]
fn mfa_serial_on_every_role_of_a_chain_sends_the_code_once() {
    let moto = Moto::start();
    let env = TestEnv::new(&moto.url());
    env.config(&format!(
        "{}[profile prod]\nrole_arn = {}\nsource_profile = me\nmfa_serial = {MFA}\n\
         [profile prod-ro]\nrole_arn = {}\nsource_profile = prod\nmfa_serial = {MFA}\n\
         [profile stage]\nrole_arn = {}\nsource_profile = me\nmfa_serial = {MFA}\n",
        me(),
        role("123456789012", "Prod"),
        role("123456789012", "ProdReadOnly"),
        role("123456789012", "Stage"),
    ));
    let run = env.run(&["-w", "--otp", "222222", "prod-ro", "env"]).ok();
    assert_eq!(
        whoami_arn(&run),
        "arn:aws:sts::123456789012:assumed-role/ProdReadOnly/runas-tester"
    );
    assert_eq!(
        credential_calls(&moto),
        [
            "GetSessionToken 43200s code=222222 long-term",
            "AssumeRole 3600s session",
            "AssumeRole 3600s session",
        ]
    );
    // Another role of the same identity rides the cached MFA session: no code at all.
    env.run(&["stage", "true"]).ok();
    assert_eq!(credential_calls(&moto).len(), 4);
    assert_eq!(credential_calls(&moto)[3], "AssumeRole 3600s session");
}

#[test]
fn an_mfa_role_over_a_credential_process_root_sends_the_code_with_assume_role() {
    let moto = Moto::start();
    let env = TestEnv::new(&moto.url());
    let later = "2099-01-01T00:00:00Z";
    let process = script(
        &env,
        "session-creds",
        &format!(
            "printf '{{\"Version\":1,\"AccessKeyId\":\"ASIAPROCESS000000001\",\"SecretAccessKey\":\"processsecret\",\"SessionToken\":\"processtoken\",\"Expiration\":\"{later}\"}}'"
        ),
    );
    env.config(&format!(
        "[default]\nregion = us-east-1\n[profile sso-ish]\ncredential_process = {}\nmfa_serial = {MFA}\n\
         [profile prod]\nrole_arn = {}\nsource_profile = sso-ish\nduration_seconds = 28800\n",
        process.display(),
        role("123456789012", "Prod")
    ));
    let run = env.run(&["-w", "--otp", "333333", "prod", "env"]).ok();
    assert_eq!(
        whoami_arn(&run),
        "arn:aws:sts::123456789012:assumed-role/Prod/runas-tester"
    );
    assert_eq!(
        credential_calls(&moto),
        ["AssumeRole 3600s code=333333 session"],
        "never GetSessionToken with session credentials; capped at an hour"
    );
    assert!(
        run.stderr.contains("role duration for `prod`: 8h is above the STS maximum for a role assumed with session credentials; using 1h"),
        "{}",
        run.stderr
    );
}

#[test]
fn long_term_keys_from_a_process_may_take_a_long_role() {
    let moto = Moto::start();
    let env = TestEnv::new(&moto.url());
    let process = script(
        &env,
        "keys",
        &format!(
            "printf '{{\"Version\":1,\"AccessKeyId\":\"{ROOT_KEY}\",\"SecretAccessKey\":\"{SECRET}\"}}'"
        ),
    );
    env.config(&format!(
        "[default]\nregion = us-east-1\n[profile vault]\ncredential_process = {}\n\
         [profile prod]\nrole_arn = {}\nsource_profile = vault\nduration_seconds = 7200\n",
        process.display(),
        role("123456789012", "Prod")
    ));
    env.run(&["prod", "true"]).ok();
    assert_eq!(credential_calls(&moto), ["AssumeRole 7200s long-term"]);
}

#[test]
fn expired_credentials_from_a_process_are_refused_and_not_cached() {
    let moto = Moto::start();
    let env = TestEnv::new(&moto.url());
    let process = script(
        &env,
        "stale",
        "printf '{\"Version\":1,\"AccessKeyId\":\"ASIASTALE00000000001\",\"SecretAccessKey\":\"s\",\"SessionToken\":\"t\",\"Expiration\":\"2020-01-01T00:00:00Z\"}'",
    );
    env.config(&format!(
        "[default]\nregion = us-east-1\n[profile old]\ncredential_process = {}\n\
         [profile prod]\nrole_arn = {}\nsource_profile = old\n",
        process.display(),
        role("123456789012", "Prod")
    ));
    let run = env.run(&["prod", "true"]);
    // The SDK's provider may refuse it first; either way it names the source.
    assert_eq!(run.status, Some(4), "{}", run.stderr);
    assert!(
        run.stderr.contains("credential_process of profile `old`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("expired"), "{}", run.stderr);
    assert!(moto.sts_calls().is_empty());
    assert_eq!(env.cache_entries(), 0);
}

#[test]
fn a_new_web_identity_token_is_a_new_identity() {
    let moto = Moto::start();
    let env = TestEnv::new(&moto.url());
    let token = env.path("token");
    std::fs::write(&token, "first.jwt.token").expect("token");
    env.config(&format!(
        "[default]\nregion = us-east-1\n[profile ci]\nrole_arn = {}\nweb_identity_token_file = {}\n",
        role("123456789012", "CI"),
        token.display()
    ));
    let first = env.run(&["ci", "env"]).ok();
    env.run(&["ci", "true"]).ok();
    assert_eq!(
        moto.count("AssumeRoleWithWebIdentity"),
        1,
        "the same token is cached"
    );
    std::fs::write(&token, "second.jwt.token").expect("token");
    let second = env.run(&["ci", "env"]).ok();
    assert_eq!(
        moto.count("AssumeRoleWithWebIdentity"),
        2,
        "another token is another job"
    );
    assert_ne!(
        first.var("AWS_ACCESS_KEY_ID"),
        second.var("AWS_ACCESS_KEY_ID")
    );
}

/// AWS STS answers a role ARN not of its form with AccessDenied and no reason: aws-vault's
/// users lost time to `iam:` with one colon. runas sends such an ARN, as the SDKs do (a
/// local service may take it), and when STS refuses it says what is wrong with it.
#[test]
fn a_role_arn_aws_cannot_know_is_sent_and_its_refusal_explained() {
    let moto = Moto::start();
    let env = TestEnv::new(&moto.url());
    env.config(&format!(
        "{}[profile typo]\nrole_arn = arn:aws:iam:123456789012:role/Prod\nsource_profile = me\n\
         [profile nine]\nrole_arn = arn:aws:iam::123456789:role/RoleA\nsource_profile = me\n\
         [profile fine]\nrole_arn = {}\nsource_profile = me\n",
        me(),
        role("123456789012", "Prod"),
    ));
    for profile in ["typo", "nine"] {
        let run = env.run(&[profile, "true"]).fails(4, "AccessDenied");
        assert!(
            run.stderr
                .contains("the role_arn is not of AWS's form arn:PARTITION:iam::ACCOUNT:role/NAME"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(moto.count("AssumeRole"), 2, "{:?}", moto.sts_calls());
    let refused = env.run(&["fine", "true"]);
    assert!(!refused.stderr.contains("AWS's form"), "{}", refused.stderr);
}

#[test]
fn values_sts_would_refuse_stop_before_any_call() {
    let moto = Moto::start();
    let env = TestEnv::new(&moto.url());
    env.config(&format!(
        "{}[profile badname]\nrole_arn = {}\nsource_profile = me\nrole_session_name = my session\n\
         [profile china]\nrole_arn = arn:aws-cn:iam::123456789012:role/Prod\nsource_profile = me\n\
         [profile phone]\nrole_arn = {}\nsource_profile = me\nmfa_serial = my-phone\n\
         [profile comment]\naws_access_key_id = {ROOT_KEY}\n  # rotated in May\naws_secret_access_key = {SECRET}\n",
        me(),
        role("123456789012", "Prod"),
        role("123456789012", "Prod"),
    ));
    env.run(&["badname", "true"]).fails(3, "").says(
        "runas: profile `badname`: role_session_name `my session` is not a name STS accepts: use 2 to 64 letters, digits and + = , . @ _ -\n",
    );
    env.run(&["china", "true"]).fails(3, "").says(
        "runas: profile `china`: arn:aws-cn:iam::123456789012:role/Prod is in partition `aws-cn`, but region us-east-1 \
         is served by `aws`; use a region of `aws-cn` (--region or `region =`) or an ARN of `aws`\n",
    );
    env.run(&["--region", "cn-north-1", "me", "true"]).ok();
    env.run(&["phone", "true"]).fails(
        3,
        "profile `phone`: mfa_serial `my-phone` is neither an MFA device ARN",
    );
    env.run(&["-M", "phone", "me", "true"])
        .fails(2, "mfa_serial `phone` is neither an MFA device ARN");
    let run = env.run(&["comment", "true"]).fails(
        3,
        "profile `comment`: the access key id contains whitespace (37 characters; an indented line after it continues its value)",
    );
    assert!(!run.stderr.contains("panicked"));
    assert!(moto.sts_calls().is_empty(), "{:?}", moto.sts_calls());
}

#[test]
fn a_session_name_from_an_odd_user_name_is_cleaned() {
    let moto = Moto::start();
    let mut env = TestEnv::new(&moto.url());
    env.env("USER", "jörg müller;x");
    env.config(&format!(
        "{}[profile prod]\nrole_arn = {}\nsource_profile = me\n",
        me(),
        role("123456789012", "Prod")
    ));
    let run = env.run(&["-w", "prod", "true"]).ok();
    assert_eq!(
        whoami_arn(&run),
        "arn:aws:sts::123456789012:assumed-role/Prod/runas-jrgmllerx"
    );
}

fn prod_via(endpoint: &str) -> TestEnv {
    let env = TestEnv::new(endpoint);
    env.config(&format!(
        "{}[profile prod]\nrole_arn = {}\nsource_profile = me\n",
        me(),
        role("123456789012", "Prod")
    ));
    env
}

#[test]
fn answers_that_are_not_sts_say_so_and_name_the_endpoint() {
    for case in [
        (
            "200 OK",
            "text/html",
            "<html><body>Please log in to the proxy</body></html>",
        ),
        ("502 Bad Gateway", "text/html", "<html>bad gateway</html>"),
        ("500 Internal Server Error", "text/plain", ""),
        (
            "200 OK",
            "text/xml",
            "<AssumeRoleResponse><AssumeRoleResult><Credentials>",
        ),
    ]
    .map(|(status, kind, body)| {
        // Side by side: the SDK retries the 5xx answers after a back-off, and each case
        // waits out its own.
        std::thread::spawn(move || {
            let (url, _) = canned_http(status, kind, body, None);
            let run = prod_via(&url).run(&["prod", "true"]);
            (status, url, run)
        })
    }) {
        let (status, url, run) = case.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        assert_eq!(run.status, Some(4), "{status}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!(
                "the answer from STS at {url} is not an STS answer"
            )),
            "{status}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("no message"), "{}", run.stderr);
        assert!(
            !run.stderr.contains("proxy</body>"),
            "the body is not repeated: {}",
            run.stderr
        );
    }
}

#[test]
fn a_forged_key_id_from_sts_is_refused_and_never_written() {
    let body = "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>\
        <Credentials><AccessKeyId>ASIAFORGED0000000001&#10;[evil]&#10;x = 1</AccessKeyId>\
        <SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken>\
        <Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>\
        <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/Prod/x</Arn><AssumedRoleId>AROA:x</AssumedRoleId></AssumedRoleUser>\
        </AssumeRoleResult></AssumeRoleResponse>";
    let (url, _) = canned_http("200 OK", "text/xml", body, None);
    let env = prod_via(&url);
    let before = read(&env.path(".aws/credentials"));
    env.run(&["-c", "prod"])
        .fails(4, "the access key id contains whitespace");
    assert_eq!(read(&env.path(".aws/credentials")), before);
    assert_eq!(env.cache_entries(), 0);
}
