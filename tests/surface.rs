//! The tool's surface for people: generated docs and completions, `list`, `diagnose`.

mod testenv;

use std::process::Command;
use testenv::*;

const ACCOUNT: &str = "123456789012";

#[test]
fn checked_in_docs_match_the_code() {
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_runas"))
        .arg("generate-docs")
        .arg(out.path())
        .status()
        .unwrap();
    assert!(status.success());
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["man", "completions"] {
        let names = |root: &std::path::Path| {
            let mut v: Vec<String> = std::fs::read_dir(root.join(dir))
                .unwrap_or_else(|e| panic!("{}/{dir}: {e}", root.display()))
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        assert_eq!(
            names(repo),
            names(out.path()),
            "{dir}/ is out of date: run `cargo run -- generate-docs .`"
        );
        for name in names(repo) {
            assert_eq!(
                read(&repo.join(dir).join(&name)),
                read(&out.path().join(dir).join(&name)),
                "{dir}/{name} is out of date: run `cargo run -- generate-docs .`"
            );
        }
    }
}

#[test]
fn man_pages_render_without_warnings() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = 0;
    for entry in std::fs::read_dir(repo.join("man")).unwrap() {
        let path = entry.unwrap().path();
        let out = Command::new("groff")
            .args(["-ww", "-man", "-Tutf8", "-z"])
            .arg(&path)
            .output()
            .expect("groff is needed to check the man pages: apt-get install groff-base");
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        pages += 1;
    }
    assert!(pages >= 8, "a page for runas and each subcommand");
    let text = read(&repo.join("man/runas.1"));
    for section in [
        "EXIT STATUS",
        "ENVIRONMENT",
        "FILES",
        "EXAMPLES",
        "SESSION_TOKEN_DURATION",
        "runas\\-ecr(1)",
    ] {
        assert!(text.contains(section), "runas.1 lacks {section}");
    }
}

#[test]
fn subcommand_pages_have_examples_and_exit_statuses_and_list_the_endpoint_forms() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for entry in std::fs::read_dir(repo.join("man")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("runas-") {
            continue;
        }
        let text = read(&path);
        for section in [".SH EXAMPLES", ".SH \"EXIT STATUS\""] {
            assert!(text.contains(section), "{name} lacks {section}");
        }
    }
    // As `man` shows it: each endpoint form starts a line of its own.
    let out = Command::new("man")
        .arg("-l")
        .arg(repo.join("man/runas-ecr-login.1"))
        .env("MANWIDTH", "80")
        .env("MAN_KEEP_FORMATTING", "0")
        .output()
        .expect("man is needed: apt-get install man-db");
    // Bold is a character, a backspace and the character again.
    let mut shown = String::new();
    for c in String::from_utf8_lossy(&out.stdout).chars() {
        if c == '\u{8}' {
            shown.pop();
        } else {
            shown.push(c);
        }
    }
    for form in [
        "ACCOUNT.dkr.ecr.REGION.amazonaws.com",
        "ACCOUNT.dkr.ecr-fips.REGION.amazonaws.com",
        "ACCOUNT.dkr-ecr.REGION.on.aws",
        "public.ecr.aws, ecr-public.aws.com",
        "HOST/REPOSITORY:TAG",
    ] {
        assert!(
            shown.lines().any(|l| l.trim() == form),
            "`{form}` is not an item of its own:\n{shown}"
        );
    }
}

