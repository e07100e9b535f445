//! cmd.exe: `set "NAME=value"` lines, for a batch file or `FOR /F`. cmd has no quoting that
//! survives every character, so a value it would change is refused, not mangled.

use super::{Refusal, lines};
use crate::exec::Environment;

/// `"NAME=value"` for `set`: inside the quotes `&`, `|`, `<`, `>` and blanks are plain, but
/// a `"` ends them, `%` (and `!` with delayed expansion) expands a variable, `^` escapes
/// under delayed expansion, a line break ends the command, and an empty value removes the
/// variable.
pub fn quote(name: &str, value: &str) -> Result<String, Refusal> {
    if value.contains(['"', '%', '!', '^', '\r', '\n', '\0']) {
        return Err(Refusal(
            "holds one of \" % ! ^ or a line break, which cmd would change",
        ));
    }
    if value.is_empty() {
        return Err(Refusal(
            "is empty, and `set \"NAME=\"` removes the variable",
        ));
    }
    Ok(format!("\"{name}={value}\""))
}

/// `set "NAME=value"` lines, then a `set NAME=` line for each removed variable.
pub fn render(environment: &Environment) -> Result<String, (&'static str, Refusal)> {
    lines(
        environment,
        |name, value| Ok(format!("set {}", quote(name, value)?)),
        |name| format!("set {name}="),
    )
}
