//! Text from outside runas (config values, file names, client output) made safe for a
//! terminal: control characters would move the cursor, recolour or retitle the terminal,
//! or hide the rest of a message. A URL's user and password are a credential, and are
//! never shown.

use std::fmt::Write;

/// `text` with every control character written as an escape (`\n`, `\u{1b}`).
pub(crate) fn escape(text: &str) -> String {
    escape_keeping(text, &[])
}

/// A whole message: its line breaks and tabs stay, other control characters are escaped.
pub fn escape_message(text: &str) -> String {
    escape_keeping(text, &['\n', '\t'])
}

/// `text` with the user and password of every URL in it written as `***`:
/// `http://user:PASSWORD@host/` becomes `http://***@host/`. Whatever shows text from
/// outside (an endpoint URL, a proxy, an error that quotes either) shows it through here.
pub(crate) fn redact_userinfo(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("://") || !text.contains('@') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("://") {
        let (head, tail) = rest.split_at(start + 3);
        out.push_str(head);
        // The authority ends where a URL cannot go on, or where a message quotes it.
        let end = tail
            .find(|c: char| {
                matches!(c, '/' | '?' | '#' | '`' | '"' | '<' | '>' | '\\')
                    || c.is_whitespace()
                    || c.is_control()
            })
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str("***");
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

fn escape_keeping(text: &str, kept: &[char]) -> String {
    let text = &*redact_userinfo(text);
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
    fn the_userinfo_of_urls_is_never_shown() {
        assert_eq!(
            redact_userinfo("STS at http://user:PASSWORD@127.0.0.1:9/x?y (refused)"),
            "STS at http://***@127.0.0.1:9/x?y (refused)"
        );
        assert_eq!(
            escape("`https://a:b@c@h` and http://u:p%40q@h2 and mail@example.com"),
            "`https://***@h` and http://***@h2 and mail@example.com"
        );
        assert_eq!(
            escape_message("AWS_ENDPOINT_URL `http://u:PASSWORD@h` is\tnot\n"),
            "AWS_ENDPOINT_URL `http://***@h` is\tnot\n"
        );
        assert_eq!(
            redact_userinfo("http://127.0.0.1:4566"),
            "http://127.0.0.1:4566"
        );
        assert_eq!(redact_userinfo("x://"), "x://");
    }

    #[test]
    fn controls_are_escaped_and_line_breaks_kept_in_messages() {
        assert_eq!(escape("a\u{1b}[31mb\n"), "a\\u{1b}[31mb\\n");
        assert_eq!(escape_message("a\u{7}\nb\tc\r"), "a\\u{7}\nb\tc\\r");
        assert_eq!(escape("plain ü"), "plain ü");
    }
}
