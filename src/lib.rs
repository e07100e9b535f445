//! runas as a library: the `runas` binary (and any other entry point, such as a Docker
//! credential helper or a fuzz target) is a thin shell around these modules.

pub mod cli;
pub mod credentials;
pub mod creds;
pub mod diagnose;
pub mod docs;
pub mod duration;
pub mod ecr;
pub mod error;
pub mod exec;
pub mod iam;
pub mod list;
pub mod log;
pub mod partition;
pub mod profile;
pub mod secret;
pub mod session;
pub mod warm;
pub mod wrapper;
