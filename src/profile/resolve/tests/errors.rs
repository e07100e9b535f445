//! Profiles that cannot resolve: missing sources and keys, settings that do not parse, SSO settings in the wrong place.

use super::*;

/// a role without a usable source, keys without their other half: the error names the
/// profile and the fix
pub(super) fn missing_sources_and_keys() -> Vec<Case> {
    vec![
        Case {
            name: "a role without a source",
            config: format!("[profile a]\nrole_arn = {ARN_A}\n"),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: has role_arn but neither source_profile nor credential_source; add `source_profile = NAME` naming the profile whose credentials assume the role",
            ],
        },
        Case {
            name: "both source_profile and credential_source",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\ncredential_source = Environment\n[profile b]\n"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: sets both source_profile and credential_source; keep the one that says where its credentials come from",
            ],
        },
        Case {
            name: "a source profile that does not exist",
            config: format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = bb\n[profile b]\n"),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: source_profile `bb` does not exist in config or credentials; did you mean `b`?",
            ],
        },
        Case {
            name: "an access key id without its secret",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\naws_access_key_id = AKIAK000000000000000\n"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `b`: aws_access_key_id is set but aws_secret_access_key is missing; add it next to the key id (it is the source profile of `a`)",
            ],
        },
        Case {
            name: "a secret without its access key id",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\naws_secret_access_key = S\n"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `b`: aws_secret_access_key is set but aws_access_key_id is missing; add it next to the secret (it is the source profile of `a`)",
            ],
        },
        Case {
            name: "a source profile without credentials",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\nregion = x\n"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `b`: has no credentials: set aws_access_key_id and aws_secret_access_key, role_arn with source_profile, credential_process, sso_session, login_session (`aws login`), or web_identity_token_file (it is the source profile of `a`)",
            ],
        },
    ]
}

/// settings that do not parse or name the wrong thing
pub(super) fn malformed_settings() -> Vec<Case> {
    vec![
        Case {
            // MinIO's guide writes any 20 characters; the SDKs send them as they are.
            name: "MinIO's placeholder role ARN in the profile",
            config: "[profile a]\nrole_arn = arn:xxx:xxx:xxx:xxxx\nsource_profile = a\naws_access_key_id = AKIAK000000000000000\naws_secret_access_key = S\n".to_owned(),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a]",
                "root: long-term keys AKIAK000000000000000 of `a`",
                "AssumeRole arn:xxx:xxx:xxx:xxxx as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "a role ARN with a control character in the profile",
            config: "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/\u{1b}[2J\nsource_profile = a\naws_access_key_id = AKIAK000000000000000\naws_secret_access_key = S\n".to_owned(),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: role_arn `arn:aws:iam::123456789012:role/\\u{1b}[2J` is not a role ARN STS takes: 20 to 2048 characters, none of them control characters, such as arn:aws:iam::123456789012:role/NAME",
            ],
        },
        Case {
            name: "a role_arn that is not a role, sourcing itself",
            config: "[profile a]\nrole_arn = arn:aws:s3:::bucket\nsource_profile = a\n".to_owned(),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: has no credentials: set aws_access_key_id and aws_secret_access_key, role_arn with source_profile, credential_process, sso_session, login_session (`aws login`), or web_identity_token_file",
            ],
        },
        Case {
            name: "web identity without a role",
            config: "[profile a]\nweb_identity_token_file = /t\n".to_owned(),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: web_identity_token_file is set but role_arn is missing; add the role to assume with the token",
            ],
        },
        Case {
            name: "an unknown credential_source",
            config: format!("[profile a]\nrole_arn = {ARN_A}\ncredential_source = Laptop\n"),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: credential_source `Laptop` is not one of Environment, Ec2InstanceMetadata, EcsContainer",
            ],
        },
        Case {
            name: "duration_seconds that is not a duration",
            config: format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nduration_seconds = forever\n[profile b]\naws_access_key_id = AKIAK000000000000000\naws_secret_access_key = S\n"),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: duration_seconds: `forever` is not a duration; write it like 12h, 90m or 1h30m",
            ],
        },
        Case {
            name: "session_token_duration with an unknown unit",
            config: "[profile k]\naws_access_key_id = AKIAK000000000000000\naws_secret_access_key = S\nsession_token_duration = 12x\nmfa_serial = arn:aws:iam::123456789012:mfa/k\n".to_owned(),
            credentials: "",
            request: to("k"),
            env: ALICE,
            expected: &[
                "error (Config): profile `k`: session_token_duration: `12x`: unknown unit `x`; use h, m or s (as in 1h30m)",
            ],
        },
    ]
}

/// SSO settings in the wrong place, cycles, and names that do not exist
pub(super) fn sso_and_lookup_errors() -> Vec<Case> {
    vec![
        Case {
            name: "an sso_session without its section",
            config: "[profile s]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = r\n".to_owned(),
            credentials: "",
            request: to("s"),
            env: ALICE,
            expected: &[
                "error (Config): profile `s`: sso_session `nope` has no [sso-session nope] section in config",
            ],
        },
        Case {
            name: "an SSO account without a role name",
            config: "[profile s]\nsso_account_id = 1\nsso_region = us-east-1\nsso_start_url = u\n".to_owned(),
            credentials: "",
            request: to("s"),
            env: ALICE,
            expected: &[
                "error (Config): profile `s`: sso_account_id is set, so sso_role_name must be set too",
            ],
        },
        Case {
            name: "an sso_region that is not a region name",
            config: "[profile s]\nsso_session = c\nsso_account_id = 1\nsso_role_name = r\n\
                     [sso-session c]\nsso_start_url = u\nsso_region = evil.example/x\n".to_owned(),
            credentials: "",
            request: to("s"),
            env: ALICE,
            expected: &[
                "error (Config): profile `s`: region `evil.example/x` (from sso_region) is not a region name such as us-east-1",
            ],
        },
        Case {
            name: "sso_region outside the sso-session section",
            config: "[profile s]\nsso_session = c\nsso_region = us-east-1\n[sso-session c]\nsso_start_url = u\n".to_owned(),
            credentials: "",
            request: to("s"),
            env: ALICE,
            expected: &[
                "error (Config): profile `s`: sso_region belongs in the [sso-session c] section when sso_session is set; move it there",
            ],
        },
        Case {
            name: "a cycle of source profiles is printed",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n\
                 [profile b]\nrole_arn = {ARN_B}\nsource_profile = c\n\
                 [profile c]\nrole_arn = {ARN_B}\nsource_profile = a\n"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a` forms a cycle of source profiles: a -> b -> c -> a",
            ],
        },
        Case {
            name: "an unknown profile gets a suggestion",
            config: "[profile prod]\naws_access_key_id = AKIAK000000000000000\naws_secret_access_key = S\n".to_owned(),
            credentials: "",
            request: to("prdo"),
            env: ALICE,
            expected: &[
                "error (Config): profile `prdo` not found in config or credentials; did you mean `prod`?",
            ],
        },
    ]
}
