//! One module per subcommand: orchestration only, the rules live in the domain modules.

pub mod diagnose;
pub mod ecr;
pub mod ecr_helper;
pub mod list;
pub mod run;
pub mod serve;
