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
    name: &'static str,
    place: String,
}

impl Service {
    pub fn new(name: &'static str, endpoint_url: Option<&str>, region: &str) -> Service {
        let place = match endpoint_url {
            Some(url) => format!("at {}", crate::text::escape(url)),
            None => format!("in {region}"),
        };
        Service { name, place }
    }

    /// A service whose place is already a phrase (`ECR in eu-west-1 (FIPS)`).
    pub fn described(name: &'static str, whole: String) -> Service {
        let place = whole
            .strip_prefix(name)
            .map_or(whole.clone(), |rest| rest.trim_start().to_owned());
        Service { name, place }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.place.is_empty() {
            write!(f, "{}", self.name)
        } else {
            write!(f, "{} {}", self.name, self.place)
        }
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
            SdkError::ServiceError(service) => match service.err().code() {
                Some(code) => Failure::Refused {
                    code: code.to_owned(),
                    message: service.err().message().unwrap_or("(no message)").to_owned(),
                },
                None => not_the_service(service.raw()),
            },
            SdkError::ResponseError(response) => not_the_service(response.raw()),
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
                Failure::Unreachable(crate::error::causes(error))
            }
            _ => Failure::Other(crate::error::causes(error)),
        }
    }

    /// One sentence about the failure at `service`; `hint` adds what to do about a
    /// refusal, by its code.
    pub fn sentence(&self, service: &Service, hint: impl Fn(&str) -> String) -> String {
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
