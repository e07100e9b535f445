//! `credential_source = EcsContainer`: the container's role, from the endpoint that
//! `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `_FULL_URI` names (runas's own `-S` endpoint
//! among them).

use aws_config::ecs::EcsCredentialsProvider;
use aws_config::provider_config::ProviderConfig;

pub fn provider() -> EcsCredentialsProvider {
    EcsCredentialsProvider::builder()
        .configure(&ProviderConfig::default())
        .build()
}
