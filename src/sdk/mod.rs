//! The one place runas meets the AWS SDK's configuration: an async runtime and an
//! `SdkConfig`, built together on first use and lent to every client (STS, ECR, IAM, the
//! SDK's own credential providers).
//!
//! Building them costs more than a warm run does in all, so a run that finds everything
//! cached never builds them, and a run that needs several services (an ECR login through
//! a role chain) builds them once.

mod failure;

pub(crate) use failure::{Failure, Service};

use crate::credentials::Credentials;
use crate::error::{Error, Result};
use aws_config::{BehaviorVersion, SdkConfig};
use aws_types::region::Region;
use std::cell::OnceCell;
use std::future::Future;

/// Where the configuration comes from. The SDK's own loading reads the variables and the
/// profile (`AWS_ENDPOINT_URL_*`, `endpoint_url`, the `services` section), so an endpoint
/// means what it means to every other AWS tool; region and credentials are runas's.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The region clients use unless they name their own.
    pub region: String,
    /// The profile whose `endpoint_url` and `services` apply; none for a bare role ARN.
    pub profile: Option<String>,
    /// The profile's `endpoint_url`, checked before the SDK sees it.
    pub endpoint_url: Option<String>,
}

/// The runtime and configuration, made on first use.
pub struct Network {
    settings: Settings,
    built: OnceCell<Built>,
}

struct Built {
    runtime: tokio::runtime::Runtime,
    sdk: SdkConfig,
}

impl Network {
    pub fn new(settings: Settings) -> Network {
        Network {
            settings,
            built: OnceCell::new(),
        }
    }

    /// Runs `future` to its end on the shared runtime.
    pub fn block_on<F: Future>(&self, future: F) -> Result<F::Output> {
        Ok(self.built()?.runtime.block_on(future))
    }

    /// The configuration every client starts from; it carries no credentials.
    pub fn config(&self) -> Result<&SdkConfig> {
        Ok(&self.built()?.sdk)
    }

    /// The region clients use unless they name their own.
    pub fn region(&self) -> &str {
        &self.settings.region
    }

    /// An STS client signing with `credentials` (none for unsigned calls).
    pub fn sts(&self, credentials: Option<&Credentials>) -> Result<(aws_sdk_sts::Client, Service)> {
        let sdk = self.config()?;
        let mut config = aws_sdk_sts::config::Builder::from(sdk);
        if let Some(c) = credentials {
            config = config.credentials_provider(c.to_sdk());
        }
        let service = Service::new("STS", sdk.endpoint_url(), &self.settings.region);
        Ok((aws_sdk_sts::Client::from_conf(config.build()), service))
    }

    fn built(&self) -> Result<&Built> {
        if let Some(built) = self.built.get() {
            return Ok(built);
        }
        let built = Built::new(&self.settings)?;
        Ok(self.built.get_or_init(|| built))
    }
}

impl Built {
    fn new(settings: &Settings) -> Result<Built> {
        crate::endpoint_url::check(settings.endpoint_url.as_deref())?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(settings.region.clone()))
            .timeout_config(crate::deadline::sdk_timeouts())
            .no_credentials();
        if let Some(profile) = &settings.profile {
            loader = loader.profile_name(profile);
        }
        let sdk = runtime.block_on(loader.load());
        Ok(Built { runtime, sdk })
    }
}
