//! Crash safety: `runas` killed with SIGKILL at random moments while it writes a cache
//! entry, the credentials file (`-c`) or Docker's config (`ecr login --write-config`).
//! Afterwards every file parses and holds either its old or its new content, and the next
//! run succeeds. A kill that lands between creating the temporary file and renaming it
//! leaves that file behind: it is private (0600), never read in place of the real one, and
//! swept by a later run once it is a day old.
//!
//! `RUNAS_CRASH_KILLS` sets the number of kills per case (200 by default, within two
//! minutes), shared among [`WORKERS`] workers, each with a HOME of its own, that kill at
//! the same time: most of a kill's time is spent waiting for it, so the kills of a case
//! overlap. Each worker prints its figures (`--nocapture` shows them), and
//! `RUNAS_CRASH_SEED` repeats a run's kill times.

mod testenv;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};
use testenv::*;

const ACCOUNT: &str = "123456789012";
const HOST: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

/// Each case stops after this long, however many kills it has made, so a slow machine
/// makes a slower suite, not a stuck one.
const BUDGET: Duration = Duration::from_secs(120);

/// Workers per case.
const WORKERS: usize = 4;

fn kills() -> usize {
    std::env::var("RUNAS_CRASH_KILLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200)
}

/// Runs `case` on [`WORKERS`] threads, each making its share of the kills in an
/// environment of its own, and adds up what they saw.
fn in_parallel(case: fn(usize, u64) -> Figures) -> Figures {
    let seed = Random::seed();
    let figures: Vec<Figures> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..WORKERS)
            .map(|n| {
                let share = kills() / WORKERS + usize::from(n < kills() % WORKERS);
                scope.spawn(move || case(share, seed.wrapping_add(2 * n as u64)))
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let total = figures.iter().fold(Figures::default(), |sum, f| Figures {
        kills: sum.kills + f.kills,
        finished_first: sum.finished_first + f.finished_first,
        old: sum.old + f.old,
        new: sum.new + f.new,
        mid_write: sum.mid_write + f.mid_write,
    });
    eprintln!("all workers: {total:?}");
    total
}

/// xorshift64: enough randomness for kill times, and a seed to print for a rerun.
struct Random(u64);

impl Random {
    /// The run's seed: `RUNAS_CRASH_SEED`, or the clock; each worker adds its number.
    fn seed() -> u64 {
        let seed = std::env::var("RUNAS_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(1)
            })
            | 1;
        eprintln!("RUNAS_CRASH_SEED={seed}");
        seed
    }

    fn new(seed: u64) -> Random {
        Random(seed | 1)
    }

    fn below(&mut self, bound: Duration) -> Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        bound.mul_f64((self.0 % 10_000) as f64 / 10_000.0)
    }
}

/// What one case saw.
#[derive(Default, Debug)]
struct Figures {
    kills: usize,
    /// Runs that ended (successfully, with the new content) before their kill came.
    finished_first: usize,
    /// Kills after which the file was still the old one.
    old: usize,
    /// Kills after which the file was the new one.
    new: usize,
    /// Kills that left a temporary file: they landed between creating and renaming it.
    mid_write: usize,
}

/// Temporary files of runas's writers in `dir`.
fn orphans(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.contains(runas::private_file::TEMP_MARK))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Makes the orphans in `dir` two days old, runs `command`, and checks that it swept them.
fn swept(dir: &Path, mut command: Command) {
    let old = SystemTime::now() - Duration::from_secs(48 * 3600);
    for orphan in orphans(dir) {
        std::fs::File::options()
            .write(true)
            .open(&orphan)
            .and_then(|f| f.set_modified(old))
            .expect("age an orphan");
    }
    Run::from(command.output().expect("run runas")).ok();
    let left = orphans(dir);
    assert!(left.is_empty(), "orphans not swept: {left:?}");
}

/// How long a run takes, unkilled: the span kill times are drawn from.
fn typical(command: &mut dyn FnMut() -> Command, reset: &mut dyn FnMut()) -> Duration {
    let mut spans: Vec<Duration> = (0..3)
        .map(|_| {
            reset();
            let start = Instant::now();
            let out = command().output().expect("run runas");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            start.elapsed()
        })
        .collect();
    spans.sort();
    spans[1]
}

