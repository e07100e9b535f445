//! `runas console`: the AWS console in a browser as a profile's identity, through the
//! federation endpoint of the profile's partition (getSigninToken, then the login action).
//! This module is the pure part: which endpoint, which page, the session document and the
//! URLs; `signin` makes the one network call and `browser` hands the URL over.

pub mod browser;
pub mod signin;

use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::profile::Profiles;
use crate::profile::chain::{Chain, Step};
use crate::profile::key;
use crate::profile::root::Source;
use crate::secret::Secret;
use aws_runtime::env_config::property::PropertiesKey;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use std::time::Duration;

/// Where a partition signs in to its console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Federation {
    /// The federation endpoint: `https://signin.aws.amazon.com/federation`.
    pub endpoint: String,
    /// The console's home: `https://console.aws.amazon.com`.
    pub console: String,
}

impl Federation {
    /// The endpoint of `partition`, or of `moved_to` (AWS_ENDPOINT_URL_SIGNIN and the like)
    /// when it is set. The ISO partitions have no federation endpoint on the public
    /// internet, so they are refused.
    pub fn of(partition: &str, moved_to: Option<&str>) -> Result<Federation> {
        let (signin, console) = match partition {
            "aws" => ("signin.aws.amazon.com", "console.aws.amazon.com"),
            "aws-cn" => ("signin.amazonaws.cn", "console.amazonaws.cn"),
            "aws-us-gov" => (
                "signin.amazonaws-us-gov.com",
                "console.amazonaws-us-gov.com",
            ),
            "aws-eusc" => ("signin.amazonaws-eusc.eu", "console.amazonaws-eusc.eu"),
            other => {
                return Err(Error::Usage(format!(
                    "partition {other} has no console federation endpoint runas can reach: its consoles are on networks of their own"
                )));
            }
        };
        let base = match moved_to {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("https://{signin}"),
        };
        Ok(Federation {
            endpoint: format!("{base}/federation"),
            console: format!("https://{console}"),
        })
    }

    /// The console URL that signs in with `token` and lands on `destination`; with
    /// `logout_first`, behind the console's sign-out, so that a browser signed in to
    /// another account does not refuse it.
    pub(crate) fn login_url(
        &self,
        token: &Secret,
        destination: &str,
        logout_first: bool,
    ) -> Secret {
        let login = format!(
            "{}?Action=login&Issuer=runas&Destination={}&SigninToken={}",
            self.endpoint,
            encode(destination),
            encode(token.expose())
        );
        if !logout_first {
            return Secret::new(login);
        }
        let signout = self.endpoint.replace("/federation", "/oauth");
        Secret::new(format!(
            "{signout}?Action=logout&redirect_uri={}",
            encode(&login)
        ))
    }

    /// The page to land on: `destination` as given (an https URL), else the home of
    /// `service`, else the console's home, in `region`.
    pub fn destination(
        &self,
        region: &str,
        service: Option<&str>,
        destination: Option<&str>,
    ) -> Result<String> {
        if let Some(url) = destination {
            let fine = url.starts_with("https://")
                && url.len() > "https://".len()
                && !url.chars().any(|c| c.is_whitespace() || c.is_control());
            return if fine {
                Ok(url.to_owned())
            } else {
                Err(Error::Usage(format!(
                    "--destination `{}` is not an https:// URL",
                    crate::text::escape(url)
                )))
            };
        }
        let page = match service {
            Some(s)
                if !s.is_empty()
                    && s.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') =>
            {
                s
            }
            Some(s) => {
                return Err(Error::Usage(format!(
                    "--service `{}` is not a console service name (lower-case letters, digits and -, as in s3, ec2, cloudwatch)",
                    crate::text::escape(s)
                )));
            }
            None => "console",
        };
        Ok(format!("{}/{page}/home?region={region}", self.console))
    }
}

/// Where the profile moves the federation endpoint, in the SDKs' order after the
/// environment's variables: its `[services NAME]` section's `signin` `endpoint_url`, then
/// its own `endpoint_url`.
pub(crate) fn moved_by_profile(profiles: &Profiles, profile: Option<&str>) -> Option<String> {
    let profile = profiles.get(profile?)?;
    let services = profile.get("services").and_then(|name| {
        let key = PropertiesKey::builder()
            .section_key("services")
            .section_name(name)
            .property_name("signin")
            .sub_property_name(key::ENDPOINT_URL)
            .build()
            .ok()?;
        profiles.set().other_sections().get(&key).cloned()
    });
    services
        .or_else(|| profile.get(key::ENDPOINT_URL).map(str::to_owned))
        .filter(|url| !url.is_empty())
}

/// What a query value or form field may hold as it is: RFC 3986's unreserved characters.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `text` as a query value or form field.
pub fn encode(text: &str) -> String {
    utf8_percent_encode(text, UNRESERVED).to_string()
}

/// How the chain's credentials reach the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// Long-term keys: GetFederationToken first, as the console refuses long-term keys.
    FederationToken,
    /// A role assumed straight from long-term keys: the only session for which AWS takes
    /// a SessionDuration (in seconds).
    RoleFromLongTermKeys(u64),
    /// Any other session (a chained role, a role assumed with session credentials, SSO,
    /// web identity, instance roles): sent as it is, with no SessionDuration, which AWS
    /// answers with 400 for these.
    Session,
    /// GetSessionToken's credentials alone: the console refuses them.
    SessionTokenOnly,
}

