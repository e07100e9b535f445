//! Executing a [`Chain`]: each step is looked up in the cache and fetched from STS only on
//! a miss, with the credentials of the step before it.
//!
//! The walk starts at the last step and goes towards the root only as far as it must, so a
//! warm run reads one cache file and builds nothing else: no async runtime, no SDK client,
//! no TLS. Those are made on the first miss.

pub mod cache;
mod credentials;
mod mfa;
mod source;
pub mod sts;

pub use credentials::{Credentials, parse_rfc3339, remaining, rfc3339};

use crate::error::{Error, Result};
use crate::log::debug;
use crate::profile::chain::{Chain, Root, Step};
use aws_config::{BehaviorVersion, SdkConfig};
use aws_types::os_shim_internal::Env;
use aws_types::region::Region;
use cache::Cache;

#[derive(Debug, Default, Clone)]
pub struct Options {
    /// `-r`: fetch every step anew, ignoring what is cached.
    pub refresh: bool,
    /// `--otp` / `MFA_CODE`.
    pub otp: Option<String>,
}

/// One execution of a chain. Holds what a miss needs, made on first use.
pub struct Execution {
    chain: Chain,
    options: Options,
    cache: Cache,
    keys: Vec<String>,
    network: Option<Network>,
}

struct Network {
    runtime: tokio::runtime::Runtime,
    sdk: SdkConfig,
}

impl Execution {
    pub fn new(chain: Chain, options: Options, env: &Env) -> Self {
        Execution {
            cache: Cache::locate(env),
            keys: cache::keys(&chain, env),
            chain,
            options,
            network: None,
        }
    }

    /// The credentials at the end of the chain.
    pub fn credentials(&mut self) -> Result<Credentials> {
        self.obtain(self.chain.steps.len())
    }

    /// GetCallerIdentity with `credentials`, for `--whoami`.
    pub fn whoami(&mut self, credentials: &Credentials) -> Result<sts::Identity> {
        let network = self.network()?;
        let client = network.sts(Some(credentials));
        network.runtime.block_on(sts::caller_identity(&client))
    }

    /// The cache key of the credentials at the end of the chain, if they are cached.
    pub fn last_key(&self) -> Option<&str> {
        let level = self.chain.steps.len();
        self.cacheable(level).then(|| self.keys[level].as_str())
    }

    fn cacheable(&self, level: usize) -> bool {
        level > 0 || matches!(self.chain.root, Root::WebIdentity { .. } | Root::Sso { .. })
    }

    /// For each level of the chain, when its cached entry expires, if it has a fresh one.
    pub fn cached(&self) -> Vec<Option<std::time::SystemTime>> {
        self.keys
            .iter()
            .map(|key| self.cache.fresh(key).and_then(|c| c.expiration))
            .collect()
    }

    /// STS's clock, for `runas diagnose`.
    pub fn server_time(&mut self) -> Result<std::time::SystemTime> {
        let network = self.network()?;
        let client = network.sts(None);
        network.runtime.block_on(sts::server_time(&client))
    }

    fn obtain(&mut self, level: usize) -> Result<Credentials> {
        if !self.cacheable(level) {
            return self.fetch_root();
        }
        let key = self.keys[level].clone();
        if !self.options.refresh
            && let Some(hit) = self.cache.fresh(&key)
        {
            debug!("cache hit: {}", self.describe(level));
            return Ok(hit);
        }
        let _lock = self.cache.lock(&key);
        // Another runas may have fetched it while this one waited for the lock.
        if !self.options.refresh
            && let Some(hit) = self.cache.fresh(&key)
        {
            debug!("cache hit after waiting: {}", self.describe(level));
            return Ok(hit);
        }
        let fetched = if level == 0 {
            self.fetch_root()?
        } else {
            let parent = self.obtain(level - 1)?;
            self.fetch_step(level, &parent)?
        };
        self.cache.store(&key, &self.describe(level), &fetched);
        if level == self.chain.steps.len() {
            // A miss already costs a network call; a sweep of the directory is small next to it.
            self.cache.prune();
        }
        Ok(fetched)
    }

    fn describe(&self, level: usize) -> String {
        self.chain.describe()[level].clone()
    }

