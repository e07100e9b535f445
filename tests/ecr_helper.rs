//! docker-credential-runas end to end, in the ECR lab: moto for STS and ECR, the real
//! registry host names on loopback `docker-registry` servers, skopeo as the client that
//! runs the helper.

mod testenv;

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};
use testenv::lab::*;
use testenv::*;

const ACCOUNT: &str = "123456789012";
const HELPER: &str = env!("CARGO_BIN_EXE_docker-credential-runas");
const NOT_FOUND: &str = "credentials not found in native keychain";
const MFA: &str = "arn:aws:iam::123456789012:mfa/tester";

struct Case {
    lab: &'static Lab,
    moto: Moto,
    env: TestEnv,
}

impl Case {
    /// Two profiles, two roles: `pusher` (us-east-1) owns its account's registry there by
    /// account; `reader` (eu-west-1) owns the eu-west-1 registry by host.
    fn new() -> Case {
        let lab = Lab::get();
        let moto = lab.moto(0);
        let env = TestEnv::new(&moto.url());
        env.config(&format!(
            "[default]\nregion = us-east-1\n{}\
             [profile pusher]\nrole_arn = {}\nsource_profile = base\necr_registries = {ACCOUNT}\n\
             [profile reader]\nregion = eu-west-1\nrole_arn = {}\nsource_profile = base\necr_registries = {HOST_EUW1}\n",
            base_profile(),
            role(ACCOUNT, "Pusher"),
            role(ACCOUNT, "Reader"),
        ));
        Case { lab, moto, env }
    }

    fn add_config(&self, text: &str) {
        let mut config = read(&self.env.path(".aws/config"));
        config.push_str(text);
        self.env.config(&config);
    }

    /// The helper inside the lab, with the test's environment, `input` on stdin.
    fn helper(&self, verb: &str, input: &str) -> Run {
        self.helper_with(verb, input, None)
    }

    fn helper_with(&self, verb: &str, input: &str, launcher: Option<&str>) -> Run {
        let mut cmd = match launcher {
            Some(program) => {
                let mut c = self.lab.command(program);
                c.arg(HELPER);
                c
            }
            None => self.lab.command(HELPER),
        };
        cmd.env_clear()
            .envs(envs(&self.lab.runas_command(&self.env)));
        let mut child = cmd
            .arg(verb)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run the helper in the lab");
        child
            .stdin
            .take()
            .expect("piped")
            .write_all(input.as_bytes())
            .expect("write stdin");
        Run::from(child.wait_with_output().expect("helper output"))
    }

    fn runas(&self, args: &[&str]) -> Run {
        self.lab.runas(&self.env, args)
    }

    /// The secret of a successful `get`.
    #[track_caller]
    fn secret(&self, server_url: &str) -> String {
        let run = self.helper("get", server_url).ok();
        let reply: serde_json::Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout));
        assert_eq!(reply["ServerURL"], server_url.trim());
        assert_eq!(reply["Username"], "AWS");
        reply["Secret"].as_str().expect("a secret").to_owned()
    }

    fn token_calls(&self) -> Vec<Request> {
        self.moto
            .requests()
            .into_iter()
            .filter(|r| r.action == "GetAuthorizationToken")
            .collect()
    }

    /// The access key of a profile's cached credentials (the ones the helper used).
    fn access_key_of(&self, profile: &str) -> String {
        let run = self.runas(&["-O", "json", profile]).ok();
        let creds: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
        creds["AccessKeyId"].as_str().expect("a key").to_owned()
    }
}

fn envs(cmd: &std::process::Command) -> Vec<(std::ffi::OsString, std::ffi::OsString)> {
    let dir = std::path::Path::new(HELPER).parent().expect("a directory");
    cmd.get_envs()
        .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned())))
        .map(|(k, v)| {
            if k == "PATH" {
                // Where Docker and skopeo look for docker-credential-runas.
                let mut path = dir.as_os_str().to_owned();
                path.push(":");
                path.push(v);
                (k, path)
            } else {
                (k, v)
            }
        })
        .collect()
}

