//! The request: flags, a role ARN in place of a profile, the region and the STS endpoint.

use super::*;

/// the request
pub(super) fn request() -> Vec<Case> {
    vec![
        Case {
            name: "MFA without long-term keys goes with AssumeRole",
            config: format!("[profile a]\nrole_arn = {ARN_A}\ncredential_source = Environment\n"),
            credentials: "",
            request: Request {
                mfa_serial: Some("arn:aws:iam::123456789012:mfa/x".into()),
                ..to("a")
            },
            env: REGION,
            expected: &[
                "profiles [a]",
                "root: credential_source Environment of `a`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas (1h, MFA arn:aws:iam::123456789012:mfa/x) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "flags override the files",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nexternal_id = file\ncredentials_duration = 2h\nregion = eu-west-1\n\
                 [profile b]\n{KEYS}"
            ),
            credentials: "",
            request: Request {
                region: Some("ap-south-1".into()),
                external_id: Some("flag".into()),
                role_duration: Some(Duration::from_secs(24 * 3600)),
                ..to("a")
            },
            env: EMPTY,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas (12h, external id flag) of `a`",
                "region ap-south-1 from --region",
                "warning: role duration for `a`: 24h is above the STS maximum; using 12h",
            ],
        },
        Case {
            name: "session only drops the roles",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\n{KEYS}"
            ),
            credentials: "",
            request: Request {
                session_only: true,
                ..to("a")
            },
            env: REGION,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "GetSessionToken (12h)",
                "region us-east-1 from AWS_REGION",
            ],
        },
    ]
}

/// what a request cannot ask for
pub(super) fn request_refused() -> Vec<Case> {
    vec![Case {
        name: "session only needs long-term keys",
        config: "[profile p]\ncredential_process = x\n".to_owned(),
        credentials: "",
        request: Request {
            session_only: true,
            ..to("p")
        },
        env: REGION,
        expected: &[
            "error (Config): profile `p`: -s/--session needs long-term access keys at the root of the chain, but it starts with credential_process of profile `p`",
        ],
    }]
}

/// a role ARN in place of a profile
pub(super) fn role_arn() -> Vec<Case> {
    let default_keys =
        "[default]\naws_access_key_id = AKIAKD00000000000000\naws_secret_access_key = SD\n";
    vec![
        Case {
            name: "a role ARN is assumed with the default profile",
            config: default_keys.to_owned(),
            credentials: "",
            request: to(ARN_A),
            env: ALICE,
            expected: &[
                "profiles [default]",
                "root: long-term keys AKIAKD00000000000000 of `default`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `arn:aws:iam::123456789012:role/A`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "a role ARN is assumed with the environment's keys first, as in the SDKs",
            config: default_keys.to_owned(),
            credentials: "",
            request: to(ARN_A),
            env: &[("AWS_REGION", "us-east-1"), ("AWS_ACCESS_KEY_ID", "KE")],
            expected: &[
                "profiles []",
                "root: credential_source Environment of `environment`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas (1h) of `arn:aws:iam::123456789012:role/A`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "a role ARN with no credentials to assume it",
            config: String::new(),
            credentials: "",
            request: to(ARN_A),
            env: ALICE,
            expected: &[
                "error (Config): no credentials to assume arn:aws:iam::123456789012:role/A with: there is no [default] profile and no AWS_ACCESS_KEY_ID; add one, or set AWS_PROFILE to a profile that has credentials",
            ],
        },
        Case {
            // The SDKs send it; AWS STS refuses it, a local service may not.
            name: "a role ARN with a short account",
            config: default_keys.to_owned(),
            credentials: "",
            request: to("arn:aws:iam::123:role/short"),
            env: ALICE,
            expected: &[
                "profiles [default]",
                "root: long-term keys AKIAKD00000000000000 of `default`",
                "AssumeRole arn:aws:iam::123:role/short as runas-alice (1h) of `arn:aws:iam::123:role/short`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "a role ARN too short for STS",
            config: default_keys.to_owned(),
            credentials: "",
            request: to("arn:aws:iam::1:role"),
            env: ALICE,
            expected: &[
                "error (Usage): role_arn `arn:aws:iam::1:role` is not a role ARN STS takes: 20 to 2048 characters, none of them control characters, such as arn:aws:iam::123456789012:role/NAME",
            ],
        },
    ]
}

/// the region
pub(super) fn region() -> Vec<Case> {
    let plain_k =
        "[profile k]\naws_access_key_id = AKIAK000000000000000\naws_secret_access_key = S\n";
    vec![
        Case {
            name: "no region anywhere",
            config: plain_k.to_owned(),
            credentials: "",
            request: to("k"),
            env: EMPTY,
            expected: &[
                "error (Config): no region for profile `k`: add `region = us-east-1` (for example) to [profile k] or [default], pass --region, or set AWS_REGION",
            ],
        },
        Case {
            name: "the region from AWS_DEFAULT_REGION",
            config: plain_k.to_owned(),
            credentials: "",
            request: to("k"),
            env: &[("AWS_DEFAULT_REGION", "sa-east-1")],
            expected: &[
                "profiles [k]",
                "root: long-term keys AKIAK000000000000000 of `k`",
                "region sa-east-1 from AWS_DEFAULT_REGION",
            ],
        },
        Case {
            name: "a region that is not a region name",
            config: format!("{plain_k}region = us east 1\n"),
            credentials: "",
            request: to("k"),
            env: ALICE,
            expected: &[
                "error (Config): profile `k`: region `us east 1` (from profile `k`) is not a region name such as us-east-1",
            ],
        },
    ]
}

/// the STS endpoint
pub(super) fn sts_endpoint() -> Vec<Case> {
    let plain_k =
        "[profile k]\naws_access_key_id = AKIAK000000000000000\naws_secret_access_key = S\n";
    let endpoint = format!("{plain_k}endpoint_url = http://127.0.0.1:1\n");
    vec![
        Case {
            name: "the profile's endpoint_url is part of the plan",
            config: endpoint.clone(),
            credentials: "",
            request: to("k"),
            env: REGION,
            expected: &[
                "profiles [k]",
                "root: long-term keys AKIAK000000000000000 of `k`",
                "region us-east-1 from AWS_REGION",
                "sts endpoint http://127.0.0.1:1",
            ],
        },
        Case {
            name: "AWS_ENDPOINT_URL_STS overrides the profile's endpoint_url",
            config: endpoint,
            credentials: "",
            request: to("k"),
            env: &[
                ("AWS_REGION", "us-east-1"),
                ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:2"),
            ],
            expected: &[
                "profiles [k]",
                "root: long-term keys AKIAK000000000000000 of `k`",
                "region us-east-1 from AWS_REGION",
                "sts endpoint http://127.0.0.1:2",
            ],
        },
    ]
}
