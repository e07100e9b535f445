//! `credential_source = Ec2InstanceMetadata`: the instance role, through IMDSv2.

use aws_config::imds::credentials::ImdsCredentialsProvider;
use aws_config::provider_config::ProviderConfig;

pub fn provider() -> ImdsCredentialsProvider {
    ImdsCredentialsProvider::builder()
        .configure(&ProviderConfig::default())
        .build()
}
