//! runas in hostile surroundings: servers and programs that never answer, runs that hold
//! locks, directories other users own, files shared by parallel runs.

mod testenv;

use std::io::Read;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;
use std::time::{Duration, Instant};
use testenv::*;

/// A loopback server that accepts connections and never answers. Returns its URL.
fn silent_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    url
}

fn role_of(source: &str) -> String {
    format!(
        "[profile r]\nregion = us-east-1\nrole_arn = {}\nsource_profile = {source}\n",
        role("123456789012", "R")
    )
}

/// Whether a process with this pid is alive (and not a zombie).
fn alive(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()))
        .is_ok_and(|stat| !stat.contains(") Z "))
}

#[test]
fn an_sts_that_never_answers_times_out() {
    let mut env = TestEnv::new(&silent_server());
    env.env("RUNAS_TIMEOUT", "2");
    env.config(&format!("{}{}", base_profile(), role_of("base")));
    let started = Instant::now();
    let run = env.run(&["r", "true"]).fails(4, "could not reach STS");
    let took = started.elapsed();
    assert!(run.stderr.contains("timed out"), "{}", run.stderr);
    assert!(run.stderr.contains("RUNAS_TIMEOUT"), "{}", run.stderr);
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(6),
        "{took:?}"
    );
    assert_eq!(env.cache_entries(), 0);
}

#[test]
fn an_ecr_api_that_never_answers_times_out() {
    let mut env = TestEnv::shared();
    env.env("RUNAS_TIMEOUT", "2")
        .env("AWS_ENDPOINT_URL_ECR", &silent_server());
    env.config(&format!("{}{}", base_profile(), role_of("base")));
    let started = Instant::now();
    let run = env
        .run(&["ecr", "token", "r", "111111111111"])
        .fails(4, "getting an ECR token for profile `r`");
    assert!(run.stderr.contains("timed out"), "{}", run.stderr);
    assert!(started.elapsed() < Duration::from_secs(6));
}

#[test]
fn a_credential_process_that_hangs_is_killed_with_its_children() {
    let mut env = TestEnv::shared();
    env.env("RUNAS_TIMEOUT", "2");
    let pidfile = env.path("sleeper.pid");
    let hang = script(
        &env,
        "hang",
        &format!("sleep 60 & echo $! > {}; wait", pidfile.display()),
    );
    env.config(&format!(
        "[profile cp]\nregion = us-east-1\ncredential_process = {}\n{}",
        hang.display(),
        role_of("cp")
    ));
    let started = Instant::now();
    env.run(&["r", "true"]).fails(
        4,
        "credential_process of profile `cp`: did not finish within 2s (RUNAS_TIMEOUT) and was stopped",
    );
    assert!(started.elapsed() < Duration::from_secs(6));
    let sleeper = std::fs::read_to_string(&pidfile).expect("the script ran");
    std::thread::sleep(Duration::from_millis(100));
    assert!(!alive(&sleeper), "the program's child was killed too");
}

#[test]
fn a_credential_process_is_read_as_the_sdks_read_it() {
    let env = TestEnv::shared();
    let good = script(
        &env,
        "good",
        &format!(
            "echo '{{\"Version\": 1, \"AccessKeyId\": \"{ROOT_KEY}\", \"SecretAccessKey\": \"{SECRET}\"}}'"
        ),
    );
    let bad = script(&env, "bad", "echo 'it broke' >&2; exit 3");
    env.config(&format!(
        "[profile good]\nregion = us-east-1\ncredential_process = {}\n\
         [profile bad]\nregion = us-east-1\ncredential_process = {}\n",
        good.display(),
        bad.display()
    ));
    let run = env.run(&["good", "env"]).ok();
    assert_eq!(run.var("AWS_ACCESS_KEY_ID").as_deref(), Some(ROOT_KEY));
    env.run(&["bad", "true"]).fails(
        4,
        "credential_process of profile `bad`: it failed (exit status: 3): it broke",
    );
}

#[test]
fn an_mfa_process_that_hangs_is_stopped() {
    let mut env = TestEnv::shared();
    env.env("RUNAS_TIMEOUT", "2");
    env.config(&format!(
        "{}[profile r]\nregion = us-east-1\nrole_arn = {}\nsource_profile = base\n\
         mfa_serial = arn:aws:iam::123456789012:mfa/me\nmfa_process = sleep 60\n",
        base_profile(),
        role("123456789012", "R")
    ));
    env.run(&["r", "true"]).fails(
        4,
        "mfa_process of profile `r` did not finish within 2s (RUNAS_TIMEOUT)",
    );
}

