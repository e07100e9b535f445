//! The credentials-file writer (`-c`), round trip through the SDK's own parser: whatever
//! the file held, a write either fails or leaves a file that the SDK reads with exactly the
//! written values in the section, and every other profile as it was. Nothing written can
//! add, change or remove another section.
//!
//! Input: `OLD FILE \0 SECTION \0 KEY ID \0 SECRET \0 TOKEN \0 PROFILE`; no TOKEN field means
//! long-term keys.
#![no_main]

use libfuzzer_sys::fuzz_target;
use runas::credentials::Credentials;
use runas::exec::credentials_file;
use runas::profile::{Files, Profiles};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, SystemTime};

/// Every profile of the credentials file at `path`, with the values of `keys`.
fn read(path: &Path, keys: &[String]) -> Option<BTreeMap<String, BTreeMap<String, String>>> {
    let profiles = Profiles::load(Files {
        config: path.with_file_name("no-config"),
        credentials: path.to_owned(),
    })
    .ok()?;
    let mut out = BTreeMap::new();
    for name in profiles.names() {
        let profile = profiles.get(name)?;
        let values = keys
            .iter()
            .filter_map(|k| profile.get(k).map(|v| (k.clone(), v.to_owned())))
            .collect();
        out.insert(name.to_owned(), values);
    }
    Some(out)
}

/// Every key the text may define, as the SDK names keys (lower case), and ours.
fn keys(text: &str) -> Vec<String> {
    let mut keys: Vec<String> = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, _)| k.trim_matches([' ', '\t']).to_ascii_lowercase())
        .collect();
    keys.extend(
        [
            "aws_access_key_id",
            "aws_secret_access_key",
            "aws_session_token",
        ]
        .map(String::from),
    );
    keys.sort();
    keys.dedup();
    keys
}

/// Profiles whose headers are spelled more than one way (`[b]` and `[b\r]`): the SDK
/// merges their sections in hash-map order, so their values differ from one read to the
/// next, whoever wrote the file.
fn ambiguous(text: &str) -> BTreeSet<String> {
    let mut spellings: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with('[')) {
        let line = line.find(['#', ';']).map_or(line, |i| &line[..i]);
        let Some(raw) = line
            .trim_matches([' ', '\t'])
            .strip_prefix('[')
            .and_then(|l| l.strip_suffix(']'))
        else {
            continue;
        };
        spellings
            .entry(raw.trim().to_owned())
            .or_default()
            .insert(raw);
    }
    spellings
        .into_iter()
        .filter(|(_, raw)| raw.len() > 1)
        .map(|(name, _)| name)
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut fields = text.split('\0');
    let old = fields.next().unwrap_or_default();
    let section = fields.next().unwrap_or("p-runas");
    let mut credentials = Credentials {
        access_key_id: fields.next().unwrap_or("ASIAEXAMPLE").to_owned(),
        secret_access_key: fields.next().unwrap_or("secret").into(),
        session_token: fields.next().map(Into::into),
        expiration: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)),
        account_id: None,
    };
    let profile = fields.next().unwrap_or("p");
    // After the older fields, so that the seeds keep their meaning; -c writes it too.
    credentials.account_id = fields.next().map(str::to_owned);

    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("credentials");
    std::fs::write(&path, old).expect("write the old file");
    let keys = keys(old);
    let before = read(&path, &keys);
    if credentials_file::write(&path, section, &credentials, profile).is_err() {
        assert_eq!(std::fs::read_to_string(&path).ok().as_deref(), Some(old));
        return;
    }
    let Some(mut before) = before else {
        // The file was not readable to the SDK before; nothing to compare with.
        return;
    };
    let new = std::fs::read_to_string(&path).expect("the written file");
    let mut after =
        read(&path, &keys).unwrap_or_else(|| panic!("unparsable after writing:\n{new}"));
    let written = after
        .remove(section)
        .unwrap_or_else(|| panic!("no [{section}] after writing:\n{new}"));
    let expected: BTreeMap<String, String> = [
        (
            "aws_access_key_id",
            Some(credentials.access_key_id.as_str()),
        ),
        (
            "aws_secret_access_key",
            Some(credentials.secret_access_key.expose()),
        ),
        (
            "aws_session_token",
            credentials.session_token.as_ref().map(|t| t.expose()),
        ),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned())))
    .collect();
    assert_eq!(written, expected, "[{section}] as written:\n{new}");
    before.remove(section);
    for name in ambiguous(old) {
        before.remove(&name);
        after.remove(&name);
    }
    assert_eq!(before, after, "other sections changed:\n{new}");
});
