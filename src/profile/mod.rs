//! The AWS profile files: where they are, what they say, and what a profile resolves to.
//!
//! Parsing is the SDK's own (`aws_config::profile::load`), so `runas` reads the files exactly
//! as the AWS SDKs do: comments, continuation lines, sub-properties, `[profile x]` against
//! `[x]`, duplicate sections, case. Nothing in this module touches the network.

pub mod chain;
pub mod key;
pub mod resolve;
pub mod root;
pub mod sections;
mod walk;

pub(crate) use walk::sso_session;

use crate::error::{Error, Result};
use crate::variables;
use aws_config::profile::{Profile, ProfileSet};
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_types::os_shim_internal::{Env, Fs};
use std::path::{Path, PathBuf};

/// The two files, after `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE` and `~` expansion.
#[derive(Debug, Clone)]
pub struct Files {
    pub config: PathBuf,
    pub credentials: PathBuf,
}

impl Files {
    /// Without HOME a `~` path stays as it is and is never read (it would name a
    /// directory `~` in whatever the current directory is).
    pub fn from_env(env: &Env) -> Self {
        let home = env.get(variables::HOME.name).ok().filter(|h| !h.is_empty());
        let locate = |var: &str, default: &str| {
            let path = env
                .get(var)
                .ok()
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| default.to_owned());
            match (path.strip_prefix("~/"), &home) {
                (Some(rest), Some(home)) => Path::new(home).join(rest),
                _ => PathBuf::from(path),
            }
        };
        Files {
            config: locate(variables::AWS_CONFIG_FILE.name, "~/.aws/config"),
            credentials: locate(
                variables::AWS_SHARED_CREDENTIALS_FILE.name,
                "~/.aws/credentials",
            ),
        }
    }

    /// For messages: "~/.aws/config or ~/.aws/credentials".
    pub fn describe(&self) -> String {
        let unexpanded = [&self.config, &self.credentials]
            .iter()
            .any(|p| unexpanded(p));
        format!(
            "{} or {}{}",
            self.config.display(),
            self.credentials.display(),
            if unexpanded {
                " (HOME is unset, so `~` means nothing: set HOME, or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE)"
            } else {
                ""
            }
        )
    }
}

impl Files {
    /// For "profile not found": the files that do not exist, and the variable that names
    /// each. The SDKs read a missing file as empty, so a mistyped `AWS_CONFIG_FILE` shows
    /// only here.
    pub fn missing(&self) -> String {
        let missing: Vec<String> = [
            (&self.config, variables::AWS_CONFIG_FILE.name),
            (
                &self.credentials,
                variables::AWS_SHARED_CREDENTIALS_FILE.name,
            ),
        ]
        .into_iter()
        .filter(|(path, _)| !unexpanded(path) && !path.exists())
        .map(|(path, variable)| format!("{} does not exist: check {variable}", path.display()))
        .collect();
        if missing.is_empty() {
            String::new()
        } else {
            format!(" ({})", missing.join("; "))
        }
    }
}

/// A path still starting with `~`: HOME was unset.
fn unexpanded(path: &Path) -> bool {
    path.starts_with("~")
}

/// Every profile the SDK sees in both files, merged as the SDK merges them.
#[derive(Debug)]
pub struct Profiles {
    set: ProfileSet,
    pub files: Files,
    /// Sections the SDK dropped for their names.
    pub dropped: Vec<sections::Dropped>,
    /// Values followed by a comment, which other AWS tools read with the comment.
    pub inline_comments: Vec<sections::InlineComment>,
    /// The files that did not exist when read, for "profile not found" (see
    /// [`Files::missing`]).
    missing: String,
}

impl Profiles {
    /// Reads both files. A file that does not exist is empty, as for the SDKs; one that
    /// exists but cannot be read or parsed is an error naming it (and the line).
    pub fn load(files: Files) -> Result<Self> {
        let (sources, found) = existing(&[
            (EnvConfigFileKind::Config, &files.config),
            (EnvConfigFileKind::Credentials, &files.credentials),
        ])?;
        let set = parse(&sources)?;
        for comment in &found.inline_comments {
            crate::log::debug!("{}", comment.describe());
        }
        Ok(Profiles {
            set,
            missing: files.missing(),
            files,
            dropped: found.dropped,
            inline_comments: found.inline_comments,
        })
    }

