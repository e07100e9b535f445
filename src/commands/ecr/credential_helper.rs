//! `docker-credential-runas`: the docker-credential-helpers protocol (`ecr::credential_helper`),
//! answered with the token of the profile that owns each registry.
//!
//! The warm `get` is the common one (every layer of a pull may ask): the same inputs as an
//! earlier `get` (the profile files, registrations, environment and host, hashed as the
//! warm `runas` path hashes them) name the token's cache entry, and the answer is that
//! entry. No profile parsing, no SDK, no network. Anything else runs under a deadline, so
//! a `docker pull` never waits forever on an MFA prompt or an unreachable endpoint.

use super::tokens;
use crate::creds::cache::Cache;
use crate::creds::key::Key;
use crate::creds::warm::Inputs;
use crate::ecr::credential_helper::{self as protocol, Verb};
use crate::ecr::registrations::{self, Registrations};
use crate::ecr::token::AuthToken;
use crate::error::{Error, Result};
use crate::log::debug;
use crate::profile::{Files, Profiles};
use crate::secret::Secret;
use aws_types::os_shim_internal::Env;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::process::ExitCode;
use std::time::Duration;

/// The note a cold `get` leaves for the warm ones.
const NOTE: &str = "ecr.plan";

#[derive(Serialize, Deserialize)]
struct Note {
    token_key: Key,
    profile: String,
}

