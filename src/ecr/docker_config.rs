//! Docker's `config.json`, edited in place: `--write-config` merges a login entry into
//! `auths`; `--helper` sends registries to `docker-credential-runas` in `credHelpers`.
//!
//! Every other key stays as it was (in its order); the file is replaced by rename with
//! mode 0600, under a lock so that parallel logins keep each other's entries. When a
//! credential helper would answer for the host instead of the `auths` entry, writing the
//! entry would do nothing, so that is an error.

use crate::private_file::Update;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`; none without either.
pub fn path(docker_config_dir: Option<PathBuf>) -> Option<PathBuf> {
    let dir = docker_config_dir.or_else(|| {
        std::env::var_os(crate::variables::HOME.name)
            .filter(|h| !h.is_empty())
            .map(|h| PathBuf::from(h).join(".docker"))
    })?;
    Some(dir.join("config.json"))
}

/// Whether runas may write `path`: its directory, and that of the file its symlinks lead
/// to, must be this user's and writable by no one else. In a directory another user owns
/// or can write (a shared `DOCKER_CONFIG=/tmp/docker`, say), that user could swap
/// `config.json` for a link, or read the logins written there.
pub(crate) fn check_dir(path: &Path) -> Result<(), String> {
    let target = crate::private_file::target(path).unwrap_or_else(|_| path.to_owned());
    for file in [path, target.as_path()] {
        let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) else {
            continue;
        };
        if let Some(why) = crate::private_file::distrust_dir(dir) {
            return Err(format!(
                "not written: its directory {} is not to be trusted ({why}); use a directory of your own (DOCKER_CONFIG)",
                dir.display()
            ));
        }
    }
    Ok(())
}

/// Adds (or replaces) the login for `host`, under a lock, through a symlinked file.
pub fn store(path: &Path, host: &str, auth: &str) -> Result<(), String> {
    let (update, mut config) = begin(path)?;
    let shown = update.target().display().to_string();
    if let Some(helper) = config
        .get("credHelpers")
        .and_then(|h| h.get(host))
        .and_then(Value::as_str)
    {
        return Err(format!(
            "credHelpers in {shown} sends {host} to docker-credential-{helper}, which would shadow an auths entry; \
             remove that entry, or log in through the client (--client docker)"
        ));
    }
    if let Some(store) = config
        .get("credsStore")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        return Err(format!(
            "credsStore in {shown} sends every login to docker-credential-{store}, which would shadow an auths entry; \
             log in through the client (--client docker) instead"
        ));
    }
    let auths = config
        .entry("auths")
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(auths) = auths else {
        return Err(format!("`auths` in {shown} is not an object"));
    };
    auths.insert(host.to_owned(), serde_json::json!({ "auth": auth }));
    save(update, &config)
}

pub fn remove(path: &Path, host: &str) -> Result<(), String> {
    let (update, mut config) = begin(path)?;
    let removed = config
        .get_mut("auths")
        .and_then(Value::as_object_mut)
        .and_then(|auths| auths.shift_remove(host))
        .is_some();
    if removed {
        save(update, &config)
    } else {
        Err(format!(
            "{} has no login for {host}",
            update.target().display()
        ))
    }
}

/// Sends `hosts` to `docker-credential-{helper}` and removes any password stored for
/// them in `auths`. Returns the hosts whose stored password went.
pub(crate) fn route(path: &Path, hosts: &[String], helper: &str) -> Result<Vec<String>, String> {
    let (update, mut config) = begin(path)?;
    let shown = update.target().display().to_string();
    let helpers = match config
        .entry("credHelpers")
        .or_insert_with(|| Value::Object(Map::new()))
    {
        Value::Object(map) => map,
        _ => return Err(format!("`credHelpers` in {shown} is not an object")),
    };
    for host in hosts {
        helpers.insert(host.clone(), Value::String(helper.to_owned()));
    }
    let removed = forget_auths(&mut config, hosts);
    save(update, &config)?;
    Ok(removed)
}

/// Removes the `credHelpers` entries of `hosts` that name `helper` (and only those: an
/// entry for another helper is someone else's). Returns the hosts removed.
pub(crate) fn unroute(path: &Path, hosts: &[String], helper: &str) -> Result<Vec<String>, String> {
    let (update, mut config) = begin(path)?;
    let Some(helpers) = config.get_mut("credHelpers").and_then(Value::as_object_mut) else {
        return Ok(vec![]);
    };
    let mut removed = vec![];
    for host in hosts {
        if helpers.get(host).and_then(Value::as_str) == Some(helper) {
            helpers.shift_remove(host);
            removed.push(host.clone());
        }
    }
    if !removed.is_empty() {
        save(update, &config)?;
    }
    Ok(removed)
}

/// The hosts `credHelpers` sends to `helper`.
pub(crate) fn routed(path: &Path, helper: &str) -> Result<Vec<String>, String> {
    let (_, config) = begin(path)?;
    Ok(config
        .get("credHelpers")
        .and_then(Value::as_object)
        .map(|helpers| {
            helpers
                .iter()
                .filter(|(_, v)| v.as_str() == Some(helper))
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default())
}

/// Drops the `auths` entries of `hosts`, keyed as Docker keys them or with `https://`.
fn forget_auths(config: &mut Map<String, Value>, hosts: &[String]) -> Vec<String> {
    let Some(auths) = config.get_mut("auths").and_then(Value::as_object_mut) else {
        return vec![];
    };
    let mut removed = vec![];
    for host in hosts {
        for key in [host.clone(), format!("https://{host}")] {
            if auths.shift_remove(&key).is_some() && !removed.contains(host) {
                removed.push(host.clone());
            }
        }
    }
    removed
}

