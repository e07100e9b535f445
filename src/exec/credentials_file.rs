//! Writing a `[NAME]` section into the shared credentials file (`-c`), for tools that read
//! only that file. Everything else in the file — comments, order, other sections — is kept
//! byte for byte; the new file replaces the old by rename, with mode 0600.

use crate::credentials::{Credentials, rfc3339};
use crate::error::{Error, Result};
use crate::private_file::Update;
use std::path::Path;

/// Replaces (or appends) section `name` of the file at `path` with `credentials`, under
/// a lock, through a symlink at `path`.
pub fn write(path: &Path, name: &str, credentials: &Credentials, profile: &str) -> Result<()> {
    check_name(name)?;
    let update =
        Update::begin(path).map_err(|e| Error::file(path, format!("cannot lock it: {e}")))?;
    let target = update.target().to_owned();
    let old = match update.read() {
        Ok(None) => String::new(),
        Ok(Some(bytes)) => String::from_utf8(bytes)
            .map_err(|_| Error::file(&target, "it is not UTF-8 text; fix or move it"))?,
        Err(e) => return Err(Error::file(&target, format!("cannot read it: {e}"))),
    };
    let new = with_section(&old, name, &section_body(credentials, profile));
    update
        .commit(new.as_bytes())
        .map_err(|e| Error::file(&target, format!("cannot write it: {e}")))
}

/// A name the SDKs read back as the same section: anything else (`]`, a line break)
/// would break the file for every tool that reads it.
pub fn check_name(name: &str) -> Result<()> {
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

fn section_body(c: &Credentials, profile: &str) -> String {
    let mut body = format!(
        "# written by runas for profile {profile}{}\n",
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
    body
}

/// The section name of a header line (`[name]`, `[ name ] ; comment`), if it is one.
fn header_name(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix('[')?;
    let end = rest.find(']')?;
    Some(rest[..end].trim())
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
        while keep_from > start && {
            let t = lines[keep_from - 1].trim();
            t.is_empty() || t.starts_with('#') || t.starts_with(';')
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
    fn folds_repeated_sections_into_the_first() {
        let before = "[p-runas]\nold = 1\n[x]\ny = 1\n[p-runas]\nold = 2\n";
        assert_eq!(
            with_section(before, "p-runas", BODY),
            "[p-runas]\nk = v\n[x]\ny = 1\n"
        );
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
