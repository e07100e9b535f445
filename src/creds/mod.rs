//! Executing a [`Chain`]: each step is looked up in the cache and fetched from STS only on
//! a miss, with the credentials of the step before it.
//!
//! The walk starts at the last step and goes towards the root only as far as it must, so a
//! warm run reads one cache file and builds nothing else: no async runtime, no SDK client,
//! no TLS. Those are made on the first miss.

pub mod cache;
mod fresh;
pub mod key;
mod mfa;
mod source;
pub mod sts;
pub mod warm;

pub use crate::credentials::Credentials;
pub(crate) use crate::credentials::{remaining, rfc3339};
pub(crate) use fresh::Fresh;

use crate::duration::limits;
use crate::error::{Error, Result};
use crate::log::{debug, warning};
use crate::profile::chain::{Chain, Mfa, RoleStep, Step};
use crate::profile::root::Source;
use crate::sdk::Network;
use crate::secret::Secret;
use aws_types::os_shim_internal::Env;
use cache::Cache;
use key::Key;

#[derive(Debug, Default, Clone)]
pub struct Options {
    /// `-r`: fetch every step anew, ignoring what is cached.
    pub refresh: bool,
    /// `--otp` / `MFA_CODE`.
    pub otp: Option<Secret>,
}

/// What the warm path found: the end of an earlier run's plan for the same inputs, and its
/// credentials, still fresh.
pub(crate) struct Recalled {
    pub credentials: Credentials,
    pub memo: warm::Memo,
}

/// The warm path: the credentials an earlier run with the same inputs left in the cache,
/// if they are still fresh. No parsing of the profile files, no SDK, no network.
pub(crate) fn recall(inputs: &warm::Inputs, env: &Env) -> Option<Recalled> {
    let cache = Cache::locate(env);
    let memo = inputs.recall(cache.dir()?)?;
    let credentials = cache.fresh(&memo.last_key)?;
    Some(Recalled { credentials, memo })
}

/// One execution of a chain. Holds what a miss needs, made on first use.
pub struct Execution {
    chain: Chain,
    options: Options,
    cache: Cache,
    /// The cache key of each level: the root's, then each step's.
    levels: Vec<Key>,
    network: Network,
    /// What fetching the root needs from the surroundings.
    sources: source::Context,
    /// The last code sent for each MFA device: STS accepts a code once, so a second step
    /// on the same device (or a later refresh in a long-lived process) needs the next one.
    spent: Vec<(String, Secret)>,
}

impl Execution {
    pub fn new(chain: Chain, options: Options, env: &Env) -> Self {
        let network = Network::new(crate::sdk::Settings {
            region: chain.region.clone(),
            profile: chain.target.profile().map(str::to_owned),
            endpoint_url: chain.sts_endpoint.clone(),
        });
        let cache = Cache::locate(env);
        Execution {
            sources: source::Context {
                sso_auto_login: chain.sso_auto_login,
                ..source::Context::new(env, cache.margin())
            },
            cache,
            levels: Key::levels(&chain, env),
            chain,
            options,
            network,
            spent: Vec::new(),
        }
    }

    /// The credentials at the end of the chain.
    pub fn credentials(&mut self) -> Result<Credentials> {
        self.check_one_code()?;
        self.obtain(self.chain.steps.len())
    }

    /// A code given once (`--otp`, `MFA_CODE`) cannot serve two steps on one device: STS
    /// would refuse the second. Say so before any call rather than half-way down the chain.
    fn check_one_code(&self) -> Result<()> {
        if self.options.otp.is_none() {
            return Ok(());
        }
        let first_fetched = (0..=self.chain.steps.len())
            .rev()
            .find(|&level| {
                !self.cacheable(level)
                    || (!self.options.refresh && self.cache.fresh(&self.levels[level]).is_some())
            })
            .unwrap_or(0);
        let codes: Vec<&str> = self.chain.steps[first_fetched..]
            .iter()
            .filter_map(Step::mfa_serial)
            .collect();
        for (i, serial) in codes.iter().enumerate() {
            if codes[..i].contains(serial) {
                return Err(Error::Mfa(format!(
                    "profile `{}` needs two codes from MFA device {serial} and STS accepts each code once, \
                     but --otp / MFA_CODE gives one; unset it so that runas asks for the next code at the \
                     terminal, or set `mfa_process`",
                    self.chain.profile()
                )));
            }
        }
        Ok(())
    }