/// Runs `command` `kills` times, each killed at a random moment within its usual span,
/// with `reset` putting the old content back first and `check` judging the file after.
fn kill_repeatedly(
    name: &str,
    (kills, seed): (usize, u64),
    dir: &Path,
    mut command: impl FnMut() -> Command,
    mut reset: impl FnMut(),
    mut check: impl FnMut() -> State,
) -> Figures {
    let mut span = typical(&mut command, &mut reset);
    let mut random = Random::new(seed);
    let mut figures = Figures::default();
    let started = Instant::now();
    // Kill times from 30% to 130% of a usual run, where the writes are (at the end). How
    // long a run takes changes with the load, so the span follows: shorter after a run
    // that ended before its kill, longer after a kill. Runs that end first do not count.
    let mut runs = 0;
    while figures.kills < kills && runs < 3 * kills && started.elapsed() < BUDGET {
        runs += 1;
        reset();
        let before = orphans(dir).len();
        let mut child = command()
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run runas");
        std::thread::sleep(span.mul_f64(0.3) + random.below(span));
        let finished = child.try_wait().expect("try_wait");
        if finished.is_none() {
            child.kill().expect("kill");
        }
        let status = child.wait().expect("wait");
        let state = check();
        if finished.is_some() {
            assert!(status.success(), "{status}");
            assert!(
                matches!(state, State::New),
                "a finished run left the old file"
            );
            figures.finished_first += 1;
            span = span.mul_f64(0.9);
            continue;
        }
        figures.kills += 1;
        span = span.mul_f64(1.02);
        match state {
            State::Old => figures.old += 1,
            State::New => figures.new += 1,
        }
        if orphans(dir).len() > before {
            figures.mid_write += 1;
        }
    }
    eprintln!(
        "{name}: {figures:?} in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    for orphan in orphans(dir) {
        let mode = std::fs::metadata(&orphan).map(|m| m.permissions().mode() & 0o777);
        assert_eq!(
            mode.ok(),
            Some(0o600),
            "{} is not private",
            orphan.display()
        );
    }
    figures
}

enum State {
    Old,
    New,
}

fn prod_env() -> TestEnv {
    let env = TestEnv::shared();
    env.config(&format!(
        "[default]\nregion = us-east-1\n[profile prod]\nrole_arn = {}\nsource_profile = base\n",
        role(ACCOUNT, "Prod")
    ));
    env.credentials(&format!(
        "[base]\naws_access_key_id = {ROOT_KEY}\naws_secret_access_key = {SECRET}\n"
    ));
    env
}

fn command(env: &TestEnv, args: &[&str]) -> Command {
    let mut cmd = env.command();
    cmd.args(args);
    cmd
}

#[test]
fn kills_during_cache_writes() {
    assert!(in_parallel(cache_writes).kills > 0);
}

fn cache_writes(kills: usize, seed: u64) -> Figures {
    let env = prod_env();
    env.run(&["prod", "true"]).ok();
    let entry = std::fs::read_dir(env.cache_dir())
        .expect("the cache")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .expect("a cache entry");
    let fresh: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&entry).expect("the entry")).expect("JSON");
    // The old content: the same entry, expired, so that every run fetches and writes anew.
    let mut stale = fresh.clone();
    stale["Expiration"] = "2020-01-01T00:00:00Z".into();
    stale["AccessKeyId"] = "ASIAOLDOLDOLDOLDOLD1".into();
    let old = serde_json::to_vec(&stale).expect("JSON");

    let figures = kill_repeatedly(
        "cache",
        (kills, seed),
        &env.cache_dir(),
        || command(&env, &["prod", "true"]),
        || std::fs::write(&entry, &old).expect("reset the entry"),
        || {
            let now = std::fs::read(&entry).expect("the entry is never missing");
            if now == old {
                return State::Old;
            }
            let value: serde_json::Value = serde_json::from_slice(&now).unwrap_or_else(|e| {
                panic!("a torn entry ({e}): {}", String::from_utf8_lossy(&now))
            });
            assert_eq!(value["Key"], fresh["Key"]);
            assert!(
                value["AccessKeyId"]
                    .as_str()
                    .is_some_and(|k| k.starts_with("ASIA"))
            );
            assert_ne!(value["Expiration"], stale["Expiration"]);
            State::New
        },
    );
    // The next run succeeds, and (writing a new entry) sweeps what the kills left.
    std::fs::write(&entry, &old).expect("reset the entry");
    swept(&env.cache_dir(), command(&env, &["prod", "true"]));
    figures
}