    /// Profiles from text, as if read from the two files; for tests of resolution.
    #[cfg(test)]
    pub(crate) fn from_text(config: &str, credentials: &str) -> Result<Self> {
        let sources = EnvConfigFiles::builder()
            .with_contents(EnvConfigFileKind::Config, config)
            .with_contents(EnvConfigFileKind::Credentials, credentials)
            .build();
        Ok(Profiles {
            set: parse(&(sources, Fs::real()))?,
            dropped: vec![],
            inline_comments: vec![],
            missing: String::new(),
            files: Files {
                config: PathBuf::from("config"),
                credentials: PathBuf::from("credentials"),
            },
        })
    }

    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.set.get_profile(name)
    }

    pub fn set(&self) -> &ProfileSet {
        &self.set
    }

    /// Profile names, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.set.profiles().collect();
        names.sort_unstable();
        names
    }

    /// Existing names close to `name`, best first, for "did you mean" hints.
    pub fn similar(&self, name: &str) -> Vec<String> {
        let wanted = name.to_lowercase();
        let mut scored: Vec<(f64, &str)> = self
            .set
            .profiles()
            .map(|candidate| {
                let lower = candidate.to_lowercase();
                let mut score = strsim::jaro_winkler(&wanted, &lower);
                if lower.contains(&wanted) || wanted.contains(&lower) {
                    score = score.max(0.9);
                }
                (score, candidate)
            })
            .filter(|(score, _)| *score >= 0.8)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        scored
            .into_iter()
            .take(3)
            .map(|(_, n)| n.to_owned())
            .collect()
    }

    pub fn unknown(&self, name: &str) -> Error {
        if let Some(d) = self.dropped.iter().find(|d| d.name == name) {
            return Error::ProfileFile {
                detail: format!("{}{FIX_THE_LINE}", d.describe()),
            };
        }
        Error::UnknownProfile {
            name: name.to_owned(),
            files: format!("{}{}", self.files.describe(), self.missing),
            similar: self.similar(name),
            subcommand: None,
        }
    }
}

/// Which file and section each value comes from, for `runas diagnose`: the two files
/// parsed apart, with the SDK's rule that the credentials file wins.
pub struct Origins {
    config: ProfileSet,
    credentials: ProfileSet,
}

impl Origins {
    pub fn load(files: &Files) -> Result<Self> {
        Ok(Origins {
            config: parse(&existing(&[(EnvConfigFileKind::Config, &files.config)])?.0)?,
            credentials: parse(
                &existing(&[(EnvConfigFileKind::Credentials, &files.credentials)])?.0,
            )?,
        })
    }

    /// "credentials [prod]" or "config [profile prod]".
    pub fn of(&self, profile: &str, key: &str) -> Option<String> {
        let has = |set: &ProfileSet| set.get_profile(profile).and_then(|p| p.get(key)).is_some();
        if has(&self.credentials) {
            Some(format!("credentials [{profile}]"))
        } else if has(&self.config) {
            Some(if profile == "default" {
                "config [default]".to_owned()
            } else {
                format!("config [profile {profile}]")
            })
        } else {
            None
        }
    }
}

