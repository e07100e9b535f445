//! Login back-ends: a client program that reads the password on stdin, or the Docker
//! config file written directly.

use super::docker_config;
use super::token::AuthToken;
use crate::error::{Error, Result};
use crate::log::debug;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Clients known by name (for `--client` completion and messages); any program that takes
/// `login --username U --password-stdin HOST` works.
pub(crate) const KNOWN_CLIENTS: [&str; 6] =
    ["docker", "podman", "finch", "nerdctl", "helm", "oras"];

pub(crate) enum Backend {
    Program { name: String, path: PathBuf },
    DockerConfig(PathBuf),
}

impl Backend {
    /// Finds the client before anything else runs, so a missing one costs no STS call.
    /// No client: the Docker config file in `docker_config_dir` is written directly.
    pub fn new(client: Option<&str>, docker_config_dir: Option<PathBuf>) -> Result<Self> {
        let Some(name) = client else {
            let path = docker_config::path(docker_config_dir).ok_or_else(|| {
                Error::Usage(
                    "--write-config: HOME is unset, so there is no ~/.docker/config.json; set DOCKER_CONFIG".into(),
                )
            })?;
            docker_config::check_dir(&path).map_err(|why| Error::file(&path, why))?;
            return Ok(Backend::DockerConfig(path));
        };
        let path = which::which(name).map_err(|_| Error::CommandNotFound {
            program: name.to_owned(),
            hint: format!(
                "; it is the ECR client: install it, choose another with --client ({}), or use --write-config",
                KNOWN_CLIENTS.join(", ")
            ),
        })?;
        Ok(Backend::Program {
            name: name.to_owned(),
            path,
        })
    }

    pub fn describe(&self) -> String {
        match self {
            Backend::Program { name, .. } => name.clone(),
            Backend::DockerConfig(path) => path.display().to_string(),
        }
    }

    pub fn login(&self, host: &str, token: &AuthToken) -> std::result::Result<(), String> {
        match self {
            Backend::DockerConfig(path) => docker_config::store(path, host, token.encoded.expose()),
            Backend::Program { name, path } => {
                let mut args = Self::verb(name, "login");
                args.extend(
                    ["--username", &token.username, "--password-stdin", host].map(String::from),
                );
                run(path, &args, Some(token.password.expose()))
            }
        }
    }

    pub fn logout(&self, host: &str) -> std::result::Result<(), String> {
        match self {
            Backend::DockerConfig(path) => docker_config::remove(path, host),
            Backend::Program { name, path } => {
                let mut args = Self::verb(name, "logout");
                args.push(host.to_owned());
                run(path, &args, None)
            }
        }
    }

    /// `helm registry login`; everyone else `NAME login`.
    fn verb(name: &str, verb: &str) -> Vec<String> {
        let program = std::path::Path::new(name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if program == "helm" {
            vec!["registry".into(), verb.into()]
        } else {
            vec![verb.into()]
        }
    }
}

/// Runs the client with the password on stdin only. Its output is kept for `-v` and for
/// the failure message, so that a normal run shows one line per registry.
fn run(
    path: &std::path::Path,
    args: &[String],
    stdin: Option<&str>,
) -> std::result::Result<(), String> {
    debug!("running {} {}", path.display(), args.join(" "));
    let mut command = Command::new(path);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let output = crate::program::run(command, stdin.map(|s| s.as_bytes().to_vec()), false)
        .map_err(|f| format!("{} {}", path.display(), f.describe()))?;
    // A client may echo what it read (a shell wrapper's `set -x`, a verbose login): the
    // password never reaches a log line or a message.
    let redact = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes).into_owned();
        match stdin.map(str::trim).filter(|p| !p.is_empty()) {
            Some(password) => text.replace(password, "[password]"),
            None => text,
        }
    };
    let stdout = redact(&output.stdout);
    let stderr = redact(&output.stderr);
    for line in stdout.lines().chain(stderr.lines()) {
        debug!("  {}", crate::text::escape(line));
    }
    if output.status.success() {
        Ok(())
    } else {
        // Clients end with the reason; what comes before is their retry chatter.
        let last_line = |text: &str| {
            text.lines()
                .map(str::trim)
                .rfind(|l| !l.is_empty())
                .map(str::to_owned)
        };
        let last = last_line(&stderr).or_else(|| last_line(&stdout));
        Err(match last {
            Some(line) => crate::text::escape(&line),
            None => format!("{} exited with {}", path.display(), output.status),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_logs_in_through_its_registry_command() {
        assert_eq!(Backend::verb("helm", "login"), ["registry", "login"]);
        assert_eq!(
            Backend::verb("/opt/bin/helm", "logout"),
            ["registry", "logout"]
        );
        for name in ["docker", "podman", "finch", "nerdctl", "oras", "my-client"] {
            assert_eq!(Backend::verb(name, "login"), ["login"], "{name}");
        }
    }

    #[test]
    fn a_failing_client_is_summed_up_by_its_last_line() {
        let path = PathBuf::from("sh");
        let err = run(
            &path,
            &[
                "-c".into(),
                "echo chatter >&2; echo 'denied: no' >&2; exit 1".into(),
            ],
            None,
        )
        .unwrap_err();
        assert_eq!(err, "denied: no");
        let err = run(&path, &["-c".into(), "exit 3".into()], None).unwrap_err();
        assert!(err.contains("exit status: 3"), "{err}");
        // A client that echoes the password does not get it repeated.
        let err = run(
            &path,
            &[
                "-c".into(),
                "read p; echo \"login with $p refused\" >&2; exit 1".into(),
            ],
            Some("s3cret-pw"),
        )
        .unwrap_err();
        assert_eq!(err, "login with [password] refused");
        // The password reaches the client on stdin.
        run(
            &path,
            &["-c".into(), "read p; [ \"$p\" = secret ]".into()],
            Some("secret\n"),
        )
        .unwrap();
    }
}
