//! runas as a library: the `runas` binary (and any other entry point, such as a Docker
//! credential helper or a fuzz target) is a thin shell around these modules.

pub mod argv;
pub mod arn;
pub mod browser;
pub mod cli;
pub mod commands;
pub mod console;
pub mod credentials;
pub mod creds;
pub mod deadline;
pub mod docs;
pub mod duration;
pub mod ecr;
pub mod endpoint_url;
pub mod error;
pub mod exec;
pub mod iam;
pub mod log;
pub mod output;
pub mod partition;
pub mod private_file;
pub mod profile;
pub mod program;
pub mod sdk;
pub mod secret;
pub mod serve;
pub mod session;
pub mod single_flight;
pub mod sso;
pub mod start;
pub mod text;
pub mod variables;