    fn fetch_root(&mut self) -> Result<Credentials> {
        if let Root::AccessKey { credentials, .. } = &self.chain.root {
            return Ok(credentials.clone());
        }
        debug!("fetching {}", self.chain.root.describe());
        let network = Self::network_for(&mut self.network, &self.chain)?;
        match &self.chain.root {
            Root::AccessKey { credentials, .. } => Ok(credentials.clone()),
            Root::CredentialProcess { profile, command } => network
                .runtime
                .block_on(source::credential_process(profile, command)),
            Root::Sso {
                profile,
                session_name,
                region,
                start_url,
                account_id,
                role_name,
            } => network.runtime.block_on(source::sso(
                profile,
                session_name.as_deref(),
                region,
                start_url,
                account_id,
                role_name,
            )),
            Root::WebIdentity {
                profile,
                role_arn,
                token_file,
                session_name,
                duration,
            } => {
                let token =
                    std::fs::read_to_string(token_file).map_err(|e| Error::Credentials {
                        what: format!("profile `{profile}`"),
                        message: format!("cannot read web_identity_token_file {token_file}: {e}"),
                    })?;
                let client = network.sts(None);
                network.runtime.block_on(sts::web_identity(
                    &client,
                    role_arn,
                    session_name,
                    *duration,
                    token.trim(),
                ))
            }
            Root::Named { profile, source } => {
                network.runtime.block_on(source::named(profile, *source))
            }
        }
    }

    fn fetch_step(&mut self, level: usize, parent: &Credentials) -> Result<Credentials> {
        let chain = &self.chain;
        let step = &chain.steps[level - 1];
        let code = match step {
            Step::SessionToken { mfa: Some(m), .. } => {
                Some(mfa::code(m, self.options.otp.as_deref(), &chain.profile)?)
            }
            Step::AssumeRole(r) => match &r.mfa {
                Some(m) => Some(mfa::code(m, self.options.otp.as_deref(), &r.profile)?),
                None => None,
            },
            Step::SessionToken { mfa: None, .. } => None,
        };
        debug!("calling STS: {}", self.describe(level));
        let network = Self::network_for(&mut self.network, chain)?;
        let client = network.sts(Some(parent));
        match step {
            Step::SessionToken { duration, mfa } => {
                let mfa = mfa
                    .as_ref()
                    .zip(code.as_deref())
                    .map(|(m, c)| (m.serial.as_str(), c));
                network
                    .runtime
                    .block_on(sts::session_token(&client, *duration, mfa))
            }
            Step::AssumeRole(role) => {
                let mfa = role
                    .mfa
                    .as_ref()
                    .zip(code.as_deref())
                    .map(|(m, c)| (m.serial.as_str(), c));
                network
                    .runtime
                    .block_on(sts::assume_role(&client, role, mfa))
            }
        }
    }

    fn network(&mut self) -> Result<&Network> {
        Self::network_for(&mut self.network, &self.chain)
    }

    /// Made on the first miss; a warm run never gets here.
    fn network_for<'n>(network: &'n mut Option<Network>, chain: &Chain) -> Result<&'n Network> {
        if network.is_none() {
            *network = Some(Network::new(chain)?);
        }
        // Set just above when it was empty.
        network
            .as_ref()
            .ok_or_else(|| Error::Usage("no network".into()))
    }
}

impl Network {
    /// The SDK's own configuration loading, so `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_STS`,
    /// the profile's `endpoint_url` and its `services` section mean what they mean to every
    /// other AWS tool. Region and credentials are ours.
    fn new(chain: &Chain) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Usage(format!("cannot start the async runtime: {e}")))?;
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(chain.region.clone()))
            .no_credentials();
        if !chain.profile.starts_with("arn:") {
            loader = loader.profile_name(&chain.profile);
        }
        let sdk = runtime.block_on(loader.load());
        Ok(Network { runtime, sdk })
    }

    fn sts(&self, credentials: Option<&Credentials>) -> aws_sdk_sts::Client {
        let mut config = aws_sdk_sts::config::Builder::from(&self.sdk);
        if let Some(c) = credentials {
            config = config.credentials_provider(c.to_sdk());
        }
        aws_sdk_sts::Client::from_conf(config.build())
    }
}
