//! Writing a `[NAME]` section into the shared credentials file (`-c`), for tools that read
//! only that file. Everything else in the file — comments, order, other sections — is kept
//! byte for byte; the new file replaces the old by rename, with mode 0600. A section runas
//! wrote carries its [`MARK`]; one without it was written by someone else (long-term keys
//! of a user who named a profile `prod-runas`) and is never replaced.

use crate::credentials::{Credentials, rfc3339};
use crate::error::{Error, Result};
use crate::private_file::Update;
use std::path::Path;

/// The section `-c` writes for `profile`.
pub(crate) fn section_name(profile: &str) -> String {
    format!("{profile}-runas")
}

/// The first line of every section runas writes, and how it knows them again.
const MARK: &str = "# written by runas";

/// Replaces (or appends) section `name` of the file at `path` with `credentials`, under
/// a lock, through a symlink at `path`.
pub fn write(path: &Path, name: &str, credentials: &Credentials, profile: &str) -> Result<()> {
    check_name(name)?;
    check_values(name, credentials).map_err(|why| Error::file(path, why))?;
    let update =
        Update::begin(path).map_err(|e| Error::file(path, format!("cannot lock it: {e}")))?;
    let target = update.target().to_owned();
    let old = match update.read() {
        Ok(None) => String::new(),
        Ok(Some(bytes)) => String::from_utf8(bytes)
            .map_err(|_| Error::file(&target, "it is not UTF-8 text; fix or move it"))?,
        Err(e) => return Err(Error::file(&target, format!("cannot read it: {e}"))),
    };
    if old.ends_with('\r') {
        // The line break runas would add after it makes a CRLF, which the SDKs read as the
        // end of the line: the last value would lose its `\r`.
        return Err(Error::file(
            &target,
            "its last line ends in a carriage return with no line feed after it; end the file \
             with a newline (or remove the stray carriage return) and run again",
        ));
    }
    if let Some(why) = foreign(&old, name) {
        return Err(Error::file(&target, why));
    }
    let new = with_section(&old, name, &section_body(credentials, profile));
    update
        .commit(new.as_bytes())
        .map_err(|e| Error::file(&target, format!("cannot write it: {e}")))
}

/// Refuses, before any credentials are fetched, a file whose section `name` runas did not
/// write. (`write` checks again under the lock.) A file that cannot be read is left to
/// `write` to report.
pub(crate) fn check_ours(path: &Path, name: &str) -> Result<()> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(());
    };
    match foreign(&text, name) {
        Some(why) => Err(Error::file(path, why)),
        None => Ok(()),
    }
}

/// Why section `name` of `text` is not runas's to replace: it holds settings, and no line
/// of it is runas's mark.
fn foreign(text: &str, name: &str) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut i = 0;
    while i < lines.len() {
        let ours_to_check = header_name(lines[i]) == Some(name);
        i += 1;
        let start = i;
        while i < lines.len() && header_name(lines[i]).is_none() {
            i += 1;
        }
        if !ours_to_check {
            continue;
        }
        let body = &lines[start..i];
        let settings = body.iter().any(|l| {
            let l = l.trim();
            !l.is_empty() && !l.starts_with(['#', ';'])
        });
        if settings && !body.iter().any(|l| l.starts_with(MARK)) {
            return Some(format!(
                "its section [{name}] was not written by runas (it has no `{MARK}` line) and may \
                 hold keys of your own; rename or remove that section, then run -c again"
            ));
        }
    }
    None
}

/// A name the SDKs read back as the same section: anything else (`]`, a line break)
/// would break the file for every tool that reads it.
pub(crate) fn check_name(name: &str) -> Result<()> {
    if crate::profile::sections::valid_name(name) {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "cannot write section [{}] to the credentials file: the AWS SDKs read only names of {}",
            crate::text::escape(name),
            crate::profile::sections::ALLOWED
        )))
    }
}

/// Values the SDKs would read back differently are not written: blanks and control
/// characters, which they trim, cut at a comment, or read as more lines (another section,
/// even), and a comment character at the start.
pub(crate) fn check_values(name: &str, c: &Credentials) -> std::result::Result<(), String> {
    let values = [
        ("access key id", Some(c.access_key_id.as_str())),
        ("secret access key", Some(c.secret_access_key.expose())),
        (
            "session token",
            c.session_token.as_ref().map(|t| t.expose()),
        ),
        ("account id", c.account_id.as_deref()),
    ];
    let unreadable = |v: &str| {
        v.starts_with(['#', ';']) || v.chars().any(|ch| ch.is_whitespace() || ch.is_control())
    };
    match values.into_iter().find(|(_, v)| v.is_some_and(unreadable)) {
        Some((what, _)) => Err(format!(
            "cannot write section [{name}]: the {what} has blanks or control characters, or starts a comment, so the AWS SDKs would not read it back as written"
        )),
        None => Ok(()),
    }
}