/// The file locked for update, and what it holds now.
fn begin(path: &Path) -> Result<(Update, Map<String, Value>), String> {
    check_dir(path)?;
    let update = Update::begin(path).map_err(|e| format!("cannot lock {}: {e}", path.display()))?;
    let shown = update.target().display().to_string();
    let bytes = match update.read() {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok((update, Map::new())),
        Err(e) => return Err(format!("cannot read {shown}: {e}")),
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok((update, Map::new()));
    }
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok((update, map)),
        Ok(_) => Err(format!("{shown} is not a JSON object; fix or move it")),
        Err(e) => Err(format!("{shown} is not valid JSON ({e}); fix or move it")),
    }
}

fn save(update: Update, config: &Map<String, Value>) -> Result<(), String> {
    let shown = update.target().display().to_string();
    let mut text = serde_json::to_string_pretty(config).map_err(|e| e.to_string())?;
    text.push('\n');
    update
        .commit(text.as_bytes())
        .map_err(|e| format!("cannot write {shown}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_others_can_write_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let shared = dir.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
        let path = shared.join("config.json");
        let err = store(&path, "public.ecr.aws", "QVdTOnB3").unwrap_err();
        assert!(
            err.contains("lets other users write") && err.contains("not written"),
            "{err}"
        );
        assert!(!path.exists());
        // A link from a private directory into the shared one is refused too.
        let own = dir.path().join("own");
        std::fs::create_dir(&own).unwrap();
        std::os::unix::fs::symlink(&path, own.join("config.json")).unwrap();
        assert!(check_dir(&own.join("config.json")).is_err());
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o700)).unwrap();
        assert!(check_dir(&own.join("config.json")).is_ok());
    }
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn routing_to_a_helper_drops_stored_passwords_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("dotfiles").join("config.json");
        fs::create_dir_all(real.parent().unwrap()).unwrap();
        let host = "123456789012.dkr.ecr.us-east-1.amazonaws.com".to_owned();
        fs::write(
            &real,
            format!(
                r#"{{"auths": {{"{host}": {{"auth": "QVdTOnB3"}}, "https://{host}": {{"auth": "QVdTOnB3"}}, "other.example": {{"auth": "eDp5"}}}},
                "credHelpers": {{"gcr.io": "gcloud"}}, "psFormat": "x"}}"#
            ),
        )
        .unwrap();
        let link = dir.path().join("config.json");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let removed = route(&link, std::slice::from_ref(&host), "runas").unwrap();
        assert_eq!(removed, std::slice::from_ref(&host));
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink(),
            "link kept"
        );
        let text = fs::read_to_string(&real).unwrap();
        assert!(!text.contains("QVdTOnB3"), "{text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["credHelpers"][&host], "runas");
        assert_eq!(v["credHelpers"]["gcr.io"], "gcloud");
        assert_eq!(v["auths"]["other.example"]["auth"], "eDp5");
        assert_eq!(v["psFormat"], "x");
        assert_eq!(
            fs::metadata(&real).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(routed(&link, "runas").unwrap(), std::slice::from_ref(&host));

        let others = ["gcr.io".to_owned(), host.clone()];
        assert_eq!(
            unroute(&link, &others, "runas").unwrap(),
            std::slice::from_ref(&host)
        );
        let v: Value = serde_json::from_str(&fs::read_to_string(&real).unwrap()).unwrap();
        assert_eq!(
            v["credHelpers"]["gcr.io"], "gcloud",
            "another helper's entry stays"
        );
        assert!(v["credHelpers"].get(&host).is_none());
    }

    #[test]
    fn merges_and_keeps_every_other_key_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        fs::write(
            &path,
            r#"{"zeta": 1, "auths": {"other.example": {"auth": "b3RoZXI="}}, "alpha": {"x": [1, 2]}}"#,
        )
        .unwrap();
        store(
            &path,
            "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            "QVdTOnB3",
        )
        .unwrap();
        let text = fs::read_to_string(&path).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            v["auths"]["123456789012.dkr.ecr.us-east-1.amazonaws.com"]["auth"],
            "QVdTOnB3"
        );
        assert_eq!(v["auths"]["other.example"]["auth"], "b3RoZXI=");
        assert_eq!(v["alpha"]["x"][1], 2);
        assert!(
            text.find("zeta").unwrap() < text.find("alpha").unwrap(),
            "order kept: {text}"
        );
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );

        remove(&path, "123456789012.dkr.ecr.us-east-1.amazonaws.com").unwrap();
        let v: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        assert!(
            v["auths"]
                .get("123456789012.dkr.ecr.us-east-1.amazonaws.com")
                .is_none()
        );
        assert!(
            remove(&path, "123456789012.dkr.ecr.us-east-1.amazonaws.com")
                .unwrap_err()
                .contains("has no login")
        );
    }

    #[test]
    fn helpers_that_would_shadow_the_entry_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        let host = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
        let original = format!(r#"{{"credHelpers": {{"{host}": "ecr-login"}}}}"#);
        fs::write(&path, &original).unwrap();
        assert!(
            store(&path, host, "x")
                .unwrap_err()
                .contains("docker-credential-ecr-login")
        );
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            original,
            "nothing written"
        );
        fs::write(&path, r#"{"credsStore": "desktop"}"#).unwrap();
        assert!(store(&path, host, "x").unwrap_err().contains("credsStore"));
        fs::write(&path, "{ broken").unwrap();
        assert!(
            store(&path, host, "x")
                .unwrap_err()
                .contains("not valid JSON")
        );
    }

    #[test]
    fn a_missing_file_and_directory_are_created_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new").join("config.json");
        store(&path, "public.ecr.aws", "QVdTOnB3").unwrap();
        assert_eq!(
            fs::metadata(path.parent().unwrap())
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o700
        );
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}
