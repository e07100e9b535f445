//! The one call to the federation endpoint: getSigninToken, with the session document in a
//! POST body (never in a URL, where proxies and logs keep it), within the deadline, and an
//! answer that is bounded and checked before its token is used.

use crate::deadline;
use crate::error::{Error, Result};
use crate::secret::Secret;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{Connect, HttpConnector};
use hyper_util::rt::TokioExecutor;

/// An answer larger than this is not the federation endpoint's.
const MAX_ANSWER: usize = 64 * 1024;
/// Sign-in tokens are a few hundred to a few thousand characters.
const MAX_TOKEN: usize = 16 * 1024;

/// The sign-in token for `session` (the session document), asking for a console session
/// of `duration` seconds where AWS takes one.
pub async fn token(endpoint: &str, session: &Secret, duration: Option<u64>) -> Result<Secret> {
    let what = format!("getting a console sign-in token from {endpoint}");
    let fail = |message: String| Error::Credentials {
        what: what.clone(),
        message,
    };
    let mut body = format!(
        "Action=getSigninToken&Session={}",
        super::encode(session.expose())
    );
    if let Some(seconds) = duration {
        body.push_str(&format!("&SessionDuration={seconds}"));
    }
    let request = hyper::Request::post(endpoint)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| fail(format!("not a URL runas can call: {e}")))?;
    let call = async {
        if endpoint.starts_with("https://") {
            let https = hyper_rustls::HttpsConnectorBuilder::new()
                .with_provider_and_native_roots(rustls::crypto::aws_lc_rs::default_provider())
                .map_err(|e| format!("no trusted certificates to check it with: {e}"))?
                .https_only()
                .enable_http1()
                .build();
            send(Client::builder(TokioExecutor::new()).build(https), request).await
        } else {
            let http = HttpConnector::new();
            send(Client::builder(TokioExecutor::new()).build(http), request).await
        }
    };
    let answer = tokio::time::timeout(deadline::timeout(), call)
        .await
        .map_err(|_| fail(format!("no answer within {}", deadline::describe())))?
        .map_err(fail)?;
    read_token(&answer).map_err(fail)
}

async fn send<C>(
    client: Client<C, Full<Bytes>>,
    request: hyper::Request<Full<Bytes>>,
) -> std::result::Result<Vec<u8>, String>
where
    C: Connect + Clone + Send + Sync + 'static,
{
    let response = client
        .request(request)
        .await
        .map_err(|e| format!("unreachable: {}", crate::error::causes(&e)))?;
    let status = response.status();
    let body = Limited::new(response.into_body(), MAX_ANSWER)
        .collect()
        .await
        .map_err(|_| format!("its answer is unreadable or larger than {MAX_ANSWER} bytes"))?
        .to_bytes();
    if status.as_u16() == 400 || status.as_u16() == 401 || status.as_u16() == 403 {
        return Err(format!(
            "refused ({status}): the console does not take these credentials (expired, or a session it cannot sign in)"
        ));
    }
    if !status.is_success() {
        return Err(format!("answered {status}"));
    }
    Ok(body.to_vec())
}

/// `{"SigninToken": "…"}`, with a token of printable ASCII of a sane length.
fn read_token(answer: &[u8]) -> std::result::Result<Secret, String> {
    #[derive(serde::Deserialize)]
    struct Answer {
        #[serde(rename = "SigninToken")]
        signin_token: String,
    }
    let parsed: Answer = serde_json::from_slice(answer)
        .map_err(|_| "its answer is not a sign-in token (not the expected JSON)".to_owned())?;
    let token = parsed.signin_token;
    if token.is_empty() || token.len() > MAX_TOKEN || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("its answer holds no usable sign-in token".into());
    }
    Ok(Secret::new(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_sane_token_is_taken() {
        assert_eq!(
            read_token(br#"{"SigninToken":"abc-_"}"#).unwrap().expose(),
            "abc-_"
        );
        for bad in [
            &br#"{"SigninToken":""}"#[..],
            br#"{"SigninToken":"a b"}"#,
            br#"{"Token":"x"}"#,
            b"<html>",
        ] {
            assert!(read_token(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        let long = format!(r#"{{"SigninToken":"{}"}}"#, "a".repeat(MAX_TOKEN + 1));
        assert!(read_token(long.as_bytes()).is_err());
    }
}
