//! The STS calls a chain makes, and what their failures mean to the user.

use super::Credentials;
use crate::arn::RoleArn;
use crate::error::{Error, Result};
use crate::profile::chain::RoleStep;
use crate::sdk::{Failure, Network, Service};
use crate::secret::Secret;
use aws_sdk_sts::Client;
use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sts::types;
use std::time::Duration;

/// An STS client and, for messages, where it is reached.
pub struct Sts {
    pub client: Client,
    pub service: Service,
}

impl Sts {
    /// A client on the shared network, signing with `credentials` (none for unsigned
    /// calls).
    pub fn new(network: &Network, credentials: Option<&Credentials>) -> Result<Sts> {
        let (client, service) = network.sts(credentials)?;
        Ok(Sts { client, service })
    }
}

pub struct Identity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

pub(crate) async fn assume_role(
    sts: &Sts,
    role: &RoleStep,
    mfa: Option<(&str, &Secret)>,
) -> Result<Credentials> {
    let what = format!("assuming {} for profile `{}`", role.role_arn, role.profile);
    let output = sts
        .client
        .assume_role()
        .role_arn(role.role_arn.as_str())
        .role_session_name(&role.session_name)
        .set_external_id(role.external_id.clone())
        .duration_seconds(seconds(role.duration))
        .set_serial_number(mfa.map(|(serial, _)| serial.to_owned()))
        .set_token_code(mfa.map(|(_, code)| code.expose().to_owned()))
        .send()
        .await
        .map_err(|e| {
            let call = Call::AssumeRole(mfa.map(|(serial, _)| serial), &role.role_arn);
            failure(&what, &sts.service, e, call)
        })?;
    let mut credentials = convert(output.credentials(), &what, &sts.service)?;
    credentials.account_id = assumed_account(output.assumed_role_user());
    Ok(credentials)
}

/// The account STS says the assumed role belongs to, for a role whose ARN does not say.
fn assumed_account(user: Option<&types::AssumedRoleUser>) -> Option<String> {
    user.and_then(|user| account_of(user.arn()))
        .map(str::to_owned)
}

/// The 12-digit account of an STS ARN (`arn:aws:sts::123456789012:assumed-role/R/s`): what
/// the SDKs read a role's account from when its own ARN does not say.
fn account_of(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let account = *parts.get(4)?;
    (parts.len() == 6
        && parts[0] == "arn"
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit()))
    .then_some(account)
}

pub async fn session_token(
    sts: &Sts,
    duration: Duration,
    mfa: Option<(&str, &Secret)>,
) -> Result<Credentials> {
    let what = "getting a session token".to_owned();
    let output = sts
        .client
        .get_session_token()
        .duration_seconds(seconds(duration))
        .set_serial_number(mfa.map(|(serial, _)| serial.to_owned()))
        .set_token_code(mfa.map(|(_, code)| code.expose().to_owned()))
        .send()
        .await
        .map_err(|e| {
            let call = Call::SessionToken(mfa.map(|(serial, _)| serial));
            failure(&what, &sts.service, e, call)
        })?;
    convert(output.credentials(), &what, &sts.service)
}

pub(crate) async fn web_identity(
    sts: &Sts,
    role_arn: &RoleArn,
    session_name: &str,
    duration: Duration,
    token: &str,
) -> Result<Credentials> {
    let what = format!("assuming {role_arn} with a web identity token");
    let output = sts
        .client
        .assume_role_with_web_identity()
        .role_arn(role_arn.as_str())
        .role_session_name(session_name)
        .duration_seconds(seconds(duration))
        .web_identity_token(token)
        .send()
        .await
        .map_err(|e| failure(&what, &sts.service, e, Call::WebIdentity(role_arn)))?;
    let mut credentials = convert(output.credentials(), &what, &sts.service)?;
    credentials.account_id = assumed_account(output.assumed_role_user());
    Ok(credentials)
}

