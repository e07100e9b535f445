//! Registry passwords: one GetAuthorizationToken per scope, all scopes at once.

use super::endpoint::Scope;
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::sdk::{Failure, Network, Service};
use crate::secret::Secret;
use aws_config::SdkConfig;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_ecr::config::http::HttpResponse;
use aws_sdk_ecr::error::{ProvideErrorMetadata, SdkError};
use aws_types::region::Region;
use std::collections::BTreeMap;
use std::fmt;
use std::time::SystemTime;

/// A decoded authorization token. ECR hands out base64 `AWS:password`; clients want the
/// two halves, the registry HTTP API wants the whole.
#[derive(Clone)]
pub struct AuthToken {
    pub username: String,
    pub password: Secret,
    /// The token as ECR gave it, for `Authorization: Basic`.
    pub encoded: Secret,
    pub expires_at: Option<SystemTime>,
}

impl fmt::Debug for AuthToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthToken")
            .field("username", &self.username)
            .field("password", &"** redacted **")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl AuthToken {
    fn decode(encoded: &str, expires_at: Option<SystemTime>) -> std::result::Result<Self, String> {
        let bytes = aws_smithy_types::base64::decode(encoded)
            .map_err(|_| "the authorization token is not base64".to_owned())?;
        let text = String::from_utf8(bytes)
            .map_err(|_| "the authorization token is not text".to_owned())?;
        let (username, password) = text
            .split_once(':')
            .ok_or_else(|| "the authorization token is not `user:password`".to_owned())?;
        Ok(AuthToken {
            username: username.to_owned(),
            password: Secret::new(password),
            encoded: Secret::new(encoded),
            expires_at,
        })
    }
}

/// What each scope answered; one region's refusal does not stop the others.
pub type Tokens = BTreeMap<Scope, Result<AuthToken, String>>;

/// Fetches a token for each scope, concurrently, on the network the credentials came
/// through.
pub(crate) fn fetch_all(
    network: &Network,
    scopes: &[Scope],
    credentials: &Credentials,
) -> Result<Tokens> {
    let sdk = network
        .config()?
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(credentials.to_sdk()))
        .build();
    network.block_on(async {
        let mut calls = tokio::task::JoinSet::new();
        for scope in scopes {
            let (sdk, scope) = (sdk.clone(), scope.clone());
            calls.spawn(async move {
                let token = fetch(&sdk, &scope).await;
                (scope, token)
            });
        }
        let mut tokens = BTreeMap::new();
        while let Some(joined) = calls.join_next().await {
            let (scope, token) = joined
                .map_err(|e| Error::Internal(format!("a token request did not finish: {e}")))?;
            tokens.insert(scope, token);
        }
        Ok(tokens)
    })?
}

async fn fetch(sdk: &SdkConfig, scope: &Scope) -> std::result::Result<AuthToken, String> {
    crate::log::debug!("GetAuthorizationToken from {scope}");
    // Both APIs answer with a token and its expiry, in types of their own.
    let (token, expires) = match scope {
        Scope::Private {
            region,
            fips,
            dual_stack,
        } => {
            let output =
                aws_sdk_ecr::Client::from_conf(private_config(sdk, region, *fips, *dual_stack))
                    .get_authorization_token()
                    .send()
                    .await
                    .map_err(|e| describe(&e, scope))?;
            let data = output.authorization_data().first();
            (
                data.and_then(|d| d.authorization_token())
                    .map(str::to_owned),
                data.and_then(|d| d.expires_at()).copied(),
            )
        }
        Scope::Public => {
            let config = aws_sdk_ecrpublic::config::Builder::from(sdk)
                .region(Region::new("us-east-1"))
                .build();
            let output = aws_sdk_ecrpublic::Client::from_conf(config)
                .get_authorization_token()
                .send()
                .await
                .map_err(|e| describe(&e, scope))?;
            let data = output.authorization_data();
            (
                data.and_then(|d| d.authorization_token())
                    .map(str::to_owned),
                data.and_then(|d| d.expires_at()).copied(),
            )
        }
    };
    let token = token.ok_or_else(|| format!("{scope} answered without a token"))?;
    AuthToken::decode(&token, expires.and_then(|t| SystemTime::try_from(t).ok()))
}

