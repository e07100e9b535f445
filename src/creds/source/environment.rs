//! `credential_source = Environment`: the `AWS_ACCESS_KEY_ID` family of the process that
//! runs runas, read as the SDK reads it.

use aws_config::environment::EnvironmentVariableCredentialsProvider;

pub fn provider() -> EnvironmentVariableCredentialsProvider {
    EnvironmentVariableCredentialsProvider::new()
}
