//! End-to-end: the built `runas` against moto's STS on loopback.

mod testenv;

use std::process::Stdio;
use testenv::*;

const ACCOUNT: &str = "123456789012";
const MFA: &str = "arn:aws:iam::123456789012:mfa/tester";

/// `prod`, a role assumed with `base`'s static keys, in us-east-1.
fn prod_config() -> String {
    format!(
        "[default]\nregion = us-east-1\n{}[profile prod]\nrole_arn = {}\nsource_profile = base\n",
        base_profile(),
        role(ACCOUNT, "Prod")
    )
}

fn whoami_arn(run: &Run) -> String {
    run.stderr
        .lines()
        .find_map(|l| l.strip_prefix("Arn: "))
        .unwrap_or_else(|| panic!("no Arn line in:\n{}", run.stderr))
        .to_owned()
}

#[test]
fn static_keys_to_a_role() {
    let env = TestEnv::shared();
    env.config(&format!(
        "[default]\nregion = eu-west-1\n{}[profile prod]\nrole_arn = {}\nsource_profile = base\n",
        base_profile(),
        role(ACCOUNT, "Prod")
    ));
    let run = env.run(&["-w", "prod", "env"]).ok();
    assert_eq!(
        whoami_arn(&run),
        "arn:aws:sts::123456789012:assumed-role/Prod/runas-tester"
    );
    let key = run.var("AWS_ACCESS_KEY_ID").unwrap();
    assert!(key.starts_with("ASIA"), "{key}");
    assert_ne!(key, ROOT_KEY);
    assert!(run.var("AWS_SESSION_TOKEN").is_some());
    assert_eq!(run.var("AWS_SECURITY_TOKEN"), run.var("AWS_SESSION_TOKEN"));
    assert_eq!(run.var("AWS_REGION").as_deref(), Some("eu-west-1"));
    assert_eq!(run.var("AWS_DEFAULT_REGION").as_deref(), Some("eu-west-1"));
    assert_eq!(run.var("RUNAS_PROFILE").as_deref(), Some("prod"));
    assert_eq!(run.var("AWSRUNAS_PROFILE").as_deref(), Some("prod"));
    let expiry = run.var("AWS_CREDENTIAL_EXPIRATION").unwrap();
    assert!(
        expiry.len() == 20 && expiry.ends_with('Z'),
        "RFC 3339 in whole seconds: {expiry}"
    );
}

#[test]
fn three_roles_in_a_chain() {
    let moto = Moto::start();
    let env = TestEnv::new(&moto.url());
    env.config(&format!(
        "{}[profile one]\nrole_arn = {}\nsource_profile = base\nregion = us-east-2\n\
         [profile two]\nrole_arn = {}\nsource_profile = one\n\
         [profile three]\nrole_arn = {}\nsource_profile = two\nrole_session_name = deep\n",
        base_profile(),
        role(ACCOUNT, "One"),
        role("210987654321", "Two"),
        role(ACCOUNT, "Three"),
    ));
    let run = env.run(&["-w", "three", "true"]).ok();
    assert_eq!(
        whoami_arn(&run),
        "arn:aws:sts::123456789012:assumed-role/Three/deep"
    );
    assert_eq!(moto.count("AssumeRole"), 3, "{:?}", moto.sts_calls());
    assert_eq!(env.cache_entries(), 3);
    // The region is inherited from the source profile.
    let run = env.run(&["three", "env"]).ok();
    assert_eq!(run.var("AWS_REGION").as_deref(), Some("us-east-2"));
}

#[test]
fn web_identity_root() {
    let env = TestEnv::shared();
    std::fs::write(
        env.path("token.jwt"),
        "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl\n",
    )
    .unwrap();
    env.config(&format!(
        "[profile ci]\nregion = us-east-1\nrole_arn = {}\nweb_identity_token_file = {}\nrole_session_name = ci-job\n\
         [profile deploy]\nrole_arn = {}\nsource_profile = ci\n",
        role(ACCOUNT, "CI"),
        env.path("token.jwt").display(),
        role(ACCOUNT, "Deploy"),
    ));
    let run = env.run(&["-w", "ci", "true"]).ok();
    assert_eq!(
        whoami_arn(&run),
        "arn:aws:sts::123456789012:assumed-role/CI/ci-job"
    );
    let run = env.run(&["-w", "deploy", "true"]).ok();
    assert_eq!(
        whoami_arn(&run),
        "arn:aws:sts::123456789012:assumed-role/Deploy/runas-tester"
    );
}

#[test]
fn credential_process_root() {
    let env = TestEnv::shared();
    let process = script(
        &env,
        "creds.sh",
        &format!(
            "echo called >> \"$HOME/process.log\"\nprintf '{{\"Version\": 1, \"AccessKeyId\": \"{ROOT_KEY}\", \"SecretAccessKey\": \"{SECRET}\"}}'"
        ),
    );
    env.config(&format!(
        "[profile proc]\nregion = us-east-1\ncredential_process = {}\n[profile viaproc]\nrole_arn = {}\nsource_profile = proc\n",
        process.display(),
        role(ACCOUNT, "ViaProcess")
    ));
    let run = env.run(&["proc", "env"]).ok();
    assert_eq!(run.var("AWS_ACCESS_KEY_ID").as_deref(), Some(ROOT_KEY));
    let run = env.run(&["-w", "viaproc", "true"]).ok();
    assert_eq!(
        whoami_arn(&run),
        "arn:aws:sts::123456789012:assumed-role/ViaProcess/runas-tester"
    );
    // Warm: the role comes from the cache and the process is not run again.
    let before = read(&env.path("process.log")).lines().count();
    env.run(&["viaproc", "true"]).ok();
    assert_eq!(read(&env.path("process.log")).lines().count(), before);
}

