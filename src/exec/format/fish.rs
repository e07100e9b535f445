//! fish: `runas -O fish PROFILE | source`. fish has no `unset` and no `export NAME=value`
//! of the POSIX kind older versions understand, hence a format of its own.

use super::{Refusal, lines};
use crate::exec::Environment;

/// A word that stands for exactly `value`: inside fish's single quotes only `\\` and `\'`
/// are escapes, every other byte is itself.
pub fn quote(value: &str) -> Result<String, Refusal> {
    // fish keeps these code points for bytes that are not UTF-8 and reads them back as
    // such bytes: the value would not arrive as written.
    if value.chars().any(reserved) {
        return Err(Refusal(
            "holds a code point fish reserves for itself (U+F600..U+F6FF or U+FDD0..U+FDEF)",
        ));
    }
    Ok(format!(
        "'{}'",
        value.replace('\\', r"\\").replace('\'', r"\'")
    ))
}

fn reserved(c: char) -> bool {
    matches!(c, '\u{F600}'..='\u{F6FF}' | '\u{FDD0}'..='\u{FDEF}')
}

/// A `set -e NAME` line for each removed variable, then `set -gx NAME 'value'` lines. `set`
/// passes the status before it on, and `set -e` of a variable that is not there fails: `or
/// true` keeps that from becoming the status of the whole `| source`.
pub fn render(environment: &Environment) -> Result<String, (&'static str, Refusal)> {
    lines(
        environment,
        |name, value| Ok(format!("set -gx {name} {}", quote(value)?)),
        |name| format!("set -e {name}; or true"),
    )
}
