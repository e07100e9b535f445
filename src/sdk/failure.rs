//! What a failed SDK call means, in words, for every service runas calls.
//!
//! The SDK's `Debug` output of an error carries the raw HTTP exchange, which can hold a
//! secret, so only the service's code and message, the shape of an answer that was not
//! the service's, or the `Display` chain of a transport error are ever used.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::fmt;

/// A service and where it is reached, for messages: `STS in eu-west-1`, or `STS at URL`
/// when an endpoint is configured.
#[derive(Debug, Clone)]
pub struct Service {
    /// The short name, as in "not an STS answer".
    name: &'static str,
    /// The whole phrase, as in "could not reach STS in eu-west-1".
    phrase: String,
}

impl Service {
    pub fn new(name: &'static str, endpoint_url: Option<&str>, region: &str) -> Service {
        let phrase = match endpoint_url {
            Some(url) => format!("{name} at {}", crate::text::escape(url)),
            None => format!("{name} in {region}"),
        };
        Service { name, phrase }
    }

    /// A service whose phrase its caller already has (`ECR in eu-west-1 (FIPS)`).
    pub(crate) fn described(name: &'static str, phrase: String) -> Service {
        Service { name, phrase }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.phrase)
    }
}

/// The kinds of failure a user acts on differently.
#[derive(Debug)]
pub enum Failure {
    /// The service answered with an error of its own.
    Refused { code: String, message: String },
    /// Something answered, but not the service (a proxy's page, an empty body, broken
    /// XML): what came back, never the body itself.
    NotTheService {
        status: u16,
        kind: String,
        size: usize,
    },
    /// Nothing answered in time, or the connection failed.
    Unreachable(String),
    /// Anything else the SDK reports (a request it could not build, say).
    Other(String),
}

impl Failure {
    pub fn of<E>(error: &SdkError<E, HttpResponse>) -> Failure
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        match error {
            SdkError::ServiceError(service) => {
                match (service.err().code(), service.err().message()) {
                    // Neither a code nor a message: whatever answered was not the service.
                    (None, None) => not_the_service(service.raw()),
                    (code, message) => Failure::Refused {
                        code: code.unwrap_or("error").to_owned(),
                        message: message.unwrap_or("(no message)").to_owned(),
                    },
                }
            }
            SdkError::ResponseError(response) => not_the_service(response.raw()),
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => Failure::Unreachable(
                crate::text::redact_userinfo(&crate::error::causes(error)).into_owned(),
            ),
            _ => Failure::Other(
                crate::text::redact_userinfo(&crate::error::causes(error)).into_owned(),
            ),
        }
    }

    /// One sentence about the failure at `service`; `hint` adds what to do about a
    /// refusal, by its code.
    pub(crate) fn sentence(&self, service: &Service, hint: impl Fn(&str) -> String) -> String {
        let name = service.name;
        match self {
            Failure::Refused { code, message } => format!("{code}: {message}{}", hint(code)),
            Failure::NotTheService { status, kind, size } => format!(
                "the answer from {service} is not an {name} answer (HTTP {status}{kind}, {size} bytes); \
                 check endpoint_url / AWS_ENDPOINT_URL and any proxy between here and {name}"
            ),
            Failure::Unreachable(reason) => format!(
                "could not reach {service} ({reason}); check the network, the region and any \
                 endpoint_url / AWS_ENDPOINT_URL"
            ),
            Failure::Other(reason) => reason.clone(),
        }
    }
}

fn not_the_service(raw: &HttpResponse) -> Failure {
    let body = raw.body().bytes().unwrap_or_default();
    if let Some(refused) = error_document(body) {
        return refused;
    }
    Failure::NotTheService {
        status: raw.status().as_u16(),
        kind: raw
            .headers()
            .get("content-type")
            .map(|t| format!(", {}", crate::text::escape(t)))
            .unwrap_or_default(),
        size: raw.body().bytes().map_or(0, <[u8]>::len),
    }
}

/// The largest body read as an error document; AWS's are a few hundred bytes.
const MAX_ERROR_DOCUMENT: usize = 64 * 1024;