#[test]
fn credential_source_environment() {
    let mut env = TestEnv::shared();
    env.env("AWS_ACCESS_KEY_ID", ROOT_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET);
    env.config(&format!(
        "[profile fromenv]\nregion = us-east-1\nrole_arn = {}\ncredential_source = Environment\n",
        role(ACCOUNT, "FromEnv")
    ));
    let run = env.run(&["-w", "fromenv", "true"]).ok();
    assert_eq!(
        whoami_arn(&run),
        "arn:aws:sts::123456789012:assumed-role/FromEnv/runas-tester"
    );
}

#[test]
fn a_role_arn_in_place_of_a_profile() {
    let env = TestEnv::shared();
    env.config(&format!(
        "[default]\nregion = us-east-1\naws_access_key_id = {ROOT_KEY}\naws_secret_access_key = {SECRET}\n"
    ));
    let arn = role(ACCOUNT, "Direct");
    let run = env.run(&["-w", &arn, "env"]).ok();
    assert_eq!(
        whoami_arn(&run),
        "arn:aws:sts::123456789012:assumed-role/Direct/runas-tester"
    );
    assert_eq!(run.var("RUNAS_PROFILE").as_deref(), Some(arn.as_str()));
}

fn mfa_config(env: &TestEnv, mfa_on_role: bool) {
    mfa_config_with(env, mfa_on_role, "");
}

/// Two roles of one identity behind one MFA device; `in_default` goes into [default].
fn mfa_config_with(env: &TestEnv, mfa_on_role: bool, in_default: &str) {
    let (on_role, on_base) = if mfa_on_role {
        (format!("mfa_serial = {MFA}\n"), String::new())
    } else {
        (String::new(), format!("mfa_serial = {MFA}\n"))
    };
    env.config(&format!(
        "[default]\nregion = us-east-1\n{in_default}{}{on_base}\
         [profile admin]\nrole_arn = {}\nsource_profile = base\n{on_role}\
         [profile audit]\nrole_arn = {}\nsource_profile = base\n{on_role}",
        base_profile(),
        role(ACCOUNT, "Admin"),
        role(ACCOUNT, "Audit"),
    ));
}

#[test]
fn mfa_on_the_role_uses_a_session_token() {
    let moto = Moto::start();
    let env = TestEnv::new(&moto.url());
    mfa_config(&env, true);
    let run = env.run(&["--otp", "123456", "-w", "admin", "true"]).ok();
    let calls = moto.sts_calls();
    assert_eq!(
        calls[..2],
        [
            "GetSessionToken 43200s code=123456 long-term",
            "AssumeRole 3600s session"
        ],
        "{calls:?}"
    );
    assert_eq!(
        whoami_arn(&run),
        "arn:aws:sts::123456789012:assumed-role/Admin/runas-tester"
    );
    assert_eq!(
        env.cache_entries(),
        2,
        "session token and role are both cached"
    );
    // Another role of the same identity and device: no code needed, and no new session.
    env.run(&["audit", "true"]).ok();
    let calls = moto.sts_calls();
    assert_eq!(
        calls
            .iter()
            .filter(|c| c.starts_with("GetSessionToken"))
            .count(),
        1,
        "{calls:?}"
    );
    assert_eq!(
        calls
            .iter()
            .rfind(|c| c.starts_with("AssumeRole"))
            .map(String::as_str),
        Some("AssumeRole 3600s session"),
        "{calls:?}"
    );
}

#[test]
fn mfa_inherited_from_the_source_profile() {
    let moto = Moto::start();
    let mut env = TestEnv::new(&moto.url());
    env.env("MFA_CODE", "654321");
    mfa_config(&env, false);
    env.run(&["admin", "true"]).ok();
    assert_eq!(
        moto.sts_calls(),
        [
            "GetSessionToken 43200s code=654321 long-term",
            "AssumeRole 3600s session"
        ]
    );
    let serials: Vec<_> = moto
        .requests()
        .into_iter()
        .filter_map(|r| r.serial)
        .collect();
    assert_eq!(serials, ["arn:aws:iam::123456789012:mfa/tester"]);
}

#[test]
fn mfa_process_is_asked_once_for_all_roles() {
    let env = TestEnv::shared();
    let process = script(
        &env,
        "otp.sh",
        "echo asked >> \"$HOME/otp.log\"\necho 112233",
    );
    mfa_config_with(
        &env,
        true,
        &format!("mfa_process = {}\n", process.display()),
    );
    env.run(&["admin", "true"]).ok();
    env.run(&["audit", "true"]).ok();
    env.run(&["admin", "true"]).ok();
    assert_eq!(read(&env.path("otp.log")).lines().count(), 1);
}

