//! The IAM Identity Center portal: role credentials for an access token, and logout.

use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::profile::chain::SsoSession;
use crate::sdk::{Failure, Network, Service};
use crate::secret::Secret;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::region::Region;
use std::time::{Duration, SystemTime};

fn client(network: &Network, session: &SsoSession) -> Result<(aws_sdk_sso::Client, Service)> {
    let sdk = network.config()?;
    let config = aws_sdk_sso::config::Builder::from(sdk)
        .region(Region::new(session.region.clone()))
        .build();
    let service = Service::new("the SSO portal", None, &session.region);
    Ok((aws_sdk_sso::Client::from_conf(config), service))
}

/// `GetRoleCredentials`. `Ok(None)`: the portal no longer accepts the token.
pub(crate) async fn role_credentials(
    network: &Network,
    session: &SsoSession,
    token: &Secret,
    account_id: &str,
    role_name: &str,
) -> Result<Option<Credentials>> {
    let what = || format!("SSO role {role_name} in {account_id}");
    let (client, service) = client(network, session)?;
    let call = client
        .get_role_credentials()
        .access_token(token.expose())
        .account_id(account_id)
        .role_name(role_name)
        .send();
    let out = match tokio::time::timeout(crate::deadline::timeout(), call).await {
        Err(_) => {
            return Err(Error::Credentials {
                what: what(),
                message: format!("no answer within {}", crate::deadline::describe()),
            });
        }
        Ok(Err(e)) if e.code() == Some("UnauthorizedException") => return Ok(None),
        Ok(Err(e)) => {
            return Err(Error::Credentials {
                what: what(),
                message: Failure::of(&e).sentence(&service, |_| String::new()),
            });
        }
        Ok(Ok(out)) => out,
    };
    let malformed = || Error::Credentials {
        what: what(),
        message: format!("the answer from {service} lacks role credentials"),
    };
    let role = out.role_credentials().ok_or_else(malformed)?;
    let credentials = Credentials {
        access_key_id: role.access_key_id().ok_or_else(malformed)?.to_owned(),
        secret_access_key: Secret::new(role.secret_access_key().ok_or_else(malformed)?),
        session_token: role.session_token().map(Secret::new),
        expiration: Some(
            SystemTime::UNIX_EPOCH + Duration::from_millis(role.expiration().max(0) as u64),
        ),
        account_id: Some(account_id.to_owned()),
    };
    if let Some(problem) = credentials.problem() {
        return Err(Error::Credentials {
            what: what(),
            message: format!("{service} answered with unusable credentials: {problem}"),
        });
    }
    Ok(Some(credentials))
}

/// `Logout`, where the portal takes it; what went wrong otherwise, for a warning.
pub async fn logout(network: &Network, session: &SsoSession, token: &Secret) -> Option<String> {
    let (client, service) = match client(network, session) {
        Ok(c) => c,
        Err(e) => return Some(e.to_string()),
    };
    let call = client.logout().access_token(token.expose()).send();
    match tokio::time::timeout(crate::deadline::timeout(), call).await {
        Err(_) => Some(format!("no answer within {}", crate::deadline::describe())),
        Ok(Err(e)) if e.code() == Some("UnauthorizedException") => None,
        Ok(Err(e)) => Some(Failure::of(&e).sentence(&service, |_| String::new())),
        Ok(Ok(_)) => None,
    }
}
