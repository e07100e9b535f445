//! POSIX shells (sh, bash, dash, zsh, busybox sh): `eval "$(runas PROFILE)"`.

use crate::exec::Environment;

/// A word that stands for exactly `value`: single quotes keep every byte but `'`, which
/// closes them, is written `'\''`.
pub fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// `export NAME='value'` lines, then one `unset` line.
pub fn render(environment: &Environment) -> String {
    let mut out = String::new();
    for (name, value) in &environment.set {
        out.push_str(&format!("export {name}={}\n", quote(value)));
    }
    if !environment.unset.is_empty() {
        out.push_str(&format!("unset {}\n", environment.unset.join(" ")));
    }
    out
}
