//! `docker-credential-runas`: the docker-credential-helpers protocol, answered with the
//! token of the profile that owns each registry.
//!
//! `get` reads a server URL on stdin and prints `{"ServerURL","Username","Secret"}`;
//! `list` prints the registries it serves; `store` and `erase` accept their input and do
//! nothing, since nothing is stored. A registry it does not serve gets exit 1 and Docker's
//! own not-found sentence on stdout, so Docker goes on without credentials.
//!
//! The warm `get` is the common one (every layer of a pull may ask): the same inputs as an
//! earlier `get` (the profile files, registrations, environment and host, hashed as the
//! warm `runas` path hashes them) name the token's cache entry, and the answer is that
//! entry. No profile parsing, no SDK, no network. Anything else runs under a deadline, so
//! a `docker pull` never waits forever on an MFA prompt or an unreachable endpoint.

use super::endpoint::{self, Endpoint, Registry, Scope};
use super::owners::Owners;
use super::registrations::{self, Registrations};
use super::token::{self, AuthToken};
use super::token_cache;
use crate::creds::key::Key;
use crate::creds::single_flight::{self, Look, Slot};
use crate::creds::warm::Inputs;
use crate::creds::{self, Credentials, Execution, cache::Cache};
use crate::error::{Error, Result};
use crate::log::debug;
use crate::profile::chain::{Chain, Request, Target};
use crate::profile::resolve;
use crate::profile::{Files, Profiles};
use crate::secret::Secret;
use aws_types::os_shim_internal::Env;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

/// What Docker (and every docker-credential-helpers client) reads as "no credentials".
pub const NOT_FOUND: &str = "credentials not found in native keychain";

/// The note a cold `get` leaves for the warm ones.
const NOTE: &str = "ecr.plan";

#[derive(Serialize, Deserialize)]
struct Note {
    token_key: Key,
    profile: String,
}

/// The verbs of the docker-credential-helpers protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    List,
    Store,
    Erase,
    Version,
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
            let reply = serde_json::json!({
                "ServerURL": server_url,
                "Username": token.username,
                "Secret": token.password.expose(),
            });
            let mut out = std::io::stdout().lock();
            match writeln!(out, "{reply}").and_then(|()| out.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::FAILURE,
            }
        }
        Ok(None) => {
            println!("{NOT_FOUND}");
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

/// The registry a server URL names, if it is an ECR registry: `HOST`, `https://HOST`,
/// `https://HOST/v2/...` and `http://` forms alike.
pub fn registry_of(server_url: &str) -> Option<Registry> {
    let text = server_url.trim();
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .unwrap_or(text);
    let host = rest.split('/').next().unwrap_or_default();
    match endpoint::parse(host) {
        Ok(Endpoint::Registry(registry)) => Some(registry),
        _ => None,
    }
}

fn answer(server_url: &str) -> Result<Option<AuthToken>> {
    let Some(registry) = registry_of(server_url) else {
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
            std::fs::read(&registrations_path).ok(),
        ),
    );
    if let Some(dir) = cache.dir()
        && let Some(note) = inputs.recall_note::<Note>(dir, NOTE)
        && let Some((token, _)) = fresh_token(&cache, &note.token_key)
    {
        debug!("warm: {} for profile `{}`", registry.host, note.profile);
        return Ok(Some(token));
    }
    within_deadline(crate::deadline::timeout(), move || {
        let env = Env::real();
        let profiles = Profiles::load(files)?;
        let registrations = Registrations::load(&registrations_path)?;
        let owners = Owners::load(&profiles, &registrations, &env);
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
        let fetched = obtain(&profiles, &owner.profile, &registry, &env, otp)
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
/// inside has `RUNAS_TIMEOUT` too; this bounds them all, an MFA prompt included); the
/// process then ends, taking the thread with it.
fn within_deadline<T: Send + 'static>(
    deadline: Duration,
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(work());
    });
    receive.recv_timeout(deadline).unwrap_or_else(|_| {
        Err(Error::Credentials {
            what: "docker-credential-runas".into(),
            message: format!(
                "no token within {}s (set RUNAS_TIMEOUT, in seconds, to wait longer)",
                deadline.as_secs_f32()
            ),
        })
    })
}

