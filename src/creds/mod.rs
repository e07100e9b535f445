//! Executing a [`Chain`]: each step is looked up in the cache and fetched from STS only on
//! a miss, with the credentials of the step before it.
//!
//! The walk starts at the last step and goes towards the root only as far as it must, so a
//! warm run reads one cache file and builds nothing else: no async runtime, no SDK client,
//! no TLS. Those are made on the first miss.

pub mod cache;
mod fresh;
mod lock;
mod mfa;
mod process;
mod source;
pub mod sts;
mod trust;

pub use crate::credentials::{Credentials, remaining, rfc3339};
pub use fresh::Fresh;
pub use trust::read_own;

use crate::duration::limits;
use crate::error::{Error, Result};
use crate::log::{debug, warning};
use crate::profile::chain::{Chain, Mfa, RoleStep, Root, Step};
use crate::secret::Secret;
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
    /// The last code sent for each MFA device: STS accepts a code once, so a second step
    /// on the same device (or a later refresh in a long-lived process) needs the next one.
    spent: Vec<(String, Secret)>,
}

struct Network {
    runtime: tokio::runtime::Runtime,
    sdk: SdkConfig,
    /// For messages: `STS at URL` for a configured endpoint, else `STS in REGION`.
    endpoint: String,
}

impl Execution {
    pub fn new(chain: Chain, options: Options, env: &Env) -> Self {
        Execution {
            cache: Cache::locate(env),
            keys: cache::keys(&chain, env),
            chain,
            options,
            network: None,
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
                    || (!self.options.refresh && self.cache.fresh(&self.keys[level]).is_some())
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
                    self.chain.profile
                )));
            }
        }
        Ok(())
    }

    /// GetCallerIdentity with `credentials`, for `--whoami`.
    pub fn whoami(&mut self, credentials: &Credentials) -> Result<sts::Identity> {
        let network = self.network()?;
        let sts = network.sts(Some(credentials));
        network.runtime.block_on(sts::caller_identity(&sts))
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
        let sts = network.sts(None);
        network.runtime.block_on(sts::server_time(&sts))
    }

    fn obtain(&mut self, level: usize) -> Result<Credentials> {
        if !self.cacheable(level) {
            let root = self.fetch_root()?;
            return self.accept(level, root);
        }
        let key = self.keys[level].clone();
        if !self.options.refresh
            && let Some(hit) = self.cache.fresh(&key)
        {
            debug!("cache hit: {}", self.describe(level));
            return Ok(hit);
        }
        let _lock = self.cache.lock(&key, &self.describe(level))?;
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
        let fetched = self.accept(level, fetched)?;
        self.cache.store(&key, &self.describe(level), &fetched);
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
        self.chain.describe()[level].clone()
    }

    fn fetch_root(&mut self) -> Result<Credentials> {
        match &self.chain.root {
            Root::AccessKey { credentials, .. } => return Ok(credentials.clone()),
            Root::CredentialProcess { profile, command } => {
                return process::credentials(profile, command);
            }
            _ => {}
        }
        debug!("fetching {}", self.chain.root.describe());
        let network = Self::network_for(&mut self.network, &self.chain)?;
        match &self.chain.root {
            Root::AccessKey { credentials, .. } => Ok(credentials.clone()),
            Root::CredentialProcess { profile, command } => process::credentials(profile, command),
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
                let token = crate::private_file::read_regular(token_file.as_ref(), 1 << 20)
                    .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                    .map_err(|e| Error::Credentials {
                        what: format!("profile `{profile}`"),
                        message: format!("cannot read web_identity_token_file {token_file}: {e}"),
                    })?;
                let sts = network.sts(None);
                network.runtime.block_on(sts::web_identity(
                    &sts,
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
        let step = self.chain.steps[level - 1].clone();
        let code = match &step {
            Step::SessionToken { mfa: Some(m), .. } => {
                let profile = self.chain.profile.clone();
                Some(self.code(m, &profile)?)
            }
            Step::AssumeRole(r) => match &r.mfa {
                Some(m) => Some(self.code(m, &r.profile)?),
                None => None,
            },
            Step::SessionToken { mfa: None, .. } => None,
        };
        debug!("calling STS: {}", self.describe(level));
        let network = Self::network_for(&mut self.network, &self.chain)?;
        let sts = network.sts(Some(parent));
        let with_code = |m: &Option<Mfa>| m.clone().zip(code.clone());
        match &step {
            Step::SessionToken { duration, mfa: m } => {
                let mfa = with_code(m);
                let mfa = mfa.as_ref().map(|(m, c)| (m.serial.as_str(), c));
                network
                    .runtime
                    .block_on(sts::session_token(&sts, *duration, mfa))
            }
            Step::AssumeRole(role) => {
                let role = chained_cap(role, parent);
                let mfa = with_code(&role.mfa);
                let mfa = mfa.as_ref().map(|(m, c)| (m.serial.as_str(), c));
                network.runtime.block_on(sts::assume_role(&sts, &role, mfa))
            }
        }
    }

    /// A code for `device`, never the one this process already sent for it.
    fn code(&mut self, device: &Mfa, profile: &str) -> Result<Secret> {
        let spent = self
            .spent
            .iter()
            .find(|(serial, _)| *serial == device.serial)
            .map(|(_, code)| code.clone());
        let code = mfa::code(device, self.options.otp.as_deref(), profile, spent.as_ref())?;
        self.spent.retain(|(serial, _)| *serial != device.serial);
        self.spent.push((device.serial.clone(), code.clone()));
        Ok(code)
    }

    fn network(&mut self) -> Result<&Network> {
        Self::network_for(&mut self.network, &self.chain)
    }

    /// Made on the first miss; a warm run never gets here.
    fn network_for<'n>(network: &'n mut Option<Network>, chain: &Chain) -> Result<&'n Network> {
        if network.is_none() {
            *network = Some(Network::new(chain)?);
        }
        Ok(network.as_ref().expect("the network was set just above"))
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

impl Network {
    /// The SDK's own configuration loading, so `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_STS`,
    /// the profile's `endpoint_url` and its `services` section mean what they mean to every
    /// other AWS tool. Region and credentials are ours.
    fn new(chain: &Chain) -> Result<Self> {
        crate::endpoint_url::check(chain.sts_endpoint.as_deref().map(|e| (e, "endpoint_url")))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(chain.region.clone()))
            .timeout_config(crate::deadline::sdk_timeouts())
            .no_credentials();
        if let Some(profile) = chain.target.profile() {
            loader = loader.profile_name(profile);
        }
        let sdk = runtime.block_on(loader.load());
        let endpoint = match sdk.endpoint_url() {
            Some(url) => format!("STS at {}", crate::text::escape(url)),
            None => format!("STS in {}", chain.region),
        };
        Ok(Network {
            runtime,
            sdk,
            endpoint,
        })
    }

    fn sts(&self, credentials: Option<&Credentials>) -> sts::Sts {
        let mut config = aws_sdk_sts::config::Builder::from(&self.sdk);
        if let Some(c) = credentials {
            config = config.credentials_provider(c.to_sdk());
        }
        sts::Sts {
            client: aws_sdk_sts::Client::from_conf(config.build()),
            endpoint: self.endpoint.clone(),
        }
    }
}
