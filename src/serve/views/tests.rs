use super::*;

const CREDENTIALS: &str = "\
# written by aws configure
[default]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
; the secret
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
[other-keys]
aws_access_key_id = AKIAOTHER
aws_secret_access_key = other   # not a comment to the SDKs
";

const CONFIG: &str = "\
[default]
region = eu-west-1
s3 =
  max_concurrent_requests = 20
mfa_serial = arn:aws:iam::123456789012:mfa/me
[profile dev]
role_arn = arn:aws:iam::123456789012:role/Dev
source_profile = default # the keys
region = us-east-1
[profile ops]
source_profile=default
role_arn = arn:aws:iam::123456789012:role/Ops
[profile defaulted]
source_profile = defaults
[sso-session default]
sso_region = us-east-1
";

#[test]
fn default_keys_move_to_a_profile_of_their_own_and_the_rest_stays() {
    let (config, credentials) = without_default_credentials(CONFIG, CREDENTIALS).unwrap();
    assert_eq!(
        credentials,
        "\
# written by aws configure
[default]
; the secret
[other-keys]
aws_access_key_id = AKIAOTHER
aws_secret_access_key = other   # not a comment to the SDKs
[runas-default]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
"
    );
    // Nothing moved from the config, but its sources of `default` follow the keys.
    assert_eq!(
        config,
        CONFIG
            .replace(
                "source_profile = default # the keys",
                "source_profile = runas-default # the keys"
            )
            .replace("source_profile=default", "source_profile=runas-default")
    );
}

#[test]
fn every_setting_that_makes_default_a_source_moves_with_its_continuation_lines() {
    let config = "\
[profile default] # the config's own spelling
region = us-east-1
role_arn = arn:aws:iam::123456789012:role/Default
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/me
credential_process = /usr/bin/get-creds
  --verbose
sso_region = us-east-1
[ default ]
Login_Session = arn:aws:iam::123456789012:user/me
[profile base]
aws_access_key_id = AKIABASE
aws_secret_access_key = base";
    let (view, credentials) = without_default_credentials(config, "").unwrap();
    assert_eq!(credentials, "", "an empty file stays empty");
    assert_eq!(
        view,
        "\
[profile default] # the config's own spelling
region = us-east-1
mfa_serial = arn:aws:iam::123456789012:mfa/me
[ default ]
[profile base]
aws_access_key_id = AKIABASE
aws_secret_access_key = base
[profile runas-default]
role_arn = arn:aws:iam::123456789012:role/Default
source_profile = base
credential_process = /usr/bin/get-creds
  --verbose
sso_region = us-east-1
Login_Session = arn:aws:iam::123456789012:user/me
mfa_serial = arn:aws:iam::123456789012:mfa/me
"
    );
    // The view resolves as the SDK reads it: `default` has no role, the moved profile has.
    let profiles = crate::profile::Profiles::from_text(&view, "").unwrap();
    let default = profiles.get("default").unwrap();
    assert_eq!(default.get("role_arn"), None);
    assert_eq!(default.get("region"), Some("us-east-1"));
    let moved = profiles.get(MOVED).unwrap();
    assert_eq!(
        moved.get("role_arn"),
        Some("arn:aws:iam::123456789012:role/Default")
    );
}

#[test]
fn without_credentials_in_default_there_is_no_view() {
    let config = "[default]\nregion = us-east-1\n[profile dev]\nsource_profile = default\n";
    let credentials = "[other]\naws_access_key_id = A\naws_secret_access_key = B\n";
    assert!(without_default_credentials(config, credentials).is_none());
    // `[profile default]` in the credentials file is a profile named `profile default`.
    assert!(
        without_default_credentials("", "[profile default]\naws_access_key_id = A\n").is_none()
    );
}

#[test]
fn views_are_private_and_gone_when_dropped() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let files = Files {
        config: home.path().join("config"),
        credentials: home.path().join("credentials"),
    };
    std::fs::write(&files.credentials, CREDENTIALS).unwrap();
    let cache = home.path().join("cache");
    // A view left by a runas that is gone (no process has this pid) is swept.
    let left = cache.join("views").join("2147483646");
    std::fs::create_dir_all(&left).unwrap();
    let views = Views::write(&files, &cache).unwrap().unwrap();
    assert!(!left.exists());
    for path in [&views.config, &views.credentials] {
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", path.display());
    }
    let mode = std::fs::metadata(views.dir()).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
    let dir = views.dir().to_owned();
    drop(views);
    assert!(!dir.exists());
    // Nothing to hide: nothing written.
    std::fs::write(&files.credentials, "[k]\naws_access_key_id = A\n").unwrap();
    assert!(Views::write(&files, &cache).unwrap().is_none());
}
