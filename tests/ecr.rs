//! End-to-end ECR logins: moto for STS and ECR, two `docker-registry` servers with
//! htpasswd logins, the real `docker` CLI and `skopeo`, all inside a private network
//! namespace where the real ECR host names resolve to loopback addresses.

mod testenv;

use testenv::lab::*;
use testenv::*;

const ACCOUNT: &str = "123456789012";

struct Case {
    lab: &'static Lab,
    moto: Moto,
    env: TestEnv,
}

impl Case {
    fn new() -> Case {
        Case::with_latency(0)
    }

    fn with_latency(latency_ms: u32) -> Case {
        let lab = Lab::get();
        let moto = lab.moto(latency_ms);
        let env = TestEnv::new(&moto.url());
        env.config(&format!(
            "[default]\nregion = us-east-1\n{}[profile prod]\nrole_arn = {}\nsource_profile = base\n",
            base_profile(),
            role(ACCOUNT, "Pusher")
        ));
        Case { lab, moto, env }
    }

    fn runas(&self, args: &[&str]) -> Run {
        self.lab.runas(&self.env, args)
    }

    fn docker_config(&self) -> serde_json::Value {
        serde_json::from_str(&read(&self.env.path("docker/config.json")))
            .unwrap_or(serde_json::Value::Null)
    }

    /// The login docker stored for `host` works against the registry.
    #[track_caller]
    fn assert_logged_in(&self, host: &str) {
        let auth = self.docker_config()["auths"][host]["auth"]
            .as_str()
            .unwrap_or_else(|| panic!("no login for {host} in {}", self.docker_config()))
            .to_owned();
        assert_eq!(
            self.lab.registry_status(host, &format!("Basic {auth}")),
            "200",
            "{host}"
        );
    }

    #[track_caller]
    fn assert_not_logged_in(&self, host: &str) {
        assert!(
            self.docker_config()["auths"].get(host).is_none(),
            "{host} in {}",
            self.docker_config()
        );
    }

    /// No docker process had the password in its argv or its environment.
    #[track_caller]
    fn assert_password_never_exposed(&self) {
        for log in ["docker-argv.log", "docker-env.log"] {
            let text = read(&self.env.path(log));
            assert!(
                !text.contains(PASSWORD),
                "{log} holds the password:\n{text}"
            );
        }
    }

    fn token_calls(&self) -> Vec<Request> {
        self.moto
            .requests()
            .into_iter()
            .filter(|r| r.action == "GetAuthorizationToken")
            .collect()
    }
}

