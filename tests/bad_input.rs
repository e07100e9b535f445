//! The bad-input table of the README, row by row: each input gives its message and exit
//! status, and leaves every file under HOME as it was (nothing created, changed or
//! removed, no cache, no lock, no temporary file).

mod testenv;

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use testenv::*;

/// One row: what is set up, what runs, what it must say and return.
struct Row {
    /// The config file (bytes: one row has a byte that is not UTF-8).
    config: &'static [u8],
    credentials: &'static str,
    /// Variables; `{HOME}` stands for the test's HOME.
    env: &'static [(&'static str, &'static str)],
    /// Variables removed from the environment runas gets.
    unset: &'static [&'static str],
    args: &'static [&'static str],
    status: i32,
    /// Printed on stderr (or, for `diagnose`, stdout).
    message: &'static str,
}

/// A cache directory that cannot be made, for rows that get as far as the cache's locks.
const NO_CACHE: &str = "/dev/null/runas";
const KEYS: &str = "[k]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";
const KEYS_CONFIG: &[u8] = b"[profile k]\nregion = us-east-1\n";
const ROLE: &[u8] = b"[profile r]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = k\n[profile k]\nregion = us-east-1\n";

const fn row(
    config: &'static [u8],
    args: &'static [&'static str],
    status: i32,
    message: &'static str,
) -> Row {
    Row {
        config,
        credentials: KEYS,
        env: &[],
        unset: &[],
        args,
        status,
        message,
    }
}

const fn with_env(
    env: &'static [(&'static str, &'static str)],
    args: &'static [&'static str],
    status: i32,
    message: &'static str,
) -> Row {
    Row {
        config: ROLE,
        credentials: KEYS,
        env,
        unset: &[],
        args,
        status,
        message,
    }
}

const LOGIN: &[u8] =
    b"[profile l]\nregion = us-east-1\nlogin_session = arn:aws:iam::123456789012:user/l\n";

const fn with_login(
    env: &'static [(&'static str, &'static str)],
    status: i32,
    message: &'static str,
) -> Row {
    Row {
        env,
        ..row(LOGIN, &["l", "true"], status, message)
    }
}

