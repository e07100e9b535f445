//! What the SDK's parser leaves out without a word, found so runas can say so: files it
//! cannot read as text, and sections whose names it does not accept (`[profile my prod]`,
//! non-ASCII names), which it drops, so that the profile is then "not found". And what
//! other AWS tools read differently: a comment after a value.

use crate::error::{Error, Result};
use crate::text::escape;
use std::path::Path;

/// The characters of a profile name, in the SDKs' words.
pub(crate) const ALLOWED: &str = "ASCII letters, digits and _ - / . % @ : +";
/// A profile file larger than this is not a profile file.
pub(crate) const MAX_FILE: u64 = 16 << 20;

/// A name the SDKs accept for a profile (`[A-Za-z0-9_\-/.%@:+]+`).
pub(crate) fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c))
}

/// A section the SDK drops: where, and the name it would have had.
#[derive(Debug, Clone)]
pub struct Dropped {
    pub file: String,
    pub line: usize,
    pub name: String,
}

impl Dropped {
    pub fn describe(&self) -> String {
        format!(
            "{} line {}: the AWS SDKs ignore the section of profile `{}`: a profile name may contain only {}",
            self.file,
            self.line,
            escape(&self.name),
            ALLOWED
        )
    }
}

/// Sections of `text` that the SDK drops for their name. In the config file profiles are
/// `[profile NAME]` (and `[default]`); in the credentials file `[NAME]`.
pub fn dropped(text: &str, file: &Path, config: bool) -> Vec<Dropped> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(inner) = line
            .trim_start()
            .strip_prefix('[')
            .and_then(|rest| rest.split_once(']'))
            .map(|(inner, _)| inner.trim())
        else {
            continue;
        };
        let name = if config {
            match inner.split_once(char::is_whitespace) {
                Some(("profile", name)) => name.trim(),
                _ => continue,
            }
        } else {
            inner
        };
        if !valid_name(name) {
            found.push(Dropped {
                file: file.display().to_string(),
                line: i + 1,
                name: name.to_owned(),
            });
        }
    }
    found
}

/// A value followed by a comment on its line (`source_profile = me   # mine`). The Rust
/// SDK's parser, and so runas, ends the value at whitespace followed by `#` or `;`;
/// botocore reads the files with Python's `configparser` without inline comment prefixes,
/// so the AWS CLI and boto3 take the comment as part of the value.
#[derive(Debug, Clone)]
pub struct InlineComment {
    pub file: String,
    pub line: usize,
    pub key: String,
}

impl InlineComment {
    pub fn describe(&self) -> String {
        format!(
            "{} line {}: the value of `{}` is followed by a comment (` #` or ` ;`); runas leaves \
             the comment out, but botocore and the AWS CLI read it with the comment included: \
             put the comment on a line of its own",
            self.file,
            self.line,
            escape(&self.key)
        )
    }
}

/// Property lines of `text` whose value holds whitespace followed by `#` or `;`.
pub(crate) fn inline_comments(text: &str, file: &Path) -> Vec<InlineComment> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        // Indented lines continue a value or hold sub-properties; comment lines and
        // section headers hold no value.
        if line.starts_with(char::is_whitespace) || line.starts_with(['#', ';', '[']) {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let commented = value
            .char_indices()
            .any(|(at, c)| matches!(c, '#' | ';') && value[..at].ends_with(char::is_whitespace));
        if commented {
            found.push(InlineComment {
                file: file.display().to_string(),
                line: i + 1,
                key: key.trim().to_owned(),
            });
        }
    }
    found
}

