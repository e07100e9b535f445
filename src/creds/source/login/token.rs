//! The sign-in service's token endpoint (`POST /v1/token`, CreateOAuth2Token): where it is,
//! one refresh call within the deadline, and its answer, bounded and checked.

use super::file::Refreshed;
use crate::secret::Secret;
use aws_config::SdkConfig;
use aws_smithy_runtime_api::client::http::HttpConnector;
use aws_smithy_types::body::SdkBody;
use http_body_util::BodyExt;
use std::time::Duration;

/// A token answer is a few kilobytes; a longer one is not one.
const MAX_ANSWER: usize = 64 << 10;

/// The token endpoint for `region`: `AWS_ENDPOINT_URL_SIGNIN`, `AWS_ENDPOINT_URL`, the
/// profile's `[services]` entry for `signin` or its `endpoint_url`, in the SDKs' order;
/// else the sign-in host of the region's partition.
pub fn url(sdk: &SdkConfig, region: &str) -> String {
    let configured = sdk
        .service_config()
        .and_then(|c| {
            c.load_config(
                aws_types::service_config::ServiceConfigKey::builder()
                    .service_id("Signin")
                    .env("AWS_ENDPOINT_URL")
                    .profile("endpoint_url")
                    .build()
                    .expect("every field is set"),
            )
        })
        .or_else(|| sdk.endpoint_url().map(str::to_owned));
    let base = configured.unwrap_or_else(|| default_host(region));
    format!("{}/v1/token", base.trim_end_matches('/'))
}

/// The sign-in host of `region`'s partition, as the service's endpoint rules name it.
fn default_host(region: &str) -> String {
    match crate::partition::of_region(region) {
        "aws-cn" => format!("https://{region}.signin.amazonaws.cn"),
        "aws-us-gov" => format!("https://{region}.signin.amazonaws-us-gov.com"),
        "aws-eusc" => format!("https://signin.{region}.amazonaws.eu"),
        "aws-iso" => format!("https://signin.{region}.c2s.ic.gov"),
        "aws-iso-b" => format!("https://signin.{region}.sc2s.sgov.gov"),
        "aws-iso-e" => format!("https://signin.{region}.cloud.adc-e.uk"),
        "aws-iso-f" => format!("https://signin.{region}.csp.hci.ic.gov"),
        _ => format!("https://{region}.signin.aws.amazon.com"),
    }
}

/// Why a refresh brought no credentials. Nothing here holds a secret.
#[derive(Debug)]
pub enum Failure {
    /// TOKEN_EXPIRED or USER_CREDENTIALS_CHANGED: only a new `aws login` helps.
    Ended(String),
    /// INSUFFICIENT_PERMISSIONS: the identity may not call signin:CreateOAuth2Token.
    NotAllowed,
    /// Another refusal: the status and the service's error code, if it gave one.
    Refused { status: u16, code: Option<String> },
    /// An answer that is not a token answer (a proxy's page, a truncated body).
    NotAnswer(String),
    /// No answer: the connection failed or the deadline passed.
    Unreachable(String),
}

/// Sends the refresh request and reads its answer, all within `deadline`.
pub async fn refresh(
    url: &str,
    client_id: &str,
    refresh_token: &Secret,
    proof: &str,
    deadline: Duration,
) -> Result<Refreshed, Failure> {
    let body = serde_json::json!({
        "clientId": client_id,
        "grantType": "refresh_token",
        "refreshToken": refresh_token.expose(),
    });
    let mut request = aws_smithy_runtime_api::http::Request::new(SdkBody::from(body.to_string()));
    request
        .set_uri(url)
        .map_err(|e| Failure::Unreachable(format!("its URL is not usable ({e})")))?;
    request
        .set_method("POST")
        .map_err(|e| Failure::Unreachable(e.to_string()))?;
    let headers = request.headers_mut();
    headers.insert("Content-Type", "application/json");
    headers.insert("Accept", "application/json");
    headers.insert("DPoP", proof.to_owned());
    let connector = aws_smithy_http_client::Connector::builder()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::AwsLc,
        ))
        .build();
    let exchange = async {
        let response = connector
            .call(request)
            .await
            .map_err(|e| Failure::Unreachable(crate::error::causes(&e)))?;
        let status = response.status().as_u16();
        let error_type = response
            .headers()
            .get("x-amzn-errortype")
            .map(|t| t.split(':').next().unwrap_or_default().to_owned());
        let body = http_body_util::Limited::new(response.into_body(), MAX_ANSWER)
            .collect()
            .await
            .map_err(|_| {
                Failure::NotAnswer(format!(
                    "its answer is longer than {} KiB or broke off",
                    MAX_ANSWER >> 10
                ))
            })?
            .to_bytes();
        Ok::<_, Failure>((status, error_type, body))
    };
    let (status, error_type, body) =
        tokio::time::timeout(deadline, exchange)
            .await
            .map_err(|_| {
                Failure::Unreachable(format!("no answer within {}", crate::deadline::describe()))
            })??;
    if status == 200 {
        answer(&body)
    } else {
        Err(refusal(status, error_type, &body))
    }
}

