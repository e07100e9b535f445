//! The IAM Identity Center OIDC service (`sso-oidc`), through the SDK client on the shared
//! network, each call within the deadline: registering a public client, starting a device
//! authorization, and `CreateToken` with its three grants.

use super::registration::{AUTH_CODE_GRANTS, Registration};
use super::token::Client;
use crate::error::{Error, Result};
use crate::profile::chain::SsoSession;
use crate::sdk::{Failure, Network, Service};
use crate::secret::Secret;
use aws_sdk_ssooidc::config::endpoint::{Params, ResolveEndpoint};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::region::Region;
use aws_types::service_config::ServiceConfigKey;
use std::time::{Duration, SystemTime};

/// The path the AWS CLI registers for its loopback redirect; the port is the run's own.
pub(crate) const REDIRECT_PATH: &str = "/oauth/callback";
/// The scope the authorize page is asked for when sso_registration_scopes is not set.
pub(crate) const DEFAULT_SCOPE: &str = "sso:account:access";

pub(crate) struct Oidc {
    client: aws_sdk_ssooidc::Client,
    service: Service,
    /// Where `/authorize` is: the service's own endpoint, so an override moves it too.
    pub endpoint: String,
}

/// What `CreateToken` gave.
pub(crate) struct Issued {
    pub access_token: Secret,
    pub expires_at: SystemTime,
    pub refresh_token: Option<Secret>,
}

pub(crate) enum Grant<'a> {
    Code {
        code: &'a str,
        verifier: &'a Secret,
        redirect_uri: &'a str,
    },
    Device(&'a str),
    Refresh(&'a Secret),
}

/// A refused `CreateToken`: its error code (`AuthorizationPendingException`…) and sentence.
pub struct Refusal {
    pub code: String,
    pub sentence: String,
}

pub(crate) struct Device {
    pub device_code: String,
    pub user_code: String,
    pub url: String,
    pub url_complete: Option<String>,
    pub expires_in: Duration,
    pub interval: Duration,
}

impl Oidc {
    pub fn new(network: &Network, session: &SsoSession) -> Result<Oidc> {
        let sdk = network.config()?;
        let config = aws_sdk_ssooidc::config::Builder::from(sdk)
            .region(Region::new(session.region.clone()))
            .build();
        let configured = sdk
            .service_config()
            .and_then(|c| {
                c.load_config(
                    ServiceConfigKey::builder()
                        .service_id("SSO OIDC")
                        .env("AWS_ENDPOINT_URL")
                        .profile("endpoint_url")
                        .build()
                        .ok()?,
                )
            })
            .or_else(|| sdk.endpoint_url().map(str::to_owned));
        if let Some(url) = &configured {
            crate::endpoint_url::check(Some(url))?;
        }
        let endpoint = match configured.clone() {
            Some(url) => url,
            None => network.block_on(resolve(&session.region))??,
        };
        Ok(Oidc {
            client: aws_sdk_ssooidc::Client::from_conf(config),
            service: Service::new("SSO OIDC", configured.as_deref(), &session.region),
            endpoint: endpoint.trim_end_matches('/').to_owned(),
        })
    }

    fn failed<E>(&self, what: &str, error: &aws_sdk_ssooidc::error::SdkError<E>) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        Error::Credentials {
            what: what.to_owned(),
            message: Failure::of(error).sentence(&self.service, |_| String::new()),
        }
    }

    /// A new public client: for the authorization-code flow (`redirect_port` given: its
    /// grants, the loopback redirect and the issuer), or for the device flow.
    pub async fn register(&self, session: &SsoSession, auth_code: bool) -> Result<Registration> {
        // Scopes only when the session names them: without, the service gives no refresh
        // token, as for the AWS CLI.
        let scopes = session.scopes.clone();
        let mut call = self
            .client
            .register_client()
            .client_name(format!("runas-{}", std::process::id()))
            .client_type("public")
            .set_scopes(scopes);
        let grant_types = auth_code.then(|| AUTH_CODE_GRANTS.map(str::to_owned).to_vec());
        if auth_code {
            call = call
                .set_grant_types(grant_types.clone())
                .redirect_uris(format!("http://127.0.0.1{REDIRECT_PATH}"))
                .issuer_url(&session.start_url);
        }
        let out = within(call.send())
            .await?
            .map_err(|e| self.failed("RegisterClient", &e))?;
        let (Some(id), Some(secret)) = (out.client_id(), out.client_secret()) else {
            return Err(self.malformed("RegisterClient"));
        };
        Ok(Registration {
            client: Client {
                id: bounded(id).ok_or_else(|| self.malformed("RegisterClient"))?,
                secret: Secret::new(
                    bounded(secret).ok_or_else(|| self.malformed("RegisterClient"))?,
                ),
                expires_at: epoch(out.client_secret_expires_at()),
            },
            scopes: session.scopes.clone(),
            grant_types,
        })
    }

    pub(crate) async fn start_device(&self, client: &Client, start_url: &str) -> Result<Device> {
        let call = self
            .client
            .start_device_authorization()
            .client_id(&client.id)
            .client_secret(client.secret.expose())
            .start_url(start_url);
        let out = within(call.send())
            .await?
            .map_err(|e| self.failed("StartDeviceAuthorization", &e))?;
        let field = |v: Option<&str>| v.and_then(bounded);
        Ok(Device {
            device_code: field(out.device_code())
                .ok_or_else(|| self.malformed("StartDeviceAuthorization"))?,
            user_code: field(out.user_code())
                .ok_or_else(|| self.malformed("StartDeviceAuthorization"))?,
            url: field(out.verification_uri())
                .ok_or_else(|| self.malformed("StartDeviceAuthorization"))?,
            url_complete: field(out.verification_uri_complete()),
            expires_in: Duration::from_secs(out.expires_in().clamp(1, 3600) as u64),
            interval: Duration::from_secs(out.interval().clamp(1, 60) as u64),
        })
    }

    /// The token, or the service's refusal (which the device flow reads to go on polling).
    pub(crate) async fn create_token(
        &self,
        client: &Client,
        grant: Grant<'_>,
    ) -> Result<std::result::Result<Issued, Refusal>> {
        let call = self
            .client
            .create_token()
            .client_id(&client.id)
            .client_secret(client.secret.expose());
        let call = match grant {
            Grant::Code {
                code,
                verifier,
                redirect_uri,
            } => call
                .grant_type("authorization_code")
                .code(code)
                .code_verifier(verifier.expose())
                .redirect_uri(redirect_uri),
            Grant::Device(code) => call
                .grant_type("urn:ietf:params:oauth:grant-type:device_code")
                .device_code(code),
            Grant::Refresh(token) => call
                .grant_type("refresh_token")
                .refresh_token(token.expose()),
        };
        let out = match within(call.send()).await? {
            Ok(out) => out,
            Err(e) => {
                let code = e.code().unwrap_or_default().to_owned();
                let sentence = match e.as_service_error().and_then(description) {
                    // OAuth's own words, which the service sends instead of a message.
                    Some(words) => format!("{code}: {}", crate::text::escape(words)),
                    None => Failure::of(&e).sentence(&self.service, |_| String::new()),
                };
                return Ok(Err(Refusal { code, sentence }));
            }
        };
        let access = out
            .access_token()
            .and_then(bounded)
            .filter(|t| t.bytes().all(|b| b.is_ascii_graphic()))
            .ok_or_else(|| self.malformed("CreateToken"))?;
        Ok(Ok(Issued {
            access_token: Secret::new(access),
            expires_at: SystemTime::now()
                + Duration::from_secs(out.expires_in().clamp(0, 90 * 86400) as u64),
            refresh_token: out
                .refresh_token()
                .and_then(bounded)
                .filter(|t| t.bytes().all(|b| b.is_ascii_graphic()))
                .map(Secret::new),
        }))
    }

    fn malformed(&self, call: &str) -> Error {
        Error::Credentials {
            what: call.to_owned(),
            message: format!(
                "the answer from {} lacks a field or has one out of bounds",
                self.service
            ),
        }
    }
}

