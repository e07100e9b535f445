//! Every print format (-O) read back by what reads it: bash, dash, zsh, busybox sh and fish
//! themselves; readers of PowerShell's, cmd's and Docker's rules (tests/quoting) where the
//! program is not here; python-dotenv; botocore for the credentials-file section. Each
//! must give back every variable byte for byte and remove the same ones.

mod quoting;
mod testenv;

use quoting::Change;
use runas::credentials::Credentials;
use runas::exec::Environment;
use runas::exec::format::Lines;
use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use testenv::*;

type Vars = BTreeMap<String, String>;

const POSIX_SHELLS: [&[&str]; 4] = [&["bash"], &["dash"], &["zsh"], &["busybox", "sh"]];

/// Values that break naive quoting: every quote of every shell, expansions, blanks,
/// comment characters, a line break, PowerShell's typographic quotes, fish's escapes.
const NASTY: [&str; 8] = [
    r#"a\b$HOME'c`d"e f"#,
    "it's   \t  \\' '\\'' \\\\",
    "line\nbreak\r\n ${HOME} $(id) %PATH% !x! ^&|<>",
    "\u{2018}curly\u{2019} \u{201A}low\u{201B} ''\u{2019}\u{2019}",
    " # not a comment #",
    "'\"'\"",
    "tr\u{e9}s \u{1F600} \\",
    "-",
];

fn environment(value: &str) -> Environment {
    let credentials = Credentials {
        access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
        secret_access_key: value.into(),
        session_token: Some(format!("{value}|token").into()),
        expiration: None,
        // An account travels in every format too (AWS_ACCOUNT_ID).
        account_id: Some("123456789012".into()),
    };
    Environment::new(&credentials, &format!("{value}|region"), value)
}

/// The variables a child has after `environment`, starting from `before`.
fn expected(environment: &Environment, before: &Vars) -> Vars {
    let mut vars = before.clone();
    for name in &environment.unset {
        vars.remove(*name);
    }
    for (name, value) in &environment.set {
        vars.insert((*name).to_owned(), value.clone());
    }
    vars
}

/// What the tests' shells start with: each removed variable set, so its removal shows.
fn before(environment: &Environment) -> Vars {
    let mut vars: Vars = environment
        .unset
        .iter()
        .map(|name| ((*name).to_owned(), "stale".to_owned()))
        .collect();
    vars.insert("PATH".into(), std::env::var("PATH").unwrap_or_default());
    vars
}

/// Runs `script` with `RUNAS_OUT` holding `text`, in a clean environment of `vars`, and
/// reads the environment its last command (`env -0`) printed.
fn shell_env(shell: &[&str], script: &str, text: &str, vars: &Vars) -> Vars {
    let out = Command::new(shell[0])
        .args(&shell[1..])
        .arg("-c")
        .arg(script)
        .env_clear()
        .envs(vars)
        .env("RUNAS_OUT", text)
        // fish reads its input as the locale says; in the C locale, UTF-8 as Latin-1.
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{shell:?}: {e} (apt-get install fish zsh dash busybox)"));
    assert!(
        out.status.success(),
        "{shell:?} failed on {text:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut got: Vars = out
        .stdout
        .split(|b| *b == 0)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let entry = String::from_utf8(entry.to_vec()).expect("UTF-8");
            let (name, value) = entry.split_once('=').expect("NAME=value");
            (name.to_owned(), value.to_owned())
        })
        .collect();
    // What the shells add of their own.
    for own in [
        "PWD",
        "OLDPWD",
        "SHLVL",
        "_",
        "RUNAS_OUT",
        "HOME",
        "LOGNAME",
        "USER",
        "LC_ALL",
    ] {
        got.remove(own);
    }
    got.retain(|name, _| !name.starts_with("__fish") && !name.starts_with("fish_"));
    got
}

#[test]
fn posix_shells_and_fish_read_back_every_value() {
    for value in NASTY {
        let env = environment(value);
        let start = before(&env);
        let want = expected(&env, &start);
        let text = Lines::Env.render(&env).unwrap();
        for shell in POSIX_SHELLS {
            let got = shell_env(shell, "eval \"$RUNAS_OUT\" && env -0", &text, &start);
            assert_eq!(got, want, "{shell:?} on {text}");
        }
        let text = Lines::Fish.render(&env).unwrap();
        let got = shell_env(
            &["fish", "--no-config"],
            "printf '%s' \"$RUNAS_OUT\" | source; and env -0",
            &text,
            &start,
        );
        assert_eq!(got, want, "fish on {text}");
    }
}