fn answer(body: &[u8]) -> Result<Refreshed, Failure> {
    let not = |why: &str| Failure::NotAnswer(why.to_owned());
    let answer: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| not("its answer is not JSON"))?;
    let text = |value: &serde_json::Value, name: &str| {
        value[name]
            .as_str()
            .filter(|s| !s.is_empty() && s.len() <= 8192 && s.bytes().all(|b| b.is_ascii_graphic()))
            .map(str::to_owned)
            .ok_or_else(|| Failure::NotAnswer(format!("its answer has no usable `{name}`")))
    };
    let access = &answer["accessToken"];
    let expires_in = answer["expiresIn"]
        .as_u64()
        .filter(|s| (1..=43_200).contains(s))
        .ok_or_else(|| not("its answer has no usable `expiresIn`"))?;
    let refreshed = Refreshed {
        access_key_id: text(access, "accessKeyId")?,
        secret_access_key: Secret::new(text(access, "secretAccessKey")?),
        session_token: Secret::new(text(access, "sessionToken")?),
        expires_in: Duration::from_secs(expires_in),
        refresh_token: Secret::new(text(&answer, "refreshToken")?),
    };
    let check = crate::credentials::Credentials {
        access_key_id: refreshed.access_key_id.clone(),
        secret_access_key: refreshed.secret_access_key.clone(),
        session_token: Some(refreshed.session_token.clone()),
        expiration: None,
        account_id: None,
    };
    match check.problem() {
        None => Ok(refreshed),
        Some(why) => Err(Failure::NotAnswer(format!("in its answer, {why}"))),
    }
}

fn refusal(status: u16, error_type: Option<String>, body: &[u8]) -> Failure {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    // The service's codes are short upper-case words; anything else is not repeated.
    let code = parsed
        .as_ref()
        .and_then(|b| b["error"].as_str())
        .filter(|c| c.len() <= 64 && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .map(str::to_owned);
    let denied = error_type.as_deref() == Some("AccessDeniedException");
    match (denied, code.as_deref()) {
        (true, Some("TOKEN_EXPIRED" | "USER_CREDENTIALS_CHANGED")) => {
            Failure::Ended(code.unwrap_or_default())
        }
        (true, Some("INSUFFICIENT_PERMISSIONS")) => Failure::NotAllowed,
        _ => Failure::Refused { status, code },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_partition_has_its_sign_in_host() {
        assert_eq!(
            default_host("us-east-1"),
            "https://us-east-1.signin.aws.amazon.com"
        );
        assert_eq!(
            default_host("cn-north-1"),
            "https://cn-north-1.signin.amazonaws.cn"
        );
        assert_eq!(
            default_host("us-gov-west-1"),
            "https://us-gov-west-1.signin.amazonaws-us-gov.com"
        );
        assert_eq!(
            default_host("eusc-de-east-1"),
            "https://signin.eusc-de-east-1.amazonaws.eu"
        );
    }

    #[test]
    fn refusals_are_sorted_by_what_helps() {
        let denied = |code: &str| {
            refusal(
                400,
                Some("AccessDeniedException".into()),
                format!(r#"{{"error":"{code}","message":"m"}}"#).as_bytes(),
            )
        };
        assert!(matches!(denied("TOKEN_EXPIRED"), Failure::Ended(c) if c == "TOKEN_EXPIRED"));
        assert!(matches!(
            denied("USER_CREDENTIALS_CHANGED"),
            Failure::Ended(_)
        ));
        assert!(matches!(
            denied("INSUFFICIENT_PERMISSIONS"),
            Failure::NotAllowed
        ));
        assert!(matches!(
            refusal(500, None, b"<html>"),
            Failure::Refused {
                status: 500,
                code: None
            }
        ));
        assert!(matches!(
            refusal(400, None, br#"{"error":"secret value with spaces"}"#),
            Failure::Refused { code: None, .. }
        ));
    }

    #[test]
    fn an_answer_is_checked_before_use() {
        let good = br#"{"accessToken":{"accessKeyId":"ASIAEXAMPLEKEYID0001","secretAccessKey":"s","sessionToken":"t"},"tokenType":"aws_sigv4","expiresIn":900,"refreshToken":"r"}"#;
        assert!(answer(good).is_ok());
        assert!(matches!(answer(b"<html>"), Err(Failure::NotAnswer(_))));
        let bad = br#"{"accessToken":{"accessKeyId":"ASIAEXAMPLEKEYID0001","secretAccessKey":"s s","sessionToken":"t"},"expiresIn":900,"refreshToken":"r"}"#;
        assert!(matches!(answer(bad), Err(Failure::NotAnswer(_))));
    }
}