const ROWS: &[Row] = &[
    // The command line.
    row(ROLE, &[], 2, "the following required arguments were not provided"),
    row(ROLE, &["--bogus", "r"], 2, "unexpected argument '--bogus'"),
    row(ROLE, &["-O", "yaml", "r"], 2, "invalid value 'yaml' for '--output"),
    row(ROLE, &["-d", "12x", "r"], 2, "unknown unit"),
    row(ROLE, &["-a", "", "r"], 2, "empty duration"),
    row(ROLE, &["-a", "99999999999999h", "r"], 2, "is too large"),
    row(ROLE, &["ecr"], 2, "Usage: runas ecr"),
    row(ROLE, &["list", "everything"], 2, "unrecognized subcommand 'everything'"),
    row(ROLE, &["ecr", "login", "--client", "x", "--write-config", "r"], 2, "cannot be used with"),
    with_env(&[("RUNAS_TIMEOUT", "abc")], &["r", "true"], 2, "RUNAS_TIMEOUT=abc is not a whole number of seconds"),
    with_env(&[("RUNAS_TIMEOUT", "0")], &["r", "true"], 2, "RUNAS_TIMEOUT=0 is not a whole number of seconds"),
    with_env(&[("RUNAS_TIMEOUT", "1.5")], &["r", "true"], 2, "RUNAS_TIMEOUT=1.5 is not a whole number of seconds"),
    with_env(&[("RUNAS_TIMEOUT", "90000")], &["r", "true"], 2, "(1 to 86400)"),
    with_env(&[("RUNAS_WRITE_CREDENTIALS", "maybe")], &["r", "true"], 2, "invalid value 'maybe' for '--write-credentials'"),
    with_env(&[("RUNAS_OUTPUT_FORMAT", "xml")], &["r"], 2, "invalid value 'xml'"),
    with_env(&[("RUNAS_OUTPUT", "xml")], &["r"], 2, "invalid value 'xml'"),
    row(ROLE, &["-O", "r"], 2, "invalid value 'r' for '--output"),
    row(ROLE, &["console", "--service", "s3/x", "r"], 2, "is not a console service name"),
    with_env(&[("SESSION_TOKEN_DURATION", "soon")], &["r", "true"], 2, "invalid value 'soon'"),
    with_env(&[("AWS_ENDPOINT_URL", "127.0.0.1:9")], &["r", "true"], 2, "AWS_ENDPOINT_URL `127.0.0.1:9` is not an endpoint URL: it needs http:// or https://"),
    with_env(&[("AWS_ENDPOINT_URL_STS", "ftp://127.0.0.1")], &["r", "true"], 2, "AWS_ENDPOINT_URL_STS `ftp://127.0.0.1` is not an endpoint URL"),
    with_env(&[("AWS_ENDPOINT_URL", "http://")], &["r", "true"], 2, "`http://` is not an endpoint URL"),
    with_env(&[("AWS_ENDPOINT_URL", "http://user:PASSWORD@127.0.0.1:9"), ("RUNAS_CACHE_DIR", NO_CACHE)], &["r", "true"], 4, "STS at http://***@127.0.0.1:9"),
    row(b"[profile r]\nregion = us-east-1\nendpoint_url = http://user:PASSWORD@127.0.0.1:9\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = k\n", &["diagnose", "r"], 0, "endpoint_url             http://***@127.0.0.1:9"),
    Row {
        unset: &["AWS_ENDPOINT_URL"],
        ..row(b"[profile cp]\nregion = us-east-1\nendpoint_url = http://sts.example.com\ncredential_process = exit 3\n", &["cp", "true"], 4, "warning: endpoint_url `http://sts.example.com` is plain http to another machine")
    },
    with_env(&[("AWS_ENDPOINT_URL_ECR", "localhost:5000")], &["ecr", "login", "--write-config", "r", "111111111111"], 2, "AWS_ENDPOINT_URL_ECR `localhost:5000` is not an endpoint URL"),
    row(ROLE, &["-c", "arn:aws:iam::123456789012:role/a]b", "true"], 2, "cannot write section [arn:aws:iam::123456789012:role/a]b-runas] to the credentials file"),
    Row {
        credentials: "[k]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n[r-runas]\naws_access_key_id = minioadmin\naws_secret_access_key = minioadmin\n",
        ..row(ROLE, &["-c", "r", "true"], 1, "credentials: its section [r-runas] was not written by runas (it has no `# written by runas` line)")
    },
    // ECR endpoints.
    row(ROLE, &["ecr", "login", "r", "12345"], 2, "an account id has 12 digits, `12345` has 5"),
    row(ROLE, &["ecr", "login", "r", "123456789012.dkr.ecr.us-east-1.amazonaws.com:443"], 2, "ECR registries take no port"),
    row(ROLE, &["ecr", "login", "r", "http://123456789012.dkr.ecr.us-east-1.amazonaws.com"], 2, "only https:// may come before the host"),
    row(ROLE, &["ecr", "login", "--helper", "--region", "eu-west-1", "r", "123456789012"], 2, "--helper: docker-credential-runas plans profile `r` from the profile files alone"),
    row(ROLE, &["ecr", "login", "r", "--", "-p"], 2, "starts with `-`, which a client would read as an option"),
    row(ROLE, &["ecr", "login", "r", "docker.io"], 2, "`docker.io`: it is not a registry host"),
    row(ROLE, &["ecr", "login", "r", "123456789012/app"], 2, "a repository path needs the registry host"),
    row(ROLE, &["ecr", "login", "r", "123456789012.dkr.ecr.cn-north-1.amazonaws.com"], 2, "region `cn-north-1` is not served under `amazonaws.com`"),
    row(ROLE, &["ecr", "token", "r", "123456789012.dkr.ecr.us-east-1.example.com"], 2, "`example.com` is not an ECR domain"),
    row(KEYS_CONFIG, &["sso", "login", "k"], 2, "profile `k` does not get its credentials from IAM Identity Center"),
    row(ROLE, &["sso", "login", "--sso-session", "nope"], 2, "no [sso-session nope] section in"),
    row(ROLE, &["sso", "logout", "--profile", "r", "--sso-session", "c"], 2, "cannot be used with"),
    row(ROLE, &["ecr", "login", "--client", "no-such-client", "r"], 127, "no-such-client: command not found; it is the ECR client"),
    row(ROLE, &["ecr", "login", "r", "123456789012.dkr.ecr.us-east-1.amazonaws.com/x/../y"], 2, "`x/../y` is not a repository name"),
    row(ROLE, &["ecr", "login", "r", "user:pw@123456789012.dkr.ecr.us-east-1.amazonaws.com"], 2, "it names a user (and perhaps a password) before the host"),
    row(ROLE, &["ecr", "login", "r", "123456789012.dkr.ecr.cn-north-1.on.amazonwebservices.com.cn"], 2, "ACCOUNT.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn"),
    row(b"[profile e]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = k\necr_registries = 111111111111, public.ecr.aws\n[profile k]\nregion = us-east-1\n", &["ecr", "token", "e"], 2, "need different tokens; name one of them: 111111111111.dkr.ecr.us-east-1.amazonaws.com, public.ecr.aws"),
    Row {
        env: &[("DOCKER_CONFIG", "{HOME}/shared-docker")],
        ..row(ROLE, &["ecr", "login", "--write-config", "r", "111111111111"], 1, "shared-docker is not to be trusted (its mode 1777 lets other users write to it)")
    },
    Row {
        unset: &["HOME", "XDG_CONFIG_HOME"],
        env: &[("AWS_CONFIG_FILE", "{HOME}/.aws/config"), ("AWS_SHARED_CREDENTIALS_FILE", "{HOME}/.aws/credentials"), ("DOCKER_CONFIG", "{HOME}/.docker")],
        ..row(ROLE, &["ecr", "login", "--helper", "r", "111111111111"], 2, "no place for the helper's registrations")
    },
    Row {
        env: &[("XDG_CONFIG_HOME", "{HOME}/loose-config")],
        ..row(ROLE, &["ecr", "helper", "status"], 1, "ecr-helper.json: not used: its mode 0644 lets other users at it")
    },
    Row {
        unset: &["HOME"],
        env: &[("AWS_CONFIG_FILE", "{HOME}/.aws/config"), ("AWS_SHARED_CREDENTIALS_FILE", "{HOME}/.aws/credentials")],
        ..row(ROLE, &["ecr", "login", "--write-config", "r", "111111111111"], 2, "HOME is unset, so there is no ~/.docker/config.json; set DOCKER_CONFIG")
    },
    // The profile files.
    row(ROLE, &["prodution", "true"], 3, "profile `prodution` not found"),
    row(b"[profile production]\n", &["prodution", "true"], 3, "did you mean `production`?"),
    row(ROLE, &["diagnse", "r"], 3, "profile `diagnse` not found in ~config or ~credentials; did you mean the subcommand `runas diagnose ...`?"),
    with_env(&[("AWS_CONFIG_FILE", "{HOME}/no-such-config")], &["r", "true"], 3, "no-such-config does not exist: check AWS_CONFIG_FILE"),
    row(b"[profile a]\nregion = x\nthis is not a property\n", &["a", "true"], 3, "on line 3"),
    row(b"[profile a]\nregion = us-east-1\n# caf\xe9\n", &["a", "true"], 3, "line 3 is not UTF-8 text"),
    row(b"\xef\xbb\xbf[profile a]\nregion = us-east-1\n", &["a", "true"], 3, "config: it starts with a byte-order mark"),
    with_env(&[("AWS_CONFIG_FILE", "{HOME}/big/config")], &["r", "true"], 3, "big/config: cannot read it: Not a directory (os error 20); check the path and its permissions"),
    row(b"[profile my prod]\nregion = us-east-1\n", &["my prod", "true"], 3, "line 1: the AWS SDKs ignore the section of profile `my prod`: a profile name may contain only ASCII letters, digits and _ - / . % @ : +"),
    row(b"[profile z\xc3\xbcrich]\nregion = us-east-1\n", &["z\u{fc}rich", "true"], 3, "ignore the section of profile `z\u{fc}rich`"),
    Row {
        credentials: "[my keys]\naws_access_key_id = A\naws_secret_access_key = S\n",
        ..row(b"", &["my keys", "true"], 3, "credentials line 1: the AWS SDKs ignore the section of profile `my keys`")
    },
    with_env(&[("AWS_CONFIG_FILE", "/dev/zero")], &["r", "true"], 3, "/dev/zero: it is not a regular file, so not a profile file"),
    with_env(&[("AWS_SHARED_CREDENTIALS_FILE", "/dev/zero")], &["list", "profiles"], 3, "/dev/zero: it is not a regular file, so not a profile file"),
    with_env(&[("AWS_CONFIG_FILE", "{HOME}/fifo")], &["r", "true"], 3, "fifo: it is not a regular file, so not a profile file"),
    with_env(&[("AWS_CONFIG_FILE", "{HOME}/big")], &["r", "true"], 3, "big: it is larger than 16 MiB, so not a profile file"),
    with_env(&[("AWS_CONFIG_FILE", "{HOME}/.aws")], &["r", "true"], 3, ".aws: it is not a regular file, so not a profile file"),
    Row {
        unset: &["HOME"],
        ..row(ROLE, &["r", "true"], 3, "HOME is unset, so `~` means nothing")
    },
    row(b"[profile a]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = gone\n", &["a", "true"], 3, "source_profile `gone` does not exist"),
    row(b"[profile a]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = a\n", &["a", "true"], 3, "forms a cycle of source profiles: a -> b -> a"),
    row(b"[profile a]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = b\ncredential_source = Environment\n", &["a", "true"], 3, "sets both source_profile and credential_source"),
    row(b"[profile a]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/R\n", &["a", "true"], 3, "has role_arn but neither source_profile nor credential_source"),
    row(b"[profile a]\nregion = us-east-1\nrole_arn = arn:aws:iam::1:role\nsource_profile = k\n", &["a", "true"], 3, "is not a role ARN STS takes: 20 to 2048 characters"),
    row(b"[profile a]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/R\ncredential_source = Laptop\n", &["a", "true"], 3, "credential_source `Laptop` is not one of"),
    row(b"[profile a]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = k\nduration_seconds = forever\n", &["a", "true"], 3, "duration_seconds: `forever` is not a duration"),
    row(b"[profile a]\nregion = us-east-1\naws_access_key_id = K\n", &["a", "true"], 3, "aws_access_key_id is set but aws_secret_access_key is missing"),
    row(b"[profile a]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = k\n[profile k]\n", &["a", "true"], 3, "no region for profile `a`"),
    row(b"[profile a]\nweb_identity_token_file = /t\n", &["a", "true"], 3, "role_arn is missing"),
    Row {
        unset: &["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS"],
        ..row(b"[profile a]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = k\nendpoint_url = localhost:9\n[profile k]\nregion = us-east-1\n", &["a", "true"], 3, "endpoint_url `localhost:9` is not an endpoint URL")
    },
    row(ROLE, &["arn:aws:iam::123456789012:role/R", "true"], 3, "no credentials to assume arn:aws:iam::123456789012:role/R with: there is no [default] profile"),
    row(b"[profile a]\nregion = us-east-1\nsso_session = c\nsso_account_id = 123456789012\nsso_role_name = R\nsso_auto_login = maybe\n[sso-session c]\nsso_start_url = https://c.awsapps.com/start\nsso_region = us-east-1\n", &["a", "true"], 3, "sso_auto_login: `maybe` is not true or false"),
    row(b"[profile a]\nregion = us-east-1\nsso_session = c\nsso_account_id = 123456789012\nsso_role_name = R\n[sso-session c]\nsso_start_url = https://c.awsapps.com/start\nsso_region = us-east-1.evil.example\n", &["sso", "login", "a"], 3, "region `us-east-1.evil.example` (from sso_region) is not a region name"),
    // 40 profiles, each the source of the one before.
    Row {
        env: &[("AWS_CONFIG_FILE", "{HOME}/long-chain")],
        ..row(ROLE, &["p0", "true"], 3, "its chain of source profiles is longer than 32 profiles")
    },
    // Credential sources and commands.
    row(b"[profile cp]\nregion = us-east-1\ncredential_process = echo nope >&2; exit 3\n", &["cp", "true"], 4, "credential_process of profile `cp`: it failed (exit status: 3): nope"),
    row(b"[profile cp]\nregion = us-east-1\ncredential_process = echo '{\"Version\": 1}'\n", &["cp", "true"], 4, "its output has no `AccessKeyId`"),
    row(b"[profile cp]\nregion = us-east-1\ncredential_process = echo not json\n", &["cp", "true"], 4, "its output is not JSON"),
    row(b"[profile cp]\nregion = us-east-1\ncredential_process = yes\n", &["cp", "true"], 4, "credential_process of profile `cp`: printed more than 1048576 bytes on stdout"),
    Row {
        env: &[("RUNAS_CACHE_DIR", NO_CACHE)],
        ..row(b"[profile m]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = k\nmfa_serial = arn:aws:iam::123456789012:mfa/u\nmfa_process = yes\n", &["m", "true"], 4, "mfa_process of profile `m` printed more than 4096 bytes on stdout")
    },
    Row {
        env: &[("AWS_ENDPOINT_URL", "{DENYING_STS}"), ("RUNAS_CACHE_DIR", NO_CACHE)],
        ..row(b"[profile m]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = k\nmfa_serial = arn:aws:iam::123456789012:mfa/u\n", &["-o", "123456", "m", "true"], 4, "GetSessionToken takes an IAM user's long-term keys")
    },
    row(b"[profile cp]\nregion = us-east-1\ncredential_process = printf '\\033]0;title\\007' >&2; exit 1\n", &["cp", "true"], 4, "it failed (exit status: 1): \\u{1b}]0;title\\u{7}"),
    row(KEYS_CONFIG, &["k", "no-such-command-anywhere"], 127, "no-such-command-anywhere: command not found"),
    row(KEYS_CONFIG, &["k", "./not-executable"], 126, "./not-executable: Permission denied"),
    // diagnose finds what the SDK drops.
    row(b"[profile r]\nregion = us-east-1\n[profile my prod]\nregion = us-east-1\n", &["diagnose", "r"], 1, "PROBLEM  ~config line 3: the AWS SDKs ignore the section of profile `my prod`"),
    // A port another program holds (the test holds it while the row runs).
    row(ROLE, &["serve", "ecs", "--port", "TAKEN_PORT", "r"], 1, "the port is taken; choose another --port"),
    // login_session caches (aws login) that cannot be used: nothing is sent, nothing written.
    with_login(&[("AWS_LOGIN_CACHE_DIRECTORY", "{HOME}/login-malformed")], 4, "is not the AWS CLI's (it is not a JSON object); run `aws login --profile l`"),
    with_login(&[("AWS_LOGIN_CACHE_DIRECTORY", "{HOME}/login-wrong-key")], 4, "has a `dpopKey` that is not a P-256 private key; run `aws login --profile l`"),
    with_login(&[("AWS_LOGIN_CACHE_DIRECTORY", "{HOME}/login-shared")], 4, "lets other users at it (0600 is private); it holds a refresh token"),
    row(b"[profile cp]\nregion = us-east-1\ncredential_process = no-such-helper --profile cp\n", &["diagnose", "cp"], 1, "PROBLEM  credential_process of profile `cp`: `no-such-helper` is not on PATH, so the run will fail"),
];