/// Completions as bash computes them for `line` (the cursor at its end), with the
/// checked-in script sourced and `runas` on PATH.
fn bash_complete(env: &TestEnv, line: &str) -> Vec<String> {
    let script = format!("{}/completions/runas.bash", env!("CARGO_MANIFEST_DIR"));
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_runas"))
        .parent()
        .unwrap()
        .to_owned();
    let program = r#"
        source "$1"
        read -ra COMP_WORDS <<< "$2"
        [[ "$2" == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
        COMP_LINE="$2"; COMP_POINT=${#COMP_LINE}; COMP_TYPE=9
        _clap_complete_runas runas "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf '%s\n' "${COMPREPLY[@]}"
    "#;
    let out = Command::new("bash")
        .arg("-c")
        .arg(program)
        .arg("bash")
        .arg(&script)
        .arg(line)
        .env_clear()
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .env("HOME", env.home.path())
        .output()
        .expect("bash");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('\t').next().unwrap_or_default().trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn bash_completes_profile_names_from_the_users_files() {
    let env = TestEnv::shared();
    env.config("[profile production]\nregion = us-east-1\n[profile prod-eu]\n[profile staging]\n[sso-session corp]\nsso_region = us-east-1\n");
    env.credentials(
        "[private]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = S\n",
    );
    assert_eq!(bash_complete(&env, "runas pro"), ["prod-eu", "production"]);
    assert_eq!(bash_complete(&env, "runas pri"), ["private"]);
    assert_eq!(bash_complete(&env, "runas ecr login st"), ["staging"]);
    assert_eq!(bash_complete(&env, "runas -v diagnose prod-"), ["prod-eu"]);
    assert_eq!(
        bash_complete(&env, "runas ecr login --client po"),
        ["podman"]
    );
    assert_eq!(
        bash_complete(&env, "runas -O "),
        [
            "env",
            "fish",
            "powershell",
            "cmd",
            "env-no-export",
            "dotenv",
            "ini",
            "json"
        ]
    );
    assert!(bash_complete(&env, "runas --dur").contains(&"--duration".to_owned()));
}

#[test]
fn list_profiles_is_what_the_sdk_sees() {
    let env = TestEnv::shared();
    env.config(
        "[default]\nregion = us-east-1\n[profile b]\n[profile a]\n[a-not-a-profile-in-config]\n\
         [sso-session corp]\nsso_region = us-east-1\n[services local]\nsts =\n  endpoint_url = http://127.0.0.1:1\n",
    );
    env.credentials(
        "[c]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = S\n[a]\nx = 1\n",
    );
    let run = env.run(&["list", "profiles"]).ok();
    assert_eq!(run.stdout, "a\nb\nc\ndefault\n");
}

/// An IAM user in moto with policies of every kind, a group and an MFA device; returns
/// its access key pair.
fn iam_user(moto: &Moto) -> (String, String) {
    let out = Command::new("python3")
        .arg(format!(
            "{}/tests/support/iam_user.py",
            env!("CARGO_MANIFEST_DIR")
        ))
        .arg(moto.url())
        .output()
        .expect("python3 with boto3 (installed with moto)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let (id, secret) = text.trim().split_once(' ').unwrap();
    (id.to_owned(), secret.to_owned())
}

#[test]
fn list_roles_and_mfa_devices_from_iam() {
    let moto = Moto::start();
    let (id, secret) = iam_user(&moto);
    let env = TestEnv::new(&moto.url());
    env.config(&format!(
        "[default]\nregion = us-east-1\n[profile alice]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n\
         [profile admin]\nrole_arn = {}\nsource_profile = alice\n",
        role(ACCOUNT, "UserInline")
    ));
    let expected = "arn:aws:iam::123456789012:role/GroupManaged\narn:aws:iam::123456789012:role/UserInline\n\
                    arn:aws:iam::123456789012:role/UserManaged\narn:aws:iam::210987654321:role/GroupInline\n";
    assert_eq!(env.run(&["list", "roles", "alice"]).ok().stdout, expected);
    // A role profile is asked about the user at its root.
    assert_eq!(env.run(&["list", "roles", "admin"]).ok().stdout, expected);
    assert_eq!(
        env.run(&["list", "mfa", "admin"]).ok().stdout,
        "arn:aws:iam::123456789012:mfa/alice-phone\n"
    );
    assert_eq!(
        moto.count("AssumeRole"),
        0,
        "no role is assumed to list them"
    );
}

fn diagnose(env: &TestEnv, profile: &str) -> Run {
    env.run(&["diagnose", profile])
}

#[test]
fn diagnose_shows_the_chain_and_where_each_value_comes_from() {
    let env = TestEnv::shared();
    env.config(&format!(
        "[default]\nregion = eu-west-1\n[profile prod]\nrole_arn = {}\nsource_profile = me\nmfa_serial = arn:aws:iam::123456789012:mfa/me\n",
        role(ACCOUNT, "Prod")
    ));
    env.credentials(&format!(
        "[me]\naws_access_key_id = {ROOT_KEY}\naws_secret_access_key = {SECRET}\n"
    ));
    let run = diagnose(&env, "prod").ok();
    let out = &run.stdout;
    for expected in [
        "0  long-term keys …MPLE from profile `me`",
        "1  GetSessionToken (12h, MFA arn:aws:iam::123456789012:mfa/me)",
        "2  AssumeRole arn:aws:iam::123456789012:role/Prod as runas-tester (1h) from profile `prod`",
        "region: eu-west-1 (from profile `default`, config [default])",
        "credentials [me]",
        "config [profile prod]",
        "(secret, not shown)",
        "ok       clock within",
        "no problems found",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    assert!(
        !out.contains(SECRET) && !out.contains(ROOT_KEY),
        "no secrets:\n{out}"
    );
    // The same through -D, but for the measured skew: STS's Date header has whole seconds,
    // so two runs a moment apart may see 0s and 1s.
    assert_eq!(
        without_skew(&env.run(&["-D", "prod"]).ok().stdout),
        without_skew(&run.stdout)
    );
}

/// The report with the clock line's measured number blanked out.
fn without_skew(report: &str) -> String {
    report
        .lines()
        .map(|line| match line.split_once("clock within ") {
            Some((head, rest)) => {
                let tail = rest.trim_start_matches(|c: char| c.is_ascii_digit());
                format!("{head}clock within _{tail}")
            }
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn diagnose_reports_problems_and_exits_non_zero() {
    let mut env = TestEnv::shared();
    env.env("AWS_ACCESS_KEY_ID", "AKIASHADOW")
        .env("RUNAS_ECR_CLIENT", "no-such-client");
    env.config(&format!(
        "[profile both]\nrole_arn = {}\nsource_profile = k\ncredential_source = Environment\n\
         [profile k]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = S\n",
        role(ACCOUNT, "R")
    ));
    let run = diagnose(&env, "both").fails(1, "");
    for expected in [
        "PROBLEM  profile `both`: sets both source_profile and credential_source",
        "PROBLEM  AWS_ACCESS_KEY_ID set in this shell",
        "PROBLEM  ECR client `no-such-client` is not on PATH",
        "3 problems found",
    ] {
        assert!(
            run.stdout.contains(expected),
            "missing {expected:?} in:\n{}",
            run.stdout
        );
    }
    // A missing region is reported, and the rest of the chain still shown.
    let run = diagnose(&env, "k").fails(1, "");
    assert!(run.stdout.contains("PROBLEM  no region"), "{}", run.stdout);
    assert!(run.stdout.contains("0  long-term keys"), "{}", run.stdout);
}

#[test]
fn diagnose_finds_what_a_run_would_fail_on_without_a_network_call() {
    let env = TestEnv::shared();
    std::fs::write(env.path("otp.sh"), "#!/bin/sh\necho 123456\n").unwrap();
    env.config(&format!(
        "[default]\nregion = eu-west-1\n\
         [profile cp]\ncredential_process = no-such-helper --secret s3cr3t\n\
         [profile me]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = S\n\
         mfa_serial = arn:aws:iam::123456789012:mfa/me\nmfa_process = {}\n\
         [profile prod]\nrole_arn = {}\nsource_profile = me   # inherits mfa_serial\n\
         [profile list]\nrole_arn = {}\nsource_profile = me\n\
         [profile sso]\nsso_start_url = https://d-1.awsapps.com/start\nsso_region = eu-west-1\n\
         sso_account_id = 123456789012\nsso_role_name = R\n",
        env.path("otp.sh").display(),
        role(ACCOUNT, "Prod"),
        role(ACCOUNT, "List"),
    ));
    let run = diagnose(&env, "cp").fails(1, "");
    assert!(
        run.stdout.contains(
            "PROBLEM  credential_process of profile `cp`: `no-such-helper` is not on PATH"
        ),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("s3cr3t"), "{}", run.stdout);
    let run = diagnose(&env, "prod").fails(1, "");
    for expected in [
        "config line 12: the value of `source_profile` is followed by a comment (` #` or ` ;`); \
         runas leaves the comment out, but botocore and the AWS CLI read it with the comment included",
        "PROBLEM  mfa_process of profile `me`: ",
        "otp.sh: it is not executable (mode 644): chmod +x it",
    ] {
        assert!(
            run.stdout.contains(expected),
            "missing {expected:?} in:\n{}",
            run.stdout
        );
    }
    let run = diagnose(&env, "list").fails(1, "");
    assert!(
        run.stdout
            .contains("run the profile as `runas -- list COMMAND…`"),
        "{}",
        run.stdout
    );
    let run = diagnose(&env, "sso").fails(1, "");
    assert!(
        run.stdout
            .contains("PROBLEM  no SSO token for https://d-1.awsapps.com/start in "),
        "{}",
        run.stdout
    );
    // An expired token is named.
    let cache = env.path(".aws/sso/cache");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(
        cache.join("abc.json"),
        r#"{"startUrl": "https://d-1.awsapps.com/start", "region": "eu-west-1", "accessToken": "t", "expiresAt": "2020-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    let run = diagnose(&env, "sso").fails(1, "");
    assert!(
        run.stdout.contains("abc.json has expired")
            && run.stdout.contains("aws sso login --profile sso"),
        "{}",
        run.stdout
    );
    // The -v of a run says it too.
    let run = env.run(&["-v", "--", "list", "true"]);
    assert!(
        run.stderr
            .contains("config line 12: the value of `source_profile` is followed by a comment"),
        "{}",
        run.stderr
    );
}

#[test]
fn diagnose_check_obtains_the_credentials_as_a_run_would_and_names_their_identity() {
    let moto = Moto::start();
    let env = TestEnv::new(&moto.url());
    env.config(&format!(
        "[default]\nregion = eu-west-1\n[profile prod]\nrole_arn = {}\nsource_profile = me\n\
         mfa_serial = arn:aws:iam::123456789012:mfa/me\n",
        role(ACCOUNT, "Prod")
    ));
    env.credentials(&format!(
        "[me]\naws_access_key_id = {ROOT_KEY}\naws_secret_access_key = {SECRET}\n"
    ));
    // Without --check, no credentials are fetched.
    diagnose(&env, "prod").ok();
    assert_eq!(env.cache_entries(), 0);
    let run = env
        .run(&["diagnose", "--check", "--otp", "112233", "prod"])
        .ok();
    assert!(
        run.stdout.contains(
            "ok       credentials obtained: arn:aws:sts::123456789012:assumed-role/Prod/runas-tester (account 123456789012), expires in"
        ),
        "{}",
        run.stdout
    );
    let calls: Vec<String> = moto
        .sts_calls()
        .into_iter()
        .filter(|c| !c.starts_with("GetCallerIdentity"))
        .collect();
    assert_eq!(
        calls,
        [
            "GetSessionToken 43200s code=112233 long-term",
            "AssumeRole 3600s session"
        ]
    );
    // What it wrote is what a run writes: the cache, nothing else under HOME.
    assert_eq!(env.cache_entries(), 2);
    let outside: Vec<_> = std::fs::read_dir(env.home.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".aws" && n != "cache")
        .collect();
    assert!(outside.is_empty(), "{outside:?}");
    // A refusal is STS's own words and what to do; the exit status says a run would fail.
    std::fs::remove_dir_all(env.cache_dir()).unwrap();
    let run = env
        .run(&["diagnose", "--check", "--otp", "112233", "prod"])
        .fails(1, "");
    assert!(
        run.stdout.contains(
            "PROBLEM  credentials not obtained: getting a session token: STS rejected the MFA code for \
             arn:aws:iam::123456789012:mfa/me (AccessDenied: MultiFactorAuthentication failed with invalid \
             MFA one time pass code.); each code is good once: wait for the next code and try again"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn diagnose_catches_a_wrong_clock() {
    let date = Command::new("date")
        .env("TZ", "GMT")
        .args(["-d", "+10 minutes", "+%a, %d %b %Y %H:%M:%S GMT"])
        .output()
        .unwrap();
    let date = String::from_utf8(date.stdout).unwrap().trim().to_owned();
    let (url, _) = refusing_sts_dated(
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
        Some(date),
    );
    let env = TestEnv::new(&url);
    env.config(&format!(
        "[default]\nregion = us-east-1\n{}",
        base_profile()
    ));
    let run = diagnose(&env, "base").fails(1, "");
    assert!(
        run.stdout
            .contains("this machine's clock is 10 minutes off"),
        "{}",
        run.stdout
    );
}