#[test]
fn the_profiles_own_registry_by_default() {
    let case = Case::new();
    let run = case.runas(&["ecr", "login", "prod"]).ok();
    assert!(
        run.stderr
            .contains(&format!("ECR login: {HOST_USE1} (expired ")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("clock is wrong"),
        "moto's tokens are dated 2015: {}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("Login Succeeded"),
        "the client's output stays quiet: {}",
        run.stderr
    );
    case.assert_logged_in(HOST_USE1);
    case.assert_password_never_exposed();
    assert_eq!(
        read(&case.env.path("docker-argv.log")).trim(),
        format!("login --username AWS --password-stdin {HOST_USE1}")
    );
    // The account comes from the role's ARN: no GetCallerIdentity.
    assert_eq!(case.moto.count("GetCallerIdentity"), 0);
}

#[test]
fn the_default_for_static_keys_asks_sts_for_the_account() {
    let case = Case::new();
    case.runas(&["ecr", "login", "base"]).ok();
    assert_eq!(case.moto.count("GetCallerIdentity"), 1);
    case.assert_logged_in(HOST_USE1);
}

#[test]
fn an_account_alone_is_its_registry_in_the_profiles_region() {
    let case = Case::new();
    case.runas(&["ecr", "login", "prod", "210987654321"]).ok();
    case.assert_logged_in(HOST_OTHER_ACCOUNT);
    case.assert_not_logged_in(HOST_USE1);
}

#[test]
fn several_registries_one_token_per_region_fetched_together() {
    let case = Case::with_latency(400);
    let run = case
        .runas(&[
            "ecr",
            "login",
            "prod",
            HOST_USE1,
            &format!("https://{HOST_EUW1}/"),
            HOST_OTHER_ACCOUNT,
            HOST_USW2,
            HOST_FIPS_USE1,
            HOST_DUAL_STACK_USE1,
        ])
        .ok();
    for host in [
        HOST_USE1,
        HOST_EUW1,
        HOST_OTHER_ACCOUNT,
        HOST_USW2,
        HOST_FIPS_USE1,
        HOST_DUAL_STACK_USE1,
    ] {
        case.assert_logged_in(host);
        assert!(
            run.stderr.contains(&format!("ECR login: {host} (")),
            "{}",
            run.stderr
        );
    }
    let calls = case.token_calls();
    let mut regions: Vec<&str> = calls.iter().map(|r| r.region.as_str()).collect();
    regions.sort();
    assert_eq!(
        regions,
        ["eu-west-1", "us-east-1", "us-west-2"],
        "{calls:?}"
    );
    // With 400 ms per request, one after another would put them 400 ms apart.
    let first = calls.iter().map(|r| r.at).fold(f64::MAX, f64::min);
    let last = calls.iter().map(|r| r.at).fold(f64::MIN, f64::max);
    assert!(
        last - first < 0.3,
        "token requests were not concurrent: {calls:?}"
    );
    case.assert_password_never_exposed();
}

#[test]
fn ecr_registries_in_the_profile() {
    let case = Case::new();
    let mut config = read(&case.env.path(".aws/config"));
    config.push_str(&format!("ecr_registries = {HOST_EUW1}, 210987654321\n"));
    case.env.config(&config);
    case.runas(&["ecr", "login", "prod"]).ok();
    case.assert_logged_in(HOST_EUW1);
    case.assert_logged_in(HOST_OTHER_ACCOUNT);
    case.assert_not_logged_in(HOST_USE1);
}

#[test]
fn a_rejecting_registry_fails_alone() {
    let case = Case::new();
    let run = case
        .runas(&["ecr", "login", "prod", HOST_USE1, HOST_REJECTING, HOST_EUW1])
        .fails(5, "1 of 3 ECR logins failed");
    assert!(
        run.stderr
            .contains(&format!("ECR login failed: {HOST_REJECTING}: ")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("401 Unauthorized"),
        "the client's reason: {}",
        run.stderr
    );
    case.assert_logged_in(HOST_USE1);
    case.assert_logged_in(HOST_EUW1);
    case.assert_not_logged_in(HOST_REJECTING);
    case.assert_password_never_exposed();
}

#[test]
fn a_missing_client_runs_nothing() {
    let case = Case::new();
    case.runas(&["ecr", "login", "--client", "no-such-client", "prod"])
        .fails(
            127,
            "no-such-client: command not found; it is the ECR client",
        );
    assert!(
        case.moto.requests().is_empty(),
        "no STS or ECR call: {:?}",
        case.moto.requests()
    );
}

#[test]
fn invalid_endpoints_run_nothing() {
    let case = Case::new();
    for bad in [
        "12345678901",
        &format!("{HOST_USE1}:443"),
        "123456789012.dkr.ecr.us-east-1.example.com",
        "123456789012 .dkr.ecr.us-east-1.amazonaws.com",
    ] {
        let run = case
            .runas(&["ecr", "login", "prod", HOST_EUW1, bad])
            .fails(2, &format!("invalid ECR endpoint `{bad}`"));
        assert!(run.stderr.contains("accepted forms"), "{}", run.stderr);
    }
    case.runas(&["ecr", "login", "prod", "--", "--password=x"])
        .fails(2, "starts with `-`");
    assert!(case.moto.requests().is_empty());
    assert!(
        !case.env.path("docker-argv.log").exists(),
        "docker never ran"
    );
}

#[test]
fn write_config_merges_into_the_docker_config() {
    let case = Case::new();
    std::fs::create_dir_all(case.env.path("docker")).unwrap();
    std::fs::write(
        case.env.path("docker/config.json"),
        r#"{"auths": {"registry.example": {"auth": "eDp5"}}, "psFormat": "table {{.ID}}", "proxies": {"default": {"noProxy": "*.internal"}}}"#,
    )
    .unwrap();
    case.runas(&[
        "ecr",
        "login",
        "--write-config",
        "prod",
        HOST_USE1,
        HOST_EUW1,
    ])
    .ok();
    assert!(!case.env.path("docker-argv.log").exists(), "no client ran");
    case.assert_logged_in(HOST_USE1);
    case.assert_logged_in(HOST_EUW1);
    let config = case.docker_config();
    assert_eq!(config["auths"]["registry.example"]["auth"], "eDp5");
    assert_eq!(config["psFormat"], "table {{.ID}}");
    assert_eq!(config["proxies"]["default"]["noProxy"], "*.internal");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(case.env.path("docker/config.json"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);

    case.runas(&["ecr", "logout", "--write-config", "prod", HOST_EUW1])
        .ok();
    case.assert_not_logged_in(HOST_EUW1);
    case.assert_logged_in(HOST_USE1);
}

#[test]
fn write_config_refuses_when_a_helper_would_shadow_it() {
    let case = Case::new();
    std::fs::create_dir_all(case.env.path("docker")).unwrap();
    let original = format!(r#"{{"credHelpers": {{"{HOST_USE1}": "ecr-login"}}}}"#);
    std::fs::write(case.env.path("docker/config.json"), &original).unwrap();
    let run = case
        .runas(&["ecr", "login", "--write-config", "prod", HOST_USE1])
        .fails(5, "1 of 1 ECR logins failed");
    assert!(
        run.stderr.contains("docker-credential-ecr-login"),
        "{}",
        run.stderr
    );
    assert_eq!(read(&case.env.path("docker/config.json")), original);
}

#[test]
fn token_and_basic_token_open_the_registry() {
    let case = Case::new();
    let password = case.runas(&["ecr", "token", "prod"]).ok().stdout;
    assert_eq!(
        password,
        format!("{PASSWORD}\n"),
        "the password alone on stdout"
    );
    let basic = case
        .runas(&["ecr", "token", "--basic", "prod", HOST_USE1])
        .ok()
        .stdout;
    assert_eq!(
        case.lab
            .registry_status(HOST_USE1, &format!("Basic {}", basic.trim())),
        "200"
    );
    assert_eq!(
        case.lab.registry_status(HOST_USE1, "Basic QVdTOndyb25n"),
        "401",
        "a wrong password is refused"
    );
    case.runas(&["ecr", "token", "prod", "12"])
        .fails(2, "invalid ECR endpoint `12`");
}

#[test]
fn ecr_public_has_its_own_token() {
    let mut case = Case::new();
    let (standin, url, log) = case.lab.ecr_public(case.env.home.path());
    case.env.env("AWS_ENDPOINT_URL_ECR_PUBLIC", &url);
    let run = case
        .runas(&["ecr", "login", "prod", HOST_PUBLIC, HOST_USE1])
        .ok();
    drop(standin);
    assert!(
        run.stderr
            .contains(&format!("ECR login: {HOST_PUBLIC} (expires in 11h59m)")),
        "{}",
        run.stderr
    );
    case.assert_logged_in(HOST_PUBLIC);
    case.assert_logged_in(HOST_USE1);
    assert_eq!(
        read(&log).trim(),
        "SpencerFrontendService.GetAuthorizationToken us-east-1 ecr-public"
    );
    assert_eq!(
        case.token_calls().len(),
        1,
        "the private registry's token still comes from ECR"
    );
}

#[test]
fn logout_removes_the_login() {
    let case = Case::new();
    case.runas(&["ecr", "login", "prod", HOST_USE1, HOST_EUW1])
        .ok();
    let run = case.runas(&["ecr", "logout", "prod", HOST_EUW1]).ok();
    assert!(
        run.stderr.contains(&format!("ECR logout: {HOST_EUW1}")),
        "{}",
        run.stderr
    );
    case.assert_not_logged_in(HOST_EUW1);
    case.assert_logged_in(HOST_USE1);
    assert!(read(&case.env.path("docker-argv.log")).contains(&format!("logout {HOST_EUW1}")));
}

#[test]
fn another_client_pushes_and_pulls_with_the_stored_login() {
    let case = Case::new();
    let image = case.env.path("image");
    oci_image(&image);
    let repository = format!("{HOST_USE1}/ci/app:1");
    let authfile = case.env.path("docker/config.json");
    let skopeo = |args: &[&str]| {
        Run::from(
            case.lab
                .command("skopeo")
                .args(args)
                .env("HOME", case.env.home.path())
                .output()
                .expect("skopeo (apt-get install skopeo)"),
        )
    };
    let push = [
        "copy",
        "--dest-tls-verify=false",
        "--authfile",
        authfile.to_str().unwrap(),
        &format!("oci:{}:1", image.display()),
        &format!("docker://{repository}"),
    ];
    // Before the login the registry refuses the push.
    std::fs::create_dir_all(case.env.path("docker")).unwrap();
    std::fs::write(&authfile, "{}").unwrap();
    let refused = skopeo(&push);
    assert_ne!(
        refused.status,
        Some(0),
        "pushed without a login: {}",
        refused.stdout
    );

    case.runas(&["ecr", "login", "prod"]).ok();
    skopeo(&push).ok();
    let pulled = case.env.path("pulled");
    skopeo(&[
        "copy",
        "--src-tls-verify=false",
        "--authfile",
        authfile.to_str().unwrap(),
        &format!("docker://{repository}"),
        &format!("oci:{}:1", pulled.display()),
    ])
    .ok();
    let layer = |dir: &std::path::Path| {
        let index: serde_json::Value =
            serde_json::from_str(&read(&dir.join("index.json"))).unwrap();
        let manifest = index["manifests"][0]["digest"]
            .as_str()
            .unwrap()
            .replace("sha256:", "");
        let manifest: serde_json::Value =
            serde_json::from_str(&read(&dir.join("blobs/sha256").join(manifest))).unwrap();
        manifest["layers"][0]["digest"].as_str().unwrap().to_owned()
    };
    assert_eq!(layer(&image), layer(&pulled));
}