/// `[section]` of a credentials file, as the SDK reads it.
fn section(path: &Path, name: &str) -> Option<(String, String)> {
    let profiles = runas::profile::Profiles::load(runas::profile::Files {
        config: path.with_file_name("no-config"),
        credentials: path.to_owned(),
    })
    .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
    let p = profiles.get(name)?;
    Some((
        p.get("aws_access_key_id")?.to_owned(),
        p.get("aws_secret_access_key")?.to_owned(),
    ))
}

#[test]
fn kills_during_credentials_file_writes() {
    assert!(in_parallel(credentials_file_writes).kills > 0);
}

fn credentials_file_writes(kills: usize, seed: u64) -> Figures {
    let env = prod_env();
    let path = env.path(".aws/credentials");
    let old = format!(
        "{}\n# old section\n[prod-runas]\n# written by runas for profile prod\naws_access_key_id = ASIAOLDOLDOLDOLDOLD1\naws_secret_access_key = old\n",
        read(&path)
    );
    let figures = kill_repeatedly(
        "credentials file",
        (kills, seed),
        &env.path(".aws"),
        || command(&env, &["-c", "prod"]),
        || std::fs::write(&path, &old).expect("reset the file"),
        || {
            let now = read(&path);
            assert_eq!(
                section(&path, "base"),
                Some((ROOT_KEY.to_owned(), SECRET.to_owned())),
                "[base] damaged:\n{now}"
            );
            if now == old {
                return State::Old;
            }
            let (key, _) = section(&path, "prod-runas").expect("[prod-runas]");
            assert!(
                key.starts_with("ASIA") && key != "ASIAOLDOLDOLDOLDOLD1",
                "{now}"
            );
            State::New
        },
    );
    swept(&env.path(".aws"), command(&env, &["-c", "prod"]));
    assert!(section(&path, "prod-runas").is_some());
    figures
}

#[test]
fn kills_during_docker_config_writes() {
    assert!(in_parallel(docker_config_writes).kills > 0);
}

fn docker_config_writes(kills: usize, seed: u64) -> Figures {
    let env = prod_env();
    let config = env.path("docker/config.json");
    std::fs::create_dir_all(env.path("docker")).expect("docker dir");
    let old = format!(
        r#"{{"auths": {{"registry.example": {{"auth": "eDp5"}}, "{HOST}": {{"auth": "b2xkOm9sZA=="}}}}, "psFormat": "table"}}"#
    );
    let login = || {
        let mut cmd = command(&env, &["ecr", "login", "--write-config", "prod", HOST]);
        cmd.env("DOCKER_CONFIG", env.path("docker"));
        cmd
    };
    let figures = kill_repeatedly(
        "docker config",
        (kills, seed),
        &env.path("docker"),
        login,
        || std::fs::write(&config, &old).expect("reset the config"),
        || {
            let now = read(&config);
            if now == old {
                return State::Old;
            }
            let value: serde_json::Value =
                serde_json::from_str(&now).unwrap_or_else(|e| panic!("a torn config ({e}): {now}"));
            assert_eq!(value["auths"]["registry.example"]["auth"], "eDp5", "{now}");
            assert_eq!(value["psFormat"], "table", "{now}");
            assert_ne!(value["auths"][HOST]["auth"], "b2xkOm9sZA==", "{now}");
            State::New
        },
    );
    swept(&env.path("docker"), login());
    figures
}