impl Route {
    pub fn of(chain: &Chain, credentials: &Credentials) -> Route {
        if credentials.session_token.is_none() {
            return Route::FederationToken;
        }
        let long_term_root = matches!(
            &chain.root.source,
            Source::AccessKey(credentials) if credentials.session_token.is_none()
        );
        match chain.steps.as_slice() {
            [.., Step::SessionToken { .. }] => Route::SessionTokenOnly,
            [Step::AssumeRole(role)] if long_term_root => {
                Route::RoleFromLongTermKeys(console_seconds(role.duration))
            }
            _ => Route::Session,
        }
    }
}

/// The console session's length: what the role's credentials last, within the 15 minutes
/// to 12 hours AWS takes.
fn console_seconds(duration: Duration) -> u64 {
    duration.as_secs().clamp(900, 43_200)
}

/// The session document getSigninToken reads: exactly the three keys STS issued.
pub(crate) fn session_document(credentials: &Credentials) -> Secret {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Session<'a> {
        session_id: &'a str,
        session_key: &'a str,
        session_token: &'a str,
    }
    let session = Session {
        session_id: &credentials.access_key_id,
        session_key: credentials.secret_access_key.expose(),
        session_token: credentials
            .session_token
            .as_ref()
            .map(Secret::expose)
            .unwrap_or_default(),
    };
    // Serializing a struct of strings cannot fail.
    Secret::new(serde_json::to_string(&session).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_partition_has_its_endpoint_and_the_iso_ones_none() {
        for (partition, endpoint, console) in [
            (
                "aws",
                "https://signin.aws.amazon.com/federation",
                "https://console.aws.amazon.com",
            ),
            (
                "aws-cn",
                "https://signin.amazonaws.cn/federation",
                "https://console.amazonaws.cn",
            ),
            (
                "aws-us-gov",
                "https://signin.amazonaws-us-gov.com/federation",
                "https://console.amazonaws-us-gov.com",
            ),
            (
                "aws-eusc",
                "https://signin.amazonaws-eusc.eu/federation",
                "https://console.amazonaws-eusc.eu",
            ),
        ] {
            let f = Federation::of(partition, None).unwrap();
            assert_eq!(
                (f.endpoint.as_str(), f.console.as_str()),
                (endpoint, console)
            );
        }
        for iso in ["aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f"] {
            let e = Federation::of(iso, None).unwrap_err().to_string();
            assert!(
                e.contains(iso) && e.contains("networks of their own"),
                "{e}"
            );
        }
        let moved = Federation::of("aws", Some("http://127.0.0.1:9/")).unwrap();
        assert_eq!(moved.endpoint, "http://127.0.0.1:9/federation");
    }

    #[test]
    fn pages_and_urls() {
        let f = Federation::of("aws", None).unwrap();
        assert_eq!(
            f.destination("eu-west-1", None, None).unwrap(),
            "https://console.aws.amazon.com/console/home?region=eu-west-1"
        );
        assert_eq!(
            f.destination("eu-west-1", Some("s3"), None).unwrap(),
            "https://console.aws.amazon.com/s3/home?region=eu-west-1"
        );
        assert!(f.destination("eu-west-1", Some("s3/../x"), None).is_err());
        assert!(
            f.destination("r", None, Some("javascript:alert(1)"))
                .is_err()
        );
        let token = Secret::new("t&k=n");
        let url = f.login_url(&token, "https://x/?a=b", false);
        assert_eq!(
            url.expose(),
            "https://signin.aws.amazon.com/federation?Action=login&Issuer=runas&Destination=https%3A%2F%2Fx%2F%3Fa%3Db&SigninToken=t%26k%3Dn"
        );
        let out = f.login_url(&token, "https://x/", true);
        assert!(out.expose().starts_with(
            "https://signin.aws.amazon.com/oauth?Action=logout&redirect_uri=https%3A%2F%2Fsignin.aws.amazon.com%2Ffederation%3FAction%3Dlogin"
        ));
    }

    #[test]
    fn a_profile_moves_the_endpoint_by_its_services_section_then_endpoint_url() {
        let profiles = Profiles::from_text(
            "[profile a]\nservices = local\nendpoint_url = http://127.0.0.1:2\n\
             [profile b]\nendpoint_url = http://127.0.0.1:2\n\
             [profile c]\nservices = local\n\
             [services local]\nsignin =\n  endpoint_url = http://127.0.0.1:1\n",
            "",
        )
        .unwrap();
        let moved = |p| moved_by_profile(&profiles, Some(p));
        assert_eq!(moved("a").as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(moved("b").as_deref(), Some("http://127.0.0.1:2"));
        assert_eq!(moved("c").as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(moved_by_profile(&profiles, None), None);
    }

    #[test]
    fn the_session_document_holds_exactly_the_three_keys() {
        let c = Credentials {
            access_key_id: "ASIAX".into(),
            secret_access_key: "s\"k".into(),
            session_token: Some("t".into()),
            expiration: None,
            account_id: Some("123456789012".into()),
        };
        let v: serde_json::Value = serde_json::from_str(session_document(&c).expose()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"sessionId": "ASIAX", "sessionKey": "s\"k", "sessionToken": "t"})
        );
    }
}