#[test]
fn a_login_client_that_hangs_is_stopped() {
    let mut env = TestEnv::shared();
    env.env("RUNAS_TIMEOUT", "2");
    env.config(&format!("{}{}", base_profile(), role_of("base")));
    let client = script(&env, "client", "cat >/dev/null; sleep 60");
    env.run(&[
        "ecr",
        "login",
        "--client",
        client.to_str().expect("utf-8 path"),
        "r",
        "111111111111",
    ])
    .fails(
        5,
        "did not finish within 2s (RUNAS_TIMEOUT) and was stopped",
    );
}

#[test]
fn a_bad_timeout_is_refused() {
    let mut env = TestEnv::shared();
    env.env("RUNAS_TIMEOUT", "10s");
    env.run(&["r", "true"])
        .fails(2, "RUNAS_TIMEOUT=10s is not a whole number of seconds");
}

/// A profile whose root is a credential_process that sleeps while a marker file exists
/// (writing its process group first), under a role: the role step's lock is held meanwhile.
fn slow_root(env: &TestEnv) {
    let slow = script(
        env,
        "slow-root",
        &format!(
            "if [ -e {dir}/slow ]; then cut -d' ' -f5 /proc/$$/stat > {dir}/slow.pid; sleep 8; fi\n\
             echo '{{\"Version\": 1, \"AccessKeyId\": \"{ROOT_KEY}\", \"SecretAccessKey\": \"{SECRET}\"}}'",
            dir = env.home.path().display()
        ),
    );
    env.config(&format!(
        "[profile cp]\nregion = us-east-1\ncredential_process = {}\n{}",
        slow.display(),
        role_of("cp")
    ));
    std::fs::write(env.path("slow"), "").expect("marker");
}

