//! Amazon ECR, the domain: registry endpoints as users write them, authorization tokens
//! per region and their cache entries' format, the login back-ends (a client on stdin, or
//! the Docker config), the Docker credential-helper protocol's wire format, and which
//! profile owns which registry. It knows nothing of profiles or of how credentials are
//! made: the commands that use it (`commands::ecr`) bring them.

pub mod client;
pub mod credential_helper;
pub mod docker_config;
pub mod endpoint;
pub mod owners;
pub mod registrations;
pub mod token;
pub mod token_cache;
