//! Root sources the SDK already knows how to read: SSO (from the token cache `aws sso
//! login` writes), the environment, and the EC2 and ECS metadata endpoints; each within
//! the deadline.

use super::Credentials;
use crate::error::{Error, Result};
use crate::profile::chain::NamedSource;
use aws_config::provider_config::ProviderConfig;
use aws_credential_types::provider::ProvideCredentials;
use aws_types::region::Region;

pub async fn sso(
    profile: &str,
    session_name: Option<&str>,
    region: &str,
    start_url: &str,
    account_id: &str,
    role_name: &str,
) -> Result<Credentials> {
    let mut builder = aws_config::sso::SsoCredentialsProvider::builder()
        .configure(&ProviderConfig::default().with_region(Some(Region::new(region.to_owned()))))
        .region(Region::new(region.to_owned()))
        .start_url(start_url)
        .account_id(account_id)
        .role_name(role_name);
    builder.set_session_name(session_name.map(str::to_owned));
    fetch(
        builder.build(),
        &format!("SSO credentials for profile `{profile}` (if the session expired, run `aws sso login --profile {profile}`)"),
    )
    .await
}

pub async fn named(profile: &str, source: NamedSource) -> Result<Credentials> {
    let what = format!("credential_source {} of profile `{profile}`", source.name());
    match source {
        NamedSource::Environment => {
            fetch(
                aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
                &what,
            )
            .await
        }
        NamedSource::Ec2InstanceMetadata => {
            let provider = aws_config::imds::credentials::ImdsCredentialsProvider::builder()
                .configure(&ProviderConfig::default())
                .build();
            fetch(provider, &what).await
        }
        NamedSource::EcsContainer => {
            let provider = aws_config::ecs::EcsCredentialsProvider::builder()
                .configure(&ProviderConfig::default())
                .build();
            fetch(provider, &what).await
        }
    }
}

async fn fetch(provider: impl ProvideCredentials, what: &str) -> Result<Credentials> {
    let fetched = tokio::time::timeout(crate::deadline::timeout(), provider.provide_credentials())
        .await
        .map_err(|_| Error::Credentials {
            what: what.to_owned(),
            message: format!("no answer within {}", crate::deadline::describe()),
        })?;
    fetched
        .map(|c| Credentials::from_sdk(&c))
        .map_err(|e| Error::Credentials {
            what: what.to_owned(),
            message: crate::error::causes(&e),
        })
}