fn wait_for(path: &std::path::Path) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !path.exists() || read(path).trim().is_empty() {
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_run_waiting_for_a_lock_says_for_whom_and_gives_up_at_the_deadline() {
    let env = TestEnv::shared();
    slow_root(&env);
    let mut holder = env
        .command()
        .env("RUNAS_TIMEOUT", "20")
        .args(["r", "true"])
        .stderr(Stdio::null())
        .spawn()
        .expect("runas");
    wait_for(&env.path("slow.pid"));
    let started = Instant::now();
    let mut waiter = env
        .command()
        .env("RUNAS_TIMEOUT", "2")
        .args(["r", "true"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("runas");
    let mut stderr = waiter.stderr.take().expect("piped");
    // The first line comes within a second.
    let mut first = [0u8; 200];
    let n = stderr.read(&mut first).expect("read");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).expect("read");
    let status = waiter.wait().expect("wait");
    let said = format!("{}{rest}", String::from_utf8_lossy(&first[..n]));
    let pid = holder.id();
    assert_eq!(status.code(), Some(4), "{said}");
    assert_eq!(said.matches("runas: waiting for").count(), 1, "{said}");
    assert!(
        said.contains(&format!(
            "waiting for another runas (pid {pid}), which is fetching"
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "gave up waiting for another runas (pid {pid}) after 2s"
        )),
        "{said}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    let _ = holder.kill();
    let _ = holder.wait();
    let sleeper = read(&env.path("slow.pid"));
    kill_group(&sleeper);
}

#[test]
fn a_lock_held_by_a_dead_run_is_taken_over_at_once() {
    let env = TestEnv::shared();
    slow_root(&env);
    let mut holder = env
        .command()
        .args(["r", "true"])
        .stderr(Stdio::null())
        .spawn()
        .expect("runas");
    wait_for(&env.path("slow.pid"));
    holder.kill().expect("kill -9");
    holder.wait().expect("wait");
    let sleeper = read(&env.path("slow.pid"));
    kill_group(&sleeper);
    std::fs::remove_file(env.path("slow")).expect("marker");
    let started = Instant::now();
    let run = env.run(&["r", "true"]).ok();
    assert!(!run.stderr.contains("waiting"), "{}", run.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_run_ended_by_a_signal_ends_its_program_too() {
    let env = TestEnv::shared();
    slow_root(&env);
    let mut run = env
        .command()
        .args(["r", "true"])
        .stderr(Stdio::null())
        .spawn()
        .expect("runas");
    wait_for(&env.path("slow.pid"));
    let group = read(&env.path("slow.pid"));
    std::process::Command::new("kill")
        .args(["-TERM", &run.id().to_string()])
        .status()
        .expect("kill");
    let status = run.wait().expect("wait");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(SIGTERM), "{status:?}");
    std::thread::sleep(Duration::from_millis(100));
    assert!(!alive(&group), "the program's group was ended");
}

/// SIGTERM's number on Linux.
const SIGTERM: i32 = 15;

#[test]
fn sixteen_parallel_write_config_logins_keep_every_entry() {
    let mut env = TestEnv::shared();
    env.env("DOCKER_CONFIG", &env.path("docker").display().to_string());
    env.config(&format!("{}{}", base_profile(), role_of("base")));
    // The role once, so the logins race only on the file.
    env.run(&["r", "true"]).ok();
    let accounts: Vec<String> = (0..16).map(|i| format!("1000000000{i:02}")).collect();
    let children: Vec<_> = accounts
        .iter()
        .map(|a| {
            env.command()
                .args(["ecr", "login", "--write-config", "r", a])
                .stderr(Stdio::piped())
                .spawn()
                .expect("runas")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let config: serde_json::Value =
        serde_json::from_str(&read(&env.path("docker/config.json"))).expect("json");
    for a in &accounts {
        let host = format!("{a}.dkr.ecr.us-east-1.amazonaws.com");
        assert!(
            config["auths"].get(&host).is_some(),
            "{host} lost: {config}"
        );
    }
    let names: Vec<_> = std::fs::read_dir(env.path("docker"))
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["config.json"], "no temporary file is left");
}

#[test]
fn write_config_and_credentials_go_through_symlinks() {
    let mut env = TestEnv::shared();
    env.env("DOCKER_CONFIG", &env.path("docker").display().to_string());
    env.config(&format!("{}{}", base_profile(), role_of("base")));
    std::fs::create_dir_all(env.path("dotfiles")).expect("dir");
    std::fs::create_dir_all(env.path("docker")).expect("dir");
    std::fs::write(env.path("dotfiles/config.json"), "{\"mine\": 1}").expect("write");
    std::os::unix::fs::symlink("../dotfiles/config.json", env.path("docker/config.json"))
        .expect("link");
    // A dangling link: the credentials file does not exist yet where it points.
    std::os::unix::fs::symlink("../dotfiles/credentials", env.path(".aws/credentials"))
        .expect("link");
    env.run(&["ecr", "login", "--write-config", "r", "111111111111"])
        .ok();
    env.run(&["-c", "r", "true"]).ok();
    for link in ["docker/config.json", ".aws/credentials"] {
        let meta = std::fs::symlink_metadata(env.path(link)).expect("link");
        assert!(meta.file_type().is_symlink(), "{link} is still a link");
    }
    let config = read(&env.path("dotfiles/config.json"));
    assert!(
        config.contains("\"mine\": 1") && config.contains("111111111111"),
        "{config}"
    );
    let credentials = read(&env.path("dotfiles/credentials"));
    assert!(credentials.contains("[r-runas]"), "{credentials}");
    let mode = std::fs::metadata(env.path("dotfiles/credentials"))
        .expect("file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn a_cache_directory_others_can_write_is_not_used() {
    let env = TestEnv::shared();
    env.config(&format!("{}{}", base_profile(), role_of("base")));
    std::fs::create_dir_all(env.cache_dir()).expect("dir");
    std::fs::set_permissions(env.cache_dir(), std::fs::Permissions::from_mode(0o777))
        .expect("chmod");
    let run = env.run(&["r", "true"]).ok();
    assert_eq!(
        run.stderr.matches("not using the cache directory").count(),
        1,
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("mode 0777"), "{}", run.stderr);
    assert_eq!(env.cache_entries(), 0, "nothing is written there");
    let run = env.run(&["diagnose", "r"]);
    assert_eq!(run.status, Some(1), "{}", run.stdout);
    assert!(
        run.stdout.contains("runs without a cache"),
        "{}",
        run.stdout
    );
}

#[test]
fn temporary_files_a_killed_run_left_are_swept() {
    let env = TestEnv::shared();
    env.config(&format!("{}{}", base_profile(), role_of("base")));
    let old = env.path(".aws/.credentials.runas-tmp-AbC123");
    let recent = env.path(".aws/.credentials.runas-tmp-XyZ789");
    for path in [&old, &recent] {
        std::fs::write(path, "[r-runas]\naws_secret_access_key = old\n").expect("write");
    }
    let two_days_ago = std::time::SystemTime::now() - Duration::from_secs(48 * 3600);
    std::fs::File::options()
        .write(true)
        .open(&old)
        .and_then(|f| f.set_modified(two_days_ago))
        .expect("age");
    env.run(&["-c", "r", "true"]).ok();
    assert!(!old.exists(), "an orphan older than a day is removed");
    assert!(
        recent.exists(),
        "a recent one may belong to a run in progress"
    );
}

#[test]
fn without_home_there_is_no_shared_cache_and_no_tilde() {
    let env = TestEnv::shared();
    let tmp = tempfile::tempdir().expect("tmp");
    let run = env
        .command()
        .env_remove("HOME")
        .env_remove("RUNAS_CACHE_DIR")
        .env("TMPDIR", tmp.path())
        .env("AWS_ACCESS_KEY_ID", ROOT_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_REGION", "us-east-1")
        .current_dir(tmp.path())
        .args([&role("123456789012", "R"), "true"])
        .output()
        .expect("runas");
    let run = Run::from(run).ok();
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let left: Vec<_> = std::fs::read_dir(tmp.path()).expect("dir").collect();
    assert!(
        left.is_empty(),
        "nothing in TMPDIR or the current directory"
    );
    let run = Run::from(
        env.command()
            .env_remove("HOME")
            .current_dir(tmp.path())
            .args(["prod", "true"])
            .output()
            .expect("runas"),
    );
    run.fails(3, "HOME is unset");
}

#[test]
fn without_home_the_cache_is_in_a_private_runtime_directory_or_nowhere() {
    let env = TestEnv::shared();
    std::fs::write(
        env.path("config"),
        format!("{}{}", base_profile(), role_of("base")),
    )
    .expect("config");
    for (mode, cached) in [(0o700, true), (0o777, false)] {
        let runtime = tempfile::tempdir().expect("tmp");
        std::fs::set_permissions(runtime.path(), std::fs::Permissions::from_mode(mode))
            .expect("chmod");
        let run = env
            .command()
            .env_remove("HOME")
            .env_remove("RUNAS_CACHE_DIR")
            .env("XDG_RUNTIME_DIR", runtime.path())
            .env("AWS_CONFIG_FILE", env.path("config"))
            .args(["r", "true"])
            .output()
            .expect("runas");
        Run::from(run).ok();
        let entries = std::fs::read_dir(runtime.path().join("runas"))
            .map(|d| d.count())
            .unwrap_or(0);
        assert_eq!(entries > 0, cached, "XDG_RUNTIME_DIR mode {mode:o}");
        if cached {
            let mode = std::fs::metadata(runtime.path().join("runas"))
                .expect("dir")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }
}

#[test]
fn directories_and_files_are_private_whatever_the_umask() {
    let env = TestEnv::shared();
    env.config(&format!("{}{}", base_profile(), role_of("base")));
    std::fs::remove_dir_all(env.path(".aws")).expect("rm");
    let config_dir = env.path("elsewhere");
    std::fs::create_dir(&config_dir).expect("dir");
    std::fs::write(
        config_dir.join("config"),
        format!("{}{}", base_profile(), role_of("base")),
    )
    .expect("config");
    let run = Run::from(
        std::process::Command::new("sh")
            .arg("-c")
            .arg("umask 000; exec \"$@\"")
            .arg("sh")
            .arg(env!("CARGO_BIN_EXE_runas"))
            .args(["-c", "r", "true"])
            .env_clear()
            .envs(env.command().get_envs().filter_map(|(k, v)| Some((k, v?))))
            .env("AWS_CONFIG_FILE", config_dir.join("config"))
            .output()
            .expect("runas"),
    );
    run.ok();
    for (path, mode) in [
        (env.path(".aws"), 0o700),
        (env.path(".aws/credentials"), 0o600),
        (env.cache_dir(), 0o700),
    ] {
        let got = std::fs::metadata(&path)
            .expect("exists")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(got, mode, "{}", path.display());
    }
}

/// Kills the process group a program of runas's led (it is started in a group of its
/// own), so that no `sleep` outlives the test.
fn kill_group(leader: &str) {
    let _ = std::process::Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", leader.trim())])
        .status();
}
