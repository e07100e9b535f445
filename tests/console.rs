//! `runas console`: against a loopback stand-in for the federation endpoint
//! (tests/support/federation_standin.py) that checks each request as AWS does and asks
//! moto's STS, through botocore, whether the session's keys are ones it issued.

mod testenv;

use serde_json::Value;
use std::io::{BufRead, Read, Write};
use std::process::Stdio;
use testenv::*;

struct Federation {
    _child: Guard,
    url: String,
    log: std::path::PathBuf,
}

impl Federation {
    fn start(env: &TestEnv) -> Federation {
        let port = free_port();
        let log = env.path("federation.log");
        let mut standin = std::process::Command::new("python3");
        standin
            .arg(format!(
                "{}/tests/support/federation_standin.py",
                env!("CARGO_MANIFEST_DIR")
            ))
            .args(["--port", &port.to_string(), "--sts", &env.endpoint, "--log"])
            .arg(&log);
        let mut child = Guard::new(
            guarded(&standin, None)
                .stdout(Stdio::piped())
                .spawn()
                .expect("python3"),
        );
        let mut line = String::new();
        std::io::BufReader::new(child.child().stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(
            line.trim(),
            "listening",
            "the stand-in needs botocore: pip install boto3"
        );
        Federation {
            _child: child,
            url: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    fn requests(&self) -> Vec<Value> {
        read(&self.log)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

/// A GET of `url` (on the stand-in): the status and the Location header.
fn get(url: &str) -> (u16, String) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let location = answer
        .lines()
        .find_map(|l| l.strip_prefix("Location: "))
        .unwrap_or_default()
        .to_owned();
    (status, location)
}

fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .unwrap()
        .into_owned()
}

const CONFIG: &str = "[profile k]\nregion = us-east-1\n\
    [profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/Console\nsource_profile = k\n\
    [profile chained]\nrole_arn = arn:aws:iam::123456789012:role/Next\nsource_profile = r\n\
    [profile cn]\nregion = cn-north-1\nrole_arn = arn:aws-cn:iam::123456789012:role/Console\nsource_profile = k\n\
    [profile gov]\nregion = us-gov-west-1\nrole_arn = arn:aws-us-gov:iam::123456789012:role/Console\nsource_profile = k\n\
    [profile iso]\nregion = us-iso-east-1\nrole_arn = arn:aws-iso:iam::123456789012:role/Console\nsource_profile = k\n\
    [profile eusc]\nregion = eusc-de-east-1\nrole_arn = arn:aws-eusc:iam::123456789012:role/Console\nsource_profile = k\n\
    [profile m]\nregion = us-east-1\nmfa_serial = arn:aws:iam::123456789012:mfa/tester\n";

fn console_env() -> (Moto, TestEnv, Federation) {
    let moto = Moto::start();
    let mut env = TestEnv::new(&moto.url());
    env.config(CONFIG);
    env.credentials(&format!(
        "[k]\naws_access_key_id = {ROOT_KEY}\naws_secret_access_key = {SECRET}\n\
         [m]\naws_access_key_id = {ROOT_KEY}\naws_secret_access_key = {SECRET}\n"
    ));
    let federation = Federation::start(&env);
    env.env("AWS_ENDPOINT_URL_SIGNIN", &federation.url);
    (moto, env, federation)
}

#[test]
fn a_role_from_long_term_keys_signs_in_once_with_its_duration() {
    let (moto, env, federation) = console_env();
    let run = env.run(&["-v", "console", "--url", "r"]).ok();
    let url = run.stdout.trim().to_owned();
    assert!(run.stderr.contains("for 15 minutes"), "{}", run.stderr);
    let requests = federation.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let post = &requests[0];
    assert_eq!(post["method"], "POST");
    assert_eq!(post["SessionDuration"], "3600");
    assert_eq!(
        post["caller"],
        "arn:aws:sts::123456789012:assumed-role/Console/runas-tester"
    );
    // The session document holds exactly what STS issued (and runas cached).
    let issued: Value = serde_json::from_str(&env.run(&["-O", "json", "r"]).ok().stdout).unwrap();
    assert_eq!(post["session"]["sessionId"], issued["AccessKeyId"]);
    assert_eq!(post["session"]["sessionKey"], issued["SecretAccessKey"]);
    assert_eq!(post["session"]["sessionToken"], issued["SessionToken"]);
    assert_eq!(moto.count("AssumeRole"), 1);
    // The token and the URL never show in -v output.
    let token = decode(url.rsplit("SigninToken=").next().unwrap());
    assert!(
        token.len() > 20 && !run.stderr.contains(&token),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(&url));
    // The URL signs in once, to the region's console home.
    assert!(url.starts_with(&format!(
        "{}/federation?Action=login&Issuer=runas&Destination=",
        federation.url
    )));
    let (status, location) = get(&url);
    assert_eq!(
        (status, location.as_str()),
        (
            302,
            "https://console.aws.amazon.com/console/home?region=eu-west-1"
        )
    );
    assert_eq!(get(&url).0, 400, "a sign-in token is good once");
}

#[test]
fn long_term_keys_go_through_a_federation_token_and_sessions_send_no_duration() {
    let (moto, env, federation) = console_env();
    env.run(&["console", "--url", "--service", "s3", "k"]).ok();
    assert_eq!(moto.count("GetFederationToken"), 1);
    let calls = moto.sts_calls();
    assert!(
        calls.iter().all(|c| !c.contains("GetSessionToken")),
        "{calls:?}"
    );
    let post = &federation.requests()[0];
    // The federation token's keys, not the user's own (moto's ids look long-term).
    assert_ne!(post["session"]["sessionKey"], SECRET);
    assert!(!post["session"]["sessionToken"].as_str().unwrap().is_empty());
    assert!(post.get("SessionDuration").is_none(), "{post}");

    // A chained role: a session made with session credentials, no SessionDuration.
    let url = env
        .run(&["console", "--url", "--logout-first", "chained"])
        .ok()
        .stdout;
    let post = &federation.requests()[1];
    assert!(post.get("SessionDuration").is_none(), "{post}");
    assert_eq!(
        post["caller"],
        "arn:aws:sts::123456789012:assumed-role/Next/runas-tester"
    );
    // --logout-first: the console's sign-out first, which goes on to the sign-in.
    let url = url.trim();
    assert!(
        url.starts_with(&format!(
            "{}/oauth?Action=logout&redirect_uri=",
            federation.url
        )),
        "{url}"
    );
    let (status, login) = get(url);
    assert_eq!(status, 302);
    assert_eq!(
        get(&login),
        (
            302,
            "https://console.aws.amazon.com/console/home?region=eu-west-1".to_owned()
        )
    );

    // The page chosen by --service, by --destination.
    let url = env
        .run(&["console", "--url", "--service", "s3", "r"])
        .ok()
        .stdout;
    assert_eq!(
        get(url.trim()).1,
        "https://console.aws.amazon.com/s3/home?region=eu-west-1"
    );
    let url = env
        .run(&[
            "console",
            "--url",
            "--destination",
            "https://console.aws.amazon.com/iam/home",
            "r",
        ])
        .ok()
        .stdout;
    assert_eq!(get(url.trim()).1, "https://console.aws.amazon.com/iam/home");
}

#[test]
fn each_partition_lands_on_its_own_console_and_iso_is_refused() {
    let (moto, env, _federation) = console_env();
    for (profile, home) in [
        (
            "cn",
            "https://console.amazonaws.cn/console/home?region=cn-north-1",
        ),
        (
            "gov",
            "https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1",
        ),
        (
            "eusc",
            "https://console.amazonaws-eusc.eu/console/home?region=eusc-de-east-1",
        ),
    ] {
        let url = env.run(&["console", "--url", profile]).ok().stdout;
        assert_eq!(get(url.trim()).1, home, "{profile}");
    }
    env.run(&["console", "--url", "iso"])
        .fails(2, "partition aws-iso has no console federation endpoint");
    env.run(&["console", "--url", "--destination", "http://x", "r"])
        .fails(2, "is not an https:// URL");
    // An MFA session alone: the console refuses GetSessionToken credentials, so no code is
    // asked for and nothing is called.
    env.run(&["console", "--url", "m"]).fails(
        2,
        "ends in GetSessionToken credentials, which the console refuses",
    );
    assert_eq!(moto.count("GetSessionToken"), 0);
}

#[test]
fn the_browser_gets_a_private_page_not_the_url() {
    let (_moto, mut env, _federation) = console_env();
    let seen = env.path("seen");
    let browser = script(
        &env,
        "browser",
        &format!(
            "stat -c %a \"$1\" > '{0}.mode'\ncp \"$1\" '{0}'\necho \"$1\" > '{0}.path'\nprintf '%s ' \"$@\" > '{0}.args'\n",
            seen.display()
        ),
    );
    env.env("BROWSER", browser.to_str().unwrap())
        .env("RUNAS_TIMEOUT", "2");
    env.run(&["console", "r"]).ok();
    assert_eq!(read(&env.path("seen.mode")).trim(), "600");
    let page = read(&seen);
    assert!(page.contains("Action=login&amp;Issuer=runas"), "{page}");
    let args = read(&env.path("seen.args"));
    assert!(!args.contains("SigninToken"), "{args}");
    let path = read(&env.path("seen.path"));
    assert!(
        !std::path::Path::new(path.trim()).exists(),
        "the page outlived the run"
    );
}
