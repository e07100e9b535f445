//! `web_identity_token_file`: AssumeRoleWithWebIdentity with a token another system (a
//! Kubernetes service account, a CI provider) writes and renews in a file.

use super::Credentials;
use crate::arn::RoleArn;
use crate::creds::sts::{self, Sts};
use crate::error::{Error, Result};
use crate::sdk::Network;
use std::time::Duration;

/// Tokens are a few kilobytes; a larger file is not one.
const MAX_TOKEN: u64 = 1 << 20;

/// One profile's web identity settings, borrowed from the plan.
pub struct WebIdentity<'p> {
    pub role_arn: &'p RoleArn,
    pub token_file: &'p str,
    pub session_name: &'p str,
    pub duration: Duration,
}

impl WebIdentity<'_> {
    pub fn credentials(&self, profile: &str, network: &Network) -> Result<Credentials> {
        let token = crate::private_file::read_regular(self.token_file.as_ref(), MAX_TOKEN)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .map_err(|e| Error::Credentials {
                what: format!("profile `{profile}`"),
                message: format!(
                    "cannot read web_identity_token_file {}: {e}",
                    self.token_file
                ),
            })?;
        let sts = Sts::new(network, None)?;
        network.block_on(sts::web_identity(
            &sts,
            self.role_arn,
            self.session_name,
            self.duration,
            token.trim(),
        ))?
    }
}
