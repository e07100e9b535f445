//! Amazon ECR, the domain: registry endpoints as users write them, authorization tokens
//! per region, the login back-ends (a client on stdin, or the Docker config), the Docker
//! credential-helper protocol and which profile owns which registry. The commands that
//! use them are in `commands::ecr` and `commands::ecr_helper`.

pub mod client;
pub mod credential_helper;
pub mod docker_config;
pub mod endpoint;
pub mod owners;
pub mod registrations;
pub mod token;
pub mod token_cache;