#[test]
fn powershell_and_cmd_read_back_every_value_they_take() {
    let mut cmd_took = 0;
    for value in NASTY {
        let env = environment(value);
        let start = before(&env);
        let want = expected(&env, &start);
        let text = Lines::Powershell.render(&env).unwrap();
        let changes = quoting::powershell(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(quoting::apply(start.clone(), &changes), want, "{text}");
        match Lines::Cmd.render(&env) {
            Ok(text) => {
                let changes = quoting::cmd(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
                assert_eq!(quoting::apply(start.clone(), &changes), want, "{text}");
                cmd_took += 1;
            }
            Err(e) => {
                let message = e.to_string();
                assert!(message.contains("-O cmd"), "{message}");
                assert!(!message.contains(value), "the value shows: {message}");
                // What cmd refuses, its reader finds wrong too.
                let unchecked = format!("set \"AWS_SECRET_ACCESS_KEY={value}\"\n");
                let read = quoting::cmd(&unchecked);
                assert!(
                    read.is_err() || value.is_empty(),
                    "{value:?} was refused, yet cmd reads it back: {read:?}"
                );
            }
        }
    }
    assert!(cmd_took >= 2, "cmd should take the plainer values");
}

#[test]
fn env_no_export_words_survive_every_shells_splitting() {
    let plain = r"a\b$HOME'c`d~e=f{g}h;i&j|k<l>m#n";
    let env = environment(plain);
    let start = before(&env);
    let want = expected(&env, &start);
    let text = Lines::EnvNoExport.render(&env).unwrap();
    for shell in POSIX_SHELLS {
        let got = shell_env(
            shell,
            "env $(printf '%s' \"$RUNAS_OUT\") env -0",
            &text,
            &start,
        );
        assert_eq!(got, want, "{shell:?} on {text}");
    }
    let got = shell_env(
        &["fish", "--no-config"],
        "env (printf '%s' \"$RUNAS_OUT\" | string split \\n) env -0",
        &text,
        &start,
    );
    assert_eq!(got, want, "fish on {text}");
    // A blank, a glob character: refused, named, not shown.
    for value in ["s3 cret", "s3\tcret", "s3*", "s3?", "[s3]", "s3\ncret"] {
        let error = Lines::EnvNoExport
            .render(&environment(value))
            .unwrap_err()
            .to_string();
        assert!(error.contains("AWS_SECRET_ACCESS_KEY"), "{error}");
        assert!(!error.contains(value), "{error}");
    }
}

/// python-dotenv's reading of `text`, as `dotenv_values` gives it (interpolation on).
fn python_dotenv(text: &str) -> Vars {
    let out = Command::new("python3")
        .args([
            "-c",
            "import io, json, sys\nfrom dotenv import dotenv_values\n\
             print(json.dumps(dotenv_values(stream=io.StringIO(sys.stdin.read()))))",
        ])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(text.as_bytes())?;
            child.wait_with_output()
        })
        .expect("python3");
    assert!(
        out.status.success(),
        "python-dotenv is missing: pip install python-dotenv ({})",
        String::from_utf8_lossy(&out.stderr)
    );
    let read: BTreeMap<String, Option<String>> = serde_json::from_slice(&out.stdout).expect("JSON");
    // A name without a value (`NAME` alone) is None.
    read.into_iter()
        .map(|(name, value)| (name, value.unwrap_or_else(|| "(no value)".into())))
        .collect()
}