#[test]
fn each_registry_gets_a_token_of_its_owners_role_in_its_region() {
    let case = Case::new();
    assert_eq!(case.secret(&format!("https://{HOST_USE1}")), PASSWORD);
    assert_eq!(case.secret(HOST_EUW1), PASSWORD);
    let calls = case.token_calls();
    assert_eq!(calls.len(), 2, "{calls:?}");
    let pusher = case.access_key_of("pusher");
    let reader = case.access_key_of("reader");
    assert_ne!(pusher, reader);
    let signer = |region: &str| {
        calls
            .iter()
            .find(|c| c.region == region)
            .map(|c| c.access_key_id.clone())
            .unwrap_or_else(|| panic!("no call in {region}: {calls:?}"))
    };
    assert_eq!(signer("us-east-1"), pusher, "us-east-1 signed by Pusher");
    assert_eq!(signer("eu-west-1"), reader, "eu-west-1 signed by Reader");
    assert_eq!(case.moto.count("AssumeRole"), 2, "one per role");
    // Each profile's registries, in every variant of the account's host.
    assert_eq!(case.secret(HOST_FIPS_USE1), PASSWORD);
    assert_eq!(
        case.token_calls().len(),
        2,
        "the FIPS host shares its region's token"
    );
}

#[test]
fn a_warm_get_makes_no_call_even_for_a_new_session() {
    let case = Case::new();
    case.secret(HOST_USE1);
    let before = case.moto.requests().len();
    let started = Instant::now();
    case.secret(HOST_USE1);
    let warm = started.elapsed();
    assert_eq!(
        case.moto.requests().len(),
        before,
        "the warm get called out"
    );
    eprintln!("warm get (debug build, through nsenter): {warm:?}");

    // The role's credentials expire and a new STS session begins: the token, keyed on the
    // role and not on the session's access key, is still found.
    for entry in std::fs::read_dir(case.env.cache_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "json" || x == "plan") {
            std::fs::remove_file(path).unwrap();
        }
    }
    case.access_key_of("pusher"); // a new AssumeRole: new session keys
    let before = case.token_calls().len();
    case.secret(HOST_USE1);
    assert_eq!(
        case.token_calls().len(),
        before,
        "the token was fetched again"
    );

    use std::os::unix::fs::PermissionsExt;
    let tokens: Vec<_> = std::fs::read_dir(case.env.cache_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "token"))
        .collect();
    assert_eq!(tokens.len(), 1, "{tokens:?}");
    let mode = std::fs::metadata(&tokens[0]).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn registries_nobody_owns_are_not_found_unless_aws_profile_is_set() {
    let mut case = Case::new();
    for url in [
        "https://index.docker.io/v1/",
        "ghcr.io",
        "333333333333.dkr.ecr.us-east-1.amazonaws.com",
        // The eu-west-1 registry belongs to reader, this account's us-west-2 one to nobody.
        HOST_USW2,
    ] {
        let run = case.helper("get", url);
        assert_eq!(run.status, Some(1), "{url}: {}", run.stderr);
        assert_eq!(run.stdout.trim(), NOT_FOUND, "{url}");
    }
    assert!(
        case.moto.requests().is_empty(),
        "{:?}",
        case.moto.requests()
    );
    case.env.env("AWS_PROFILE", "pusher");
    assert_eq!(case.secret(HOST_USW2), PASSWORD);
    assert_eq!(case.token_calls()[0].region, "us-west-2");
    let run = case.helper("get", "ghcr.io");
    assert_eq!(run.stdout.trim(), NOT_FOUND, "not an ECR registry");
}

