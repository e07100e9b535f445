//! Why a profile cannot be resolved: one variant per mistake a person makes in the profile
//! files (or the flags), each with the sentence that says what to change.
//!
//! The profile the mistake is in travels beside the problem (`Error::Profile`), so every
//! message starts by naming it.

/// The longest chain of source profiles runas follows; no real one comes close.
pub(crate) const MAX_HOPS: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum Problem {
    /// A value that does not parse (a boolean, a duration, a list of registries).
    #[error("{key}: {why}")]
    Unparsable { key: String, why: String },

    /// A value of the right shape that AWS would refuse; `why` is the whole sentence, key
    /// and value included, from the key's validator.
    #[error("{why}")]
    Invalid { key: &'static str, why: String },

    #[error("credential_source `{0}` is not one of Environment, Ec2InstanceMetadata, EcsContainer")]
    UnknownCredentialSource(String),

    #[error(
        "role_session_name `{}` is not a name STS accepts: use 2 to 64 letters, digits and + = , . @ _ -",
        .0.escape_debug()
    )]
    SessionName(String),

    #[error("region `{}` (from {origin}) is not a region name such as us-east-1", .region.escape_debug())]
    Region { region: String, origin: String },

    #[error(
        "{arn} is in partition `{theirs}`, but region {region} is served by `{partition}`; \
         use a region of `{theirs}` (--region or `region =`) or an ARN of `{partition}`"
    )]
    Partition {
        arn: String,
        theirs: String,
        region: String,
        partition: String,
    },

    #[error(
        "-s/--session needs long-term access keys at the root of the chain, but it starts with {root}"
    )]
    SessionNeedsLongTermKeys { root: String },

    #[error(
        "its chain of source profiles is longer than {MAX_HOPS} profiles (through `{through}`); no real chain is, so look for a mistake"
    )]
    ChainTooLong { through: String },

    #[error("source_profile `{name}` does not exist in {files}{}", source_hint(.name, .similar.as_deref()))]
    UnknownSourceProfile {
        name: String,
        files: String,
        similar: Option<String>,
    },

    #[error(
        "sets both source_profile and credential_source; keep the one that says where its credentials come from"
    )]
    TwoSources,

    #[error(
        "has role_arn but neither source_profile nor credential_source; add `source_profile = NAME` naming the profile whose credentials assume the role"
    )]
    RoleWithoutSource,

    /// A problem of a source profile, found while resolving the profile it sources.
    #[error("{problem} (it is the source profile of `{of}`)")]
    InSource { problem: Box<Problem>, of: String },

    #[error(
        "web_identity_token_file is set but role_arn is missing; add the role to assume with the token"
    )]
    WebIdentityWithoutRole,

    #[error(
        "has no credentials: set aws_access_key_id and aws_secret_access_key, role_arn with source_profile, credential_process, sso_session, login_session (`aws login`), or web_identity_token_file"
    )]
    NoCredentials,

    #[error(
        "has login_session and also {}; the AWS CLI's `aws login` will not add a login session to a profile with other credentials, and the SDKs would use only one: keep login_session in a profile of its own",
        .others.join(", ")
    )]
    LoginSessionWithOthers { others: Vec<&'static str> },

    #[error(
        "aws_secret_access_key is set but aws_access_key_id is missing; add it next to the secret"
    )]
    KeyIdMissing,

    #[error(
        "aws_access_key_id is set but aws_secret_access_key is missing; add it next to the key id"
    )]
    SecretMissing,

    /// Keys that are there but malformed; `why` names the key, never its value.
    #[error("{why}; check aws_access_key_id, aws_secret_access_key and aws_session_token")]
    BadKeys { why: String },

    #[error(
        "{key} belongs in the [sso-session {session}] section when sso_session is set; move it there"
    )]
    SsoKeyOutsideSession { key: &'static str, session: String },

    #[error("sso_session `{session}` has no [sso-session {session}] section in {file}")]
    NoSsoSession { session: String, file: String },

    #[error(
        "has SSO settings but no sso_account_id and sso_role_name: add both to get role credentials"
    )]
    SsoWithoutRole,

    #[error("sso_account_id is set, so sso_role_name must be set too")]
    SsoRoleNameMissing,

    #[error("sso_role_name is set, so sso_account_id must be set too")]
    SsoAccountMissing,

    #[error("{key} is missing{}", .session.as_ref().map(|s| format!(" from [sso-session {s}]")).unwrap_or_default())]
    SsoKeyMissing {
        key: &'static str,
        session: Option<String>,
    },

    #[error("its identity is not an IAM user, and only users have MFA devices")]
    NotAnIamUser,

    #[error(
        "names no ECR registry to get a token for: name one (`runas ecr token PROFILE 123456789012`) or set ecr_registries"
    )]
    NoRegistry,
}

fn source_hint(name: &str, similar: Option<&str>) -> String {
    match similar {
        Some(s) => format!("; did you mean `{s}`?"),
        None => format!("; add a [profile {name}] section or fix the name"),
    }
}