#[test]
fn dotenv_reads_the_same_in_python_dotenv_and_docker() {
    let mut took = 0;
    let values = NASTY.iter().copied().chain([
        r"a\b$HOME'c`d",
        "x'y\"z",
        "a #b",
        "a#b",
        "$ {x} $x",
        "${x}",
        "a\u{a0}",
        "a\u{1c}b",
    ]);
    for value in values {
        let env = environment(value);
        let set: Vars = env
            .set
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.clone()))
            .collect();
        match Lines::Dotenv.render(&env) {
            Ok(text) => {
                took += 1;
                assert_eq!(python_dotenv(&text), set, "python-dotenv on {text}");
                let docker = quoting::docker_env_file(&text).unwrap();
                assert_eq!(
                    quoting::apply(Vars::new(), &docker),
                    set,
                    "docker on {text}"
                );
                assert!(
                    !docker
                        .iter()
                        .any(|c| matches!(c, Change::Set(n, _) if n == "AWS_PROFILE"))
                );
            }
            Err(e) => {
                let message = e.to_string();
                assert!(message.contains("-O dotenv"), "{message}");
                // A refused value is one python-dotenv would indeed read otherwise.
                let line = format!("V={value}\n");
                let read = python_dotenv(&line);
                assert_ne!(read.get("V").map(String::as_str), Some(value), "{value:?}");
            }
        }
    }
    assert!(took >= 4, "dotenv took only {took}");
}

/// A keys-only profile whose secret key holds every quote and expansion character the
/// SDKs accept in one (no blanks: they trim those).
const HOSTILE_SECRET: &str = r#"a\$'`x"%!^z#b"#;

fn hostile_profile(env: &TestEnv) {
    env.config("[profile k]\nregion = us-east-1\n");
    env.credentials(&format!(
        "[k]\naws_access_key_id = {ROOT_KEY}\naws_secret_access_key = {HOSTILE_SECRET}\n"
    ));
}

/// What runas's output does to a shell that starts with AWS_PROFILE and a token set.
fn through(env: &TestEnv, shell: &[&str], format: &str, script: &str) -> Vars {
    let out = env.run(&["-O", format, "k"]).ok();
    let mut start = Vars::new();
    start.insert("AWS_PROFILE".into(), "k".into());
    start.insert("AWS_SESSION_TOKEN".into(), "stale".into());
    start.insert("PATH".into(), std::env::var("PATH").unwrap_or_default());
    shell_env(shell, script, &out.stdout, &start)
}

#[test]
fn the_binary_prints_every_format_for_the_same_variables() {
    let env = TestEnv::new("http://127.0.0.1:9");
    hostile_profile(&env);
    let eval = "eval \"$RUNAS_OUT\" && env -0";
    let want = through(&env, &["bash"], "env", eval);
    assert_eq!(want["AWS_SECRET_ACCESS_KEY"], HOSTILE_SECRET);
    assert_eq!(want["RUNAS_PROFILE"], "k");
    assert!(!want.contains_key("AWS_PROFILE") && !want.contains_key("AWS_SESSION_TOKEN"));
    for shell in POSIX_SHELLS {
        assert_eq!(through(&env, shell, "env", eval), want, "{shell:?}");
        let words = "env $(printf '%s' \"$RUNAS_OUT\") env -0";
        assert_eq!(
            through(&env, shell, "env-no-export", words),
            want,
            "{shell:?}"
        );
    }
    let fish = ["fish", "--no-config"];
    let source = "printf '%s' \"$RUNAS_OUT\" | source; and env -0";
    assert_eq!(through(&env, &fish, "fish", source), want, "fish");

    let mut start = Vars::new();
    start.insert("AWS_PROFILE".into(), "k".into());
    start.insert("AWS_SESSION_TOKEN".into(), "stale".into());
    start.insert("PATH".into(), std::env::var("PATH").unwrap_or_default());
    let ps = env.run(&["-O", "powershell", "k"]).ok().stdout;
    let ps = quoting::apply(start.clone(), &quoting::powershell(&ps).unwrap());
    assert_eq!(ps, want, "powershell");
    let dotenv = env.run(&["-O", "dotenv", "k"]).ok().stdout;
    let mut set = want.clone();
    set.remove("PATH");
    assert_eq!(python_dotenv(&dotenv), set, "python-dotenv");
    let docker = quoting::apply(Vars::new(), &quoting::docker_env_file(&dotenv).unwrap());
    assert_eq!(docker, set, "docker");
    // cmd cannot carry this secret: refused, nothing printed, the secret not shown.
    let run = env
        .run(&["-O", "cmd", "k"])
        .fails(2, "cannot print AWS_SECRET_ACCESS_KEY as -O cmd");
    assert_eq!(run.stdout, "");
    assert!(!run.stderr.contains(HOSTILE_SECRET));
}