/// The bytes of a profile file, if it exists: refused when it is not a regular file (a
/// FIFO would block, `/dev/zero` never end), larger than 16 MiB, or not UTF-8 (the SDK
/// would drop the whole file).
pub fn read(path: &Path) -> Result<Option<String>> {
    const ELSEWHERE: &str =
        ", or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at another file";
    const BOM: &[u8] = b"\xef\xbb\xbf";
    let fail = |message: String| Error::ProfileFile {
        detail: format!("{}: {message}", path.display()),
    };
    let bytes = match crate::private_file::read_regular(path, MAX_FILE) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::Other => {
            return Err(fail(format!("{e}, so not a profile file{ELSEWHERE}")));
        }
        Err(e) => {
            return Err(fail(format!(
                "cannot read it: {e}; check the path and its permissions{ELSEWHERE}"
            )));
        }
    };
    if bytes.starts_with(BOM) {
        return Err(fail(
            "it starts with a byte-order mark (the bytes EF BB BF some Windows editors put \
             before UTF-8), which the AWS SDKs read as part of the first line and refuse the \
             file; save it as UTF-8 without a BOM (in Notepad: UTF-8, not UTF-8 with BOM; or \
             sed -i '1s/^\\xEF\\xBB\\xBF//' FILE)"
                .to_owned(),
        ));
    }
    String::from_utf8(bytes).map(Some).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        fail(format!(
            "line {line} is not UTF-8 text, and the AWS SDKs ignore the whole file when one byte is not; save it as UTF-8"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_sdk_drops_are_found() {
        let text = "[default]\n[profile ok-1]\n[profile my prod]\n[profile zürich]\n[sso-session a b]\n[plain]\n";
        let found = dropped(text, Path::new("config"), true);
        let names: Vec<_> = found.iter().map(|d| (d.line, d.name.as_str())).collect();
        assert_eq!(names, [(3, "my prod"), (4, "zürich")]);
        let found = dropped("[ok]\n[not ok]\n", Path::new("credentials"), false);
        assert_eq!(found[0].line, 2);
        assert!(found[0].describe().contains("credentials line 2"));
    }

    /// The rule, from the two readers' sources: aws-runtime's `prepare_line` ends a property
    /// value at `#` or `;` preceded by whitespace (and only there: `a#b` is a value);
    /// botocore's `raw_config_parse` uses `configparser.RawConfigParser()`, whose
    /// `inline_comment_prefixes` is None, so the whole text after `=` is the value.
    #[test]
    fn comments_after_values_are_found_as_the_sdks_differ_on_them() {
        let text = "[profile a]\n\
                    source_profile = me   # inherits mfa_serial\n\
                    region = eu-west-1 ; mine\n\
                    role_arn = arn:aws:iam::123456789012:role/a#b\n\
                    # a comment line = fine\n\
                    ; another = fine\n\
                    s3 =\n  addressing_style = path # sub-property\n\
                    external_id = x\t#tab\n\
                    empty = # all comment\n";
        let found = inline_comments(text, Path::new("config"));
        let lines: Vec<_> = found.iter().map(|c| (c.line, c.key.as_str())).collect();
        assert_eq!(
            lines,
            [
                (2, "source_profile"),
                (3, "region"),
                (9, "external_id"),
                (10, "empty")
            ]
        );
        let text = found[0].describe();
        assert!(
            text.starts_with("config line 2: the value of `source_profile`"),
            "{text}"
        );
        assert!(text.contains("botocore and the AWS CLI read it with the comment included"));
        // The Rust SDK's reading, which runas uses: the comments are gone.
        let profiles = crate::profile::Profiles::from_text(&text_without_empty(), "").unwrap();
        let a = profiles.get("a").unwrap();
        assert_eq!(a.get("source_profile"), Some("me"));
        assert_eq!(a.get("region"), Some("eu-west-1"));
        assert_eq!(
            a.get("role_arn"),
            Some("arn:aws:iam::123456789012:role/a#b")
        );
    }

    fn text_without_empty() -> String {
        "[profile a]\nsource_profile = me   # inherits mfa_serial\nregion = eu-west-1 ; mine\n\
         role_arn = arn:aws:iam::123456789012:role/a#b\n"
            .to_owned()
    }

    #[test]
    fn files_that_are_not_profile_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(&path, b"[default]\nregion = x\n# caf\xe9\n").unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(err.contains("line 3 is not UTF-8"), "{err}");
        let err = read(Path::new("/dev/zero")).unwrap_err().to_string();
        assert!(
            err.contains("it is not a regular file, so not a profile file"),
            "{err}"
        );
        assert!(read(&dir.path().join("none")).unwrap().is_none());
        // A byte-order mark is named: the SDKs refuse the file for it.
        std::fs::write(&path, b"\xef\xbb\xbf[default]\nregion = x\n").unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(
            err.contains("config: it starts with a byte-order mark"),
            "{err}"
        );
        assert!(err.contains("without a BOM"), "{err}");
        // A file that cannot be read has no line to fix.
        let err = read(&path.join("below-a-file")).unwrap_err().to_string();
        assert!(err.contains("cannot read it: Not a directory"), "{err}");
        assert!(
            err.contains("check the path and its permissions, or point AWS_CONFIG_FILE"),
            "{err}"
        );
        assert!(!err.contains("line above"), "{err}");
    }
}
