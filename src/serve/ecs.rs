//! The container credential endpoint (what ECS tasks ask): `GET` with the token in the
//! `Authorization` header returns the credentials as JSON. SDKs find it through
//! `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN`.

use super::http::Body;
use super::{AuthToken, Identity, Supply, failure};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode, header};

/// The path of the endpoint in its URI.
pub const PATH: &str = "/credentials";

pub struct Ecs {
    pub token: AuthToken,
    pub supply: Supply,
    pub identity: Identity,
}

impl Ecs {
    pub async fn answer(&self, request: &Request<Incoming>) -> Response<Body> {
        match request.headers().get(header::AUTHORIZATION) {
            None => {
                return failure(
                    StatusCode::UNAUTHORIZED,
                    "Unauthorized",
                    "no Authorization header; send the value of AWS_CONTAINER_AUTHORIZATION_TOKEN",
                );
            }
            Some(given) if !self.token.matches(given.as_bytes()) => {
                return failure(
                    StatusCode::FORBIDDEN,
                    "Forbidden",
                    "the Authorization header is not this endpoint's token",
                );
            }
            Some(_) => {}
        }
        if request.method() != Method::GET {
            return failure(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "only GET",
            );
        }
        if request.uri().path() != PATH {
            return failure(StatusCode::NOT_FOUND, "NotFound", "no such path");
        }
        match self.supply.get().await {
            Ok(c) => {
                let mut document = super::credentials_document(&c);
                self.identity.add_to(&mut document);
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