/// GetFederationToken with long-term keys, for the console (which refuses long-term keys
/// themselves). The policy passed allows everything, so the session has exactly the
/// user's own permissions (without one it would have none).
pub(crate) async fn federation_token(
    sts: &Sts,
    name: &str,
    duration: Duration,
) -> Result<Credentials> {
    const EVERYTHING: &str =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let what = "getting a federation token for the console".to_owned();
    let output = sts
        .client
        .get_federation_token()
        .name(name)
        .policy(EVERYTHING)
        .duration_seconds(seconds(duration))
        .send()
        .await
        .map_err(|e| failure(&what, &sts.service, e, Call::FederationToken))?;
    convert(output.credentials(), &what, &sts.service)
}

pub(crate) async fn caller_identity(sts: &Sts) -> Result<Identity> {
    let what = "asking STS who the credentials belong to".to_owned();
    let output = sts
        .client
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| failure(&what, &sts.service, e, Call::CallerIdentity))?;
    Ok(Identity {
        account: output.account().unwrap_or_default().to_owned(),
        arn: output.arn().unwrap_or_default().to_owned(),
        user_id: output.user_id().unwrap_or_default().to_owned(),
    })
}

fn seconds(d: Duration) -> i32 {
    i32::try_from(d.as_secs()).unwrap_or(i32::MAX)
}

/// An answer that parsed but holds no credentials is not STS's either (a proxy's page
/// with a 200 status parses as an empty answer).
fn convert(c: Option<&types::Credentials>, what: &str, endpoint: &Service) -> Result<Credentials> {
    let c = c
        .filter(|c| !c.access_key_id().is_empty())
        .ok_or_else(|| Error::Credentials {
            what: what.to_owned(),
            message: format!(
                "the answer from {endpoint} is not an STS answer (it holds no credentials); \
                 check endpoint_url / AWS_ENDPOINT_URL and any proxy between here and STS"
            ),
        })?;
    Ok(Credentials {
        access_key_id: c.access_key_id().to_owned(),
        secret_access_key: Secret::new(c.secret_access_key()),
        session_token: Some(Secret::new(c.session_token())),
        expiration: std::time::SystemTime::try_from(*c.expiration()).ok(),
        account_id: None,
    })
}

/// The STS call that failed, with the MFA device it sent a code for: what to do about a
/// refusal depends on both.
#[derive(Clone, Copy)]
enum Call<'a> {
    AssumeRole(Option<&'a str>, &'a RoleArn),
    SessionToken(Option<&'a str>),
    WebIdentity(&'a RoleArn),
    CallerIdentity,
    FederationToken,
}

/// The SDK's error as a sentence about STS, with what to do about it; an MFA refusal is an
/// MFA error of its own.
fn failure<E>(what: &str, service: &Service, error: SdkError<E, HttpResponse>, call: Call) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let mfa_serial = match call {
        Call::AssumeRole(serial, _) | Call::SessionToken(serial) => serial,
        Call::WebIdentity(_) | Call::CallerIdentity | Call::FederationToken => None,
    };
    let failure = Failure::of(&error);
    if let (Failure::Refused { code, message }, Some(serial)) = (&failure, mfa_serial) {
        let lower = message.to_lowercase();
        if code == "AccessDenied" && lower.contains("invalid mfa one time pass code") {
            return Error::MfaRefused(format!(
                "{what}: STS rejected the MFA code for {serial} ({code}: {message}); each code is good once: wait for the next code and try again"
            ));
        }
        if lower.contains("multifactor") || lower.contains("mfa") {
            return Error::Mfa(format!(
                "{what}: STS rejected the MFA code for {serial} ({code}: {message}); each code is good once: wait for the next code and try again"
            ));
        }
    }
    Error::Credentials {
        what: what.to_owned(),
        message: failure.sentence(service, |code| advice(code, call)),
    }
}

/// Everything said after a refusal: what to do about its code, and whether the ARN may be
/// the reason.
fn advice(code: &str, call: Call) -> String {
    let shape = match code {
        "AccessDenied" | "ValidationError" => not_aws_form(call),
        _ => "",
    };
    format!("{}{shape}", hint(code, call))
}

