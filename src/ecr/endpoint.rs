//! Registry endpoints as users write them, checked before anything runs.
//!
//! Every form resolves to a [`Registry`]: the host to log into and the token scope that
//! serves it (the ECR API of one region and partition, in its FIPS or dual-stack variant,
//! or ECR Public). Anything that is not one of the forms — a port, a path, whitespace, a
//! leading `-` that a client would read as an option — is refused with the forms listed.

use std::fmt;

/// Where a registry's password comes from: one GetAuthorizationToken per scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    Private {
        region: String,
        fips: bool,
        dual_stack: bool,
    },
    /// ECR Public's API lives in us-east-1.
    Public,
}

impl Scope {
    /// An ECR token is good for every registry of its region, whichever endpoint variant
    /// (standard, FIPS, dual-stack) the registry's host uses.
    pub(crate) fn same_token(&self, other: &Scope) -> bool {
        match (self, other) {
            (Scope::Public, Scope::Public) => true,
            (Scope::Private { region: a, .. }, Scope::Private { region: b, .. }) => a == b,
            _ => false,
        }
    }

    /// One token request per region: the FIPS or dual-stack API when any registry of the
    /// region uses that variant.
    pub fn requests<'a>(scopes: impl IntoIterator<Item = &'a Scope>) -> Vec<Scope> {
        let mut requests: Vec<Scope> = Vec::new();
        for scope in scopes {
            match requests.iter_mut().find(|r| r.same_token(scope)) {
                Some(Scope::Private {
                    fips, dual_stack, ..
                }) => {
                    if let Scope::Private {
                        fips: f,
                        dual_stack: d,
                        ..
                    } = scope
                    {
                        *fips |= f;
                        *dual_stack |= d;
                    }
                }
                Some(Scope::Public) => {}
                None => requests.push(scope.clone()),
            }
        }
        requests
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Private {
                region,
                fips,
                dual_stack,
            } => write!(
                f,
                "ECR in {region}{}{}",
                if *fips { " (FIPS)" } else { "" },
                if *dual_stack { " (dual-stack)" } else { "" }
            ),
            Scope::Public => write!(f, "ECR Public"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    pub host: String,
    pub scope: Scope,
}

impl Registry {
    /// The account that owns a private registry; ECR Public has none.
    pub fn account(&self) -> Option<&str> {
        match self.scope {
            Scope::Private { .. } => self.host.split('.').next(),
            Scope::Public => None,
        }
    }

    /// Whether two hosts name the same registry: one account in one region, or ECR
    /// Public, whichever endpoint variant (standard, FIPS, dual-stack) each host uses.
    pub(crate) fn same_registry(&self, other: &Registry) -> bool {
        self.account() == other.account() && self.scope.same_token(&other.scope)
    }
}

/// An endpoint as given: a registry already, or an account whose registry is in the
/// profile's region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Registry(Registry),
    Account(String),
}

pub(crate) const PUBLIC_HOST: &str = "public.ecr.aws";
/// ECR Public's dual-stack (IPv6) host for registry clients.
pub(crate) const PUBLIC_DUAL_STACK_HOST: &str = "ecr-public.aws.com";

/// The DNS suffixes of ECR registries, with the region prefix each partition's regions
/// share (checked, so that a China host with a US region is caught here).
const SUFFIXES: [(&str, &str); 7] = [
    ("amazonaws.com.cn", "cn-"),
    ("amazonaws.com", ""),
    ("amazonaws.eu", "eusc-"),
    ("c2s.ic.gov", "us-iso-"),
    ("sc2s.sgov.gov", "us-isob-"),
    ("cloud.adc-e.uk", "eu-isoe-"),
    ("csp.hci.ic.gov", "us-isof-"),
];

/// Dual-stack hosts: `ACCOUNT.dkr-ecr[-fips].REGION.<suffix>`.
const DUAL_STACK_SUFFIXES: [(&str, &str); 2] =
    [("on.amazonwebservices.com.cn", "cn-"), ("on.aws", "")];

