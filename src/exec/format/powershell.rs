//! PowerShell: `runas -O powershell PROFILE | Invoke-Expression`.

use super::{Refusal, lines};
use crate::exec::Environment;

/// The characters PowerShell's tokenizer takes for a single quote: the ASCII one and the
/// typographic ones (left, right, low-9, high-reversed-9).
pub(crate) const SINGLE_QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

/// A verbatim string that stands for exactly `value`: inside single quotes nothing is
/// expanded, and a quote character is written twice. An empty value is refused: assigning
/// `''` to `$Env:NAME` removes the variable.
pub fn quote(value: &str) -> Result<String, Refusal> {
    if value.is_empty() {
        return Err(Refusal(
            "is empty, and PowerShell removes a variable set to ''",
        ));
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if SINGLE_QUOTES.contains(&c) {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    Ok(out)
}

/// `$Env:NAME = 'value'` lines, then a `Remove-Item` line for each removed variable.
pub fn render(environment: &Environment) -> Result<String, (&'static str, Refusal)> {
    lines(
        environment,
        |name, value| Ok(format!("$Env:{name} = {}", quote(value)?)),
        |name| format!("Remove-Item Env:{name} -ErrorAction SilentlyContinue"),
    )
}
