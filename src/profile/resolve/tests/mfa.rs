//! Durations and MFA: where the code is asked for, and the caps STS puts on chained roles.

use super::*;

/// durations and MFA
pub(super) fn durations_and_mfa() -> Vec<Case> {
    vec![
        Case {
            name: "roles from a role session are limited to an hour",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = w\nduration_seconds = 7200\n\
                 [profile w]\nrole_arn = {ARN_B}\nweb_identity_token_file = /t\n"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a w]",
                "root: web identity arn:aws:iam::123456789012:role/B with /t as runas-web-identity (1h) of `w`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
                "warning: role duration for `a`: 2h is above the STS maximum; using 1h (one hour is the STS limit when a role is assumed with session credentials)",
            ],
        },
        Case {
            name: "a chained role below the minimum is not told about the one-hour maximum",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = w\nduration_seconds = 300\n\
                 [profile w]\nrole_arn = {ARN_B}\nweb_identity_token_file = /t\n"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a w]",
                "root: web identity arn:aws:iam::123456789012:role/B with /t as runas-web-identity (1h) of `w`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (15m) of `a`",
                "region us-east-1 from AWS_REGION",
                "warning: role duration for `a`: 5m is below the STS minimum; using 15m",
            ],
        },
        Case {
            name: "MFA on the role becomes a session token step",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n\
                 [profile b]\n{KEYS}"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "GetSessionToken (12h, MFA arn:aws:iam::123456789012:mfa/alice)",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
    ]
}

/// Where the MFA code goes and how long each role asks for, as STS requires: one
/// session token for roles of up to an hour, the code on a longer first role, no
/// GetSessionToken for session roots, no code twice, at most one hour when chained.
pub(super) fn mfa_placement() -> Vec<Case> {
    let one_hour_roles = format!(
        "[profile me]\n{KEYS}\
         [profile prod]\nrole_arn = {ARN_A}\nsource_profile = me\nmfa_serial = {MFA}\n\
         [profile ro]\nrole_arn = {ARN_B}\nsource_profile = prod\nmfa_serial = {MFA}\n"
    );
    let long_role = format!(
        "[profile me]\n{KEYS}mfa_serial = {MFA}\n\
         [profile prod]\nrole_arn = {ARN_A}\nsource_profile = me\nduration_seconds = 28800\n\
         [profile ro]\nrole_arn = {ARN_B}\nsource_profile = prod\nmfa_serial = {MFA}\nduration_seconds = 7200\n"
    );
    vec![
        Case {
            name: "MFA: roles of an hour share one session token",
            config: one_hour_roles,
            credentials: "",
            request: to("ro"),
            env: ALICE,
            expected: &[
                "profiles [ro prod me]",
                "root: long-term keys AKIAKB00000000000000 of `me`",
                "GetSessionToken (12h, MFA arn:aws:iam::123456789012:mfa/alice)",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `prod`",
                "AssumeRole arn:aws:iam::123456789012:role/B as runas-alice (1h) of `ro`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "MFA: a long first role takes the code itself",
            config: long_role.clone(),
            credentials: "",
            request: to("prod"),
            env: ALICE,
            expected: &[
                "profiles [prod me]",
                "root: long-term keys AKIAKB00000000000000 of `me`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (8h, MFA arn:aws:iam::123456789012:mfa/alice) of `prod`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "MFA: a role after a long first role rides its session",
            config: long_role,
            credentials: "",
            request: to("ro"),
            env: ALICE,
            expected: &[
                "profiles [ro prod me]",
                "root: long-term keys AKIAKB00000000000000 of `me`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (8h, MFA arn:aws:iam::123456789012:mfa/alice) of `prod`",
                "AssumeRole arn:aws:iam::123456789012:role/B as runas-alice (1h) of `ro`",
                "region us-east-1 from AWS_REGION",
                "warning: role duration for `ro`: 2h is above the STS maximum; using 1h (one hour is the STS limit when a role is assumed with session credentials)",
            ],
        },
        Case {
            name: "MFA: session keys at the root never call GetSessionToken",
            config: format!(
                "[profile tmp]\n{KEYS}aws_session_token = TOKEN\n\
                 [profile prod]\nrole_arn = {ARN_A}\nsource_profile = tmp\nmfa_serial = {MFA}\nduration_seconds = 28800\n"
            ),
            credentials: "",
            request: to("prod"),
            env: ALICE,
            expected: &[
                "profiles [prod tmp]",
                "root: session keys AKIAKB00000000000000 of `tmp`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h, MFA arn:aws:iam::123456789012:mfa/alice) of `prod`",
                "region us-east-1 from AWS_REGION",
                "warning: role duration for `prod`: 8h is above the STS maximum; using 1h (one hour is the STS limit when a role is assumed with session credentials)",
            ],
        },
    ]
}

/// where the code goes when the root is a process or the environment, and how long a role
/// over environment keys may ask for
pub(super) fn mfa_over_other_roots() -> Vec<Case> {
    let env_root = format!(
        "[profile prod]\nrole_arn = {ARN_A}\ncredential_source = Environment\nduration_seconds = 7200\n"
    );
    vec![
        Case {
            name: "MFA: a credential_process root sends the code with the role",
            config: format!(
                "[profile p]\ncredential_process = get-creds\nmfa_serial = {MFA}\n\
                 [profile prod]\nrole_arn = {ARN_A}\nsource_profile = p\n"
            ),
            credentials: "",
            request: to("prod"),
            env: ALICE,
            expected: &[
                "profiles [prod p]",
                "root: credential_process `get-creds` of `p`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h, MFA arn:aws:iam::123456789012:mfa/alice) of `prod`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "environment keys without a session token keep a long role",
            config: env_root.clone(),
            credentials: "",
            request: to("prod"),
            env: ALICE,
            expected: &[
                "profiles [prod]",
                "root: credential_source Environment of `prod`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (2h) of `prod`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "environment session keys limit the role to an hour",
            config: env_root,
            credentials: "",
            request: to("prod"),
            env: &[
                ("AWS_REGION", "us-east-1"),
                ("USER", "alice"),
                ("AWS_SESSION_TOKEN", "T"),
            ],
            expected: &[
                "profiles [prod]",
                "root: credential_source Environment of `prod`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `prod`",
                "region us-east-1 from AWS_REGION",
                "warning: role duration for `prod`: 2h is above the STS maximum; using 1h (one hour is the STS limit when a role is assumed with session credentials)",
            ],
        },
    ]
}
