//! `env $(runas -O env-no-export PROFILE) COMMAND` (fish: `env (runas …) COMMAND`): words that the shell splits out of an
//! unquoted command substitution, for `env` to read. Nothing quotes there (the shell
//! removes no quotes it did not write), so a value the splitting or globbing would change
//! (a blank, a line break, `*`, `?`, `[`) is refused; `-O env` or `-O dotenv` carry those.

use super::{Refusal, lines};
use crate::exec::Environment;

/// The word `NAME=value`, if the shell leaves it whole.
pub fn word(name: &str, value: &str) -> Result<String, Refusal> {
    if value
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '*' | '?' | '['))
    {
        return Err(Refusal(
            "holds a blank, a control character or one of * ? [, which the shell would split or expand",
        ));
    }
    Ok(format!("{name}={value}"))
}

/// `-uNAME` for each removed variable (env's options come before its assignments; GNU,
/// BSD and busybox env have it; one word, for fish splits only at line breaks), then
/// `NAME=value` for each set one, one per line.
pub fn render(environment: &Environment) -> Result<String, (&'static str, Refusal)> {
    lines(environment, word, |name| format!("-u{name}"))
}
