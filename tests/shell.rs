//! runas among other programs: pipes that close early, options before subcommands,
//! variables as CI files set them, completion, and the command it becomes.

mod testenv;

use std::process::Command;
use testenv::*;

fn keys_profile(env: &TestEnv) {
    env.config("[profile k]\nregion = us-east-1\n");
    env.credentials(&format!(
        "[k]\naws_access_key_id = {ROOT_KEY}\naws_secret_access_key = {SECRET}\n"
    ));
}

/// `runas ARGS | head -1` under bash: runas's status and stderr.
fn into_head(env: &TestEnv, args: &str) -> (String, String) {
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "\"$RUNAS\" {args} 2>\"$HOME/err\" | head -1 >/dev/null; echo ${{PIPESTATUS[0]}}"
        ))
        .env_clear()
        .envs(env.command().get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env("RUNAS", env!("CARGO_BIN_EXE_runas"))
        .output()
        .expect("bash");
    (
        String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        read(&env.path("err")),
    )
}

#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    let env = TestEnv::shared();
    // More than a pipe holds, so that runas writes after head has gone.
    let config: String = (0..20_000)
        .map(|i| format!("[profile p{i}]\nregion = us-east-1\n"))
        .collect();
    env.config(&config);
    let (status, stderr) = into_head(&env, "list profiles");
    assert_eq!((status.as_str(), stderr.as_str()), ("0", ""));
    keys_profile(&env);
    let (status, stderr) = into_head(&env, "diagnose k");
    assert_eq!(status, "0", "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn options_before_a_subcommand_apply_to_it() {
    let env = TestEnv::shared();
    keys_profile(&env);
    let run = env.run(&["-v", "list", "profiles"]).ok();
    assert_eq!(run.stdout, "k\n");
    let run = env.run(&["-v", "diagnose", "k"]).ok();
    assert!(run.stdout.starts_with("profile `k`"), "{}", run.stdout);
    let run = env.run(&["--region", "eu-west-3", "diagnose", "k"]).ok();
    assert!(run.stdout.contains("region: eu-west-3"), "{}", run.stdout);
}

#[test]
fn yes_no_variables_and_empty_ones() {
    let mut env = TestEnv::shared();
    keys_profile(&env);
    env.env("RUNAS_WRITE_CREDENTIALS", "yes")
        .env("CREDENTIALS_DURATION", "")
        .env("SESSION_TOKEN_DURATION", "")
        .env("RUNAS_TIMEOUT", "");
    env.run(&["k", "true"]).ok();
    assert!(read(&env.path(".aws/credentials")).contains("[k-runas]"));
    for off in ["0", "off", "no", "false"] {
        let mut env = TestEnv::shared();
        keys_profile(&env);
        env.env("RUNAS_WRITE_CREDENTIALS", off);
        env.run(&["k", "true"]).ok();
        assert!(
            !read(&env.path(".aws/credentials")).contains("[k-runas]"),
            "{off}"
        );
    }
}