#[test]
fn parallel_runs_whose_code_sts_refuses_ask_for_one_code_not_one_each() {
    let env = TestEnv::shared();
    let process = script(
        &env,
        "otp.sh",
        "echo asked >> \"$HOME/otp.log\"\nsleep 1\necho 424242",
    );
    mfa_config_with(
        &env,
        true,
        &format!("mfa_process = {}\n", process.display()),
    );
    // 424242 is spent: STS refuses it from now on.
    env.run(&["--otp", "424242", "admin", "true"]).ok();
    std::fs::remove_dir_all(env.cache_dir()).unwrap();
    let runs: Vec<_> = (0..8)
        .map(|_| {
            env.command()
                .args(["admin", "true"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<_> = runs
        .into_iter()
        .map(|r| r.wait_with_output().unwrap())
        .collect();
    let said: Vec<String> = outputs
        .iter()
        .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
        .collect();
    assert!(
        outputs.iter().all(|o| o.status.code() == Some(4)),
        "{said:#?}"
    );
    assert_eq!(
        read(&env.path("otp.log")).lines().count(),
        1,
        "one code asked for: {said:#?}"
    );
    assert_eq!(
        said.iter()
            .filter(|s| s.contains("STS refused the MFA code of another runas"))
            .count(),
        7,
        "{said:#?}"
    );
}

#[test]
fn mfa_prompt_reads_the_terminal_not_stdin() {
    let env = TestEnv::shared();
    mfa_config(&env, true);
    let (ok, text) = in_terminal(&env, "-w admin true", &["246810"]);
    assert!(ok, "{text}");
    assert!(
        text.contains("MFA code for arn:aws:iam::123456789012:mfa/tester:"),
        "{text}"
    );
    assert!(text.contains("assumed-role/Admin"), "{text}");
}

#[test]
fn a_code_sts_refuses_at_the_terminal_is_asked_for_again() {
    let env = TestEnv::shared();
    mfa_config(&env, true);
    // A code STS has seen is refused as a mistyped one is ("invalid MFA one time pass code").
    env.run(&["--otp", "135791", "admin", "true"]).ok();
    let (ok, text) = in_terminal(&env, "-r -w admin true", &["135791", "975310"]);
    assert!(ok, "{text}");
    assert!(
        text.contains(
            "STS refused that code (mistyped, or already used).\r\n\
             MFA code for arn:aws:iam::123456789012:mfa/tester (try 2 of 3): "
        ),
        "{text}"
    );
    assert!(text.contains("assumed-role/Admin"), "{text}");
}

#[test]
fn three_refused_codes_at_the_terminal_end_the_run() {
    let env = TestEnv::shared();
    mfa_config(&env, true);
    for code in ["111111", "222222", "333333"] {
        env.run(&["-r", "--otp", code, "admin", "true"]).ok();
    }
    let (ok, text) = in_terminal(
        &env,
        "-r admin true",
        &["111111", "222222", "333333", "444444"],
    );
    assert!(!ok, "{text}");
    assert!(text.contains("(try 3 of 3)"), "{text}");
    assert!(!text.contains("try 4"), "{text}");
    assert!(
        text.contains("STS rejected the MFA code for arn:aws:iam::123456789012:mfa/tester"),
        "{text}"
    );
}

/// Runs runas with `args` on a terminal (`script` makes one) and types `lines` there;
/// whether it succeeded, and what the terminal showed.
fn in_terminal(env: &TestEnv, args: &str, lines: &[&str]) -> (bool, String) {
    // `script` gives runas a terminal; what is typed there answers the prompt.
    let mut cmd = env.command();
    let inner = format!("{} {args}", env!("CARGO_BIN_EXE_runas"));
    let out = cmd
        .env_remove("PATH")
        .env("PATH", std::env::var("PATH").unwrap())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = std::process::Command::new("script")
        .args(["-qec", &inner, "/dev/null"])
        .envs(
            out.get_envs()
                .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned()))),
        )
        .env_clear()
        .envs(
            cmd.get_envs()
                .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned()))),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script (util-linux) is needed for this test: apt-get install bsdutils");
    use std::io::Write;
    let mut typing = child.stdin.take().unwrap();
    for line in lines {
        std::thread::sleep(std::time::Duration::from_millis(500));
        // A run that ended before the last line closed the terminal.
        let _ = typing.write_all(format!("{line}\n").as_bytes());
    }
    drop(typing);
    let output = child.wait_with_output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn mfa_without_a_terminal_or_code_is_a_clear_error() {
    let env = TestEnv::shared();
    mfa_config(&env, true);
    let mut cmd = std::process::Command::new("setsid");
    cmd.arg(env!("CARGO_BIN_EXE_runas")).args(["admin", "true"]);
    cmd.env_clear().envs(
        env.command()
            .get_envs()
            .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned()))),
    );
    let run = Run::from(cmd.stdin(Stdio::null()).output().unwrap()).fails(
        4,
        "needs an MFA code for arn:aws:iam::123456789012:mfa/tester and there is no terminal",
    );
    assert!(run.stderr.contains("--otp"));
    assert_eq!(env.cache_entries(), 0);
}