fn list() -> ExitCode {
    let env = Env::real();
    let listed = Profiles::load(Files::from_env(&env)).and_then(|profiles| {
        let registrations = Registrations::load(&registrations::path(&env))?;
        Ok(Owners::load(&profiles, &registrations, &env))
    });
    match listed {
        Ok(owners) => {
            let map: serde_json::Map<String, serde_json::Value> = owners
                .claims
                .iter()
                .map(|c| (format!("https://{}", c.registry.host), "AWS".into()))
                .collect();
            println!("{}", serde_json::Value::Object(map));
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.to_string()),
    }
}

/// A token and where it is cached.
pub struct Fetched {
    pub token: AuthToken,
    pub usable_until: SystemTime,
    pub key: Key,
    /// Files the key depends on (a web identity token), for the warm path's note.
    pub watched: Vec<std::path::PathBuf>,
}

/// The plan of `profile`'s credentials, and the cache key of its token for `registry`.
fn plan(
    profiles: &Profiles,
    profile: &str,
    registry: &Registry,
    env: &Env,
) -> Result<(Chain, Key)> {
    let request = Request {
        target: Target::Profile(profile.to_owned()),
        ..Request::default()
    };
    let chain = resolve::resolve(profiles, &request, env)?;
    let (words, description) = token_cache::key_words(&registry.scope, profile);
    let key = Key::last(&chain, env).derived(&words, description);
    Ok((chain, key))
}

/// The cached token of `registry`'s region for `profile`, if there is a fresh one.
pub fn cached(
    profiles: &Profiles,
    profile: &str,
    registry: &Registry,
    env: &Env,
) -> Result<Option<Fetched>> {
    let (chain, key) = plan(profiles, profile, registry, env)?;
    Ok(lookup(&Cache::locate(env), &key, &chain))
}

/// Where the token of `key` lives and is locked; none without a cache.
fn token_slot(cache: &Cache, key: &Key) -> Option<Slot> {
    cache.slot(key, token_cache::EXTENSION)
}

/// What the bytes of `key`'s token entry are worth.
fn judge_token(key: &Key) -> impl Fn(&[u8]) -> Look<(AuthToken, SystemTime)> + '_ {
    move |bytes| match token_cache::decode(bytes, key.text(), SystemTime::now()) {
        token_cache::Decoded::Usable(token, until) => Look::Fresh((token, until)),
        token_cache::Decoded::Stale(why) => Look::Miss(why.to_owned()),
        token_cache::Decoded::Damaged(why) => Look::Corrupt(why),
    }
}

/// The cached token of `key`, if there is a fresh one.
fn fresh_token(cache: &Cache, key: &Key) -> Option<(AuthToken, SystemTime)> {
    token_slot(cache, key)?.peek(judge_token(key))
}

fn lookup(cache: &Cache, key: &Key, chain: &Chain) -> Option<Fetched> {
    fresh_token(cache, key).map(|(token, usable_until)| Fetched {
        token,
        usable_until,
        key: key.clone(),
        watched: chain.watched_files(),
    })
}

/// The token of `registry`'s region for `profile`: from the token cache, else with the
/// profile's credentials (cache, STS, MFA as everywhere: `otp`, `mfa_process`, the
/// terminal) and one GetAuthorizationToken.
pub fn obtain(
    profiles: &Profiles,
    profile: &str,
    registry: &Registry,
    env: &Env,
    otp: Option<Secret>,
) -> Result<Fetched> {
    ProfileTokens::new(profiles, profile, env, otp).obtain(registry)
}

/// A profile's credentials and the execution (network included) that got them.
pub type Obtained = (Execution, Credentials);

/// Tokens of one profile's registries. The credentials (and the runtime and SDK
/// configuration they came through) are fetched at the first miss and serve every
/// registry after it.
pub struct ProfileTokens<'p> {
    profiles: &'p Profiles,
    profile: &'p str,
    env: &'p Env,
    otp: Option<Secret>,
    obtained: Option<Obtained>,
    /// The credentials failed once: asking again would repeat the failure (and an MFA
    /// prompt, or a one-time code already spent).
    failed: bool,
}