/// What the helper does for `verb`. Docker runs it with no flags, so verbosity and the
/// deadline come from the environment.
pub fn run(verb: Verb) -> ExitCode {
    let verbose = crate::variables::RUNAS_VERBOSE.name;
    if std::env::var_os(verbose).is_some_and(|v| !v.is_empty() && v != "0") {
        crate::log::set_verbosity(1);
    }
    if let Err(e) = crate::deadline::from_env() {
        return fail(&e);
    }
    match verb {
        Verb::Get => get(),
        Verb::List => list(),
        Verb::Store | Verb::Erase => discard(),
        Verb::Version => {
            println!("docker-credential-runas {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
    }
}

/// `store` and `erase`: Docker writes the credentials (or the URL) to forget; there is
/// nothing to keep, so the input is read and dropped.
fn discard() -> ExitCode {
    let _ = std::io::copy(&mut std::io::stdin().take(1 << 20), &mut std::io::sink());
    ExitCode::SUCCESS
}

/// `get`: the server URL on stdin, the credentials (or Docker's not-found sentence) on
/// stdout.
fn get() -> ExitCode {
    let mut input = String::new();
    if let Err(e) = std::io::stdin().take(64 * 1024).read_to_string(&mut input) {
        return fail(&format!("cannot read the server URL on stdin: {e}"));
    }
    let server_url = input.trim().to_owned();
    match answer(&server_url) {
        Ok(Some(token)) => {
            let reply = protocol::get_reply(&server_url, &token);
            let mut out = std::io::stdout().lock();
            match writeln!(out, "{reply}").and_then(|()| out.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::FAILURE,
            }
        }
        Ok(None) => {
            println!("{}", protocol::NOT_FOUND);
            ExitCode::FAILURE
        }
        Err(e) => fail(&e.to_string()),
    }
}

/// Docker shows the helper's stdout when it fails; a person running it by hand reads
/// stderr. Both get the reason.
fn fail(message: &str) -> ExitCode {
    let message = crate::text::escape_message(message);
    eprintln!("docker-credential-runas: {message}");
    println!("docker-credential-runas: {message}");
    ExitCode::FAILURE
}

/// An MFA failure says how a helper that Docker runs can get a code.
fn mfa_hint(error: Error, profile: &str) -> Error {
    match error {
        Error::Mfa(message) => Error::Mfa(format!(
            "{message}; for docker-credential-runas: set MFA_CODE in docker's environment, set `mfa_process` in \
             profile `{profile}`, or run `runas ecr login --helper {profile}` in a terminal first (the token is then cached for 12 hours)"
        )),
        other => other,
    }
}

fn answer(server_url: &str) -> Result<Option<AuthToken>> {
    let Some(registry) = protocol::registry_of(server_url) else {
        debug!("`{server_url}` is not an ECR registry");
        return Ok(None);
    };
    let env = Env::real();
    let files = Files::from_env(&env);
    let registrations_path = registrations::path(&env);
    let cache = Cache::locate(&env);
    let inputs = Inputs::gather(
        &files,
        &(
            NOTE,
            &registry.host,
            &registrations_path,
            // Only hashed here, so only read; a cold `get` checks its directory too.
            registrations_path
                .as_deref()
                .and_then(|path| crate::private_file::read_private(path, 1 << 20).ok()),
        ),
    );
    if let Some(dir) = cache.dir()
        && let Some(note) = inputs.recall_note::<Note>(dir, NOTE)
        && let Some((token, _)) = tokens::fresh(&cache, &note.token_key)
    {
        debug!("warm: {} for profile `{}`", registry.host, note.profile);
        return Ok(Some(token));
    }
    within_deadline(crate::deadline::timeout(), move || {
        let env = Env::real();
        let profiles = Profiles::load(files)?;
        let registrations = Registrations::at(registrations_path.as_deref())?;
        let owners = super::owners(&profiles, &registrations, &env);
        let Some(owner) = owners.owner(&registry)? else {
            debug!("no profile claims {}", registry.host);
            return Ok(None);
        };
        debug!(
            "{} belongs to profile `{}` ({})",
            registry.host, owner.profile, owner.source
        );
        let otp = env
            .get(crate::variables::MFA_CODE.name)
            .ok()
            .filter(|c| !c.is_empty())
            .map(Secret::new);
        let fetched = tokens::obtain(&profiles, &owner.profile, &registry, &env, otp)
            .map_err(|e| mfa_hint(e, &owner.profile))?;
        let note = Note {
            token_key: fetched.key,
            profile: owner.profile,
        };
        if let Some(dir) = cache.dir() {
            inputs.remember_note(dir, NOTE, &note, &fetched.watched);
        }
        Ok(Some(fetched.token))
    })
}

/// Runs `work` on a thread of its own and gives up on it after `deadline` (every call
/// inside has `RUNAS_TIMEOUT` too; this bounds them all, an MFA prompt included). A program
/// still running then (a `credential_process`, an `mfa_process`) is killed with its group
/// and named, so that it does not outlive the helper holding the caller's stderr; the
/// process then ends, taking the thread with it.
fn within_deadline<T: Send + 'static>(
    deadline: Duration,
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    let (send, receive) = std::sync::mpsc::channel();
    let worker = std::thread::spawn(move || {
        let _ = send.send(work());
    });
    receive.recv_timeout(deadline).unwrap_or_else(|_| {
        let waited = format!(
            "within {}s (set RUNAS_TIMEOUT, in seconds, to wait longer)",
            deadline.as_secs_f32()
        );
        Err(Error::Credentials {
            what: "no token".into(),
            message: match crate::program::stop_running(worker.thread().id()) {
                Some(program) => format!("{program} did not finish {waited}, and was stopped"),
                None => format!("none came {waited}"),
            },
        })
    })
}

fn list() -> ExitCode {
    let env = Env::real();
    let listed = Profiles::load(Files::from_env(&env)).and_then(|profiles| {
        let registrations = Registrations::at(registrations::path(&env).as_deref())?;
        Ok(super::owners(&profiles, &registrations, &env))
    });
    match listed {
        Ok(owners) => {
            let hosts = owners.claims.iter().map(|c| c.registry.host.as_str());
            println!("{}", protocol::list_reply(hosts));
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_still_running_at_the_deadline_is_stopped_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        let script = format!("echo $$ > {}; exec sleep 30", pid_file.display());
        let started = std::time::Instant::now();
        let err = within_deadline(Duration::from_millis(500), move || {
            let _named = crate::program::naming("credential_process of profile `p`".into());
            let mut sh = std::process::Command::new("sh");
            sh.arg("-c").arg(script);
            let _ = crate::program::run(sh, None, false);
            Ok(())
        })
        .unwrap_err()
        .to_string();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(
            err.starts_with("no token: credential_process of profile `p` did not finish within"),
            "{err}"
        );
        assert!(
            !err.contains("docker-credential-runas"),
            "the prefix is the caller's: {err}"
        );
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        let stat = format!("/proc/{}/stat", pid.trim());
        let gone = (0..100).any(|_| {
            std::thread::sleep(Duration::from_millis(20));
            // Gone, or a zombie waiting for its parent to reap it.
            std::fs::read_to_string(&stat).map_or(true, |s| s.contains(") Z "))
        });
        assert!(gone, "the program runs on");
    }

    #[test]
    fn a_cold_get_gives_up_at_its_deadline() {
        let deadline = Duration::from_millis(200);
        let started = std::time::Instant::now();
        let result = within_deadline(deadline, || {
            std::thread::sleep(Duration::from_secs(5));
            Ok(())
        });
        let err = result.unwrap_err().to_string();
        assert!(err.contains("RUNAS_TIMEOUT"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(within_deadline(deadline, || Ok(7)).unwrap(), 7);
    }
}