/// Every file and directory under `root`: path → (mode, size, contents, mtime).
fn snapshot(root: &Path) -> BTreeMap<String, (u32, u64, Vec<u8>, i64)> {
    let mut found = BTreeMap::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read_dir").flatten() {
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            let contents = if meta.is_file() && meta.len() < 1 << 20 {
                std::fs::read(&path).expect("read")
            } else {
                Vec::new()
            };
            if meta.is_dir() {
                stack.push(path.clone());
            }
            found.insert(
                path.display().to_string(),
                (meta.mode(), meta.len(), contents, meta.mtime()),
            );
        }
    }
    found
}

fn prepare(env: &TestEnv, row: &Row) {
    std::fs::write(env.path(".aws/config"), row.config).expect("config");
    env.credentials(row.credentials);
    let mkfifo = std::process::Command::new("mkfifo")
        .arg(env.path("fifo"))
        .status()
        .expect("mkfifo");
    assert!(mkfifo.success());
    std::fs::File::create(env.path("big"))
        .and_then(|f| f.set_len(17 << 20))
        .expect("big file");
    let mut chain = String::from(
        "[profile p40]\nregion = us-east-1\naws_access_key_id = K\naws_secret_access_key = S\n",
    );
    for i in 0..40 {
        chain.push_str(&format!(
            "[profile p{i}]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = p{}\n",
            i + 1
        ));
    }
    std::fs::write(env.path("long-chain"), chain).expect("chain");
    let shared = env.path("shared-docker");
    std::fs::create_dir_all(&shared).expect("dir");
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).expect("chmod");
    let loose = env.path("loose-config/runas");
    std::fs::create_dir_all(&loose).expect("dir");
    std::fs::write(loose.join("ecr-helper.json"), "{}").expect("file");
    std::fs::set_permissions(
        loose.join("ecr-helper.json"),
        std::fs::Permissions::from_mode(0o644),
    )
    .expect("chmod");
    login_caches(env);
    std::fs::write(env.path("not-executable"), "#!/bin/sh\n").expect("file");
    std::fs::set_permissions(
        env.path("not-executable"),
        std::fs::Permissions::from_mode(0o644),
    )
    .expect("chmod");
}

