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
pub(crate) struct Registrations {
    /// Registry host → profile name.
    #[serde(default)]
    pub registries: BTreeMap<String, String>,
}

/// `$XDG_CONFIG_HOME/runas/ecr-helper.json`, else `~/.config/runas/ecr-helper.json`; none
/// without either (never a `.config` in the working directory).
pub fn path(env: &Env) -> Option<PathBuf> {
    let var = |k: &str| env.get(k).ok().filter(|v| !v.is_empty());
    let dir = var(variables::XDG_CONFIG_HOME.name)
        .map(PathBuf::from)
        .or_else(|| var(variables::HOME.name).map(|h| Path::new(&h).join(".config")))?;
    Some(dir.join("runas").join(FILE))
}

const FILE: &str = "ecr-helper.json";
/// The file is a few lines per registry.
const LIMIT: u64 = 1 << 20;

impl Registrations {
    /// The file's registrations; none when it does not exist. It decides whose credentials
    /// a registry gets, so it is trusted as the cache is: a private file of this user's in a
    /// directory no one else can write, or an error that names it.
    pub fn load(path: &Path) -> Result<Self> {
        match read(path) {
            Ok(Some(bytes)) => Self::parse(path, &bytes),
            Ok(None) => Ok(Self::default()),
            Err(e) => Err(e),
        }
    }

    /// The registrations at `path`; none without a path (no home).
    pub fn at(path: Option<&Path>) -> Result<Self> {
        path.map_or_else(|| Ok(Self::default()), Self::load)
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
    pub(crate) fn update(path: &Path, change: impl FnOnce(&mut Self)) -> Result<Self> {
        let update = Update::begin(path).map_err(|e| Error::file(path, e))?;
        let mut registrations = match read(update.target())? {
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

/// The file's bytes if it is there and trusted; none if it is not there.
fn read(path: &Path) -> Result<Option<Vec<u8>>> {
    let untrusted = |why: String| {
        Error::file(
            path,
            format!(
                "not used: {why}; it decides which profile's credentials a registry gets, so it must be \
                 yours and private (chmod 600, in a directory only you can write), or removed"
            ),
        )
    };
    if let Some(why) = path.parent().and_then(crate::private_file::distrust_dir) {
        return Err(untrusted(format!("its directory: {why}")));
    }
    match crate::private_file::read_private(path, LIMIT) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(untrusted(e.to_string())),
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
            Some(PathBuf::from("/home/u/.config/runas/ecr-helper.json"))
        );
        let env = Env::from_slice(&[("HOME", "/home/u"), ("XDG_CONFIG_HOME", "/xdg")]);
        assert_eq!(
            path(&env),
            Some(PathBuf::from("/xdg/runas/ecr-helper.json"))
        );
        assert_eq!(path(&Env::from_slice(&[])), None, "never ./.config");

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
        // Others may read it, or write its directory: not used, and said.
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = Registrations::load(&file).unwrap_err().to_string();
        assert!(
            err.contains("mode 0644") && err.contains("ecr-helper.json"),
            "{err}"
        );
        assert!(Registrations::update(&file, |_| {}).is_err());
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let runas_dir = file.parent().unwrap();
        std::fs::set_permissions(runas_dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        let err = Registrations::load(&file).unwrap_err().to_string();
        assert!(err.contains("its directory"), "{err}");
        std::fs::set_permissions(runas_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::fs::write(&file, "{ nope").unwrap();
        assert!(Registrations::load(&file).is_err());
    }
}
