//! One module per subcommand: orchestration only, the rules live in the domain modules.

pub mod serve;