#[test]
fn store_erase_and_list() {
    let case = Case::new();
    let stored = format!(r#"{{"ServerURL":"{HOST_USE1}","Username":"AWS","Secret":"x"}}"#);
    case.helper("store", &stored).ok();
    case.helper("erase", HOST_USE1).ok();
    assert!(
        !case.env.path("docker").exists() && !case.env.cache_dir().exists(),
        "store and erase wrote something"
    );
    let list: serde_json::Value =
        serde_json::from_str(&case.helper("list", "").ok().stdout).expect("JSON");
    assert_eq!(list[format!("https://{HOST_USE1}")], "AWS", "{list}");
    assert_eq!(list[format!("https://{HOST_EUW1}")], "AWS", "{list}");
    assert_eq!(list.as_object().unwrap().len(), 2, "{list}");
    assert!(case.moto.requests().is_empty());
}

#[test]
fn two_profiles_claiming_one_registry_is_an_error_naming_both() {
    let case = Case::new();
    case.add_config(&format!(
        "[profile other]\nrole_arn = {}\nsource_profile = base\necr_registries = {HOST_USE1}\n",
        role(ACCOUNT, "Other")
    ));
    let run = case.helper("get", HOST_USE1);
    assert_eq!(run.status, Some(1));
    for name in ["`pusher`", "`other`"] {
        assert!(run.stderr.contains(name), "{}", run.stderr);
        assert!(
            run.stdout.contains(name),
            "Docker shows stdout: {}",
            run.stdout
        );
    }
    assert!(case.moto.requests().is_empty());
}

#[test]
fn mfa_without_a_code_fails_fast_and_says_how() {
    let mut case = Case::new();
    case.add_config(&format!(
        "[profile guarded]\nrole_arn = {}\nsource_profile = base\nmfa_serial = {MFA}\necr_registries = {HOST_OTHER_ACCOUNT}\n",
        role(ACCOUNT, "Guarded")
    ));
    // No terminal (setsid), no MFA_CODE, no mfa_process.
    let started = Instant::now();
    let run = case.helper_with("get", HOST_OTHER_ACCOUNT, Some("setsid"));
    let took = started.elapsed();
    assert_eq!(run.status, Some(1), "{}", run.stderr);
    assert!(took < Duration::from_secs(1), "took {took:?}");
    for needed in [
        "`guarded`",
        MFA,
        "MFA_CODE",
        "mfa_process",
        "runas ecr login --helper",
    ] {
        assert!(run.stderr.contains(needed), "{needed}: {}", run.stderr);
    }
    assert!(case.moto.requests().is_empty());
    case.env.env("MFA_CODE", "314159");
    assert_eq!(case.secret(HOST_OTHER_ACCOUNT), PASSWORD);
}

#[test]
fn a_hung_mfa_process_is_stopped_and_named_at_the_deadline() {
    let mut case = Case::new();
    case.add_config(&format!(
        "[profile hung]\nrole_arn = {}\nsource_profile = base\nmfa_serial = {MFA}\nmfa_process = sleep 60\necr_registries = {HOST_OTHER_ACCOUNT}\n",
        role(ACCOUNT, "Guarded")
    ));
    case.env.env("RUNAS_TIMEOUT", "2");
    // The mfa_process holds the helper's stderr: the caller reads to its end, so it waits
    // for the program as well as for the helper.
    let started = Instant::now();
    let run = case.helper_with("get", HOST_OTHER_ACCOUNT, Some("setsid"));
    let took = started.elapsed();
    assert_eq!(run.status, Some(1), "{}", run.stderr);
    assert!(
        took < Duration::from_secs(10),
        "took {took:?}: {}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("no token: mfa_process of profile `hung` did not finish within 2s"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr
            .contains("docker-credential-runas: docker-credential-runas"),
        "{}",
        run.stderr
    );
    assert!(case.moto.requests().is_empty());
}

#[test]
fn ecr_public_through_its_own_api() {
    let mut case = Case::new();
    let (standin, url, log) = case.lab.ecr_public(case.env.home.path());
    case.env.env("AWS_ENDPOINT_URL_ECR_PUBLIC", &url);
    case.add_config("[profile public]\nsource_profile = base\nrole_arn = arn:aws:iam::123456789012:role/Public\necr_registries = public.ecr.aws\n");
    let secret = case.secret("https://public.ecr.aws");
    case.secret("public.ecr.aws");
    drop(standin);
    assert_eq!(secret, PASSWORD);
    assert_eq!(
        read(&log).trim(),
        "SpencerFrontendService.GetAuthorizationToken us-east-1 ecr-public",
        "one call, the second get was warm"
    );
}

#[test]
fn login_helper_registers_and_a_get_then_works() {
    let case = Case::new();
    std::fs::create_dir_all(case.env.path("docker")).unwrap();
    std::fs::write(
        case.env.path("docker/config.json"),
        format!(
            r#"{{"auths": {{"{HOST_OTHER_ACCOUNT}": {{"auth": "QVdTOm9sZA=="}}, "keep.example": {{"auth": "eDp5"}}}}, "psFormat": "x"}}"#
        ),
    )
    .unwrap();
    // Nobody owns the other account's registry yet.
    assert_eq!(
        case.helper("get", HOST_OTHER_ACCOUNT).stdout.trim(),
        NOT_FOUND
    );
    let run = case
        .runas(&["ecr", "login", "--helper", "pusher", "210987654321"])
        .ok();
    assert!(
        run.stderr.contains(&format!(
            "ECR helper: {HOST_OTHER_ACCOUNT} -> profile `pusher` (token expires in"
        )),
        "{}",
        run.stderr
    );
    let config: serde_json::Value =
        serde_json::from_str(&read(&case.env.path("docker/config.json"))).unwrap();
    assert_eq!(config["credHelpers"][HOST_OTHER_ACCOUNT], "runas");
    assert!(
        config["auths"].get(HOST_OTHER_ACCOUNT).is_none(),
        "{config}"
    );
    assert_eq!(config["auths"]["keep.example"]["auth"], "eDp5");
    assert_eq!(config["psFormat"], "x");
    let registrations = read(&case.env.path(".config/runas/ecr-helper.json"));
    assert!(
        registrations.contains(HOST_OTHER_ACCOUNT),
        "{registrations}"
    );

    // The login fetched the token: the get is served from the cache.
    let calls = case.token_calls().len();
    assert_eq!(case.secret(HOST_OTHER_ACCOUNT), PASSWORD);
    assert_eq!(case.token_calls().len(), calls);

    let status = case.runas(&["ecr", "helper", "status"]).ok().stdout;
    for expected in [
        HOST_OTHER_ACCOUNT,
        "registered by runas ecr login --helper",
        "ecr_registries of `reader`",
        "credHelpers: runas",
        "expires in",
    ] {
        assert!(status.contains(expected), "{expected}:\n{status}");
    }
    assert!(!status.contains(PASSWORD));

    case.runas(&["ecr", "logout", "--helper", "pusher", "210987654321"])
        .ok();
    let config: serde_json::Value =
        serde_json::from_str(&read(&case.env.path("docker/config.json"))).unwrap();
    assert!(config["credHelpers"].get(HOST_OTHER_ACCOUNT).is_none());
    assert_eq!(
        case.helper("get", HOST_OTHER_ACCOUNT).stdout.trim(),
        NOT_FOUND
    );
}

#[test]
fn skopeo_pushes_and_pulls_through_the_helper_with_no_password_stored() {
    let case = Case::new();
    let image = case.env.path("image");
    oci_image(&image);
    case.runas(&["ecr", "login", "--helper", "pusher", HOST_USE1])
        .ok();
    let authfile = case.env.path("docker/config.json");
    let skopeo = |args: &[&str]| {
        let mut cmd = case.lab.command("skopeo");
        cmd.env_clear()
            .envs(envs(&case.lab.runas_command(&case.env)))
            .args(args);
        Run::from(cmd.output().expect("skopeo (apt-get install skopeo)"))
    };
    let repository = format!("docker://{HOST_USE1}/ci/helper:1");
    skopeo(&[
        "copy",
        "--dest-tls-verify=false",
        "--authfile",
        authfile.to_str().unwrap(),
        &format!("oci:{}:1", image.display()),
        &repository,
    ])
    .ok();
    let inspected = skopeo(&[
        "inspect",
        "--tls-verify=false",
        "--authfile",
        authfile.to_str().unwrap(),
        &repository,
    ])
    .ok();
    assert!(
        inspected.stdout.contains("\"Digest\""),
        "{}",
        inspected.stdout
    );
    // The password is in no file but the private token cache.
    let mut stack = vec![case.env.home.path().to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_none_or(|x| x != "token") {
                let bytes = std::fs::read(&path).unwrap_or_default();
                let text = String::from_utf8_lossy(&bytes);
                assert!(
                    !text.contains(PASSWORD),
                    "{} holds the password",
                    path.display()
                );
                assert!(
                    !text.contains("MTIzNDU2Nzg5MDEyLWF1dGgtdG9rZW4"),
                    "{}",
                    path.display()
                );
            }
        }
    }
}
