//! One module per subcommand: orchestration only, the rules live in the domain modules.
//!
//! Commands take plain structs, built from the command line by `cli`; nothing here knows
//! how the command line was parsed.

pub mod console;
pub mod diagnose;
pub mod ecr;
pub mod list;
pub mod run;
pub mod serve;
pub mod sso;

use crate::creds;
use crate::profile::chain::Request;

/// The subcommands, `help` last: a word in PROFILE's place that is one of them is the
/// subcommand (`runas -- NAME` runs a profile of that name). A test in `cli` keeps the list
/// equal to clap's.
pub(crate) const SUBCOMMANDS: [&str; 7] =
    ["ecr", "list", "diagnose", "console", "serve", "sso", "help"];

/// The subcommand a PROFILE word is likely a typo of (`runas diagnse prod`): one edit away
/// for short names, two for longer ones. Asked only once no such profile is found, so that
/// a warm run does not pay for the edit distances.
pub(crate) fn subcommand_typo(word: &str) -> Option<&'static str> {
    SUBCOMMANDS[..SUBCOMMANDS.len() - 1]
        .iter()
        .copied()
        .find(|name| {
            let distance = strsim::damerau_levenshtein(&word.to_lowercase(), name);
            distance > 0 && distance <= if name.len() <= 4 { 1 } else { 2 }
        })
}

/// What a command that needs credentials is asked: whose (a profile or a role ARN, with
/// the overrides of the command line) and how to get them (refresh, a given MFA code).
#[derive(Debug, Clone, Default)]
pub struct Ask {
    pub request: Request,
    pub options: creds::Options,
}

impl Ask {
    /// What the user typed for PROFILE: a profile's name or a role ARN.
    pub fn profile(&self) -> &str {
        self.request.target.name()
    }
}
