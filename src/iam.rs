//! The IAM questions `runas list` asks: which roles an identity's policies let it assume,
//! and which MFA devices a user has.

use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::sdk::{Failure, Network, Service};
use aws_sdk_iam::Client;
use aws_sdk_iam::config::http::HttpResponse;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use aws_types::region::Region;
use serde_json::Value;

/// IAM is global; its commercial partition answers in us-east-1.
const REGION: &str = "us-east-1";

/// Who the credentials belong to, as IAM names it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Principal {
    User(String),
    Role(String),
    /// The account's root user: no policies to read.
    Root,
}

impl Principal {
    /// From the ARN GetCallerIdentity returns.
    pub(crate) fn from_arn(arn: &str) -> Option<Principal> {
        let resource = arn.splitn(6, ':').nth(5)?;
        if resource == "root" {
            return Some(Principal::Root);
        }
        if let Some(path_and_name) = resource.strip_prefix("user/") {
            return path_and_name
                .rsplit('/')
                .next()
                .map(|n| Principal::User(n.to_owned()));
        }
        if let Some(rest) = resource.strip_prefix("assumed-role/") {
            return rest
                .split('/')
                .next()
                .map(|n| Principal::Role(n.to_owned()));
        }
        resource
            .strip_prefix("role/")
            .and_then(|p| p.rsplit('/').next())
            .map(|n| Principal::Role(n.to_owned()))
    }
}

/// Whose own policies to read.
enum Holder<'a> {
    User(&'a str),
    Group(&'a str),
    Role(&'a str),
}

/// Every item of a paginated IAM listing, or the error naming the action.
macro_rules! every {
    ($service:expr, $request:expr, $action:literal) => {
        $request
            .into_paginator()
            .items()
            .send()
            .collect::<std::result::Result<Vec<_>, _>>()
            .await
            .map_err(|e| failure($action, $service, e))?
    };
}

/// IAM with one identity's credentials, on the shared runtime.
pub(crate) struct Iam<'n> {
    network: &'n Network,
    client: Client,
    service: Service,
}

impl<'n> Iam<'n> {
    pub fn new(network: &'n Network, credentials: &Credentials) -> Result<Self> {
        let sdk = network.config()?;
        let config = aws_sdk_iam::config::Builder::from(sdk)
            .credentials_provider(credentials.to_sdk())
            // IAM is a global service, served from us-east-1 in the commercial partition.
            .region(Region::new(REGION))
            .build();
        Ok(Iam {
            network,
            client: Client::from_conf(config),
            service: Service::new("IAM", sdk.endpoint_url(), REGION),
        })
    }

    /// Role ARNs in the Allow statements for sts:AssumeRole of every policy that applies to
    /// `principal`: inline and managed, its own and (for a user) its groups'.
    pub(crate) fn assumable_roles(&self, principal: &Principal) -> Result<Vec<String>> {
        let documents = self.network.block_on(self.policies(principal))??;
        let mut roles: Vec<String> = documents.iter().flat_map(|d| roles_in_policy(d)).collect();
        roles.sort();
        roles.dedup();
        Ok(roles)
    }

    pub(crate) fn mfa_devices(&self, user: &str) -> Result<Vec<String>> {
        self.network.block_on(async {
            let devices = every!(
                &self.service,
                self.client.list_mfa_devices().user_name(user),
                "ListMFADevices"
            );
            Ok(devices
                .into_iter()
                .map(|d| d.serial_number().to_owned())
                .collect())
        })?
    }

    async fn policies(&self, principal: &Principal) -> Result<Vec<String>> {
        match principal {
            Principal::Root => Ok(vec![]),
            Principal::Role(role) => self.documents(&Holder::Role(role)).await,
            Principal::User(user) => {
                let mut documents = self.documents(&Holder::User(user)).await?;
                let groups = every!(
                    &self.service,
                    self.client.list_groups_for_user().user_name(user),
                    "ListGroupsForUser"
                );
                for group in groups {
                    documents.extend(self.documents(&Holder::Group(group.group_name())).await?);
                }
                Ok(documents)
            }
        }
    }

    /// The documents of a user's, group's or role's own policies, inline and attached.
    async fn documents(&self, holder: &Holder<'_>) -> Result<Vec<String>> {
        let c = &self.client;
        let (inline, attached) = match holder {
            Holder::User(n) => (
                every!(
                    &self.service,
                    c.list_user_policies().user_name(*n),
                    "ListUserPolicies"
                ),
                every!(
                    &self.service,
                    c.list_attached_user_policies().user_name(*n),
                    "ListAttachedUserPolicies"
                ),
            ),
            Holder::Group(n) => (
                every!(
                    &self.service,
                    c.list_group_policies().group_name(*n),
                    "ListGroupPolicies"
                ),
                every!(
                    &self.service,
                    c.list_attached_group_policies().group_name(*n),
                    "ListAttachedGroupPolicies"
                ),
            ),
            Holder::Role(n) => (
                every!(
                    &self.service,
                    c.list_role_policies().role_name(*n),
                    "ListRolePolicies"
                ),
                every!(
                    &self.service,
                    c.list_attached_role_policies().role_name(*n),
                    "ListAttachedRolePolicies"
                ),
            ),
        };
        let mut documents = Vec::new();
        for name in inline {
            let document = match holder {
                Holder::User(n) => c
                    .get_user_policy()
                    .user_name(*n)
                    .policy_name(name)
                    .send()
                    .await
                    .map_err(|e| failure("GetUserPolicy", &self.service, e))?
                    .policy_document()
                    .to_owned(),
                Holder::Group(n) => c
                    .get_group_policy()
                    .group_name(*n)
                    .policy_name(name)
                    .send()
                    .await
                    .map_err(|e| failure("GetGroupPolicy", &self.service, e))?
                    .policy_document()
                    .to_owned(),
                Holder::Role(n) => c
                    .get_role_policy()
                    .role_name(*n)
                    .policy_name(name)
                    .send()
                    .await
                    .map_err(|e| failure("GetRolePolicy", &self.service, e))?
                    .policy_document()
                    .to_owned(),
            };
            documents.push(document);
        }
        for policy in attached {
            if let Some(arn) = policy.policy_arn() {
                documents.push(self.managed(arn).await?);
            }
        }
        Ok(documents)
    }

    /// The default version's document of a managed policy.
    async fn managed(&self, arn: &str) -> Result<String> {
        let policy = self
            .client
            .get_policy()
            .policy_arn(arn)
            .send()
            .await
            .map_err(|e| failure("GetPolicy", &self.service, e))?;
        let version = policy
            .policy()
            .and_then(|p| p.default_version_id())
            .unwrap_or("v1");
        let document = self
            .client
            .get_policy_version()
            .policy_arn(arn)
            .version_id(version)
            .send()
            .await
            .map_err(|e| failure("GetPolicyVersion", &self.service, e))?;
        Ok(document
            .policy_version()
            .and_then(|v| v.document())
            .unwrap_or_default()
            .to_owned())
    }
}

fn failure<E>(action: &str, service: &Service, error: SdkError<E, HttpResponse>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let hint = |code: &str| match code {
        "AccessDenied" => format!("; the identity needs iam:{action} on itself"),
        _ => String::new(),
    };
    Error::Credentials {
        what: format!("IAM {action}"),
        message: Failure::of(&error).sentence(service, hint),
    }
}

/// Role ARNs that an IAM policy document allows sts:AssumeRole on. IAM returns documents
/// URL-encoded; both forms are read. Wildcard resources name no role and are left out.
pub(crate) fn roles_in_policy(document: &str) -> Vec<String> {
    let decoded = percent_encoding::percent_decode_str(document).decode_utf8_lossy();
    let Ok(policy) =
        serde_json::from_str::<Value>(&decoded).or_else(|_| serde_json::from_str(document))
    else {
        return vec![];
    };
    let statements = match &policy["Statement"] {
        Value::Array(items) => items.iter().collect(),
        single @ Value::Object(_) => vec![single],
        _ => vec![],
    };
    let strings = |v: &Value| -> Vec<String> {
        match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(items) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect(),
            _ => vec![],
        }
    };
    let mut roles = Vec::new();
    for statement in statements {
        if statement["Effect"].as_str() != Some("Allow") {
            continue;
        }
        if !strings(&statement["Action"])
            .iter()
            .any(|a| glob(&a.to_ascii_lowercase(), "sts:assumerole"))
        {
            continue;
        }
        roles.extend(
            strings(&statement["Resource"])
                .into_iter()
                .filter(|r| !r.contains('*') && !r.contains('?') && r.contains(":role/")),
        );
    }
    roles
}

