//! Role chains and their roots: source profiles, keys beside a role, and every other kind of root.

use super::*;

/// runas_serve
pub(super) fn serve() -> Vec<Case> {
    let serve_base =
        format!("[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\n{KEYS}");
    vec![
        Case {
            name: "runas_serve unset is off",
            config: serve_base.clone(),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "runas_serve = True on the profile",
            config: format!(
                "[profile a]\nrunas_serve = True\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\n{KEYS}"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
                "runas_serve",
            ],
        },
        Case {
            name: "runas_serve in [default]",
            config: format!("[default]\nrunas_serve = true\n{serve_base}"),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
                "runas_serve",
            ],
        },
        Case {
            name: "runas_serve that is not a boolean",
            config: format!(
                "[profile a]\nrunas_serve = yes please\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\n{KEYS}"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "error (Config): profile `a`: runas_serve: `yes please` is not true or false",
            ],
        },
    ]
}

/// source_profile chains: keys at the root, roles after it
pub(super) fn source_chains() -> Vec<Case> {
    vec![
        Case {
            name: "static keys, then a role",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\n{KEYS}"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "three hops, in order from the root",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n\
                 [profile b]\nrole_arn = {ARN_B}\nsource_profile = c\n\
                 [profile c]\nrole_arn = arn:aws:iam::123456789012:role/C\nsource_profile = d\n\
                 [profile d]\naws_access_key_id = AKIAKD00000000000000\naws_secret_access_key = SD\n"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b c d]",
                "root: long-term keys AKIAKD00000000000000 of `d`",
                "AssumeRole arn:aws:iam::123456789012:role/C as runas-alice (1h) of `c`",
                "AssumeRole arn:aws:iam::123456789012:role/B as runas-alice (1h) of `b`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            // As in the SDKs: B's own role is ignored because B has static keys; A's keys
            // are ignored because A names a source profile.
            name: "a source profile with keys ends the chain",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\naws_access_key_id = AKIAKA00000000000000\naws_secret_access_key = SA\n\
                 [profile b]\nrole_arn = {ARN_B}\nsource_profile = c\naws_access_key_id = AKIAKB00000000000000\naws_secret_access_key = SB\n\
                 [profile c]\naws_access_key_id = AKIAKC00000000000000\naws_secret_access_key = SC\n"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
    ]
}

/// a profile that holds keys and a role, and keys split across the two files
pub(super) fn keys_beside_a_role() -> Vec<Case> {
    vec![
        Case {
            name: "a self-referencing profile uses its own keys first",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = a\naws_access_key_id = AKIAKA00000000000000\naws_secret_access_key = SA\n"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a]",
                "root: long-term keys AKIAKA00000000000000 of `a`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "keys in the credentials file merge with the config",
            config: format!(
                "[profile a]\nrole_arn = {ARN_A}\nsource_profile = b\n[profile b]\nregion = eu-west-2\n"
            ),
            credentials: "[b]\naws_access_key_id = AKIAKB00000000000000\naws_secret_access_key = SB\n",
            request: to("a"),
            env: EMPTY,
            expected: &[
                "profiles [a b]",
                "root: long-term keys AKIAKB00000000000000 of `b`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas (1h) of `a`",
                "region eu-west-2 from profile `b`",
            ],
        },
    ]
}

/// other roots
pub(super) fn other_roots() -> Vec<Case> {
    vec![
        Case {
            name: "web identity root",
            config: "[profile w]\nrole_arn = arn:aws:iam::123456789012:role/W\nweb_identity_token_file = /t\nrole_session_name = ci\n".to_owned(),
            credentials: "",
            request: to("w"),
            env: ALICE,
            expected: &[
                "profiles [w]",
                "root: web identity arn:aws:iam::123456789012:role/W with /t as ci (1h) of `w`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "credential_process root",
            config: "[profile p]\ncredential_process = get-creds --x\n".to_owned(),
            credentials: "",
            request: to("p"),
            env: ALICE,
            expected: &[
                "profiles [p]",
                "root: credential_process `get-creds --x` of `p`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "credential_source EcsContainer root",
            config: format!("[profile e]\nrole_arn = {ARN_A}\ncredential_source = EcsContainer\n"),
            credentials: "",
            request: to("e"),
            env: ALICE,
            expected: &[
                "profiles [e]",
                "root: credential_source EcsContainer of `e`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `e`",
                "region us-east-1 from AWS_REGION",
            ],
        },
        Case {
            name: "SSO root",
            config: "[profile s]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\n\
                     [sso-session corp]\nsso_region = eu-west-1\nsso_start_url = https://corp.awsapps.com/start\n".to_owned(),
            credentials: "",
            request: to("s"),
            env: ALICE,
            expected: &[
                "profiles [s]",
                "root: SSO Dev in 123456789012 at https://corp.awsapps.com/start in eu-west-1, session corp of `s`",
                "region us-east-1 from AWS_REGION",
            ],
        },
    ]
}

/// login_session roots (`aws login`): as a role's source, their place in the SDKs' order,
/// and an empty one
pub(super) fn login_roots() -> Vec<Case> {
    vec![
        Case {
            name: "login_session root, as the source of a role capped at one hour",
            config: format!(
                "[profile l]\nlogin_session =  arn:aws:iam::123456789012:user/alice \n\
                 [profile a]\nrole_arn = {ARN_A}\nsource_profile = l\nduration_seconds = 7200\n"
            ),
            credentials: "",
            request: to("a"),
            env: ALICE,
            expected: &[
                "profiles [a l]",
                "root: login session arn:aws:iam::123456789012:user/alice of `l`",
                "AssumeRole arn:aws:iam::123456789012:role/A as runas-alice (1h) of `a`",
                "region us-east-1 from AWS_REGION",
                "warning: role duration for `a`: 2h is above the STS maximum; using 1h (one hour is the STS limit when a role is assumed with session credentials)",
            ],
        },
        Case {
            name: "login_session comes after SSO and before credential_process in the SDKs' order, and is alone",
            config: "[profile l]\nlogin_session = arn:aws:iam::123456789012:user/alice\ncredential_process = get-creds\naws_access_key_id = AKIAK000000000000000\n".to_owned(),
            credentials: "",
            request: to("l"),
            env: ALICE,
            expected: &[
                "error (Config): profile `l`: has login_session and also credential_process, aws_access_key_id; the AWS CLI's `aws login` will not add a login session to a profile with other credentials, and the SDKs would use only one: keep login_session in a profile of its own",
            ],
        },
        Case {
            name: "an empty login_session",
            config: "[profile l]\nlogin_session =\n".to_owned(),
            credentials: "",
            request: to("l"),
            env: ALICE,
            expected: &[
                "error (Config): profile `l`: login_session is empty; run `aws login --profile l` to sign in",
            ],
        },
    ]
}