pub const FORMS: &str = "accepted forms: ACCOUNT.dkr.ecr.REGION.amazonaws.com (or .amazonaws.com.cn, .amazonaws.eu, \
.c2s.ic.gov, .sc2s.sgov.gov, .cloud.adc-e.uk, .csp.hci.ic.gov), ACCOUNT.dkr.ecr-fips.REGION.amazonaws.com, \
ACCOUNT.dkr-ecr.REGION.on.aws (dual-stack), a 12-digit ACCOUNT (its registry in the profile's region), \
public.ecr.aws or ecr-public.aws.com (ECR Public, dual-stack); with or without https://, \
and an image reference (HOST/REPOSITORY:TAG) stands for its registry";

pub fn parse(text: &str) -> Result<Endpoint, String> {
    // A user and password before the host are never repeated, in any message.
    let shown = without_userinfo(text);
    let refuse = |why: &str| Err(format!("invalid ECR endpoint `{shown}`: {why}; {FORMS}"));
    if text.is_empty() {
        return refuse("it is empty");
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return refuse("it contains whitespace");
    }
    if text.starts_with('-') {
        return refuse("it starts with `-`, which a client would read as an option");
    }
    let host = match text.get(..8) {
        Some(scheme) if scheme.eq_ignore_ascii_case("https://") => &text[8..],
        _ => text,
    };
    if host.contains("://") {
        return refuse("only https:// may come before the host");
    }
    // An image reference (HOST/REPOSITORY:TAG, as consoles show it) names its registry.
    let (host, reference) = host.split_once('/').unwrap_or((host, ""));
    if host.contains('@') {
        return refuse(
            "it names a user (and perhaps a password) before the host; give the registry host alone, \
             runas signs in with the profile's credentials",
        );
    }
    if host.contains(':') {
        return refuse("ECR registries take no port");
    }
    let host = host.to_ascii_lowercase();
    if !reference.is_empty() {
        if host.bytes().all(|b| b.is_ascii_digit()) {
            return refuse("a repository path needs the registry host, not an account alone");
        }
        if let Err(why) = image_reference(reference) {
            return refuse(&why);
        }
        crate::log::debug!("{shown}: the registry is {host}; `{reference}` is left aside");
    }
    if host.bytes().all(|b| b.is_ascii_digit()) {
        return match account(&host) {
            Ok(()) => Ok(Endpoint::Account(host)),
            Err(why) => refuse(&why),
        };
    }
    if host == PUBLIC_HOST || host == PUBLIC_DUAL_STACK_HOST {
        return Ok(Endpoint::Registry(Registry {
            host,
            scope: Scope::Public,
        }));
    }
    match private(&host) {
        Ok(scope) => Ok(Endpoint::Registry(Registry { host, scope })),
        Err(why) => refuse(&why),
    }
}

/// `text` with any user and password before its host replaced by `…`.
fn without_userinfo(text: &str) -> std::borrow::Cow<'_, str> {
    let start = match text.get(..8) {
        Some(scheme) if scheme.eq_ignore_ascii_case("https://") => 8,
        _ => text.find("://").map_or(0, |i| i + 3),
    };
    let host_end = text[start..].find('/').map_or(text.len(), |i| start + i);
    match text[start..host_end].rfind('@') {
        Some(at) => format!("{}…{}", &text[..start], &text[start + at..]).into(),
        None => text.into(),
    }
}