impl<'p> ProfileTokens<'p> {
    pub fn new(
        profiles: &'p Profiles,
        profile: &'p str,
        env: &'p Env,
        otp: Option<Secret>,
    ) -> ProfileTokens<'p> {
        ProfileTokens {
            profiles,
            profile,
            env,
            otp,
            obtained: None,
            failed: false,
        }
    }

    /// Starts from credentials the caller already has for this profile (fetched to look up
    /// its account, say), so they are not fetched twice.
    pub fn with(mut self, obtained: Option<Obtained>) -> ProfileTokens<'p> {
        self.obtained = obtained;
        self
    }

    /// The token of `registry`'s region, as [`obtain`] gets it. Parallel pulls that miss
    /// together make one call.
    pub fn obtain(&mut self, registry: &Registry) -> Result<Fetched> {
        let (chain, key) = plan(self.profiles, self.profile, registry, self.env)?;
        let watched = chain.watched_files();
        let Some(slot) = token_slot(&Cache::locate(self.env), &key) else {
            let (token, usable_until) = self.fetch(chain, registry, &key)?.value;
            return Ok(Fetched {
                token,
                usable_until,
                key,
                watched,
            });
        };
        let (token, usable_until) = slot.get(false, judge_token(&key), || {
            self.fetch(chain, registry, &key)
        })?;
        Ok(Fetched {
            token,
            usable_until,
            key,
            watched,
        })
    }

    /// One GetAuthorizationToken with the profile's credentials, and the entry to cache.
    fn fetch(
        &mut self,
        chain: Chain,
        registry: &Registry,
        key: &Key,
    ) -> Result<single_flight::Fetched<(AuthToken, SystemTime)>> {
        let (execution, credentials) = self.credentials(chain)?;
        let scope = Scope::requests([&registry.scope]);
        let fetched = token::fetch_all(execution.network(), &scope, credentials)?
            .into_values()
            .next()
            .unwrap_or_else(|| Err("no token was asked for".into()));
        let token = fetched.map_err(|message| Error::Credentials {
            what: format!(
                "getting a token from {} for profile `{}`",
                registry.scope, self.profile
            ),
            message,
        })?;
        let (bytes, until) =
            token_cache::encode(key.text(), key.description(), &token, SystemTime::now());
        Ok(single_flight::Fetched {
            value: (token, until),
            bytes: Some(bytes),
        })
    }

    /// The profile's credentials, fetched once: the plan of a profile does not depend on
    /// the registry, so `chain` is the same on every call and only the first one is used.
    fn credentials(&mut self, chain: Chain) -> Result<&Obtained> {
        if self.failed {
            return Err(Error::Credentials {
                what: format!("profile `{}`", self.profile),
                message: "its credentials failed above; not asked for again".into(),
            });
        }
        let obtained = match self.obtained.take() {
            Some(obtained) => obtained,
            None => {
                let options = creds::Options {
                    refresh: false,
                    otp: self.otp.take(),
                };
                let mut execution = Execution::new(chain, options, self.env);
                self.failed = true;
                let credentials = execution.credentials()?;
                self.failed = false;
                (execution, credentials)
            }
        };
        Ok(self.obtained.insert(obtained))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn server_urls_in_every_form_docker_sends() {
        for url in [
            "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            "https://123456789012.dkr.ecr.us-east-1.amazonaws.com",
            "https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/",
            "http://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/app/manifests/1",
            " 123456789012.DKR.ECR.US-EAST-1.AMAZONAWS.COM\n",
        ] {
            assert_eq!(
                registry_of(url).map(|r| r.host).as_deref(),
                Some("123456789012.dkr.ecr.us-east-1.amazonaws.com"),
                "{url}"
            );
        }
        assert_eq!(
            registry_of("https://public.ecr.aws").map(|r| r.scope),
            Some(Scope::Public)
        );
        for other in [
            "",
            "https://index.docker.io/v1/",
            "ghcr.io",
            "123456789012",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com:443",
        ] {
            assert!(registry_of(other).is_none(), "{other}");
        }
    }
}
