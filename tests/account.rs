//! The account of the credentials, wherever it is known: the child's AWS_ACCOUNT_ID (and an
//! inherited one removed otherwise), `-O json`'s AccountId, the export lines, `-c`'s
//! aws_account_id, and boto3 reading them through credential_process.

mod testenv;

use std::process::Command;
use testenv::*;

const ACCOUNT: &str = "123456789012";
const OTHER: &str = "999988887777";

fn config() -> String {
    format!(
        "[default]\nregion = us-east-1\n{}[profile prod]\nrole_arn = {}\nsource_profile = base\n\
         [profile declared]\naws_access_key_id = {ROOT_KEY}\naws_secret_access_key = {SECRET}\n\
         aws_account_id = 444455556666\n",
        base_profile(),
        role(ACCOUNT, "Prod")
    )
}

#[test]
fn the_child_gets_the_account_or_loses_an_inherited_one() {
    let mut env = TestEnv::shared();
    env.env("AWS_ACCOUNT_ID", OTHER);
    env.config(&config());
    let run = env.run(&["prod", "env"]).ok();
    assert_eq!(
        run.var("AWS_ACCOUNT_ID").as_deref(),
        Some(ACCOUNT),
        "the role's"
    );
    let run = env.run(&["declared", "env"]).ok();
    assert_eq!(
        run.var("AWS_ACCOUNT_ID").as_deref(),
        Some("444455556666"),
        "aws_account_id"
    );
    let run = env.run(&["base", "env"]).ok();
    assert_eq!(
        run.var("AWS_ACCOUNT_ID"),
        None,
        "unknown: the inherited one is removed"
    );
    // Warm: the account comes back from the cache.
    let run = env.run(&["prod", "env"]).ok();
    assert_eq!(run.var("AWS_ACCOUNT_ID").as_deref(), Some(ACCOUNT));
}

#[test]
fn printed_forms_carry_the_account() {
    let env = TestEnv::shared();
    env.config(&config());
    let json: serde_json::Value =
        serde_json::from_str(&env.run(&["-O", "json", "prod"]).ok().stdout).expect("json");
    assert_eq!(json["AccountId"], ACCOUNT);
    let json: serde_json::Value =
        serde_json::from_str(&env.run(&["-O", "json", "base"]).ok().stdout).expect("json");
    assert_eq!(json.get("AccountId"), None);
    let exports = env.run(&["prod"]).ok().stdout;
    assert!(
        exports.contains(&format!("export AWS_ACCOUNT_ID='{ACCOUNT}'")),
        "{exports}"
    );
    let exports = env.run(&["base"]).ok().stdout;
    assert!(
        exports
            .lines()
            .any(|l| l.starts_with("unset ") && l.contains("AWS_ACCOUNT_ID")),
        "{exports}"
    );
    env.run(&["-c", "prod"]).ok();
    let written = read(&env.path(".aws/credentials"));
    assert!(
        written.contains(&format!("aws_account_id = {ACCOUNT}\n")),
        "{written}"
    );
}

/// boto3 reads AccountId from `credential_process = runas -O json PROFILE`.
#[test]
fn boto3_sees_the_account_through_credential_process() {
    let env = TestEnv::shared();
    env.config(&format!(
        "{}[profile viarunas]\ncredential_process = {} -O json prod\nregion = us-east-1\n",
        config(),
        env!("CARGO_BIN_EXE_runas")
    ));
    let script = "import boto3; c = boto3.Session(profile_name='viarunas').get_credentials().get_frozen_credentials(); print(c.account_id)";
    let mut python = Command::new("python3");
    python.args(["-c", script]);
    for (k, v) in env.command().get_envs() {
        if let Some(v) = v {
            python.env(k, v);
        }
    }
    let out = python
        .env_remove("AWS_PROFILE")
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "boto3 failed (install it with: pip install boto3): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), ACCOUNT);
}