/// An AWS query-protocol error document the SDK did not read: served as `text/html` (moto,
/// some proxies), or with the `<Errors>` level moto and EC2-style services put around
/// `<Error>`, which botocore reads and the Rust SDK does not. The root must be
/// `<ErrorResponse>` or `<Response>` and the code a plain identifier; anything else is
/// not taken for the service's answer.
fn error_document(body: &[u8]) -> Option<Failure> {
    if body.len() > MAX_ERROR_DOCUMENT {
        return None;
    }
    let text = std::str::from_utf8(body)
        .ok()?
        .trim_start_matches('\u{feff}');
    let mut rest = text.trim_start();
    if let Some(declaration) = rest.strip_prefix("<?xml") {
        rest = declaration.split_once("?>")?.1.trim_start();
    }
    let root_named = |name: &str| {
        rest.strip_prefix('<')
            .and_then(|r| r.strip_prefix(name))
            .is_some_and(|r| r.starts_with(['>', ' ', '\t', '\r', '\n']))
    };
    if !root_named("ErrorResponse") && !root_named("Response") {
        return None;
    }
    let error = element(rest, "Error")?;
    let code = element(error, "Code")?.trim();
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-');
    if code.is_empty() || code.len() > 128 || !code.chars().all(plain) {
        return None;
    }
    let message = element(error, "Message").map(|m| {
        let m = unescape(m.trim());
        let mut m = crate::text::escape(&m);
        if m.len() > 1024 {
            let mut end = 1024;
            while !m.is_char_boundary(end) {
                end -= 1;
            }
            m.truncate(end);
            m.push('…');
        }
        m
    });
    Some(Failure::Refused {
        code: code.to_owned(),
        message: message.unwrap_or_else(|| "(no message)".to_owned()),
    })
}

/// The text between the first `<name>` and the `</name>` after it.
fn element<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let start = text.find(&format!("<{name}>"))? + name.len() + 2;
    let length = text[start..].find(&format!("</{name}>"))?;
    Some(&text[start..start + length])
}

/// XML's five predefined entities; anything else is left as written.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_name_the_service_and_where_it_is() {
        let sts = Service::new("STS", None, "eu-west-1");
        let custom = Service::new("STS", Some("http://127.0.0.1:9"), "eu-west-1");
        let no_hint = |_: &str| String::new();
        assert_eq!(
            Failure::Refused {
                code: "AccessDenied".into(),
                message: "no".into()
            }
            .sentence(&sts, |code| format!("; {code} hint")),
            "AccessDenied: no; AccessDenied hint"
        );
        assert_eq!(
            Failure::NotTheService {
                status: 502,
                kind: ", text/html".into(),
                size: 12
            }
            .sentence(&custom, no_hint),
            "the answer from STS at http://127.0.0.1:9 is not an STS answer (HTTP 502, text/html, \
             12 bytes); check endpoint_url / AWS_ENDPOINT_URL and any proxy between here and STS"
        );
        assert_eq!(
            Failure::Unreachable("timed out".into()).sentence(&sts, no_hint),
            "could not reach STS in eu-west-1 (timed out); check the network, the region and any \
             endpoint_url / AWS_ENDPOINT_URL"
        );
        let ecr = Service::described("ECR", "ECR in us-east-1 (FIPS)".into());
        assert_eq!(ecr.to_string(), "ECR in us-east-1 (FIPS)");
    }

    fn answer(content_type: &str, body: &str) -> HttpResponse {
        let status = aws_smithy_runtime_api::http::StatusCode::try_from(403).expect("a status");
        let mut response = HttpResponse::new(
            status,
            aws_smithy_types::body::SdkBody::from(body.to_owned()),
        );
        response
            .headers_mut()
            .insert("content-type", content_type.to_owned());
        response
    }

    fn refusal(failure: Failure) -> Option<(String, String)> {
        match failure {
            Failure::Refused { code, message } => Some((code, message)),
            Failure::NotTheService { .. } | Failure::Unreachable(_) | Failure::Other(_) => None,
        }
    }

    #[test]
    fn an_error_document_is_read_whatever_its_type_and_wrapping() {
        // moto's shape: text/html, an XML declaration, <Errors> around <Error>.
        let moto = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ErrorResponse><Errors><Error>\
                    <Type>Sender</Type><Code>AccessDenied</Code><Message>not &lt;yours&gt;</Message>\
                    </Error></Errors></ErrorResponse>";
        assert_eq!(
            refusal(not_the_service(&answer("text/html; charset=utf-8", moto))),
            Some(("AccessDenied".into(), "not <yours>".into()))
        );
        let sts = "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>\
                   <Code>ExpiredToken</Code></Error></ErrorResponse>";
        assert_eq!(
            refusal(not_the_service(&answer("text/html", sts))),
            Some(("ExpiredToken".into(), "(no message)".into()))
        );
    }

    #[test]
    fn a_page_that_is_not_an_error_document_stays_not_the_service() {
        for body in [
            "<!doctype html><html><title>500</title><Error><Code>X</Code></Error></html>",
            "<ErrorResponse><Error><Code>not a code</Code></Error></ErrorResponse>",
            "<ErrorResponseX><Error><Code>X</Code></Error></ErrorResponseX>",
            "<Response><Error><Message>no code</Message></Error></Response>",
            "",
        ] {
            assert!(
                refusal(not_the_service(&answer("text/html", body))).is_none(),
                "{body}"
            );
        }
        let huge = format!(
            "<ErrorResponse><Error><Code>X</Code><Message>{}</Message></Error></ErrorResponse>",
            "m".repeat(MAX_ERROR_DOCUMENT)
        );
        assert!(refusal(not_the_service(&answer("text/xml", &huge))).is_none());
    }
}
