//! ECR tokens of a profile, cached: the token cache's entries (`ecr::token_cache`) go
//! through the credential cache's single-flight slots, keyed by the identity the profile's
//! plan names, and a miss fetches the profile's credentials the way every command does.

use crate::creds::cache::Cache;
use crate::creds::key::Key;
use crate::creds::{self, Credentials, Execution};
use crate::ecr::endpoint::{Registry, Scope};
use crate::ecr::token::{self, AuthToken};
use crate::ecr::token_cache;
use crate::error::{Error, Result};
use crate::profile::Profiles;
use crate::profile::chain::{Chain, Request, Target};
use crate::profile::resolve;
use crate::secret::Secret;
use crate::session;
use crate::single_flight::{self, Look, Slot};
use aws_types::os_shim_internal::Env;
use std::time::SystemTime;

/// A token and where it is cached.
pub(crate) struct Fetched {
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
pub fn fresh(cache: &Cache, key: &Key) -> Option<(AuthToken, SystemTime)> {
    token_slot(cache, key)?.peek(judge_token(key))
}

fn lookup(cache: &Cache, key: &Key, chain: &Chain) -> Option<Fetched> {
    fresh(cache, key).map(|(token, usable_until)| Fetched {
        token,
        usable_until,
        key: key.clone(),
        watched: chain.watched_files(),
    })
}

/// The token of `registry`'s region for `profile`: from the token cache, else with the
/// profile's credentials (cache, STS, MFA as everywhere: `otp`, `mfa_process`, the
/// terminal) and one GetAuthorizationToken.
pub(crate) fn obtain(
    profiles: &Profiles,
    profile: &str,
    registry: &Registry,
    env: &Env,
    otp: Option<Secret>,
) -> Result<Fetched> {
    ProfileTokens::new(profiles, profile, env, otp).obtain(registry)
}

/// A profile's credentials and the execution (network included) that got them.
pub(crate) type Obtained = (Execution, Credentials);

/// Tokens of one profile's registries. The credentials (and the runtime and SDK
/// configuration they came through) are fetched at the first miss and serve every
/// registry after it.
pub(crate) struct ProfileTokens<'p> {
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
    pub(crate) fn obtain(&mut self, registry: &Registry) -> Result<Fetched> {
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
                self.failed = true;
                let obtained = session::credentials(chain, &options, self.env)?;
                self.failed = false;
                obtained
            }
        };
        Ok(self.obtained.insert(obtained))
    }
}
