//! Docker's `config.json`, edited in place: `--write-config` merges a login entry into
//! `auths`; `--helper` routes registries to `docker-credential-runas` in `credHelpers`.
//!
//! Every other key stays as it was (in its order); the file is replaced by rename with
//! mode 0600, and a symlinked config (dotfile managers) is written where it points, the
//! link kept. When a credential helper would answer for the host instead of the `auths`
//! entry, writing the entry would do nothing, so that is an error.

use serde_json::{Map, Value};
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
pub fn path(docker_config_dir: Option<PathBuf>) -> PathBuf {
    docker_config_dir
        .unwrap_or_else(|| {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_default()
                .join(".docker")
        })
        .join("config.json")
}

pub fn store(path: &Path, host: &str, auth: &str) -> Result<(), String> {
    let mut config = load(path)?;
    if let Some(helper) = config
        .get("credHelpers")
        .and_then(|h| h.get(host))
        .and_then(Value::as_str)
    {
        return Err(format!(
            "credHelpers in {} sends {host} to docker-credential-{helper}, which would shadow an auths entry; \
             remove that entry, or log in through the client (--client docker)",
            path.display()
        ));
    }
    if let Some(store) = config
        .get("credsStore")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        return Err(format!(
            "credsStore in {} sends every login to docker-credential-{store}, which would shadow an auths entry; \
             log in through the client (--client docker) instead",
            path.display()
        ));
    }
    let auths = config
        .entry("auths")
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(auths) = auths else {
        return Err(format!("`auths` in {} is not an object", path.display()));
    };
    auths.insert(host.to_owned(), serde_json::json!({ "auth": auth }));
    save(path, &config)
}

pub fn remove(path: &Path, host: &str) -> Result<(), String> {
    let mut config = load(path)?;
    let removed = config
        .get_mut("auths")
        .and_then(Value::as_object_mut)
        .and_then(|auths| auths.shift_remove(host))
        .is_some();
    if removed {
        save(path, &config)
    } else {
        Err(format!("{} has no login for {host}", path.display()))
    }
}

/// Sends `hosts` to `docker-credential-{helper}` and removes any password stored for
/// them in `auths`. Returns the hosts whose stored password went.
pub fn route(path: &Path, hosts: &[String], helper: &str) -> Result<Vec<String>, String> {
    let mut config = load(path)?;
    let helpers = object(&mut config, "credHelpers", path)?;
    for host in hosts {
        helpers.insert(host.clone(), Value::String(helper.to_owned()));
    }
    let removed = forget_auths(&mut config, hosts);
    save(path, &config)?;
    Ok(removed)
}

/// Removes the `credHelpers` entries of `hosts` that name `helper` (and only those: an
/// entry for another helper is someone else's). Returns the hosts removed.
pub fn unroute(path: &Path, hosts: &[String], helper: &str) -> Result<Vec<String>, String> {
    let mut config = load(path)?;
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
        save(path, &config)?;
    }
    Ok(removed)
}

/// The hosts `credHelpers` sends to `helper`.
pub fn routed(path: &Path, helper: &str) -> Result<Vec<String>, String> {
    let config = load(path)?;
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

fn object<'c>(
    config: &'c mut Map<String, Value>,
    key: &str,
    path: &Path,
) -> Result<&'c mut Map<String, Value>, String> {
    match config
        .entry(key)
        .or_insert_with(|| Value::Object(Map::new()))
    {
        Value::Object(map) => Ok(map),
        _ => Err(format!("`{key}` in {} is not an object", path.display())),
    }
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

fn load(path: &Path) -> Result<Map<String, Value>, String> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Map::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(format!(
            "{} is not a JSON object; fix or move it",
            path.display()
        )),
        Err(e) => Err(format!(
            "{} is not valid JSON ({e}); fix or move it",
            path.display()
        )),
    }
}

/// Where a write to `path` must go: the end of its chain of symlinks, so that renaming
/// onto it replaces the file and keeps the links.
fn target(path: &Path) -> Result<PathBuf, String> {
    let mut current = path.to_owned();
    for _ in 0..40 {
        match fs::read_link(&current) {
            Ok(link) => {
                let base = current.parent().unwrap_or(Path::new("."));
                current = base.join(link);
            }
            Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => return Ok(current),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(format!("cannot read {}: {e}", current.display())),
        }
    }
    Err(format!(
        "{}: too many levels of symbolic links",
        path.display()
    ))
}

fn save(path: &Path, config: &Map<String, Value>) -> Result<(), String> {
    let path = &target(path)?;
    let fail = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let dir = path.parent().unwrap_or(Path::new("."));
    if !dir.exists() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(fail)?;
    }
    let mut text = serde_json::to_string_pretty(config).map_err(|e| e.to_string())?;
    text.push('\n');
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    file.write_all(text.as_bytes()).map_err(fail)?;
    file.as_file()
        .set_permissions(fs::Permissions::from_mode(0o600))
        .map_err(fail)?;
    file.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
