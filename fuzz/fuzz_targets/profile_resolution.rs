//! Profile resolution from arbitrary bytes: whatever the config and credentials files hold,
//! loading and resolving every profile in them (and the name asked for) returns a chain or an
//! error, never a panic.
//!
//! Input: `CONFIG \0 CREDENTIALS \0 PROFILE \0 ENV`, where ENV is `NAME=value` lines (the
//! environment resolution reads: AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_STS, ...).
#![no_main]

use libfuzzer_sys::fuzz_target;
use runas::creds::key::Key;
use runas::profile::chain::{Request, Target};
use runas::profile::resolve::resolve;
use runas::profile::{Files, Origins, Profiles};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(4, |&b| b == 0);
    let config = parts.next().unwrap_or_default();
    let credentials = parts.next().unwrap_or_default();
    let asked = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let env_text = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let mut env: Vec<(&str, &str)> = env_text.lines().filter_map(|l| l.split_once('=')).collect();
    env.push(("USER", "fuzz"));
    let env = aws_types::os_shim_internal::Env::from_slice(&env);

    // A directory per input, removed after it: one kept in a static would outlive the run.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let files = Files {
        config: dir.path().join("config"),
        credentials: dir.path().join("credentials"),
    };
    std::fs::write(&files.config, config).expect("write config");
    std::fs::write(&files.credentials, credentials).expect("write credentials");
    let _ = Origins::load(&files);
    let Ok(profiles) = Profiles::load(files) else {
        return;
    };
    let mut names: Vec<String> = profiles.names().into_iter().map(str::to_owned).collect();
    names.push(asked.clone());
    for name in names {
        let _ = profiles.similar(&name);
        for session_only in [false, true] {
            let request = Request {
                target: Target::parse(&name),
                session_only,
                ..Request::default()
            };
            if let Ok(chain) = resolve(&profiles, &request, &env) {
                let _ = chain.describe();
                let _ = chain.identity();
                let keys = Key::levels(&chain, &env);
                assert_eq!(keys.len(), chain.steps.len() + 1);
                assert_eq!(keys.last(), Some(&Key::last(&chain, &env)));
            }
        }
    }
});