/// The profile names of the files in the environment, for shell completion; nothing when
/// they cannot be read.
pub(crate) fn completion_names() -> Vec<String> {
    Profiles::load(Files::from_env(&Env::real()))
        .map(|p| p.names().into_iter().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// What reading the files found besides the profiles.
#[derive(Default)]
struct Found {
    dropped: Vec<sections::Dropped>,
    inline_comments: Vec<sections::InlineComment>,
}

/// The files that exist, read and checked here (see [`sections::read`]), for the SDK's
/// loader, with the sections it will drop and the comments after values. A missing file
/// is an empty one, as for the SDKs; the loader insists on at least one source, so none
/// at all is one empty text.
fn existing(files: &[(EnvConfigFileKind, &PathBuf)]) -> Result<((EnvConfigFiles, Fs), Found)> {
    let mut sources = EnvConfigFiles::builder();
    let mut texts = std::collections::HashMap::new();
    let mut found = Found::default();
    for (kind, path) in files {
        if unexpanded(path) {
            continue;
        }
        let Some(text) = sections::read(path)? else {
            continue;
        };
        let config = matches!(kind, EnvConfigFileKind::Config);
        found.dropped.extend(sections::dropped(&text, path, config));
        found
            .inline_comments
            .extend(sections::inline_comments(&text, path));
        sources = sources.with_file(*kind, path);
        texts.insert(path.to_string_lossy().into_owned(), text);
    }
    if texts.is_empty() {
        sources = sources.with_contents(EnvConfigFileKind::Config, "");
    }
    Ok(((sources.build(), Fs::from_map(texts)), found))
}

fn parse((sources, fs): &(EnvConfigFiles, Fs)) -> Result<ProfileSet> {
    // The SDK's loader is async only for form's sake: its file system here is the map of
    // texts read above. A runtime without I/O or timer drivers costs next to nothing.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
    runtime
        .block_on(aws_config::profile::load(
            fs,
            &Env::from_slice(&[]),
            sources,
            None,
        ))
        .map_err(|e| Error::ProfileFile {
            // The SDK's load error says only "could not parse profile file"; the file, line
            // and reason are in its source.
            detail: format!(
                "{}{FIX_THE_LINE}",
                crate::text::escape_message(&crate::error::causes(&e))
            ),
        })
}

/// What to do about a line of a profile file that the SDKs cannot use.
const FIX_THE_LINE: &str =
    "\n  fix the line above, or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE elsewhere";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_read_as_the_sdk_reads_them() {
        let p = Profiles::from_text(
            "[default]\nregion = us-east-1\n\
             [profile dev]\nregion = eu-west-1 ; comment\nrole_arn=arn:aws:iam::123456789012:role/Dev\n\
             [dev]\nregion = ignored-without-profile-prefix\n\
             [profile  spaced  ]\nREGION = kept-as-is\n\
             [sso-session corp]\nsso_region = us-east-1\n\
             [services local]\nsts =\n  endpoint_url = http://127.0.0.1:1\n",
            "[dev]\naws_access_key_id = AKIAEXAMPLE\n[profile prod]\naws_access_key_id = x\n",
        )
        .unwrap();
        // `[profile prod]` in the credentials file is not a profile to the SDK.
        assert_eq!(p.names(), vec!["default", "dev", "spaced"]);
        let dev = p.get("dev").unwrap();
        assert_eq!(dev.get("region"), Some("eu-west-1"));
        assert_eq!(dev.get("aws_access_key_id"), Some("AKIAEXAMPLE"));
        // Keys are case-insensitive.
        assert_eq!(p.get("spaced").unwrap().get("region"), Some("kept-as-is"));
    }

    #[test]
    fn parse_errors_name_the_file_and_line() {
        let err = Profiles::from_text("[profile ok]\nregion = x\nthis is not a property\n", "")
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("line 3"), "{text}");
        assert_eq!(err.exit(), crate::error::Exit::Config);
    }

    #[test]
    fn files_follow_the_environment_and_expand_home() {
        let env = Env::from_slice(&[("HOME", "/home/u"), ("AWS_CONFIG_FILE", "~/alt/config")]);
        let files = Files::from_env(&env);
        assert_eq!(files.config, PathBuf::from("/home/u/alt/config"));
        assert_eq!(files.credentials, PathBuf::from("/home/u/.aws/credentials"));
    }

    #[test]
    fn unknown_profiles_suggest_close_names() {
        let p = Profiles::from_text(
            "[profile prod]\n[profile production-eu]\n[profile dev]\n",
            "",
        )
        .unwrap();
        assert_eq!(p.similar("prd"), vec!["prod"]);
        assert!(
            p.similar("production")
                .contains(&"production-eu".to_owned())
        );
        assert!(p.similar("zzzz").is_empty());
        let text = p.unknown("prd").to_string();
        assert!(text.contains("profile `prd` not found"), "{text}");
        assert!(text.contains("did you mean `prod`"), "{text}");
    }
}
