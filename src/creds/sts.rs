//! The STS calls a chain makes, and what their failures mean to the user.

use super::Credentials;
use crate::error::{Error, Result};
use crate::profile::chain::RoleStep;
use aws_sdk_sts::Client;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sts::types;
use std::time::Duration;

pub struct Identity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

pub async fn assume_role(
    client: &Client,
    role: &RoleStep,
    mfa: Option<(&str, &str)>,
) -> Result<Credentials> {
    let what = format!("assuming {} for profile `{}`", role.role_arn, role.profile);
    let output = client
        .assume_role()
        .role_arn(&role.role_arn)
        .role_session_name(&role.session_name)
        .set_external_id(role.external_id.clone())
        .duration_seconds(seconds(role.duration))
        .set_serial_number(mfa.map(|(serial, _)| serial.to_owned()))
        .set_token_code(mfa.map(|(_, code)| code.to_owned()))
        .send()
        .await
        .map_err(|e| failure(&what, e, mfa.map(|(serial, _)| serial)))?;
    convert(output.credentials(), &what)
}

pub async fn session_token(
    client: &Client,
    duration: Duration,
    mfa: Option<(&str, &str)>,
) -> Result<Credentials> {
    let what = "getting a session token".to_owned();
    let output = client
        .get_session_token()
        .duration_seconds(seconds(duration))
        .set_serial_number(mfa.map(|(serial, _)| serial.to_owned()))
        .set_token_code(mfa.map(|(_, code)| code.to_owned()))
        .send()
        .await
        .map_err(|e| failure(&what, e, mfa.map(|(serial, _)| serial)))?;
    convert(output.credentials(), &what)
}

pub async fn web_identity(
    client: &Client,
    role_arn: &str,
    session_name: &str,
    duration: Duration,
    token: &str,
) -> Result<Credentials> {
    let what = format!("assuming {role_arn} with a web identity token");
    let output = client
        .assume_role_with_web_identity()
        .role_arn(role_arn)
        .role_session_name(session_name)
        .duration_seconds(seconds(duration))
        .web_identity_token(token)
        .send()
        .await
        .map_err(|e| failure(&what, e, None))?;
    convert(output.credentials(), &what)
}

pub async fn caller_identity(client: &Client) -> Result<Identity> {
    let what = "asking STS who the credentials belong to".to_owned();
    let output = client
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| failure(&what, e, None))?;
    Ok(Identity {
        account: output.account().unwrap_or_default().to_owned(),
        arn: output.arn().unwrap_or_default().to_owned(),
        user_id: output.user_id().unwrap_or_default().to_owned(),
    })
}

fn seconds(d: Duration) -> i32 {
    i32::try_from(d.as_secs()).unwrap_or(i32::MAX)
}

fn convert(c: Option<&types::Credentials>, what: &str) -> Result<Credentials> {
    let c = c.ok_or_else(|| Error::Credentials {
        what: what.to_owned(),
        message: "STS answered without credentials".to_owned(),
    })?;
    Ok(Credentials {
        access_key_id: c.access_key_id().to_owned(),
        secret_access_key: c.secret_access_key().to_owned(),
        session_token: Some(c.session_token().to_owned()),
        expiration: std::time::SystemTime::try_from(*c.expiration()).ok(),
    })
}

/// Turns an SDK error into a sentence: the service's code and message when STS answered,
/// the transport's reason when it did not.
fn failure<E, R>(what: &str, error: SdkError<E, R>, mfa_serial: Option<&str>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let message = match &error {
        SdkError::ServiceError(service) => {
            let e = service.err();
            let code = e.code().unwrap_or("error");
            let text = e.message().unwrap_or("no message");
            let hint = match (code, mfa_serial) {
                (_, Some(serial))
                    if text.to_lowercase().contains("multifactor")
                        || text.to_lowercase().contains("mfa") =>
                {
                    return Error::Mfa(format!(
                        "{what}: STS rejected the MFA code for {serial} ({code}: {text}); wait for the next code and try again"
                    ));
                }
                ("ExpiredToken", _) => {
                    "; the source credentials have expired: run again with -r, or renew them"
                }
                ("InvalidClientTokenId" | "SignatureDoesNotMatch", _) => {
                    "; the source access keys are not valid: check aws_access_key_id and aws_secret_access_key"
                }
                ("AccessDenied", _) => {
                    "; check the role's trust policy and the caller's sts:AssumeRole permission"
                }
                _ => "",
            };
            format!("{code}: {text}{hint}")
        }
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => format!(
            "could not reach STS ({}); check the network, the region and any endpoint_url / AWS_ENDPOINT_URL",
            crate::error::causes(&error)
        ),
        _ => crate::error::causes(&error),
    };
    Error::Credentials {
        what: what.to_owned(),
        message,
    }
}

/// The time on STS's clock, from the `Date` header of any answer. The request is signed
/// with made-up keys: STS's refusal carries the header too, and the user's credentials
/// (and MFA) are not needed to compare clocks.
pub async fn server_time(client: &Client) -> Result<std::time::SystemTime> {
    use aws_sdk_sts::config::interceptors::BeforeDeserializationInterceptorContextRef;
    use aws_sdk_sts::config::{ConfigBag, Intercept, RuntimeComponents};
    use std::sync::{Arc, Mutex};

    #[derive(Debug, Default, Clone)]
    struct DateHeader(Arc<Mutex<Option<String>>>);

    impl Intercept for DateHeader {
        fn name(&self) -> &'static str {
            "DateHeader"
        }

        fn read_before_deserialization(
            &self,
            context: &BeforeDeserializationInterceptorContextRef<'_>,
            _: &RuntimeComponents,
            _: &mut ConfigBag,
        ) -> std::result::Result<(), Box<dyn std::error::Error + Send + Sync>> {
            if let (Some(date), Ok(mut slot)) =
                (context.response().headers().get("date"), self.0.lock())
            {
                *slot = Some(date.to_owned());
            }
            Ok(())
        }
    }

    let header = DateHeader::default();
    let outcome = client
        .get_caller_identity()
        .customize()
        .config_override(
            aws_sdk_sts::config::Builder::default()
                .credentials_provider(aws_credential_types::Credentials::new(
                    "AKIDRUNASCLOCKCHECK",
                    "not-a-secret",
                    None,
                    None,
                    "clock-check",
                ))
                .retry_config(aws_sdk_sts::config::retry::RetryConfig::disabled()),
        )
        .interceptor(header.clone())
        .send()
        .await;
    let date = header.0.lock().ok().and_then(|d| d.clone());
    match (date, outcome) {
        (Some(date), _) => aws_smithy_types::DateTime::from_str(
            &date,
            aws_smithy_types::date_time::Format::HttpDate,
        )
        .ok()
        .and_then(|t| std::time::SystemTime::try_from(t).ok())
        .ok_or_else(|| Error::Credentials {
            what: "reading STS's clock".into(),
            message: format!("the Date header `{date}` is not an HTTP date"),
        }),
        (None, Err(e)) => Err(failure("reading STS's clock", e, None)),
        (None, Ok(_)) => Err(Error::Credentials {
            what: "reading STS's clock".into(),
            message: "STS answered without a Date header".into(),
        }),
    }
}