/// The `error_description` of a refused `CreateToken`.
fn description(error: &aws_sdk_ssooidc::operation::create_token::CreateTokenError) -> Option<&str> {
    use aws_sdk_ssooidc::operation::create_token::CreateTokenError as E;
    let words = match error {
        E::AccessDeniedException(e) => e.error_description(),
        E::AuthorizationPendingException(e) => e.error_description(),
        E::ExpiredTokenException(e) => e.error_description(),
        E::InternalServerException(e) => e.error_description(),
        E::InvalidClientException(e) => e.error_description(),
        E::InvalidGrantException(e) => e.error_description(),
        E::InvalidRequestException(e) => e.error_description(),
        E::InvalidScopeException(e) => e.error_description(),
        E::SlowDownException(e) => e.error_description(),
        E::UnauthorizedClientException(e) => e.error_description(),
        E::UnsupportedGrantTypeException(e) => e.error_description(),
        _ => None,
    };
    words
        .filter(|w| !w.is_empty())
        .map(|w| &w[..w.len().min(300)])
}

/// The service's default endpoint in `region`, in the region's partition.
async fn resolve(region: &str) -> Result<String> {
    let params = Params::builder()
        .region(region)
        .use_fips(false)
        .use_dual_stack(false)
        .build()
        .map_err(|e| Error::Internal(format!("SSO OIDC endpoint parameters: {e}")))?;
    aws_sdk_ssooidc::config::endpoint::DefaultResolver::new()
        .resolve_endpoint(&params)
        .await
        .map(|e| e.url().to_owned())
        .map_err(|e| Error::Usage(format!("no SSO OIDC endpoint for sso_region {region}: {e}")))
}

async fn within<F: std::future::Future>(call: F) -> Result<F::Output> {
    tokio::time::timeout(crate::deadline::timeout(), call)
        .await
        .map_err(|_| Error::Credentials {
            what: "IAM Identity Center".to_owned(),
            message: format!("no answer within {}", crate::deadline::describe()),
        })
}

/// A value from the service, if it is non-empty, bounded and printable.
fn bounded(value: &str) -> Option<String> {
    (!value.is_empty() && value.len() <= 16 * 1024 && !value.chars().any(char::is_control))
        .then(|| value.to_owned())
}

fn epoch(seconds: i64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(seconds.max(0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authorize_page_is_on_the_services_endpoint_in_every_partition() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        for (region, url) in [
            ("eu-west-1", "https://oidc.eu-west-1.amazonaws.com"),
            ("cn-north-1", "https://oidc.cn-north-1.amazonaws.com.cn"),
            ("us-gov-west-1", "https://oidc.us-gov-west-1.amazonaws.com"),
        ] {
            assert_eq!(runtime.block_on(resolve(region)).unwrap(), url);
        }
    }
}