    /// GetCallerIdentity with `credentials`, for `--whoami`.
    pub(crate) fn whoami(&self, credentials: &Credentials) -> Result<sts::Identity> {
        let sts = self.sts(Some(credentials))?;
        self.network.block_on(sts::caller_identity(&sts))?
    }

    /// GetFederationToken with long-term `credentials`, as the federated user `name`.
    pub(crate) fn federation_token(
        &self,
        credentials: &Credentials,
        name: &str,
        duration: std::time::Duration,
    ) -> Result<Credentials> {
        let sts = self.sts(Some(credentials))?;
        self.network
            .block_on(sts::federation_token(&sts, name, duration))?
    }

    /// The runtime and SDK configuration this execution made (or will make on first use),
    /// for the other services a command calls with the credentials.
    pub fn network(&self) -> &Network {
        &self.network
    }

    fn sts(&self, credentials: Option<&Credentials>) -> Result<sts::Sts> {
        sts::Sts::new(&self.network, credentials)
    }

    /// Leaves a note for the warm path of the next run with the same `inputs`, once the
    /// credentials at the end of the chain are in the cache.
    pub(crate) fn remember(&self, inputs: &warm::Inputs) {
        let level = self.chain.steps.len();
        if let (true, Some(dir)) = (self.cacheable(level), self.cache.dir()) {
            inputs.remember(dir, &self.levels[level], &self.chain);
        }
    }

    fn cacheable(&self, level: usize) -> bool {
        level > 0 || self.chain.root.cached()
    }

    /// What the root reads besides the profile files, for `diagnose`.
    pub(crate) fn inspect_root(&self) -> Vec<String> {
        source::inspect(&self.chain.root, &self.sources)
    }

    /// For each level of the chain, when its cached entry expires, if it has a fresh one.
    pub fn cached(&self) -> Vec<Option<std::time::SystemTime>> {
        self.levels
            .iter()
            .map(|key| self.cache.fresh(key).and_then(|c| c.expiration))
            .collect()
    }

    fn obtain(&mut self, level: usize) -> Result<Credentials> {
        if !self.cacheable(level) {
            let root = self.fetch_root()?;
            return self.accept(level, root);
        }
        let key = self.levels[level].clone();
        let Some(mut slot) = self.cache.entry_slot(&key) else {
            return self.fetch_level(level);
        };
        if let Source::Sso(_) = self.chain.root.source {
            // The holder may be signing in at a browser: wait as long as a sign-in takes.
            slot = slot.wait(crate::sso::LOGIN_TIMEOUT);
        }
        let renew = self.options.refresh;
        let margin = self.cache.margin();
        let judge = |bytes: &[u8]| Cache::judge(&key, margin, bytes);
        let fetched = slot.get(renew, judge, || {
            let value = self.fetch_level(level)?;
            let bytes = Cache::entry(&key, &value);
            Ok(crate::single_flight::Fetched { value, bytes })
        })?;
        Ok(fetched)
    }

    /// Fetches a level anew, with the credentials of the one before it (from the cache or
    /// fetched in turn).
    fn fetch_level(&mut self, level: usize) -> Result<Credentials> {
        let fetched = if level == 0 {
            self.fetch_root()?
        } else {
            let parent = self.obtain(level - 1)?;
            self.fetch_step(level, &parent)?
        };
        let fetched = self.accept(level, fetched)?;
        if level == self.chain.steps.len() {
            // A miss already costs a network call; a sweep of the directory is small next to it.
            self.cache.prune();
        }
        Ok(fetched)
    }

    /// Credentials from outside (a credential_process, the environment, STS) are checked
    /// before they are used or cached: well-formed values, not expired already.
    fn accept(&self, level: usize, credentials: Credentials) -> Result<Credentials> {
        let problem = match (credentials.problem(), credentials.expiration) {
            (Some(why), _) => Some(why),
            (None, Some(t)) if credentials.expired() => Some(format!(
                "the credentials it gave expired at {} (this machine's clock says {}); renew them at \
                 their source, or check the clock with `runas diagnose`",
                rfc3339(t),
                rfc3339(std::time::SystemTime::now())
            )),
            _ => None,
        };
        match problem {
            None => Ok(credentials),
            Some(message) => Err(Error::Credentials {
                what: self.describe(level),
                message: format!("{message}; nothing was used or cached"),
            }),
        }
    }