/// Checks the part of an image reference after the host, `REPOSITORY[:TAG][@DIGEST]`,
/// against the distribution grammar that registries and clients use: a repository is
/// `/`-separated components of lower-case letters and digits joined by `.`, `_`, `__` or
/// dashes; a tag is up to 128 letters, digits, `_`, `.` and `-`, not starting with `.` or
/// `-`; a digest is `ALGORITHM:ENCODED`.
fn image_reference(reference: &str) -> Result<(), String> {
    let (name, digest) = match reference.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (reference, None),
    };
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let (repository, tag) = match name[last_slash..].find(':') {
        Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
        None => (name, None),
    };
    if repository.is_empty() && tag.is_none() && digest.is_none() {
        return Ok(()); // `HOST/`
    }
    if !repository.split('/').all(path_component) {
        return Err(format!(
            "`{repository}` is not a repository name: each `/`-separated part is lower-case letters \
             and digits, joined by `.`, `_`, `__` or dashes"
        ));
    }
    if let Some(tag) = tag {
        let ok = (1..=128).contains(&tag.len())
            && !tag.starts_with(['.', '-'])
            && tag
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
        if !ok {
            return Err(format!("`{tag}` is not an image tag"));
        }
    }
    if let Some(digest) = digest {
        let ok = digest.split_once(':').is_some_and(|(algorithm, encoded)| {
            !algorithm.is_empty()
                && algorithm
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+._-".contains(&b))
                && !encoded.is_empty()
                && encoded
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"=_-".contains(&b))
        });
        if !ok {
            return Err(format!("`{digest}` is not an image digest (ALGORITHM:HEX)"));
        }
    }
    Ok(())
}

/// One component of a repository name: `[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*`.
fn path_component(component: &str) -> bool {
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bytes = component.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if !alnum(first) || !alnum(last) {
        return false;
    }
    // Each run of separators between alphanumerics is `.`, `_`, `__` or dashes.
    let mut run: Vec<u8> = Vec::new();
    for &b in bytes {
        if alnum(b) {
            let ok = matches!(run.as_slice(), [] | [b'.'] | [b'_'] | [b'_', b'_'])
                || run.iter().all(|&c| c == b'-');
            if !ok {
                return false;
            }
            run.clear();
        } else if b"._-".contains(&b) {
            run.push(b);
        } else {
            return false;
        }
    }
    true
}

/// The registry of `account` in `region`, in the form AWS uses for that region's partition.
pub(crate) fn registry_for(account: &str, region: &str) -> Registry {
    let suffix = SUFFIXES
        .iter()
        .find(|(_, prefix)| !prefix.is_empty() && region.starts_with(prefix))
        .map(|(suffix, _)| *suffix)
        .unwrap_or("amazonaws.com");
    Registry {
        host: format!("{account}.dkr.ecr.{region}.{suffix}"),
        scope: Scope::Private {
            region: region.to_owned(),
            fips: false,
            dual_stack: false,
        },
    }
}

fn account(text: &str) -> Result<(), String> {
    if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!(
            "an account id has 12 digits, `{text}` has {}",
            text.len()
        ))
    }
}

fn private(host: &str) -> Result<Scope, String> {
    let mut labels = host.splitn(4, '.');
    let (Some(acct), Some(service), Some(region), Some(suffix)) =
        (labels.next(), labels.next(), labels.next(), labels.next())
    else {
        return Err("it is not a registry host".into());
    };
    account(acct).map_err(|e| format!("the host does not start with an account id ({e})"))?;
    let (fips, dual_stack, suffixes): (bool, bool, &[(&str, &str)]) = match service {
        "dkr" => {
            // dkr.ecr[-fips].REGION.SUFFIX: the region is one label further on.
            return classic(region, suffix);
        }
        "dkr-ecr" => (false, true, &DUAL_STACK_SUFFIXES),
        "dkr-ecr-fips" => (true, true, &DUAL_STACK_SUFFIXES),
        other => {
            return Err(format!(
                "`{other}` after the account is not `dkr.ecr`, `dkr.ecr-fips` or `dkr-ecr`"
            ));
        }
    };
    scope(region, suffix, suffixes, fips, dual_stack)
}