#[test]
fn a_rejected_mfa_code_is_reported_and_nothing_cached() {
    let (url, log) = refusing_sts(
        "AccessDenied",
        "MultiFactorAuthentication failed with invalid MFA one time pass code.",
    );
    let env = TestEnv::new(&url);
    mfa_config(&env, true);
    let run = env.run(&["--otp", "999999", "admin", "true"]).fails(
        4,
        "STS rejected the MFA code for arn:aws:iam::123456789012:mfa/tester",
    );
    assert!(
        !run.stderr.contains("999999"),
        "the code is not repeated: {}",
        run.stderr
    );
    assert_eq!(env.cache_entries(), 0);
    assert!(log.lock().unwrap()[0].contains("Action=GetSessionToken"));
}

#[test]
fn sts_refusals_name_the_role() {
    let (url, _) = refusing_sts(
        "AccessDenied",
        "User is not authorized to perform: sts:AssumeRole",
    );
    let env = TestEnv::new(&url);
    env.config(&prod_config());
    env.run(&["prod", "true"]).fails(4, "assuming arn:aws:iam::123456789012:role/Prod for profile `prod`: AccessDenied: User is not authorized");
}

#[test]
fn unreachable_sts_is_a_clear_error() {
    let env = TestEnv::new(&format!("http://127.0.0.1:{}", free_port()));
    env.config(&prod_config());
    env.run(&["prod", "true"]).fails(4, "could not reach STS");
}

#[test]
fn the_cache_serves_a_second_run_without_the_server() {
    let moto = Moto::start();
    let env = TestEnv::new(&moto.url());
    env.config(&format!(
        "[default]\nregion = us-east-1\n{}[profile prod]\nrole_arn = {}\nsource_profile = base\nmfa_serial = {MFA}\n",
        base_profile(),
        role(ACCOUNT, "Prod")
    ));
    let first = env.run(&["-o", "123456", "prod", "env"]).ok();
    drop(moto);
    let second = env.run(&["prod", "env"]).ok();
    assert_eq!(
        first.var("AWS_ACCESS_KEY_ID"),
        second.var("AWS_ACCESS_KEY_ID")
    );
    assert_eq!(
        first.var("AWS_SECRET_ACCESS_KEY"),
        second.var("AWS_SECRET_ACCESS_KEY")
    );
    // -r ignores the cache, so with the server gone it fails.
    env.run(&["-r", "-o", "123456", "prod", "true"])
        .fails(4, "could not reach STS");
}

#[test]
fn refresh_fetches_new_credentials() {
    let env = TestEnv::shared();
    env.config(&prod_config());
    let first = env.run(&["prod", "env"]).ok();
    let cached = env.run(&["prod", "env"]).ok();
    let refreshed = env.run(&["-r", "prod", "env"]).ok();
    let after = env.run(&["prod", "env"]).ok();
    assert_eq!(
        first.var("AWS_ACCESS_KEY_ID"),
        cached.var("AWS_ACCESS_KEY_ID")
    );
    assert_ne!(
        first.var("AWS_ACCESS_KEY_ID"),
        refreshed.var("AWS_ACCESS_KEY_ID")
    );
    assert_eq!(
        refreshed.var("AWS_ACCESS_KEY_ID"),
        after.var("AWS_ACCESS_KEY_ID")
    );
}

#[test]
fn corrupt_cache_entries_are_a_miss_with_a_warning() {
    let env = TestEnv::shared();
    env.config(&prod_config());
    env.run(&["prod", "true"]).ok();
    let mut corrupted = 0;
    for entry in std::fs::read_dir(env.cache_dir()).unwrap().flatten() {
        if entry.path().extension().is_some_and(|x| x == "json") {
            std::fs::write(entry.path(), "{\"half").unwrap();
            corrupted += 1;
        }
    }
    let run = env.run(&["prod", "true"]).ok();
    assert!(
        run.stderr.contains("is corrupt") && run.stderr.contains("anew"),
        "{}",
        run.stderr
    );
    // Each entry is read before and after its lock: it is said once all the same.
    assert_eq!(
        run.stderr.matches("is corrupt").count(),
        corrupted,
        "{}",
        run.stderr
    );
    let run = env.run(&["prod", "true"]).ok();
    assert!(run.stderr.is_empty(), "repaired: {}", run.stderr);
}

#[test]
fn cache_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::shared();
    env.config(&prod_config());
    env.run(&["prod", "true"]).ok();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&env.cache_dir()), 0o700);
    for entry in std::fs::read_dir(env.cache_dir()).unwrap().flatten() {
        assert_eq!(mode(&entry.path()), 0o600, "{}", entry.path().display());
    }
}

