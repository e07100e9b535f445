//! An IMDSv2-style metadata endpoint, for SDKs and tools that ask the instance metadata
//! service and not a container endpoint. Only its credential paths, and only version 2:
//! `PUT /latest/api/token` with a TTL header returns a session token, and every `GET`
//! must carry one that has not expired.

use super::http::{Body, response};
use super::{AuthToken, Identity, Supply, failure};
use crate::creds::rfc3339;
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

const TOKEN_PATH: &str = "/latest/api/token";
const TTL_HEADER: &str = "x-aws-ec2-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";
/// The longest TTL the real service grants: six hours.
const MAX_TTL: u64 = 21_600;
/// Tokens kept at most; past that the oldest go first. SDKs reuse theirs until the TTL.
const MAX_TOKENS: usize = 1024;
const CREDENTIALS: &str = "/latest/meta-data/iam/security-credentials";
const EXTENDED: &str = "/latest/meta-data/iam/security-credentials-extended";

pub struct Imds {
    pub supply: Supply,
    pub identity: Identity,
    tokens: Mutex<Vec<(AuthToken, Instant)>>,
}

impl Imds {
    pub fn new(supply: Supply, identity: Identity) -> Imds {
        Imds {
            supply,
            identity,
            tokens: Mutex::new(Vec::new()),
        }
    }

    pub async fn answer(&self, request: &Request<Incoming>) -> Response<Body> {
        let path = request.uri().path();
        if path == TOKEN_PATH {
            return self.issue(request);
        }
        if request.method() != Method::GET {
            return failure(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "only GET",
            );
        }
        if !self.valid(request) {
            return failure(
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                "IMDSv2 only: PUT /latest/api/token first and send its token",
            );
        }
        let role = &self.identity.role_name;
        let (base, extended) = match path.strip_prefix(EXTENDED) {
            Some(rest) => (rest, true),
            None => match path.strip_prefix(CREDENTIALS) {
                Some(rest) => (rest, false),
                None => return failure(StatusCode::NOT_FOUND, "NotFound", "no such path"),
            },
        };
        match base.trim_start_matches('/') {
            "" => response(StatusCode::OK, "text/plain", role.clone()),
            name if name.trim_end_matches('/') == role => self.credentials(extended).await,
            _ => failure(StatusCode::NOT_FOUND, "NotFound", "no such role"),
        }
    }

    /// `PUT /latest/api/token`: a TTL of 1 to 21600 seconds is required, as on EC2.
    fn issue(&self, request: &Request<Incoming>) -> Response<Body> {
        if request.method() != Method::PUT {
            return failure(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "only PUT",
            );
        }
        // As on EC2: a token request that went through a proxy is refused, so a server on
        // this machine that forwards requests for others cannot fetch tokens for them.
        if request.headers().contains_key("x-forwarded-for") {
            return failure(
                StatusCode::FORBIDDEN,
                "Forbidden",
                "token requests through a proxy are refused",
            );
        }
        let ttl = request
            .headers()
            .get(TTL_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|t| (1..=MAX_TTL).contains(t));
        let Some(ttl) = ttl else {
            return failure(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "X-aws-ec2-metadata-token-ttl-seconds must be 1 to 21600",
            );
        };
        let token = match AuthToken::random() {
            Ok(token) => token,
            Err(e) => {
                return failure(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalError",
                    &format!("no random token: {e}"),
                );
            }
        };
        let now = Instant::now();
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        tokens.retain(|(_, expiry)| *expiry > now);
        if tokens.len() >= MAX_TOKENS {
            tokens.remove(0);
        }
        tokens.push((token.clone(), now + Duration::from_secs(ttl)));
        let mut answer = response(StatusCode::OK, "text/plain", token.expose().to_owned());
        if let Ok(value) = ttl.to_string().parse() {
            answer.headers_mut().insert(TTL_HEADER, value);
        }
        answer
    }

    fn valid(&self, request: &Request<Incoming>) -> bool {
        let Some(given) = request.headers().get(TOKEN_HEADER) else {
            return false;
        };
        let now = Instant::now();
        let tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        // Every stored token is compared, in constant time each.
        tokens.iter().fold(false, |found, (token, expiry)| {
            found | (token.matches(given.as_bytes()) && *expiry > now)
        })
    }

    async fn credentials(&self, extended: bool) -> Response<Body> {
        match self.supply.get().await {
            Ok(c) => {
                let mut document = super::credentials_document(&c);
                document["Code"] = "Success".into();
                document["LastUpdated"] = rfc3339(SystemTime::now()).into();
                document["Type"] = "AWS-HMAC".into();
                if extended {
                    self.identity.add_to(&mut document);
                }
                super::json(StatusCode::OK, &document)
            }
            Err(message) => failure(
                StatusCode::INTERNAL_SERVER_ERROR,
                "CredentialsUnavailable",
                &message,
            ),
        }
    }
}