    fn describe(&self, level: usize) -> String {
        self.levels[level].description().to_owned()
    }

    fn fetch_root(&self) -> Result<Credentials> {
        // `-r` as it stands now: a server's later refreshes are not asked for with it.
        let sources = source::Context {
            renew: self.options.refresh,
            ..self.sources.clone()
        };
        source::fetch(&self.chain.root, &sources, &self.network)
    }

    /// One step's STS call. A code typed at the terminal that STS refuses (a typo) is
    /// asked for again, up to [`mfa::TRIES`] times; a code from elsewhere is not.
    fn fetch_step(&mut self, level: usize, parent: &Credentials) -> Result<Credentials> {
        let step = self.chain.steps[level - 1].clone();
        let device = match &step {
            Step::SessionToken { mfa: Some(m), .. } => Some((m, self.chain.profile().to_owned())),
            Step::AssumeRole(r) => r.mfa.as_ref().map(|m| (m, r.profile.clone())),
            Step::SessionToken { mfa: None, .. } => None,
        };
        let mut attempt = 1;
        loop {
            let code = match &device {
                Some((m, profile)) => Some(self.code(m, profile, attempt)?),
                None => None,
            };
            let typed = matches!(code, Some((_, mfa::Origin::Terminal)));
            match self.call(level, &step, parent, code.map(|(c, _)| c)) {
                Err(Error::MfaRefused(message)) if typed && attempt < mfa::TRIES => {
                    debug!("{message}");
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    fn call(
        &self,
        level: usize,
        step: &Step,
        parent: &Credentials,
        code: Option<Secret>,
    ) -> Result<Credentials> {
        debug!("calling STS: {}", self.describe(level));
        let sts = self.sts(Some(parent))?;
        let with_code = |m: &Option<Mfa>| m.clone().zip(code.clone());
        // A session token is the identity's own account; a role's is in its ARN, when its
        // ARN is of AWS's form.
        let account = match step {
            Step::SessionToken { .. } => parent.account_id.clone(),
            Step::AssumeRole(role) => role.role_arn.account().map(str::to_owned),
        };
        let mut fetched = match step {
            Step::SessionToken { duration, mfa: m } => {
                let mfa = with_code(m);
                let mfa = mfa.as_ref().map(|(m, c)| (m.serial.as_str(), c));
                self.network
                    .block_on(sts::session_token(&sts, *duration, mfa))?
            }
            Step::AssumeRole(role) => {
                let role = chained_cap(role, parent);
                let mfa = with_code(&role.mfa);
                let mfa = mfa.as_ref().map(|(m, c)| (m.serial.as_str(), c));
                self.network.block_on(sts::assume_role(&sts, &role, mfa))?
            }
        }?;
        // What STS said (the assumed role's ARN), else what the plan knows, as for a root.
        fetched.account_id = fetched
            .account_id
            .take()
            .or(account)
            .filter(|a| !a.is_empty());
        Ok(fetched)
    }

    /// A code for `device`, never the one this process already sent for it.
    fn code(&mut self, device: &Mfa, profile: &str, attempt: u8) -> Result<(Secret, mfa::Origin)> {
        let spent = self
            .spent
            .iter()
            .find(|(serial, _)| *serial == device.serial)
            .map(|(_, code)| code.clone());
        let (code, origin) = mfa::code(
            device,
            self.options.otp.as_ref(),
            profile,
            spent.as_ref(),
            attempt,
        )?;
        self.spent.retain(|(serial, _)| *serial != device.serial);
        self.spent.push((device.serial.clone(), code.clone()));
        Ok((code, origin))
    }
}

/// STS caps a role assumed with session credentials at one hour. The plan already caps
/// what it knows; a credential_process shows only when it answers whether its credentials
/// are a session.
fn chained_cap(role: &RoleStep, parent: &Credentials) -> RoleStep {
    let mut role = role.clone();
    if parent.session_token.is_some() && role.duration > limits::CHAINED_ROLE_MAX {
        warning!(
            "role duration for `{}`: {} is above the STS maximum for a role assumed with session credentials; using 1h",
            role.profile,
            crate::duration::display(role.duration)
        );
        role.duration = limits::CHAINED_ROLE_MAX;
    }
    role
}
