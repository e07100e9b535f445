//! Bad input: a clear message naming the thing, a non-zero exit, and nothing written.

mod testenv;

use testenv::*;

fn assert_nothing_written(env: &TestEnv) {
    assert!(!env.cache_dir().exists(), "no cache directory was created");
    assert!(
        !env.path(".aws/credentials").exists(),
        "no credentials file was written"
    );
}

fn failing(config: &str, args: &[&str], code: i32, message: &str) {
    let env = TestEnv::shared();
    env.config(config);
    let mut all = vec!["-c"];
    all.extend_from_slice(args);
    let run = env.run(&all).fails(code, message);
    assert!(run.stdout.is_empty(), "nothing on stdout: {}", run.stdout);
    // runas's own errors carry its name; usage errors are clap's.
    assert!(
        run.stderr.starts_with("runas: ") || (code == 2 && run.stderr.starts_with("error: ")),
        "{}",
        run.stderr
    );
    assert_nothing_written(&env);
}

const OK_ROLE: &str = "arn:aws:iam::123456789012:role/R";

#[test]
fn unknown_profile_with_suggestions() {
    failing(
        "[profile production]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = S\n",
        &["prodution", "true"],
        3,
        "profile `prodution` not found in",
    );
    let env = TestEnv::shared();
    env.config("[profile production]\n");
    env.run(&["prodution"])
        .fails(3, "did you mean `production`?");
}

#[test]
fn no_profile_files_at_all() {
    let env = TestEnv::shared();
    std::fs::remove_dir(env.path(".aws")).unwrap();
    env.run(&["prod", "true"])
        .fails(3, "profile `prod` not found in");
    assert_nothing_written(&env);
}

#[test]
fn missing_source_profile() {
    failing(
        &format!("[profile a]\nregion = us-east-1\nrole_arn = {OK_ROLE}\nsource_profile = gone\n"),
        &["a", "true"],
        3,
        "profile `a`: source_profile `gone` does not exist",
    );
}

#[test]
fn source_profile_and_credential_source() {
    failing(
        &format!(
            "[profile a]\nregion = us-east-1\nrole_arn = {OK_ROLE}\nsource_profile = b\ncredential_source = Environment\n[profile b]\n"
        ),
        &["a"],
        3,
        "profile `a`: sets both source_profile and credential_source",
    );
}

#[test]
fn cycle() {
    failing(
        &format!(
            "[profile a]\nrole_arn = {OK_ROLE}\nsource_profile = b\n[profile b]\nrole_arn = {OK_ROLE}\nsource_profile = a\n"
        ),
        &["a"],
        3,
        "profile `a` forms a cycle of source profiles: a -> b -> a",
    );
}

#[test]
fn key_without_its_pair() {
    failing(
        "[profile k]\nregion = us-east-1\naws_access_key_id = AKIA\n",
        &["k"],
        3,
        "profile `k`: aws_access_key_id is set but aws_secret_access_key is missing",
    );
}

/// Only what STS's model refuses (under 20 or over 2,048 characters) or what would reach a
/// terminal raw; a short account is the service's to judge (see tests/fidelity.rs).
#[test]
fn malformed_role_arn() {
    failing(
        "[profile a]\nregion = us-east-1\nrole_arn = arn:aws:iam::1:R\nsource_profile = a\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = S\n",
        &["a"],
        3,
        "profile `a`: role_arn `arn:aws:iam::1:R` is not a role ARN STS takes",
    );
    failing(
        "",
        &["arn:aws:iam::1:role", "true"],
        2,
        "not a role ARN STS takes",
    );
}

#[test]
fn bad_durations() {
    failing(
        &format!(
            "[profile a]\nregion = us-east-1\nrole_arn = {OK_ROLE}\nsource_profile = a\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = S\ncredentials_duration = 1 day\n"
        ),
        &["a"],
        3,
        "profile `a`: credentials_duration: `1 day`: unknown unit",
    );
    failing("", &["-d", "12", "x"], 3, "profile `x` not found");
    failing("", &["-d", "soon", "x"], 2, "not a duration");
}

#[test]
fn a_file_that_does_not_parse_names_the_file_and_line() {
    let env = TestEnv::shared();
    env.config("[profile ok]\nregion = us-east-1\n[profile broken\nregion = x\n");
    let run = env.run(&["ok", "true"]).fails(3, "line 3");
    assert!(
        run.stderr
            .contains(&env.path(".aws/config").display().to_string()),
        "{}",
        run.stderr
    );
    assert_nothing_written(&env);
}

#[test]
fn credentials_file_parse_errors_too() {
    let env = TestEnv::shared();
    env.credentials(
        "[ok]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = S\nno equals sign here\n",
    );
    let run = env.run(&["ok"]).fails(3, "line 4");
    assert!(run.stderr.contains("credentials"), "{}", run.stderr);
}

#[test]
fn no_region() {
    failing(
        "[profile k]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = S\n",
        &["k", "true"],
        3,
        "no region for profile `k`: add `region = us-east-1`",
    );
}

#[test]
fn session_without_long_term_keys() {
    failing(
        "[profile p]\nregion = us-east-1\ncredential_process = /bin/false\n",
        &["-s", "p"],
        3,
        "-s/--session needs long-term access keys",
    );
}

#[test]
fn an_unreadable_config_file_is_named() {
    let mut env = TestEnv::shared();
    env.env(
        "AWS_CONFIG_FILE",
        env.path("dir-not-file").to_str().unwrap(),
    );
    std::fs::create_dir(env.path("dir-not-file")).unwrap();
    let run = env.run(&["k"]).fails(3, "dir-not-file");
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
}

#[test]
fn usage_errors_exit_2() {
    let env = TestEnv::shared();
    env.run(&[]).fails(2, "PROFILE");
    env.run(&["-O", "yaml", "p"]).fails(2, "yaml");
}