/// IAM's action wildcards: `*` any run of characters, `?` one.
fn glob(pattern: &str, text: &str) -> bool {
    match (pattern.chars().next(), text.chars().next()) {
        (None, None) => true,
        (Some('*'), _) => {
            glob(&pattern[1..], text)
                || (!text.is_empty()
                    && glob(
                        pattern,
                        &text[text.chars().next().map_or(0, char::len_utf8)..],
                    ))
        }
        (Some('?'), Some(t)) => glob(&pattern[1..], &text[t.len_utf8()..]),
        (Some(p), Some(t)) if p == t => glob(&pattern[p.len_utf8()..], &text[t.len_utf8()..]),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_from_caller_arns() {
        assert_eq!(
            Principal::from_arn("arn:aws:iam::123456789012:user/ops/alice"),
            Some(Principal::User("alice".into()))
        );
        assert_eq!(
            Principal::from_arn("arn:aws:sts::123456789012:assumed-role/Admin/runas-alice"),
            Some(Principal::Role("Admin".into()))
        );
        assert_eq!(
            Principal::from_arn("arn:aws:iam::123456789012:root"),
            Some(Principal::Root)
        );
        assert_eq!(Principal::from_arn("nonsense"), None);
    }

    #[test]
    fn roles_come_from_allow_statements_for_assume_role() {
        let policy = r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::111111111111:role/A"},
            {"Effect": "Allow", "Action": ["s3:*", "sts:Assume*"], "Resource": ["arn:aws:iam::222222222222:role/B", "arn:aws:iam::*:role/Wild"]},
            {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::333333333333:role/Denied"},
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:iam::444444444444:role/NotAssume"},
            {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:iam::555555555555:role/Everything"}
        ]}"#;
        assert_eq!(
            roles_in_policy(policy),
            [
                "arn:aws:iam::111111111111:role/A",
                "arn:aws:iam::222222222222:role/B",
                "arn:aws:iam::555555555555:role/Everything"
            ]
        );
        let encoded =
            percent_encoding::utf8_percent_encode(policy, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        assert_eq!(roles_in_policy(&encoded).len(), 3);
        let single = r#"{"Statement": {"Effect": "Allow", "Action": "STS:ASSUMEROLE", "Resource": "arn:aws:iam::1:role/S"}}"#;
        assert_eq!(roles_in_policy(single), ["arn:aws:iam::1:role/S"]);
        assert!(roles_in_policy("not json").is_empty());
    }

    #[test]
    fn action_wildcards() {
        assert!(glob("sts:*", "sts:assumerole"));
        assert!(glob("sts:assume?ole", "sts:assumerole"));
        assert!(glob("*", "sts:assumerole"));
        assert!(!glob("sts:get*", "sts:assumerole"));
    }
}
