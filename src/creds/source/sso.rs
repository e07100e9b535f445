//! `sso_*` keys: role credentials from IAM Identity Center, with the token the AWS CLI's
//! file holds (`crate::sso`): refreshed when it can be, and signed in anew only by a run
//! that has a terminal or was told it may (`sso_auto_login`, `RUNAS_SSO_AUTO_LOGIN=1`),
//! never by a thread that must not open a browser.

use super::Credentials;
use crate::error::{Error, Result};
use crate::profile::chain::SsoSession;
use crate::sdk::Network;
use crate::sso::{self, Method, Missing};
use std::io::IsTerminal;

/// One profile's SSO settings, borrowed from the plan.
pub struct Sso<'p> {
    pub profile: &'p str,
    pub session: &'p SsoSession,
    pub account_id: &'p str,
    pub role_name: &'p str,
    /// The profile's `sso_auto_login`.
    pub auto_login: bool,
}

impl Sso<'_> {
    pub fn credentials(&self, network: &Network) -> Result<Credentials> {
        let hint = format!("runas sso login --profile {}", self.profile);
        let missing = if self.may_sign_in() {
            Missing::SignIn(Method {
                device_code: false,
                no_browser: false,
            })
        } else {
            Missing::Fail { hint: &hint }
        };
        let token = sso::access_token(network, self.session, missing)?;
        sso::role_credentials(
            network,
            self.session,
            &token,
            self.account_id,
            self.role_name,
        )?
        .ok_or_else(|| Error::Credentials {
            what: format!("SSO credentials for profile `{}`", self.profile),
            message: format!(
                "the IAM Identity Center portal no longer accepts the sign-in of {}; run `{hint}`",
                sso::label(self.session)
            ),
        })
    }

    fn may_sign_in(&self) -> bool {
        let opted_in = self.auto_login
            || std::env::var(crate::variables::RUNAS_SSO_AUTO_LOGIN.name).is_ok_and(|v| v == "1");
        let terminal = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        sso::sign_in_allowed_here() && (opted_in || terminal)
    }
}