#[test]
fn parallel_runs_share_one_fetch_and_one_mfa_code() {
    let moto = Moto::start();
    let env = TestEnv::new(&moto.url());
    let process = script(
        &env,
        "otp.sh",
        "echo asked >> \"$HOME/otp.log\"\nsleep 0.3\necho 135791",
    );
    mfa_config_with(
        &env,
        true,
        &format!("mfa_process = {}\n", process.display()),
    );
    let children: Vec<_> = (0..8)
        .map(|_| {
            env.command()
                .args(["admin", "env"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let keys: std::collections::HashSet<String> = children
        .into_iter()
        .map(|c| {
            Run::from(c.wait_with_output().unwrap())
                .ok()
                .var("AWS_ACCESS_KEY_ID")
                .unwrap()
        })
        .collect();
    assert_eq!(
        keys.len(),
        1,
        "one AssumeRole call served all runs: {keys:?}"
    );
    assert_eq!(
        read(&env.path("otp.log")).lines().count(),
        1,
        "one MFA code"
    );
}

#[test]
fn exit_status_is_the_commands() {
    let env = TestEnv::shared();
    env.config(&format!(
        "[default]\nregion = us-east-1\n{}",
        base_profile()
    ));
    assert_eq!(
        env.run(&["base", "--", "sh", "-c", "exit 7"]).status,
        Some(7)
    );
    assert_eq!(env.run(&["base", "sh", "-c", "exit 0"]).status, Some(0));
    env.run(&["base", "no-such-command-runas"])
        .fails(127, "no-such-command-runas: command not found");
    std::fs::write(env.path("notexec"), "#!/bin/sh\n").unwrap();
    let path = env.path("notexec");
    env.run(&["base", path.to_str().unwrap()])
        .fails(126, "notexec");
}

#[test]
fn arguments_after_the_command_are_the_commands() {
    let env = TestEnv::shared();
    env.config(&format!(
        "[default]\nregion = us-east-1\n{}",
        base_profile()
    ));
    let run = env
        .run(&[
            "base",
            "sh",
            "-c",
            "printf '%s|' \"$@\"",
            "sh",
            "--profile",
            "x",
            "-v",
            "-o",
            "--",
        ])
        .ok();
    assert_eq!(run.stdout, "--profile|x|-v|-o|--|");
}

#[test]
fn the_child_loses_profile_variables() {
    let mut env = TestEnv::shared();
    env.env("AWS_PROFILE", "other")
        .env("AWS_DEFAULT_PROFILE", "other")
        .env("AWS_SESSION_TOKEN", "stale");
    env.config(&format!(
        "[default]\nregion = us-east-1\n{}",
        base_profile()
    ));
    let run = env.run(&["base", "env"]).ok();
    assert_eq!(run.var("AWS_PROFILE"), None);
    assert_eq!(run.var("AWS_DEFAULT_PROFILE"), None);
    assert_eq!(
        run.var("AWS_SESSION_TOKEN"),
        None,
        "long-term keys carry no token"
    );
    assert_eq!(run.var("AWS_ACCESS_KEY_ID").as_deref(), Some(ROOT_KEY));
}

#[test]
fn printed_exports_work_in_a_shell() {
    let env = TestEnv::shared();
    env.config(&prod_config());
    let printed = env.run(&["prod"]).ok().stdout;
    let expected = env.run(&["prod", "env"]).ok();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("export AWS_PROFILE=x; eval \"$1\"; env")
        .arg("sh")
        .arg(&printed)
        .output()
        .unwrap();
    let shell = Run::from(out);
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "AWS_CREDENTIAL_EXPIRATION",
        "RUNAS_PROFILE",
    ] {
        assert_eq!(shell.var(var), expected.var(var), "{var}");
    }
    assert_eq!(shell.var("AWS_PROFILE"), None);
}

#[test]
fn json_output_works_as_a_credential_process() {
    let env = TestEnv::shared();
    let runas = env!("CARGO_BIN_EXE_runas");
    env.config(&format!(
        "[default]\nregion = us-east-1\n{}[profile prod]\nrole_arn = {}\nsource_profile = base\n\
         [profile wrapped]\ncredential_process = {runas} -O json prod\n",
        base_profile(),
        role(ACCOUNT, "Prod")
    ));
    let printed = env.run(&["-O", "json", "prod"]).ok().stdout;
    let v: serde_json::Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(v["Version"], 1);
    for field in [
        "AccessKeyId",
        "SecretAccessKey",
        "SessionToken",
        "Expiration",
    ] {
        assert!(v[field].is_string(), "{field} in {printed}");
    }
    let run = env.run(&["wrapped", "env"]).ok();
    assert_eq!(
        run.var("AWS_ACCESS_KEY_ID").as_deref(),
        v["AccessKeyId"].as_str()
    );
    let run = env.run(&["-w", "wrapped", "true"]).ok();
    assert_eq!(
        whoami_arn(&run),
        "arn:aws:sts::123456789012:assumed-role/Prod/runas-tester"
    );
}

#[test]
fn expiration_goes_to_stderr() {
    let env = TestEnv::shared();
    env.config(&prod_config());
    let run = env.run(&["-e", "-a", "2h", "prod"]).ok();
    assert!(
        run.stderr.contains("Credentials: expires in 1h59m"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.starts_with("export "));
}

#[test]
fn durations_are_clamped_with_a_warning() {
    let env = TestEnv::shared();
    env.config(&prod_config());
    let run = env.run(&["-e", "-a", "5m", "prod", "true"]).ok();
    assert!(
        run.stderr
            .contains("warning: role duration for `prod`: 5m is below the STS minimum; using 15m"),
        "{}",
        run.stderr
    );
    env.run(&["-a", "5x", "prod"]).fails(2, "unknown unit `x`");
}

#[test]
fn write_credentials_keeps_the_rest_of_the_file() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::shared();
    env.config(&format!(
        "[default]\nregion = us-east-1\n[profile prod]\nrole_arn = {}\nsource_profile = base\n",
        role(ACCOUNT, "Prod")
    ));
    let original = format!(
        "# my keys\n[base]\naws_access_key_id = {ROOT_KEY}\naws_secret_access_key = {SECRET}\n\n; other\n[other]\nx = 1\n"
    );
    env.credentials(&original);
    let run = env.run(&["-c", "prod", "env"]).ok();
    let written = read(&env.path(".aws/credentials"));
    assert!(written.starts_with(&original), "{written}");
    let key = run.var("AWS_ACCESS_KEY_ID").unwrap();
    assert!(
        written.contains(
            "[prod-runas]
# written by runas for profile prod; expires "
        ),
        "{written}"
    );
    assert!(written.contains(&format!("aws_access_key_id = {key}\n")));
    let mode = std::fs::metadata(env.path(".aws/credentials"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    // Written twice, the section is replaced, not repeated; and the SDK reads it back.
    env.run(&["-c", "-r", "prod", "true"]).ok();
    let written = read(&env.path(".aws/credentials"));
    assert_eq!(written.matches("[prod-runas]").count(), 1);
    let run = env.run(&["prod-runas", "env"]).ok();
    assert!(run.var("AWS_SESSION_TOKEN").is_some());
}

#[test]
fn secrets_never_reach_the_log() {
    let env = TestEnv::shared();
    mfa_config(&env, true);
    let run = env
        .run(&["-vvv", "-o", "192837", "-w", "-e", "-c", "admin", "true"])
        .ok();
    let printed = env.run(&["-O", "json", "admin"]).ok().stdout;
    let v: serde_json::Value = serde_json::from_str(&printed).unwrap();
    let secrets = [
        SECRET,
        v["SecretAccessKey"].as_str().unwrap(),
        v["SessionToken"].as_str().unwrap(),
        "192837",
        ROOT_KEY,
        v["AccessKeyId"].as_str().unwrap(),
    ];
    for secret in secrets {
        assert!(!run.stderr.contains(secret), "{secret} in:\n{}", run.stderr);
    }
    assert!(
        run.stderr.contains("…MPLE"),
        "key ids are shown by their last four characters: {}",
        run.stderr
    );
}

#[test]
fn the_warm_path_reuses_the_plan_only_for_the_same_inputs() {
    let mut env = TestEnv::shared();
    let config = |region: &str| {
        format!(
            "[default]\nregion = {region}\n{}[profile prod]\nrole_arn = {}\nsource_profile = base\nduration_seconds = 60\n",
            base_profile(),
            role(ACCOUNT, "Prod")
        )
    };
    env.config(&config("eu-west-1"));
    let first = env.run(&["-v", "prod", "env"]).ok();
    assert!(first.stderr.contains("calling STS"), "{}", first.stderr);
    let warm = env.run(&["-v", "prod", "env"]).ok();
    assert!(
        warm.stderr
            .contains("warm: the plan and credentials of an earlier run"),
        "{}",
        warm.stderr
    );
    assert!(
        warm.stderr.contains("below the STS minimum"),
        "warnings are replayed: {}",
        warm.stderr
    );
    assert_eq!(
        warm.var("AWS_ACCESS_KEY_ID"),
        first.var("AWS_ACCESS_KEY_ID")
    );
    assert_eq!(warm.var("AWS_REGION").as_deref(), Some("eu-west-1"));

    // Another byte in the files: resolved again, the credentials still from the cache.
    env.config(&config("eu-central-1"));
    let changed = env.run(&["-v", "prod", "env"]).ok();
    assert!(!changed.stderr.contains("warm:"), "{}", changed.stderr);
    assert!(changed.stderr.contains("cache hit"), "{}", changed.stderr);
    assert_eq!(changed.var("AWS_REGION").as_deref(), Some("eu-central-1"));
    // Other flags, another environment: resolved again too.
    let flagged = env
        .run(&["-v", "--region", "ap-south-1", "prod", "env"])
        .ok();
    assert!(!flagged.stderr.contains("warm:"));
    assert_eq!(flagged.var("AWS_REGION").as_deref(), Some("ap-south-1"));
    env.env("AWS_ENDPOINT_URL_STS", &env.endpoint.clone());
    let other_env = env.run(&["-v", "prod", "env"]).ok();
    assert!(!other_env.stderr.contains("warm:"), "{}", other_env.stderr);

    // A file larger than the chunks its digest is read in (64 KiB): a byte changed past
    // the first chunk is noticed too.
    let padding: String = (0..5000)
        .map(|i| format!("[profile pad{i}]\nregion = us-east-1\n"))
        .collect();
    assert!(padding.len() > 2 * 64 * 1024);
    env.config(&(padding.clone() + &config("eu-west-1")));
    env.run(&["prod", "env"]).ok();
    let warm = env.run(&["-v", "prod", "env"]).ok();
    assert!(warm.stderr.contains("warm:"), "{}", warm.stderr);
    env.config(&(padding + &config("eu-west-2")));
    let changed = env.run(&["-v", "prod", "env"]).ok();
    assert!(!changed.stderr.contains("warm:"), "{}", changed.stderr);
    assert_eq!(changed.var("AWS_REGION").as_deref(), Some("eu-west-2"));
}

/// The metadata stand-in on a free port: the running process (stopped on drop), its URL
/// and its request log.
struct Metadata {
    _child: Guard,
    url: String,
    log: std::path::PathBuf,
}

impl Metadata {
    fn start(env: &TestEnv) -> Metadata {
        use std::io::BufRead;
        let port = free_port();
        let log = env.path("metadata.log");
        let mut standin = std::process::Command::new("python3");
        standin
            .arg(format!(
                "{}/tests/support/metadata_standin.py",
                env!("CARGO_MANIFEST_DIR")
            ))
            .args([
                "--port",
                &port.to_string(),
                "--key",
                ROOT_KEY,
                "--secret",
                SECRET,
                "--log",
            ])
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
        assert_eq!(line.trim(), "listening");
        Metadata {
            _child: child,
            url: format!("http://127.0.0.1:{port}"),
            log,
        }
    }
}

#[test]
fn credential_source_ecs_container() {
    let mut env = TestEnv::shared();
    let metadata = Metadata::start(&env);
    env.env(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        &format!("{}/ecs-credentials", metadata.url),
    );
    env.config(&format!(
        "[profile task]\nregion = us-east-1\nrole_arn = {}\ncredential_source = EcsContainer\n",
        role(ACCOUNT, "FromTask")
    ));
    let run = env.run(&["-w", "task", "true"]).ok();
    assert_eq!(
        whoami_arn(&run),
        "arn:aws:sts::123456789012:assumed-role/FromTask/runas-tester"
    );
    assert_eq!(read(&metadata.log).trim(), "GET /ecs-credentials");
}

#[test]
fn a_broken_credentials_answer_is_reported_without_its_secret() {
    let mut env = TestEnv::shared();
    let metadata = Metadata::start(&env);
    env.env(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        &format!("{}/ecs-broken", metadata.url),
    );
    env.config(&format!(
        "[profile task]\nregion = us-east-1\nrole_arn = {}\ncredential_source = EcsContainer\n",
        role(ACCOUNT, "FromTask")
    ));
    let run = env
        .run(&["-vvv", "task", "true"])
        .fails(4, "credential_source EcsContainer of profile `task`");
    assert!(!run.stderr.contains(SECRET), "{}", run.stderr);
}

/// The token `aws sso login` leaves in ~/.aws/sso/cache, named by the SHA-1 of `identifier`
/// (the sso-session name, or the start URL of a profile without one).
fn sso_login(env: &TestEnv, identifier: &str) {
    let status = std::process::Command::new("python3")
        .arg(format!(
            "{}/tests/support/sso_login.py",
            env!("CARGO_MANIFEST_DIR")
        ))
        .arg(env.home.path())
        .arg(identifier)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn sso_roots_from_the_token_cache() {
    let mut env = TestEnv::shared();
    let metadata = Metadata::start(&env);
    env.env("AWS_ENDPOINT_URL_SSO", &metadata.url);
    env.config(&format!(
        "[default]\nregion = us-east-1\n\
         [profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Developer\n\
         [profile legacy]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\n\
         [profile deploy]\nrole_arn = {}\nsource_profile = dev\n\
         [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n",
        role(ACCOUNT, "Deploy")
    ));
    // Not logged in yet: the error says what to run.
    env.run(&["dev", "true"])
        .fails(4, "run `runas sso login --profile dev`");
    sso_login(&env, "corp");
    sso_login(&env, "https://corp.awsapps.com/start");
    let run = env.run(&["dev", "env"]).ok();
    assert_eq!(
        run.var("AWS_SESSION_TOKEN").as_deref(),
        Some("sso-123456789012-Developer")
    );
    let run = env.run(&["legacy", "env"]).ok();
    assert_eq!(
        run.var("AWS_SESSION_TOKEN").as_deref(),
        Some("sso-123456789012-ReadOnly")
    );
    let run = env.run(&["-w", "deploy", "true"]).ok();
    assert_eq!(
        whoami_arn(&run),
        "arn:aws:sts::123456789012:assumed-role/Deploy/runas-tester"
    );
    // SSO role credentials are cached like any step.
    let before = read(&metadata.log).lines().count();
    env.run(&["dev", "true"]).ok();
    assert_eq!(read(&metadata.log).lines().count(), before);
}

#[test]
fn credential_source_ec2_instance_metadata() {
    let mut env = TestEnv::shared();
    let metadata = Metadata::start(&env);
    env.env("AWS_EC2_METADATA_DISABLED", "false")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &metadata.url);
    env.config(&format!(
        "[profile instance]\nregion = us-east-1\nrole_arn = {}\ncredential_source = Ec2InstanceMetadata\n",
        role(ACCOUNT, "FromInstance")
    ));
    let run = env.run(&["-w", "instance", "true"]).ok();
    assert_eq!(
        whoami_arn(&run),
        "arn:aws:sts::123456789012:assumed-role/FromInstance/runas-tester"
    );
    let log = read(&metadata.log);
    assert!(
        log.starts_with("PUT /latest/api/token\n"),
        "IMDSv2, with a session token: {log}"
    );
    assert!(
        log.contains("GET /latest/meta-data/iam/security-credentials/instance-role"),
        "{log}"
    );
}

/// The layouts of S3-compatible services: LocalStack's `test`/`test` in `[default]` (and a
/// role sourced from it), MinIO's `minioadmin` with a blanked `aws_session_token =`, and
/// an R2 profile with its 32 lower-case hex digits. runas takes their keys as the SDKs do,
/// and boto3 and the AWS CLI read them back from its environment and from `runas -O json`.
#[test]
fn keys_of_s3_compatible_services_are_keys() {
    const R2_KEY: &str = "0123456789abcdef0123456789abcdef";
    let env = TestEnv::shared();
    env.config(&format!(
        "[default]\nregion = us-east-1\n[profile minio]\nregion = us-east-1\n\
         [profile r2]\nregion = auto\n[profile local-role]\nrole_arn = {}\nsource_profile = default\n\
         [profile via-runas]\ncredential_process = {} -O json minio\n",
        role(ACCOUNT, "Local"),
        env!("CARGO_BIN_EXE_runas")
    ));
    env.credentials(&format!(
        "[default]\naws_access_key_id = test\naws_secret_access_key = test\n\
         [minio]\naws_access_key_id = minioadmin\naws_secret_access_key = minioadmin\naws_session_token =\n\
         [r2]\naws_access_key_id = {R2_KEY}\naws_secret_access_key = {R2_KEY}{R2_KEY}\n"
    ));
    let run = env.run(&["-O", "json", "minio"]).ok();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(json["AccessKeyId"], "minioadmin");
    assert!(json.get("SessionToken").is_none(), "{}", run.stdout);
    let run = env.run(&["default", "env"]).ok();
    assert_eq!(run.var("AWS_ACCESS_KEY_ID").as_deref(), Some("test"));
    // boto3 in the child reads R2's keys from the environment, and another profile's
    // through `credential_process = runas -O json minio`.
    let boto = "import boto3\n\
        c = boto3.Session().get_credentials()\n\
        print(c.access_key, c.method)\n\
        c = boto3.Session(profile_name='via-runas').get_credentials()\n\
        print(c.access_key, c.method, c.token)\n";
    let run = env.run(&["r2", "python3", "-c", boto]).ok();
    assert_eq!(
        run.stdout,
        format!("{R2_KEY} env\nminioadmin custom-process None\n")
    );
    let run = env.run(&["minio", "aws", "configure", "list"]).ok();
    assert!(
        run.stdout.contains("dmin") && run.stdout.contains(" env"),
        "{}",
        run.stdout
    );
    // A role assumed with LocalStack's keys.
    let run = env.run(&["-w", "local-role", "true"]).ok();
    assert_eq!(
        whoami_arn(&run),
        "arn:aws:sts::123456789012:assumed-role/Local/runas-tester"
    );
}

/// STS-compatible services take role ARNs AWS never issues: MinIO's guide writes any 20
/// characters (`arn:xxx:xxx:xxx:xxxx`), the SDKs' own vectors use 9-digit accounts. runas
/// sends them as written, as the SDKs do, and reads the account from STS's answer.
#[test]
fn role_arns_of_sts_compatible_services_are_sent_as_written() {
    let local = Moto::start_lenient();
    let env = TestEnv::new(&local.url());
    env.config(
        "[default]\nregion = us-east-1\n\
         [profile minio]\nrole_arn = arn:xxx:xxx:xxx:xxxx\nsource_profile = default\n\
         [profile vector]\nrole_arn = arn:aws:iam::123456789:role/RoleA\nsource_profile = default\n",
    );
    env.credentials("[default]\naws_access_key_id = test\naws_secret_access_key = test\n");
    // moto answers with the caller's account for the first, and the ARN's 9 digits for the
    // second: not an account, so none is given.
    for (profile, account) in [("minio", Some("123456789012")), ("vector", None)] {
        let run = env.run(&["-O", "json", profile]).ok();
        let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
        assert!(json["SessionToken"].is_string(), "{}", run.stdout);
        assert_eq!(json["AccountId"].as_str(), account, "{}", run.stdout);
    }
    let roles: Vec<Option<String>> = local.requests().into_iter().map(|r| r.role).collect();
    assert_eq!(
        roles,
        [
            Some("arn:xxx:xxx:xxx:xxxx".to_owned()),
            Some("arn:aws:iam::123456789:role/RoleA".to_owned())
        ]
    );
    // The registry of the role's own account comes from STS's answer, with no
    // GetCallerIdentity.
    env.run(&["ecr", "token", "minio"]).ok();
    assert_eq!(local.count("GetAuthorizationToken"), 1);
    assert_eq!(local.count("GetCallerIdentity"), 0);
}

/// A refresh margin as long as the credentials live turned the cache off: every run made
/// an STS call and wanted a new MFA code. Such a margin is taken as half their lifetime,
/// with a warning.
#[test]
fn a_margin_longer_than_the_credentials_live_keeps_the_cache() {
    let moto = Moto::start();
    let mut env = TestEnv::new(&moto.url());
    env.env("RUNAS_REFRESH_MARGIN", "2h");
    env.config(&format!(
        "[default]\nregion = us-east-1\n{}[profile prod]\nrole_arn = {}\nsource_profile = base\nmfa_serial = {MFA}\n",
        base_profile(),
        role(ACCOUNT, "Prod")
    ));
    let first = env.run(&["-o", "123456", "prod", "env"]).ok();
    drop(moto);
    let second = env.run(&["prod", "env"]).ok();
    assert_eq!(
        first.var("AWS_SECRET_ACCESS_KEY"),
        second.var("AWS_SECRET_ACCESS_KEY")
    );
    assert_eq!(
        second
            .stderr
            .matches("RUNAS_REFRESH_MARGIN, 2h) is not below the lifetime")
            .count(),
        1,
        "{}",
        second.stderr
    );
    assert!(
        second.stderr.contains("credentials that live "),
        "{}",
        second.stderr
    );
}