/// A refused role whose ARN is not of AWS's form may be refused for that: AWS STS answers a
/// malformed ARN (`iam:` with one colon, a short account) with AccessDenied, not with
/// what is wrong. Said for AccessDenied and ValidationError only (an expired token or a
/// throttle has nothing to do with the ARN), and for any endpoint: an `endpoint_url` may be
/// AWS's own (a VPC endpoint), and the sentence names AWS STS as the one that needs it.
fn not_aws_form(call: Call) -> &'static str {
    let role = match call {
        Call::AssumeRole(_, role) | Call::WebIdentity(role) => role,
        Call::SessionToken(_) | Call::CallerIdentity | Call::FederationToken => return "",
    };
    if role.is_aws_form() {
        ""
    } else {
        "; the role_arn is not of AWS's form arn:PARTITION:iam::ACCOUNT:role/NAME \
         (two colons after `iam`, a 12-digit account), which AWS STS needs"
    }
}

/// What to do about a refusal, by its code and the call refused.
fn hint(code: &str, call: Call) -> &'static str {
    match (code, call) {
        ("ExpiredToken", _) => {
            "; the source credentials have expired: run again with -r, or renew them"
        }
        ("InvalidClientTokenId" | "SignatureDoesNotMatch", _) => {
            "; the source access keys are not valid: check aws_access_key_id and aws_secret_access_key"
        }
        ("AccessDenied", Call::AssumeRole(Some(_), _)) => {
            "; check the role's trust policy, the caller's sts:AssumeRole permission and the MFA device"
        }
        ("AccessDenied", Call::AssumeRole(None, _)) => {
            "; check the role's trust policy and the caller's sts:AssumeRole permission"
        }
        ("AccessDenied", Call::SessionToken(_)) => {
            "; GetSessionToken takes an IAM user's long-term keys (never session credentials) \
             and that user's own MFA device: check the source profile's keys, mfa_serial, and \
             any policy that denies sts:GetSessionToken"
        }
        ("AccessDenied", Call::WebIdentity(_)) => {
            "; check the role's trust policy for the identity provider and the token's audience"
        }
        ("AccessDenied", Call::FederationToken) => {
            "; GetFederationToken takes an IAM user's long-term keys: check the user's \
             sts:GetFederationToken permission"
        }
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_session_token_gets_its_own_hint() {
        let hint = hint("AccessDenied", Call::SessionToken(Some("GAHT12345678")));
        assert!(
            hint.contains("GetSessionToken takes an IAM user's long-term keys"),
            "{hint}"
        );
        assert!(!hint.contains("AssumeRole"), "{hint}");
        let arn = RoleArn::parse("arn:aws:iam::123456789012:role/R").unwrap();
        let role = super::hint("AccessDenied", Call::AssumeRole(None, &arn));
        assert!(role.contains("sts:AssumeRole"), "{role}");
        assert_eq!(not_aws_form(Call::AssumeRole(None, &arn)), "");
    }

    /// aws-vault's users lost time to `iam:` with one colon: STS said only AccessDenied.
    #[test]
    fn a_refused_role_not_of_aws_form_says_so() {
        let arn = RoleArn::parse("arn:aws:iam:012345678901:role/something").unwrap();
        for call in [Call::AssumeRole(None, &arn), Call::WebIdentity(&arn)] {
            assert!(advice("AccessDenied", call).contains("two colons after `iam`"));
            assert!(advice("ValidationError", call).contains("two colons after `iam`"));
            // An expired source or a throttle has nothing to do with the ARN.
            assert!(!advice("ExpiredToken", call).contains("AWS's form"));
            assert!(!advice("Throttling", call).contains("AWS's form"));
        }
    }

    #[test]
    fn an_assumed_roles_account_comes_from_its_arn() {
        assert_eq!(
            account_of("arn:aws:sts::123456789012:assumed-role/R/s"),
            Some("123456789012")
        );
        for none in [
            "",
            "arn:aws:sts::1234:assumed-role/R/s",
            "arn:minio:sts:::x",
        ] {
            assert_eq!(account_of(none), None, "{none}");
        }
    }
}
