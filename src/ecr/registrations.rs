//! Registries handed to a profile by `runas ecr login --helper PROFILE ENDPOINT...`, for
//! the credential helper to find when no profile's `ecr_registries` names them.
//!
//! One small JSON file in runas's own configuration directory (`$XDG_CONFIG_HOME/runas`,
//! else `~/.config/runas`): `{"registries": {"HOST": "PROFILE"}}`. It holds no secret, but
//! it decides whose credentials a registry gets, so the directory is 0700 and the file
//! 0600, written by rename under a lock.

use crate::error::{Error, Result};
use crate::private_file::Update;
use crate::variables;
use aws_types::os_shim_internal::Env;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Registrations {
    /// Registry host → profile name.
    #[serde(default)]
    pub registries: BTreeMap<String, String>,
}

/// `$XDG_CONFIG_HOME/runas/ecr-helper.json`, else `~/.config/runas/ecr-helper.json`.
pub fn path(env: &Env) -> PathBuf {
    let var = |k: &str| env.get(k).ok().filter(|v| !v.is_empty());
    var(variables::XDG_CONFIG_HOME.name)
        .map(PathBuf::from)
        .or_else(|| var(variables::HOME.name).map(|h| Path::new(&h).join(".config")))
        .unwrap_or_else(|| PathBuf::from(".config"))
        .join("runas")
        .join("ecr-helper.json")
}

impl Registrations {
    /// The file's registrations; none when it does not exist.
    pub fn load(path: &Path) -> Result<Self> {
        match crate::private_file::read_regular(path, 1 << 20) {
            Ok(bytes) => Self::parse(path, &bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(Error::file(path, e)),
        }
    }

    fn parse(path: &Path, bytes: &[u8]) -> Result<Self> {
        serde_json::from_slice(bytes).map_err(|e| {
            Error::file(
                path,
                format!("not a registrations file ({e}); fix or remove it"),
            )
        })
    }

    /// Loads the file, lets `change` edit it, and writes it back (0600, by rename, through
    /// a symlink), under a lock so that two runs do not lose each other's changes.
    pub fn update(path: &Path, change: impl FnOnce(&mut Self)) -> Result<Self> {
        let update = Update::begin(path).map_err(|e| Error::file(path, e))?;
        let mut registrations = match update.read().map_err(|e| Error::file(path, e))? {
            Some(bytes) => Self::parse(path, &bytes)?,
            None => Self::default(),
        };
        change(&mut registrations);
        let mut text =
            serde_json::to_string_pretty(&registrations).map_err(|e| Error::file(path, e))?;
        text.push('\n');
        update
            .commit(text.as_bytes())
            .map_err(|e| Error::file(path, e))?;
        Ok(registrations)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_follows_xdg_and_is_private() {
        let env = Env::from_slice(&[("HOME", "/home/u")]);
        assert_eq!(
            path(&env),
            PathBuf::from("/home/u/.config/runas/ecr-helper.json")
        );
        let env = Env::from_slice(&[("HOME", "/home/u"), ("XDG_CONFIG_HOME", "/xdg")]);
        assert_eq!(path(&env), PathBuf::from("/xdg/runas/ecr-helper.json"));

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config/runas/ecr-helper.json");
        assert!(Registrations::load(&file).unwrap().registries.is_empty());
        Registrations::update(&file, |r| {
            r.registries.insert("public.ecr.aws".into(), "prod".into());
        })
        .unwrap();
        let loaded = Registrations::load(&file).unwrap();
        assert_eq!(loaded.registries["public.ecr.aws"], "prod");
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(file.parent().unwrap()), 0o700);
        std::fs::write(&file, "{ nope").unwrap();
        assert!(Registrations::load(&file).is_err());
    }
}
