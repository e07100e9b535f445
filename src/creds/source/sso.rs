//! `sso_*` keys: role credentials from IAM Identity Center, with the token that
//! `aws sso login` left in its cache. runas never logs in itself; an expired session says
//! which command renews it.

use super::{Credentials, provided};
use crate::error::Result;
use aws_config::provider_config::ProviderConfig;
use aws_config::sso::SsoCredentialsProvider;
use aws_types::region::Region;

/// One profile's SSO settings, borrowed from the plan.
pub struct Sso<'p> {
    pub session_name: Option<&'p str>,
    pub region: &'p str,
    pub start_url: &'p str,
    pub account_id: &'p str,
    pub role_name: &'p str,
}

impl Sso<'_> {
    pub async fn credentials(&self, profile: &str) -> Result<Credentials> {
        let region = Region::new(self.region.to_owned());
        let mut builder = SsoCredentialsProvider::builder()
            .configure(&ProviderConfig::default().with_region(Some(region.clone())))
            .region(region)
            .start_url(self.start_url)
            .account_id(self.account_id)
            .role_name(self.role_name);
        builder.set_session_name(self.session_name.map(str::to_owned));
        provided(
            builder.build(),
            &format!(
                "SSO credentials for profile `{profile}` (if the session expired, run \
                 `aws sso login --profile {profile}`)"
            ),
        )
        .await
    }
}
