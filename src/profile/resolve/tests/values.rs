//! Values: what STS refuses, what it takes however odd, and what a profile inherits from `[default]`.

use super::*;

/// values STS would refuse
pub(super) fn refused_values() -> Vec<Case> {
    vec![
        Case {
            name: "a session name with a space",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nrole_session_name = my session\n[profile b]\n{KEYS}"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: role_session_name `my session` is not a name STS accepts: use 2 to 64 letters, digits and + = , . @ _ -",
            ],
        },
        Case {
            name: "a session name too short",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nrole_session_name = x\n[profile b]\n{KEYS}"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: role_session_name `x` is not a name STS accepts: use 2 to 64 letters, digits and + = , . @ _ -",
            ],
        },
        Case {
            name: "a role of another partition than the region's",
            config: format!(
                "[profile a]\nrole_arn = arn:aws-cn:iam::123456789012:role/A\nsource_profile = b\n[profile b]\n{KEYS}"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: arn:aws-cn:iam::123456789012:role/A is in partition `aws-cn`, but region us-east-1 is served by `aws`; use a region of `aws-cn` (--region or `region =`) or an ARN of `aws`",
            ],
        },
        Case {
            name: "an MFA serial that is neither an ARN nor a TOTP serial",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nmfa_serial = my-phone\n[profile b]\n{KEYS}"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: mfa_serial `my-phone` is neither an MFA device ARN (arn:aws:iam::123456789012:mfa/NAME) nor a hardware token's serial number: STS takes 9 to 256 letters, digits and _+=/:,.@-",
            ],
        },
        Case {
            name: "an MFA device of another partition",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nmfa_serial = arn:aws-us-gov:iam::123456789012:mfa/x\n[profile b]\n{KEYS}"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: arn:aws-us-gov:iam::123456789012:mfa/x is in partition `aws-us-gov`, but region us-east-1 is served by `aws`; use a region of `aws-us-gov` (--region or `region =`) or an ARN of `aws`",
            ],
        },
    ]
}

/// values that look odd but that the SDKs and STS accept
pub(super) fn accepted_odd_values() -> Vec<Case> {
    vec![
        Case {
            name: "a comment line is not part of a value",
            config: "[profile k]\naws_access_key_id = AKIAKB00000000000000\n  # a comment\naws_secret_access_key = SB\n".to_owned(),
            credentials: "",
            request: to("k"),
            env: ALICE,
            expected: &[
                "error (Config): profile `k`: the access key id contains whitespace (32 characters; an indented line after it continues its value); check aws_access_key_id, aws_secret_access_key and aws_session_token",
            ],
        },
        Case {
            name: "LocalStack's keys in [default] are keys: a key id's form is the service's business",
            config: "[default]\nregion = us-east-1\n".to_owned(),
            credentials: "[default]\naws_access_key_id = test\naws_secret_access_key = test\n[minio]\naws_access_key_id = minioadmin\naws_secret_access_key = minioadmin\n",
            request: to("default"),
            env: EMPTY,
            expected: &[
                "profiles [default]",
                "root: long-term keys test of `default`",
                "region us-east-1 from profile `default`",
            ],
        },
        Case {
            name: "an empty session token is none, as for the SDKs",
            config: "[profile r2]\nregion = auto\n".to_owned(),
            credentials: "[r2]\naws_access_key_id = 0123456789abcdef0123456789abcdef\naws_secret_access_key = 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\naws_session_token =\n",
            request: to("r2"),
            env: EMPTY,
            expected: &[
                "profiles [r2]",
                "root: long-term keys 0123456789abcdef0123456789abcdef of `r2`",
                "region auto from profile `r2`",
            ],
        },
        Case {
            name: "empty keys are no keys",
            config: "[profile e]\nregion = us-east-1\naws_access_key_id =\naws_secret_access_key =\n".to_owned(),
            credentials: "",
            request: to("e"),
            env: EMPTY,
            expected: &["error (Config): profile `e`: has no credentials: set aws_access_key_id and aws_secret_access_key, role_arn with source_profile, credential_process, sso_session, login_session (`aws login`), or web_identity_token_file"],
        },
        Case {
            name: "a hardware token's serial is an MFA serial",
            config: format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nmfa_serial = GAHT12345678\n[profile b]\n{KEYS}"),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "GetSessionToken (12h, MFA GAHT12345678)",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
    ]
}

/// inheritance
pub(super) fn inheritance() -> Vec<Case> {
    let inherited_duration = format!(
        "[default]\ncredentials_duration = 2h\n\
         [profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n\
         [profile own]\nrole_arn = {ARN_A}\nsource_profile = b\nduration_seconds = 1800\n\
         [profile b]\n{KEYS}"
    );
    vec![
        Case {
            name: "credentials_duration is inherited by a role without its own",
            config: inherited_duration.clone(),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (2h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "a role's own duration_seconds beats the inherited one",
            config: inherited_duration,
            credentials: "",
            request: to("own"),
            env: ALICE,
            expected: &[
                "profiles [own b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (30m) of `own`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "MFA is inherited from the source profile, process and duration from [default]",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n\
                 [profile b]\n{KEYS}mfa_serial = arn:aws:iam::123456789012:mfa/b\n\
                 [default]\nmfa_process = echo 123456\nsession_token_duration = 8h\n"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "GetSessionToken (8h, MFA arn:aws:iam::123456789012:mfa/b by `echo 123456` of `default`)",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "MFA is inherited from [default]",
            config: format!(
                "[default]\nmfa_serial = arn:aws:iam::123456789012:mfa/d\n\
                 [profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n\
                 [profile b]\n{KEYS}"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "GetSessionToken (12h, MFA arn:aws:iam::123456789012:mfa/d)",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
    ]
}

/// what a profile does not inherit
pub(super) fn not_inherited() -> Vec<Case> {
    vec![Case {
        name: "a plain key profile does not pick up [default]'s device",
        config: format!(
            "[default]\nmfa_serial = arn:aws:iam::123456789012:mfa/d\n[profile b]\n{KEYS}"
        ),
        credentials: "",
        request: to("b"),
        env: ALICE,
        expected: &[
            "profiles [b]",
            "root: long-term keys AKIAKB00000000000000 of `b`",
            "region us-east-1 from AWS_REGION",
        ],
    }]
}

/// values AWS STS refuses and STS-compatible services take: sent as the SDKs send them
pub(super) fn left_to_the_service() -> Vec<Case> {
    vec![
        Case {
            // An STS-compatible service's partition (MinIO's `arn:minio:`) is the service's
            // to judge; AWS STS refuses it with AccessDenied, and runas says why.
            name: "a role of an unknown partition",
            config: format!(
                "[profile a]\nrole_arn = arn:aws-moon:iam::123456789012:role/A\nsource_profile = b\n[profile b]\n{KEYS}"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "AssumeRole arn:aws-moon:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            // Nor is an MFA device's; AWS STS says AccessDenied for it.
            name: "an MFA device of an unknown partition",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nmfa_serial = arn:aws-moon:iam::123456789012:mfa/x\n[profile b]\n{KEYS}"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "GetSessionToken (12h, MFA arn:aws-moon:iam::123456789012:mfa/x)",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
    ]
}