pub(crate) fn section_body(c: &Credentials, profile: &str) -> String {
    // The comment must stay one line, whatever the profile's name holds.
    let profile: String = profile
        .chars()
        .map(|ch| if ch.is_control() { '?' } else { ch })
        .collect();
    let mut body = format!(
        "{MARK} for profile {profile}{}\n",
        c.expiration
            .map(|t| format!("; expires {}", rfc3339(t)))
            .unwrap_or_default()
    );
    body.push_str(&format!("aws_access_key_id = {}\n", c.access_key_id));
    body.push_str(&format!(
        "aws_secret_access_key = {}\n",
        c.secret_access_key.expose()
    ));
    if let Some(token) = &c.session_token {
        body.push_str(&format!("aws_session_token = {}\n", token.expose()));
    }
    if let Some(account) = &c.account_id {
        body.push_str(&format!("aws_account_id = {account}\n"));
    }
    body
}

/// The section name of a header line (`[name]`, `[ name ] ; comment`), if it is one, read
/// as the SDK reads it: `[` first on the line (an indented line continues a value), a
/// comment cut off, `]` last, blanks around the name dropped. A name with a space or tab
/// inside is `[prefix name]` to the SDK, never a profile of the credentials file.
fn header_name(line: &str) -> Option<&str> {
    let line = line
        .strip_suffix("\r\n")
        .or_else(|| line.strip_suffix('\n'))
        .unwrap_or(line);
    if !line.starts_with('[') {
        return None;
    }
    let line = line
        .find(['#', ';'])
        .map_or(line, |comment| &line[..comment]);
    let inner = line
        .trim_end_matches([' ', '\t'])
        .strip_prefix('[')?
        .strip_suffix(']')?
        .trim_matches([' ', '\t']);
    Some(if inner.contains([' ', '\t']) {
        inner
    } else {
        inner.trim()
    })
}