/// An STS that refuses every call with AccessDenied, for `{DENYING_STS}`.
fn denying_sts() -> &'static str {
    static URL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    URL.get_or_init(|| {
        refusing_sts(
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/u is not authorized to perform: sts:GetSessionToken",
        )
        .0
    })
}

/// Login caches of session `arn:aws:iam::123456789012:user/l`, each wrong in one way, with
/// credentials that need a refresh.
fn login_caches(env: &TestEnv) {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(b"arn:aws:iam::123456789012:user/l");
    let name: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let good = serde_json::json!({
        "accessToken": {
            "accessKeyId": "ASIAEXAMPLEKEYID0001",
            "secretAccessKey": SECRET,
            "sessionToken": "token",
            "accountId": "123456789012",
            "expiresAt": "2020-01-01T00:00:00Z"
        },
        "tokenType": "aws_sigv4",
        "refreshToken": "refresh",
        "clientId": "arn:aws:signin:::devtools/same-device",
        "dpopKey": "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n"
    });
    for (dir, text, mode) in [
        ("login-malformed", "{\"accessToken\": ".to_owned(), 0o600),
        ("login-wrong-key", good.to_string(), 0o600),
        ("login-shared", good.to_string(), 0o644),
    ] {
        let dir = env.path(dir);
        std::fs::create_dir(&dir).expect("login cache directory");
        let file = dir.join(format!("{name}.json"));
        std::fs::write(&file, text).expect("login cache");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
}

fn check(number: usize, row: &Row) -> Result<(), String> {
    let env = TestEnv::shared();
    prepare(&env, row);
    let home = env.home.path().display().to_string();
    let before = snapshot(env.home.path());
    let mut command = env.command();
    command.current_dir(env.home.path());
    for name in row.unset {
        command.env_remove(name);
    }
    for (name, value) in row.env {
        let value = value
            .replace("{HOME}", &home)
            .replace("{DENYING_STS}", denying_sts());
        command.env(name, value);
    }
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let port = taken.local_addr().expect("its address").port().to_string();
    let args = row.args.iter().map(|a| {
        if *a == "TAKEN_PORT" {
            port.as_str()
        } else {
            *a
        }
    });
    let run = Run::from(command.args(args).output().expect("run runas"));
    let said = format!("{}{}", run.stderr, run.stdout).replace(&format!("{home}/.aws/"), "~");
    let fail = |why: &str| Err(format!("row {number} {:?}: {why}\n{said}", row.args));
    if run.status != Some(row.status) {
        return fail(&format!("status {:?}, not {}", run.status, row.status));
    }
    if !said.contains(row.message) {
        return fail(&format!("lacks {:?}", row.message));
    }
    if said.contains("panicked") || said.contains(SECRET) {
        return fail("a panic or a secret");
    }
    if before != snapshot(env.home.path()) {
        return fail("files under HOME changed");
    }
    Ok(())
}

#[test]
fn every_row_of_the_table() {
    assert!(ROWS.len() >= 50, "{} rows", ROWS.len());
    // Four rows at a time: each is a run of its own in a HOME of its own, mostly waiting
    // for runas to start.
    let failures: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|w| {
                scope.spawn(move || {
                    (w..ROWS.len())
                        .step_by(4)
                        .filter_map(|i| check(i + 1, &ROWS[i]).err().map(|e| (i, e)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut failures: Vec<(usize, String)> = workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect();
        failures.sort();
        failures.into_iter().map(|(_, e)| e).collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_readme_shows_every_row() {
    let readme = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"));
    let table: Vec<&str> = readme
        .lines()
        .skip_while(|l| !l.starts_with("## Bad input"))
        .take_while(|l| !l.starts_with("## ") || l.starts_with("## Bad input"))
        .filter(|l| l.starts_with("| "))
        .skip(1)
        .collect();
    assert_eq!(table.len(), ROWS.len(), "one README row per test row");
    for (line, row) in table.iter().zip(ROWS) {
        let message = row.message.replace('|', "\\|");
        assert!(
            line.contains(&message) && line.ends_with(&format!("| {} |", row.status)),
            "README row {line:?} does not match {:?} / {}",
            row.message,
            row.status
        );
    }
}

/// The README's table, printed: `cargo test --test bad_input readme_table -- --ignored
/// --nocapture`.
#[test]
#[ignore]
fn readme_table() {
    println!("| input | message (part) | exit status |\n|---|---|---|");
    for row in ROWS {
        let mut input: Vec<String> = row.unset.iter().map(|n| format!("without {n}:")).collect();
        input.extend(
            row.env
                .iter()
                .map(|(n, v)| format!("{n}={}", v.replace("{HOME}", "~"))),
        );
        let args: Vec<String> = row
            .args
            .iter()
            .map(|a| {
                if a.is_empty() || a.contains(' ') || a.contains(']') {
                    format!("'{a}'")
                } else {
                    (*a).to_owned()
                }
            })
            .collect();
        input.push(format!("runas {}", args.join(" ")).trim_end().to_owned());
        if row.config != ROLE && row.config != KEYS_CONFIG && !row.config.is_empty() {
            let text = String::from_utf8_lossy(row.config)
                .trim_end()
                .replace('\n', "; ");
            input.push(format!("with config `{}`", text.replace('`', "'")));
        }
        if row.credentials != KEYS {
            input.push(format!(
                "with credentials `{}`",
                row.credentials.lines().next().unwrap_or("")
            ));
        }
        println!(
            "| `{}` | {} | {} |",
            input
                .join(" ")
                .replace('|', "\\|")
                .replace('`', "")
                .replace("with config ", "` with config `")
                .replace("with credentials ", "` with credentials `"),
            row.message.replace('|', "\\|"),
            row.status
        );
    }
}