#[test]
fn cmd_output_reads_back_for_a_plain_secret() {
    let env = TestEnv::new("http://127.0.0.1:9");
    env.config("[profile k]\nregion = us-east-1\n");
    env.credentials(&format!(
        "[k]\naws_access_key_id = {ROOT_KEY}\naws_secret_access_key = {SECRET}&|<>()'`$\n"
    ));
    let out = env.run(&["-O", "cmd", "k"]).ok().stdout;
    let vars = quoting::apply(Vars::new(), &quoting::cmd(&out).unwrap());
    assert_eq!(vars["AWS_SECRET_ACCESS_KEY"], format!("{SECRET}&|<>()'`$"));
    assert!(out.contains("set AWS_PROFILE=\n"), "{out}");
}

#[test]
fn ini_is_the_section_botocore_reads() {
    let env = TestEnv::new("http://127.0.0.1:9");
    hostile_profile(&env);
    let out = env.run(&["-O", "ini", "k"]).ok().stdout;
    assert!(out.starts_with("[k-runas]\n"), "{out}");
    let file = env.path("printed");
    std::fs::write(&file, &out).unwrap();
    let read = Command::new("python3")
        .args([
            "-c",
            "import botocore.session\n\
             c = botocore.session.Session(profile='k-runas').get_credentials()\n\
             print(c.access_key + '\\n' + c.secret_key + '\\n' + str(c.token))",
        ])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", env.path(""))
        .env("AWS_SHARED_CREDENTIALS_FILE", &file)
        .env("AWS_CONFIG_FILE", env.path("none"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("python3 with botocore");
    assert_eq!(
        String::from_utf8_lossy(&read.stdout),
        format!("{ROOT_KEY}\n{HOSTILE_SECRET}\nNone\n"),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
}

#[test]
fn the_format_comes_from_o_then_runas_output_then_its_older_name_never_the_shell() {
    let mut env = TestEnv::new("http://127.0.0.1:9");
    hostile_profile(&env);
    env.env("SHELL", "/usr/bin/fish");
    assert!(env.run(&["k"]).ok().stdout.starts_with("export "));
    env.env("RUNAS_OUTPUT_FORMAT", "powershell");
    assert!(
        env.run(&["k"])
            .ok()
            .stdout
            .contains("\n$Env:AWS_ACCESS_KEY_ID = ")
    );
    env.env("RUNAS_OUTPUT", "fish");
    assert!(
        env.run(&["k"])
            .ok()
            .stdout
            .contains("\nset -gx AWS_ACCESS_KEY_ID ")
    );
    assert!(
        env.run(&["-O", "dotenv", "k"])
            .ok()
            .stdout
            .contains("\nAWS_ACCESS_KEY_ID=")
    );
    // -O takes a value; the profile is not mistaken for one, nor is -O left to a guess.
    env.run(&["-O", "k"]).fails(2, "invalid value 'k'");
    env.run(&["-O"]).fails(2, "a value is required");
}

/// A role ARN given for PROFILE reaches RUNAS_PROFILE: its path may hold `\`, `$`, `'` and
/// a backtick, and every shell reads them back.
#[test]
fn a_role_arn_with_quotes_in_its_path_reaches_every_shell() {
    let env = TestEnv::shared();
    env.config("[default]\nregion = us-east-1\n");
    env.credentials(&format!(
        "[default]\naws_access_key_id = {ROOT_KEY}\naws_secret_access_key = {SECRET}\n"
    ));
    let arn = r"arn:aws:iam::123456789012:role/a\b$c'd`e/Admin";
    let eval = "eval \"$RUNAS_OUT\" && env -0";
    let out = env.run(&["-O", "env", arn]).ok().stdout;
    for shell in POSIX_SHELLS {
        let got = shell_env(shell, eval, &out, &Vars::new());
        assert_eq!(got["RUNAS_PROFILE"], arn, "{shell:?}");
    }
    let out = env.run(&["-O", "fish", arn]).ok().stdout;
    let source = "printf '%s' \"$RUNAS_OUT\" | source; and env -0";
    let got = shell_env(&["fish", "--no-config"], source, &out, &Vars::new());
    assert_eq!(got["RUNAS_PROFILE"], arn);
    let out = env.run(&["-O", "powershell", arn]).ok().stdout;
    let got = quoting::apply(Vars::new(), &quoting::powershell(&out).unwrap());
    assert_eq!(got["RUNAS_PROFILE"], arn);
}
