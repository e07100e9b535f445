//! Text from outside runas (config values, file names, client output) made safe for a
//! terminal: control characters would move the cursor, recolour or retitle the terminal,
//! or hide the rest of a message.

use std::fmt::Write;

/// `text` with every control character written as an escape (`\n`, `\u{1b}`).
pub fn escape(text: &str) -> String {
    escape_keeping(text, &[])
}

/// A whole message: its line breaks and tabs stay, other control characters are escaped.
pub fn escape_message(text: &str) -> String {
    escape_keeping(text, &['\n', '\t'])
}

fn escape_keeping(text: &str, kept: &[char]) -> String {
    if !text.chars().any(|c| c.is_control() && !kept.contains(&c)) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() && !kept.contains(&c) {
            let _ = write!(out, "{}", c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_line_breaks_kept_in_messages() {
        assert_eq!(escape("a\u{1b}[31mb\n"), "a\\u{1b}[31mb\\n");
        assert_eq!(escape_message("a\u{7}\nb\tc\r"), "a\\u{7}\nb\tc\\r");
        assert_eq!(escape("plain ü"), "plain ü");
    }
}