/// The ECR API that serves a registry: its region (and so its partition), FIPS for
/// `dkr.ecr-fips` hosts, dual-stack for `dkr-ecr` hosts.
///
/// An endpoint the user configured (`AWS_ENDPOINT_URL_ECR`, `endpoint_url`, a VPC endpoint)
/// replaces the choice among AWS's endpoints, FIPS and dual-stack included.
fn private_config(
    sdk: &SdkConfig,
    region: &str,
    fips: bool,
    dual_stack: bool,
) -> aws_sdk_ecr::Config {
    let custom_endpoint = sdk.endpoint_url().is_some()
        || sdk.service_config().is_some_and(|config| {
            aws_types::service_config::ServiceConfigKey::builder()
                .service_id("ECR")
                .env(crate::variables::AWS_ENDPOINT_URL.name)
                .profile("endpoint_url")
                .build()
                .ok()
                .and_then(|key| config.load_config(key))
                .is_some()
        });
    aws_sdk_ecr::config::Builder::from(sdk)
        .region(Region::new(region.to_owned()))
        .use_fips(fips && !custom_endpoint)
        .use_dual_stack(dual_stack && !custom_endpoint)
        .build()
}

fn describe<E>(error: &SdkError<E, HttpResponse>, scope: &Scope) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let hint = |code: &str| match code {
        "AccessDeniedException" => "; the profile's identity needs ecr:GetAuthorizationToken \
             (ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken for ECR Public)"
            .to_owned(),
        _ => String::new(),
    };
    Failure::of(error).sentence(&Service::described("ECR", scope.to_string()), hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The request each scope sends, captured before it leaves: the partition's API, FIPS
    /// and dual-stack variants, and ECR Public in us-east-1.
    #[test]
    fn each_scope_reaches_its_partitions_api() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let private = |region: &str, fips, dual_stack| Scope::Private {
            region: region.into(),
            fips,
            dual_stack,
        };
        let cases = [
            (
                private("us-east-1", false, false),
                "api.ecr.us-east-1.amazonaws.com",
            ),
            (
                private("us-gov-west-1", true, false),
                "api.ecr-fips.us-gov-west-1.amazonaws.com",
            ),
            (
                private("cn-north-1", false, false),
                "api.ecr.cn-north-1.amazonaws.com.cn",
            ),
            (private("eu-west-1", false, true), "ecr.eu-west-1.api.aws"),
            (Scope::Public, "api.ecr-public.us-east-1.amazonaws.com"),
        ];
        for (scope, host) in cases {
            let (http, request) = aws_smithy_http_client::test_util::capture_request(None);
            let sdk = SdkConfig::builder()
                .behavior_version(aws_config::BehaviorVersion::latest())
                .http_client(http)
                .credentials_provider(
                    aws_credential_types::provider::SharedCredentialsProvider::new(
                        aws_credential_types::Credentials::new(
                            "AKID", "SECRET", None, None, "test",
                        ),
                    ),
                )
                .region(Region::new("ap-south-1"))
                .build();
            // The captured answer is empty, so the call itself fails; the request is what counts.
            let _ = runtime.block_on(fetch(&sdk, &scope));
            let sent = request.expect_request();
            assert_eq!(sent.uri(), format!("https://{host}/"), "{scope}");
        }
    }

    #[test]
    fn tokens_decode_into_user_and_password() {
        let encoded = aws_smithy_types::base64::encode("AWS:pass:with:colons");
        let token = AuthToken::decode(&encoded, None).unwrap();
        assert_eq!(
            (token.username.as_str(), token.password.expose()),
            ("AWS", "pass:with:colons")
        );
        assert_eq!(token.encoded.expose(), encoded);
        assert!(!format!("{token:?}").contains("with:colons"));
        assert!(AuthToken::decode("!!!", None).is_err());
        assert!(AuthToken::decode(&aws_smithy_types::base64::encode("nocolon"), None).is_err());
    }
}
