//! The profile files the README shows mean the same to every AWS tool: no comment after a
//! value (botocore keeps it as part of the value, the Rust SDK drops it), and the
//! Quickstart read by botocore, as the AWS CLI reads it, gives exactly what runas reads.

mod testenv;

use std::path::{Path, PathBuf};
use testenv::*;

fn readme() -> String {
    read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
}

/// The README's fenced blocks that hold a profile section, and the demo's config.
fn configs() -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut block: Option<String> = None;
    for line in readme().lines() {
        match (&mut block, line.trim_end()) {
            (Some(text), "```") => {
                if text
                    .lines()
                    .any(|l| l.starts_with("[profile ") || l == "[default]")
                {
                    found.push(("README.md".to_owned(), std::mem::take(text)));
                }
                block = None;
            }
            (None, fence) if fence.starts_with("```") => block = Some(String::new()),
            (Some(text), _) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, _) => {}
        }
    }
    let demo = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/demo"));
    for part in demo.split("<<CONFIG\n").skip(1) {
        let text = part.split("\nCONFIG\n").next().unwrap_or_default();
        found.push(("scripts/demo".to_owned(), text.to_owned()));
    }
    found
}

#[test]
fn no_config_shown_has_a_comment_after_a_value() {
    let configs = configs();
    assert!(configs.len() >= 3, "{} configs found", configs.len());
    let mut offending = Vec::new();
    for (file, text) in &configs {
        for line in text.lines() {
            if line.starts_with(char::is_whitespace) || line.starts_with(['#', ';', '[']) {
                continue;
            }
            let Some((_, value)) = line.split_once('=') else {
                continue;
            };
            if value.contains(" #") || value.contains(" ;") || value.contains("\t#") {
                offending.push(format!("{file}: {line}"));
            }
        }
    }
    assert!(offending.is_empty(), "{offending:#?}");
}

/// What botocore (the AWS CLI's reader) makes of a config and a credentials file.
fn botocore(config: &Path, credentials: &Path) -> serde_json::Value {
    let script = "import json, sys\n\
                  from botocore.configloader import load_config, raw_config_parse\n\
                  print(json.dumps({'config': load_config(sys.argv[1])['profiles'],\n\
                  'credentials': raw_config_parse(sys.argv[2])}))\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(config)
        .arg(credentials)
        .output()
        .expect("python3 with botocore is needed: pip install botocore");
    assert!(
        out.status.success(),
        "botocore: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON from botocore")
}

#[test]
fn the_quickstart_means_the_same_to_botocore_and_to_runas() {
    let readme = readme();
    let quickstart = readme
        .split("## Quickstart\n\n```ini\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the Quickstart config");
    let (credentials, config) = quickstart
        .split_once("# ~/.aws/config\n")
        .expect("credentials, then config");
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| -> PathBuf { dir.path().join(name) };
    std::fs::write(path("config"), config).unwrap();
    std::fs::write(path("credentials"), credentials).unwrap();
    let theirs = botocore(&path("config"), &path("credentials"));
    for (kind, file) in [("config", "config"), ("credentials", "credentials")] {
        let empty = path("empty");
        std::fs::write(&empty, "").unwrap();
        let files = if kind == "config" {
            runas::profile::Files {
                config: path(file),
                credentials: empty,
            }
        } else {
            runas::profile::Files {
                config: empty,
                credentials: path(file),
            }
        };
        let ours = runas::profile::Profiles::load(files).unwrap();
        let profiles = theirs[kind].as_object().expect("profiles");
        assert!(!profiles.is_empty());
        for (name, keys) in profiles {
            let profile = ours
                .get(name)
                .unwrap_or_else(|| panic!("runas lacks {name}"));
            for (key, value) in keys.as_object().expect("keys") {
                assert_eq!(
                    profile.get(key),
                    value.as_str(),
                    "[{name}] {key}: runas and botocore differ"
                );
            }
        }
        assert_eq!(
            ours.names().len(),
            profiles.len(),
            "{kind}: the same profiles"
        );
    }
}