/// `dkr` has been taken off: `ecr[-fips]` and `REGION.SUFFIX` remain.
fn classic(variant: &str, rest: &str) -> Result<Scope, String> {
    let fips = match variant {
        "ecr" => false,
        "ecr-fips" => true,
        other => {
            return Err(format!("`dkr.{other}` is not `dkr.ecr` or `dkr.ecr-fips`"));
        }
    };
    let Some((region, suffix)) = rest.split_once('.') else {
        return Err("the host has no region".into());
    };
    if DUAL_STACK_SUFFIXES.iter().any(|(s, _)| *s == suffix) {
        let fips = if fips { "-fips" } else { "" };
        return Err(format!(
            "dual-stack hosts under `{suffix}` are ACCOUNT.dkr-ecr{fips}.{region}.{suffix} \
             (`dkr-ecr`, one label, not `dkr.ecr`)"
        ));
    }
    scope(region, suffix, &SUFFIXES, fips, false)
}

fn scope(
    region: &str,
    suffix: &str,
    suffixes: &[(&str, &str)],
    fips: bool,
    dual_stack: bool,
) -> Result<Scope, String> {
    if !crate::partition::is_region(region) {
        return Err(format!("`{region}` is not a region name such as us-east-1"));
    }
    let Some((_, prefix)) = suffixes.iter().find(|(s, _)| *s == suffix) else {
        return Err(format!("`{suffix}` is not an ECR domain"));
    };
    let in_partition = if prefix.is_empty() {
        // The commercial partition: every region that no other partition claims.
        !SUFFIXES
            .iter()
            .any(|(_, p)| !p.is_empty() && region.starts_with(p))
    } else {
        region.starts_with(prefix)
    };
    if !in_partition {
        return Err(format!("region `{region}` is not served under `{suffix}`"));
    }
    Ok(Scope::Private {
        region: region.to_owned(),
        fips,
        dual_stack,
    })
}

