//! The keys runas reads from the profile files, and the checks their values pass before
//! anything is sent: what STS would refuse is refused here, naming the profile.

pub const REGION: &str = "region";
pub(crate) const ROLE_ARN: &str = "role_arn";
pub(crate) const SOURCE_PROFILE: &str = "source_profile";
pub(crate) const CREDENTIAL_SOURCE: &str = "credential_source";
pub(crate) const SESSION_NAME: &str = "role_session_name";
pub(crate) const EXTERNAL_ID: &str = "external_id";
pub(crate) const DURATION_SECONDS: &str = "duration_seconds";
pub(crate) const MFA_SERIAL: &str = "mfa_serial";
pub(crate) const WEB_IDENTITY_TOKEN_FILE: &str = "web_identity_token_file";
pub(crate) const CREDENTIAL_PROCESS: &str = "credential_process";
pub(crate) const ACCESS_KEY_ID: &str = "aws_access_key_id";
pub(crate) const SECRET_ACCESS_KEY: &str = "aws_secret_access_key";
pub(crate) const SESSION_TOKEN: &str = "aws_session_token";
pub(crate) const SSO_SESSION: &str = "sso_session";
pub(crate) const SSO_REGION: &str = "sso_region";
pub(crate) const SSO_START_URL: &str = "sso_start_url";
pub(crate) const SSO_ACCOUNT_ID: &str = "sso_account_id";
pub(crate) const SSO_ROLE_NAME: &str = "sso_role_name";
pub(crate) const SSO_REGISTRATION_SCOPES: &str = "sso_registration_scopes";
pub(crate) const ENDPOINT_URL: &str = "endpoint_url";
pub(crate) const LOGIN_SESSION: &str = "login_session";
pub(crate) const ACCOUNT_ID: &str = "aws_account_id";
// Read only by runas (aws-runas's names).
pub const SESSION_TOKEN_DURATION: &str = "session_token_duration";
pub const CREDENTIALS_DURATION: &str = "credentials_duration";
pub(crate) const MFA_PROCESS: &str = "mfa_process";
pub(crate) const ECR_REGISTRIES: &str = "ecr_registries";
pub(crate) const SERVE: &str = "runas_serve";
pub(crate) const SSO_AUTO_LOGIN: &str = "sso_auto_login";

/// Every key runas reads, in the order `runas diagnose` shows them.
pub(crate) const ALL: [&str; 27] = [
    REGION,
    ROLE_ARN,
    SOURCE_PROFILE,
    CREDENTIAL_SOURCE,
    SESSION_NAME,
    EXTERNAL_ID,
    DURATION_SECONDS,
    CREDENTIALS_DURATION,
    MFA_SERIAL,
    MFA_PROCESS,
    SESSION_TOKEN_DURATION,
    WEB_IDENTITY_TOKEN_FILE,
    CREDENTIAL_PROCESS,
    ACCESS_KEY_ID,
    SECRET_ACCESS_KEY,
    SESSION_TOKEN,
    SSO_SESSION,
    SSO_REGION,
    SSO_START_URL,
    SSO_ACCOUNT_ID,
    SSO_ROLE_NAME,
    LOGIN_SESSION,
    ENDPOINT_URL,
    ECR_REGISTRIES,
    SERVE,
    SSO_AUTO_LOGIN,
    ACCOUNT_ID,
];

/// Keys whose values are secrets and are never shown.
pub const SECRET: [&str; 2] = [SECRET_ACCESS_KEY, SESSION_TOKEN];

/// An MFA device: its ARN (`arn:aws:iam::123456789012:mfa/NAME`) or a hardware token's
/// serial number (such as GAHT12345678). STS's model takes 9 to 256 of
/// `[A-Za-z0-9_+=/:,.@-]` and checks the rest itself, so that is the rule here: a device
/// of an account that is not 12 digits is STS's to refuse or a local service's to take.
pub(crate) fn validate_mfa_serial(serial: &str) -> std::result::Result<(), String> {
    let sts_takes = (9..=256).contains(&serial.len())
        && serial
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=/:,.@-".contains(&b));
    if sts_takes {
        Ok(())
    } else {
        Err(format!(
            "mfa_serial `{}` is neither an MFA device ARN (arn:aws:iam::123456789012:mfa/NAME) nor a hardware token's serial number: STS takes 9 to 256 letters, digits and _+=/:,.@-",
            serial.escape_debug()
        ))
    }
}

/// What STS takes as a role session name: 2 to 64 of `[A-Za-z0-9_+=,.@-]`.
pub(crate) fn valid_session_name(name: &str) -> bool {
    (2..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// STS's model for SerialNumber: 9 to 256 of `[\w+=/:,.@-]`. The SDKs' vectors use
    /// 9-digit accounts, and a local service is free to take them.
    #[test]
    fn mfa_serials_are_what_sts_takes() {
        for good in [
            "arn:aws:iam::123456789012:mfa/alice",
            "arn:aws:iam::123456789:mfa/vector",
            "arn:aws-cn:iam::123456789012:mfa/path/alice@example.com",
            "GAHT12345678",
            "123456789",
        ] {
            assert_eq!(validate_mfa_serial(good), Ok(()), "{good}");
        }
        let long = "a".repeat(257);
        for bad in [
            "my-phone",
            "arn:aws:iam::123456789012:mfa/a b",
            "GAHT1234\u{1b}5",
            &long,
        ] {
            let err = validate_mfa_serial(bad).unwrap_err();
            assert!(err.contains("STS takes 9 to 256"), "{err}");
            assert!(!err.contains('\u{1b}'), "{err}");
        }
    }
}