/// `text` with section `name` holding `body`. Comments and blank lines at the end of the
/// old section stay, since they usually introduce the next one; repeats of the section
/// are folded into the first.
fn with_section(text: &str, name: &str, body: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = String::with_capacity(text.len() + body.len() + 32);
    let mut replaced = false;
    let mut i = 0;
    while i < lines.len() {
        if header_name(lines[i]) != Some(name) {
            out.push_str(lines[i]);
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while end < lines.len() && header_name(lines[end]).is_none() {
            end += 1;
        }
        let mut keep_from = end;
        // An indented line is never kept: the SDKs read it as a continuation of the value
        // before it, even across blank and comment lines, and that value is now ours.
        while keep_from > start && {
            let line = lines[keep_from - 1];
            line.trim().is_empty() || line.starts_with('#') || line.starts_with(';')
        } {
            keep_from -= 1;
        }
        if !replaced {
            out.push_str(lines[i]);
            if !lines[i].ends_with('\n') {
                out.push('\n');
            }
            out.push_str(body);
            replaced = true;
        }
        for line in &lines[keep_from..end] {
            out.push_str(line);
        }
        i = end;
    }
    if !replaced {
        if !out.is_empty() {
            if !out.ends_with('\n') {
                out.push('\n');
            }
            out.push('\n');
        }
        out.push_str(&format!("[{name}]\n{body}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

    const BODY: &str = "k = v\n";

    #[test]
    fn appends_to_a_file_without_the_section() {
        assert_eq!(with_section("", "p-runas", BODY), "[p-runas]\nk = v\n");
        assert_eq!(
            with_section("# mine\n[default]\na = 1", "p-runas", BODY),
            "# mine\n[default]\na = 1\n\n[p-runas]\nk = v\n"
        );
    }

    #[test]
    fn replaces_only_the_section_and_keeps_what_introduces_the_next() {
        let before = "[default]\na = 1\n\n[ p-runas ] ; ours\nold = 1\nold2 = 2\n\n# the next one\n[other]\nb = 2\n";
        assert_eq!(
            with_section(before, "p-runas", BODY),
            "[default]\na = 1\n\n[ p-runas ] ; ours\nk = v\n\n# the next one\n[other]\nb = 2\n"
        );
    }

    #[test]
    fn an_indented_line_after_the_old_section_is_not_kept() {
        assert_eq!(
            with_section("[p]\nold = 1\n;\n\n   ;r\n", "p", "k = v\n"),
            "[p]\nk = v\n"
        );
        assert_eq!(
            with_section("[p]\nold = 1\n  more\n\n# next\n[q]\n", "p", "k = v\n"),
            "[p]\nk = v\n\n# next\n[q]\n"
        );
    }

    #[test]
    fn folds_repeated_sections_into_the_first() {
        let before = "[p-runas]\nold = 1\n[x]\ny = 1\n[p-runas]\nold = 2\n";
        assert_eq!(
            with_section(before, "p-runas", BODY),
            "[p-runas]\nk = v\n[x]\ny = 1\n"
        );
    }

    #[test]
    fn an_indented_header_continues_a_value_and_is_not_replaced() {
        // `  [p-runas]` is a continuation line to the SDKs, so writing the body under it
        // put the keys into [a].
        let before = "[a]\nx = 1\n  [p-runas]\n";
        assert_eq!(
            with_section(before, "p-runas", BODY),
            "[a]\nx = 1\n  [p-runas]\n\n[p-runas]\nk = v\n"
        );
    }

    #[test]
    fn a_bracket_inside_a_header_is_part_of_its_name() {
        // Found by fuzzing: `[p-runas]a]` is section `p-runas]a` to the SDKs (which drop
        // it), and the keys written under it were lost.
        assert_eq!(
            with_section("[p-runas]a]\nx = 1\n", "p-runas", BODY),
            "[p-runas]a]\nx = 1\n\n[p-runas]\nk = v\n"
        );
    }

    #[test]
    fn headers_are_read_as_the_sdk_reads_them() {
        assert_eq!(header_name("[p]\n"), Some("p"));
        assert_eq!(header_name("[ p ] ; comment\r\n"), Some("p"));
        assert_eq!(header_name("[\u{a0}p]"), Some("p"));
        assert_eq!(header_name(" [p]"), None);
        assert_eq!(header_name("[p]x]"), Some("p]x"));
        assert_eq!(header_name("[p;]"), None);
        // Found by fuzzing: a tab between other blanks makes it `[prefix name]`.
        assert_eq!(header_name("[p\u{b}\t\u{b}]"), Some("p\u{b}\t\u{b}"));
        assert_eq!(
            with_section("[p\u{b}\t\u{b}]\nx = 1\n", "p", BODY),
            "[p\u{b}\t\u{b}]\nx = 1\n\n[p]\nk = v\n"
        );
    }

    #[test]
    fn what_would_not_read_back_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        let creds = |secret: &str| Credentials {
            access_key_id: "ASIA1".into(),
            secret_access_key: secret.into(),
            session_token: None,
            expiration: None,
            account_id: None,
        };
        for name in ["p]x", "p x", "", "prod\n[default]"] {
            let err = write(&path, name, &creds("s"), "p").unwrap_err();
            assert!(err.to_string().contains("cannot write section"), "{err}");
        }
        for secret in ["s\n[default]", "s #x", " s", "s\r", ";", "#s"] {
            let err = write(&path, "p-runas", &creds(secret), "p").unwrap_err();
            assert!(err.to_string().contains("secret access key"), "{err}");
        }
        assert!(!path.exists());
        // A last line ending in a bare carriage return would change its value.
        fs::write(&path, "[a]\nx = v\r").unwrap();
        let err = write(&path, "p-runas", &creds("s"), "p").unwrap_err();
        assert!(err.to_string().contains("carriage return"), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "[a]\nx = v\r");
        fs::remove_file(&path).unwrap();
        // A profile's name only ever goes into a one-line comment.
        write(&path, "p-runas", &creds("s"), "p\n[default]").unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("[p-runas]\n# written by runas for profile p?[default]\n"),
            "{text}"
        );
    }

    #[test]
    fn only_sections_runas_wrote_are_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        let creds = Credentials {
            access_key_id: "ASIA1".into(),
            secret_access_key: "s".into(),
            session_token: Some("t".into()),
            expiration: None,
            account_id: None,
        };
        // A user's own long-term keys under the name runas would write.
        let mine = "[default]\na = 1\n[p-runas]\n# my MinIO keys\naws_access_key_id = minioadmin\naws_secret_access_key = minioadmin\n";
        fs::write(&path, mine).unwrap();
        let err = write(&path, "p-runas", &creds, "p")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("credentials: its section [p-runas] was not written by runas"),
            "{err}"
        );
        assert!(err.contains("rename or remove that section"), "{err}");
        assert!(check_ours(&path, "p-runas").is_err());
        assert_eq!(fs::read_to_string(&path).unwrap(), mine);
        // Also when the same name appears a second time, after one of runas's.
        let twice = "[p-runas]\n# written by runas for profile p\naws_access_key_id = A\n[p-runas]\nmine = 1\n";
        assert!(foreign(twice, "p-runas").is_some());
        // runas's own, an empty one, and a file without it are written.
        for old in [
            "[p-runas]\n# written by runas for profile p\naws_access_key_id = OLD\n",
            "[p-runas]\n; nothing\n\n",
            "[default]\na = 1\n",
            "",
        ] {
            fs::write(&path, old).unwrap();
            assert!(check_ours(&path, "p-runas").is_ok(), "{old}");
            write(&path, "p-runas", &creds, "p").unwrap();
            assert!(!fs::read_to_string(&path).unwrap().contains("OLD"));
        }
        // And written again over what it wrote.
        write(&path, "p-runas", &creds, "p").unwrap();
    }

    #[test]
    fn the_written_file_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        fs::write(&path, "[default]\na = 1\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let creds = Credentials {
            access_key_id: "ASIA1".into(),
            secret_access_key: "s".into(),
            session_token: Some("t".into()),
            expiration: None,
            account_id: None,
        };
        write(&path, "p-runas", &creds, "p").unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("[default]\na = 1\n\n[p-runas]\n# written by runas"),
            "{text}"
        );
        assert!(text.contains("aws_session_token = t\n"));
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}