/// `ecr_registries` holds endpoints separated by commas or whitespace.
pub fn split_list(value: &str) -> Vec<&str> {
    value
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn private_scope(region: &str, fips: bool, dual_stack: bool) -> Scope {
        Scope::Private {
            region: region.into(),
            fips,
            dual_stack,
        }
    }

    fn registry(text: &str) -> Registry {
        match parse(text) {
            Ok(Endpoint::Registry(r)) => r,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn every_partition_and_variant() {
        let cases = [
            (
                "123456789012.dkr.ecr.us-east-1.amazonaws.com",
                "us-east-1",
                false,
                false,
            ),
            (
                "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/",
                "eu-west-1",
                false,
                false,
            ),
            (
                "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn",
                "cn-north-1",
                false,
                false,
            ),
            (
                "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com",
                "us-gov-west-1",
                true,
                false,
            ),
            (
                "123456789012.dkr.ecr-fips.us-east-2.amazonaws.com",
                "us-east-2",
                true,
                false,
            ),
            (
                "123456789012.dkr-ecr.ap-south-1.on.aws",
                "ap-south-1",
                false,
                true,
            ),
            (
                "123456789012.dkr-ecr-fips.us-east-1.on.aws",
                "us-east-1",
                true,
                true,
            ),
            (
                "123456789012.dkr-ecr.cn-northwest-1.on.amazonwebservices.com.cn",
                "cn-northwest-1",
                false,
                true,
            ),
            (
                "123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu",
                "eusc-de-east-1",
                false,
                false,
            ),
            (
                "123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov",
                "us-iso-east-1",
                false,
                false,
            ),
            (
                "123456789012.dkr.ecr.us-isob-east-1.sc2s.sgov.gov",
                "us-isob-east-1",
                false,
                false,
            ),
            (
                "123456789012.dkr.ecr.eu-isoe-west-1.cloud.adc-e.uk",
                "eu-isoe-west-1",
                false,
                false,
            ),
            (
                "123456789012.dkr.ecr.us-isof-south-1.csp.hci.ic.gov",
                "us-isof-south-1",
                false,
                false,
            ),
            (
                "123456789012.DKR.ECR.US-EAST-1.AMAZONAWS.COM",
                "us-east-1",
                false,
                false,
            ),
        ];
        for (text, region, fips, dual_stack) in cases {
            assert_eq!(
                registry(text).scope,
                private_scope(region, fips, dual_stack),
                "{text}"
            );
        }
        assert_eq!(
            registry("https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/").host,
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
        );
        assert_eq!(registry("public.ecr.aws").scope, Scope::Public);
        assert_eq!(registry("ecr-public.aws.com").scope, Scope::Public);
        assert_eq!(
            parse("210987654321"),
            Ok(Endpoint::Account("210987654321".into()))
        );
    }

    #[test]
    fn image_references_public_dual_stack_and_any_case_of_the_scheme() {
        let host = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
        for text in [
            format!("{host}/team/app:1.2"),
            format!("HTTPS://{host}/"),
            format!("Https://{host}/app@sha256:abc"),
        ] {
            let Ok(Endpoint::Registry(r)) = parse(&text) else {
                panic!("{text}")
            };
            assert_eq!(r.host, host);
        }
        for text in ["ecr-public.aws.com", "public.ecr.aws/alias/app:latest"] {
            let Ok(Endpoint::Registry(r)) = parse(text) else {
                panic!("{text}")
            };
            assert_eq!(r.scope, Scope::Public, "{text}");
        }
    }

    #[test]
    fn image_references_follow_the_distribution_grammar() {
        let host = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
        for good in [
            "app",
            "team/app:1.2",
            "a.b/c_d/e__f/g--h-i:latest",
            "app@sha256:0123456789abcdef",
            "app:v1@sha256:0123456789abcdef",
            "x1/y2/z3:_tag.with-dots",
        ] {
            assert!(parse(&format!("{host}/{good}")).is_ok(), "{good}");
        }
        for (bad, says) in [
            ("x/../y", "`x/../y` is not a repository name"),
            ("x//y", "is not a repository name"),
            ("App", "is not a repository name"),
            ("-app", "is not a repository name"),
            ("a___b", "is not a repository name"),
            ("a._b", "is not a repository name"),
            ("app/", "is not a repository name"),
            ("app:-x", "`-x` is not an image tag"),
            ("app:", "is not an image tag"),
            ("app@sha256", "is not an image digest"),
        ] {
            let err = parse(&format!("{host}/{bad}")).unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn a_user_and_password_are_named_and_never_repeated() {
        for text in [
            "user:s3cret@123456789012.dkr.ecr.us-east-1.amazonaws.com",
            "https://user:s3cret@123456789012.dkr.ecr.us-east-1.amazonaws.com/app",
            "user:s3cret@public.ecr.aws",
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.contains("names a user"), "{err}");
            assert!(!err.contains("s3cret") && !err.contains("port"), "{err}");
        }
    }

    #[test]
    fn a_dual_stack_suffix_after_dkr_ecr_points_to_dkr_ecr() {
        let err = parse("123456789012.dkr.ecr.cn-north-1.on.amazonwebservices.com.cn").unwrap_err();
        assert!(
            err.contains("ACCOUNT.dkr-ecr.cn-north-1.on.amazonwebservices.com.cn"),
            "{err}"
        );
        let err = parse("123456789012.dkr.ecr-fips.us-east-1.on.aws").unwrap_err();
        assert!(
            err.contains("ACCOUNT.dkr-ecr-fips.us-east-1.on.aws"),
            "{err}"
        );
    }

    #[test]
    fn anything_else_is_refused_with_the_forms() {
        let cases = [
            ("", "empty"),
            ("12345678901", "12 digits, `12345678901` has 11"),
            ("1234567890123.dkr.ecr.us-east-1.amazonaws.com", "has 13"),
            (
                "123456789012.dkr.ecr.us-east-1.amazonaws.com:443",
                "no port",
            ),
            ("123456789012/app", "needs the registry host"),
            (
                "123456789012.dkr.ecr.us-east-1.example.com",
                "`example.com` is not an ECR domain",
            ),
            (
                "123456789012.dkr.ecr.us-east-1.amazonaws.com.cn",
                "not served under `amazonaws.com.cn`",
            ),
            (
                "123456789012.dkr.ecr.cn-north-1.amazonaws.com",
                "not served under `amazonaws.com`",
            ),
            (
                "123456789012.dkr.ecr.useast1.amazonaws.com",
                "not a region name",
            ),
            (
                "123456789012.s3.us-east-1.amazonaws.com",
                "is not `dkr.ecr`",
            ),
            (
                "123456789012.dkr.ecs.us-east-1.amazonaws.com",
                "`dkr.ecs` is not",
            ),
            ("-p", "starts with `-`"),
            ("--password=x", "starts with `-`"),
            ("12345678 9012", "whitespace"),
            (
                "http://123456789012.dkr.ecr.us-east-1.amazonaws.com",
                "only https://",
            ),
            ("docker.io", "not a registry host"),
        ];
        for (text, why) in cases {
            let err = parse(text).unwrap_err();
            assert!(err.contains(why), "{text}: {err}");
            assert!(
                err.contains(&format!("`{text}`")),
                "quotes the input: {err}"
            );
            assert!(err.contains("accepted forms"), "{err}");
        }
    }

    #[test]
    fn an_account_gets_its_partitions_host() {
        assert_eq!(
            registry_for("123456789012", "us-east-1").host,
            "123456789012.dkr.ecr.us-east-1.amazonaws.com"
        );
        assert_eq!(
            registry_for("123456789012", "cn-north-1").host,
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            registry_for("123456789012", "us-isob-east-1").host,
            "123456789012.dkr.ecr.us-isob-east-1.sc2s.sgov.gov"
        );
        for region in ["us-east-1", "cn-north-1", "eusc-de-east-1", "us-iso-east-1"] {
            let r = registry_for("123456789012", region);
            assert_eq!(registry(&r.host), r, "{region}");
        }
    }

    #[test]
    fn one_token_request_per_region_whatever_the_variant() {
        let scopes = [
            private_scope("us-east-1", false, false),
            private_scope("us-east-1", true, false),
            private_scope("eu-west-1", false, true),
            Scope::Public,
            private_scope("us-east-1", false, true),
            private_scope("eu-west-1", false, false),
            Scope::Public,
        ];
        assert_eq!(
            Scope::requests(&scopes),
            [
                private_scope("us-east-1", true, true),
                private_scope("eu-west-1", false, true),
                Scope::Public
            ]
        );
    }

    #[test]
    fn variants_of_one_registry_are_the_same_registry() {
        let standard = registry("123456789012.dkr.ecr.us-east-1.amazonaws.com");
        assert_eq!(standard.account(), Some("123456789012"));
        for same in [
            "123456789012.dkr.ecr-fips.us-east-1.amazonaws.com",
            "123456789012.dkr-ecr.us-east-1.on.aws",
        ] {
            assert!(standard.same_registry(&registry(same)), "{same}");
        }
        for other in [
            "123456789012.dkr.ecr.us-east-2.amazonaws.com",
            "210987654321.dkr.ecr.us-east-1.amazonaws.com",
            "public.ecr.aws",
        ] {
            assert!(!standard.same_registry(&registry(other)), "{other}");
        }
        assert!(registry("public.ecr.aws").same_registry(&registry("ecr-public.aws.com")));
    }

    #[test]
    fn lists_split_on_commas_and_spaces() {
        assert_eq!(split_list(" a, b\tc ,,d\n"), ["a", "b", "c", "d"]);
    }
}