/// What bash completion offers for the words of `line`, the last one being completed.
fn complete(env: &TestEnv, line: &[&str]) -> Vec<String> {
    let out = env
        .command()
        .env("COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", (line.len() - 1).to_string())
        .env("_CLAP_COMPLETE_COMP_TYPE", "9")
        .env("_CLAP_COMPLETE_SPACE", "true")
        .env("_CLAP_IFS", "\n")
        .current_dir(env.home.path())
        .arg("--")
        .args(line)
        .output()
        .expect("runas");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn completion_after_the_profile_offers_commands_then_files() {
    let env = TestEnv::shared();
    keys_profile(&env);
    std::fs::write(env.path("notes.txt"), "").expect("file");
    let words = complete(&env, &["runas", "k", ""]);
    assert!(words.iter().any(|w| w == "sh"), "commands from PATH");
    assert!(words.iter().any(|w| w == "notes.txt"), "files");
    for theirs in ["ecr", "list", "diagnose", "--region", "-v"] {
        assert!(!words.iter().any(|w| w == theirs), "{theirs} offered");
    }
    let words = complete(&env, &["runas", "-v", "k", "ls", "no"]);
    assert_eq!(words, ["notes.txt"]);
    let words = complete(&env, &["runas", "k", "ls", "-"]);
    assert!(!words.iter().any(|w| w.starts_with("--")), "{words:?}");
    // Before the profile, runas's own words and the profiles.
    let words = complete(&env, &["runas", ""]);
    assert!(words.iter().any(|w| w == "k") && words.iter().any(|w| w == "ecr"));
}

#[test]
fn the_command_runas_becomes_is_dumpable_again() {
    let env = TestEnv::shared();
    keys_profile(&env);
    // prctl(PR_GET_DUMPABLE) in the child: 1.
    let run = env
        .run(&[
            "k",
            "python3",
            "-c",
            "import ctypes; print(ctypes.CDLL(None).prctl(3, 0, 0, 0, 0))",
        ])
        .ok();
    assert_eq!(run.stdout.trim(), "1");
}

#[test]
fn runas_itself_is_not_dumpable_while_it_holds_secrets() {
    // Another process of the same (unprivileged) user must not read runas's memory or
    // environment: the credential_process, running as that user, tries.
    let dir = tempfile::tempdir().expect("tmp");
    let home = dir.path();
    std::fs::create_dir(home.join(".aws")).expect("dir");
    let probe = home.join("probe");
    std::fs::write(
        &probe,
        format!(
            "#!/bin/sh\n\
             runas=$(cut -d' ' -f4 /proc/$PPID/stat)\n\
             echo \"$(cat /proc/$runas/comm) $(cat /proc/$runas/environ >/dev/null 2>&1 && echo readable || echo denied)\" > {home}/seen\n\
             echo '{{\"Version\": 1, \"AccessKeyId\": \"{ROOT_KEY}\", \"SecretAccessKey\": \"{SECRET}\"}}'\n",
            home = home.display()
        ),
    )
    .expect("probe");
    std::fs::write(
        home.join(".aws/config"),
        format!(
            "[profile p]\nregion = us-east-1\ncredential_process = {}\n",
            probe.display()
        ),
    )
    .expect("config");
    let chown = Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(home)
        .status()
        .expect("chown");
    assert!(
        chown.success(),
        "this test runs as root, to become another user"
    );
    Command::new("chmod")
        .args(["755"])
        .arg(&probe)
        .status()
        .expect("chmod");
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_runas"))
        .args(["p", "true"])
        .env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("setpriv (util-linux) is needed: apt-get install util-linux");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(read(&home.join("seen")).trim(), "runas denied");
}

/// What the runtime's start-up did before runas took it over: descriptors 0–2 that were
/// closed are open on /dev/null (so no file runas opens takes their place, and the command
/// gets a harmless standard input); the command gets SIGPIPE's default disposition; and the
/// command's status, and runas's own, come out unchanged.
#[test]
fn start_up_duties_without_the_runtime() {
    let env = TestEnv::shared();
    keys_profile(&env);
    let script = "\"$RUNAS\" k -- sh -c 'fds=$(readlink /proc/$$/fd/0 /proc/$$/fd/1); echo \"$fds\" >&2' <&- >&-; \
                  \"$RUNAS\" k -- sh -c '(yes; echo \"yes $?\" >&2) | head -c 1 >/dev/null; exit 7'; \
                  echo \"status $?\"; \"$RUNAS\" no-such-profile -- true 2>/dev/null; echo \"status $?\"";
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .env_clear()
        .envs(env.command().get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env("RUNAS", env!("CARGO_BIN_EXE_runas"))
        .output()
        .expect("bash");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr, "/dev/null\n/dev/null\nyes 141\n");
    // `yes` dies of SIGPIPE (128 + 13) once head has gone; had it inherited SIGPIPE ignored,
    // it would fail on EPIPE and exit 1.
    assert_eq!(String::from_utf8_lossy(&out.stdout), "status 7\nstatus 3\n");
}
