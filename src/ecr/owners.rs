//! Which profile's credentials a registry gets from the credential helper.
//!
//! A profile owns the registries its `ecr_registries` names (a bare account is that
//! account's registry in the profile's region) and those registered to it by
//! `runas ecr login --helper`. A claim covers every endpoint variant of its registry
//! (standard, FIPS, dual-stack), since one token serves them all. Two profiles claiming
//! one registry is an error that names both: guessing would sign in with the wrong role.
//! A registry nobody claims goes to `AWS_PROFILE` when it is set.

use super::endpoint::{self, Endpoint, Registry};
use super::registrations::Registrations;
use crate::error::{Error, Result};
use crate::profile::Profiles;
use crate::profile::chain::{Request, Target};
use crate::profile::key::ECR_REGISTRIES;
use crate::profile::resolve;
use aws_types::os_shim_internal::Env;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The profile's `ecr_registries`.
    ProfileList,
    /// A registration by `runas ecr login --helper`.
    Registration,
    /// No claim; `AWS_PROFILE` is set.
    AwsProfile,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::ProfileList => "ecr_registries",
            Source::Registration => "registered by runas ecr login --helper",
            Source::AwsProfile => crate::variables::AWS_PROFILE.name,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Claim {
    pub registry: Registry,
    pub profile: String,
    pub source: Source,
}

#[derive(Debug, Default)]
pub struct Owners {
    pub claims: Vec<Claim>,
    pub aws_profile: Option<String>,
    /// Entries that could not be read, for `runas ecr helper status` and `-v`.
    pub warnings: Vec<String>,
}

impl Owners {
    pub fn load(profiles: &Profiles, registrations: &Registrations, env: &Env) -> Owners {
        let mut owners = Owners {
            aws_profile: env
                .get(crate::variables::AWS_PROFILE.name)
                .ok()
                .filter(|p| !p.is_empty()),
            ..Owners::default()
        };
        for name in profiles.names() {
            if let Some(list) = profiles.get(name).and_then(|p| p.get(ECR_REGISTRIES)) {
                owners.claim_list(profiles, name, list, env);
            }
        }
        for (host, profile) in &registrations.registries {
            match endpoint::parse(host) {
                Ok(Endpoint::Registry(registry)) => owners.claims.push(Claim {
                    registry,
                    profile: profile.clone(),
                    source: Source::Registration,
                }),
                _ => owners.warnings.push(format!(
                    "registration of `{host}` is not a registry host; ignored"
                )),
            }
        }
        owners
    }

    fn claim_list(&mut self, profiles: &Profiles, profile: &str, list: &str, env: &Env) {
        for text in endpoint::split_list(list) {
            let registry = match endpoint::parse(text) {
                Ok(Endpoint::Registry(registry)) => registry,
                Ok(Endpoint::Account(account)) => match region_of(profiles, profile, env) {
                    Ok(region) => endpoint::registry_for(&account, &region),
                    Err(e) => {
                        self.warnings.push(format!(
                            "profile `{profile}`: {ECR_REGISTRIES} names account {account}, but the profile has no usable region ({e}); ignored"
                        ));
                        continue;
                    }
                },
                Err(e) => {
                    self.warnings.push(format!(
                        "profile `{profile}`: {ECR_REGISTRIES}: {e}; ignored"
                    ));
                    continue;
                }
            };
            self.claims.push(Claim {
                registry,
                profile: profile.to_owned(),
                source: Source::ProfileList,
            });
        }
    }

    /// The profile that serves `registry`, and why; `None` when nobody does.
    pub fn owner(&self, registry: &Registry) -> Result<Option<Claim>> {
        let mut found: Vec<&Claim> = Vec::new();
        for claim in self
            .claims
            .iter()
            .filter(|c| c.registry.same_registry(registry))
        {
            if !found.iter().any(|f| f.profile == claim.profile) {
                found.push(claim);
            }
        }
        match found.as_slice() {
            [] => Ok(self.aws_profile.as_ref().map(|profile| Claim {
                registry: registry.clone(),
                profile: profile.clone(),
                source: Source::AwsProfile,
            })),
            [one] => Ok(Some((*one).clone())),
            many => Err(Error::Ecr(format!(
                "registry {} is claimed by more than one profile: {}; leave it to one of them",
                registry.host,
                many.iter()
                    .map(|c| format!("`{}` ({})", c.profile, c.source))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ))),
        }
    }
}

/// The region a profile's bare accounts are in: the one its credentials resolve with.
fn region_of(profiles: &Profiles, profile: &str, env: &Env) -> Result<String> {
    let request = Request {
        target: Target::Profile(profile.to_owned()),
        ..Request::default()
    };
    resolve::resolve(profiles, &request, env).map(|c| c.region)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(host: &str) -> Registry {
        match endpoint::parse(host) {
            Ok(Endpoint::Registry(r)) => r,
            other => panic!("{other:?}"),
        }
    }

    fn owners(config: &str, registered: &[(&str, &str)], env: &[(&str, &str)]) -> Owners {
        let profiles = Profiles::from_text(config, "").unwrap();
        let registrations = Registrations {
            registries: registered
                .iter()
                .map(|(h, p)| (h.to_string(), p.to_string()))
                .collect(),
        };
        Owners::load(&profiles, &registrations, &Env::from_slice(env))
    }

    const CONFIG: &str = "[default]\nregion = us-east-1\n\
        [profile a]\naws_access_key_id = AKIAIOSFODNN7EXAMPL1\naws_secret_access_key = secret\n\
        ecr_registries = 111111111111, 222222222222.dkr.ecr.eu-west-1.amazonaws.com\n\
        [profile b]\nregion = us-west-2\naws_access_key_id = AKIAIOSFODNN7EXAMPL2\naws_secret_access_key = secret\n\
        ecr_registries = 111111111111 public.ecr.aws\n";

    #[test]
    fn accounts_are_claimed_in_the_profiles_region_in_every_variant() {
        let o = owners(CONFIG, &[], &[]);
        let owner = |host: &str| o.owner(&registry(host)).unwrap().map(|c| c.profile);
        for host in [
            "111111111111.dkr.ecr.us-east-1.amazonaws.com",
            "111111111111.dkr.ecr-fips.us-east-1.amazonaws.com",
            "111111111111.dkr-ecr.us-east-1.on.aws",
            "222222222222.dkr.ecr.eu-west-1.amazonaws.com",
        ] {
            assert_eq!(owner(host).as_deref(), Some("a"), "{host}");
        }
        assert_eq!(
            owner("111111111111.dkr.ecr.us-west-2.amazonaws.com").as_deref(),
            Some("b")
        );
        assert_eq!(owner("ecr-public.aws.com").as_deref(), Some("b"));
        assert_eq!(owner("333333333333.dkr.ecr.us-east-1.amazonaws.com"), None);
        assert!(o.warnings.is_empty(), "{:?}", o.warnings);
    }

    #[test]
    fn two_claimants_are_an_error_naming_both() {
        let o = owners(
            CONFIG,
            &[("111111111111.dkr.ecr.us-west-2.amazonaws.com", "a")],
            &[],
        );
        let err = o
            .owner(&registry("111111111111.dkr.ecr.us-west-2.amazonaws.com"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("`b` (ecr_registries)"), "{err}");
        assert!(
            err.contains("`a` (registered by runas ecr login --helper)"),
            "{err}"
        );
    }

    #[test]
    fn registrations_then_aws_profile() {
        let o = owners(
            CONFIG,
            &[
                ("333333333333.dkr.ecr.us-east-1.amazonaws.com", "b"),
                ("junk", "a"),
            ],
            &[("AWS_PROFILE", "fallback")],
        );
        let claim = o
            .owner(&registry("333333333333.dkr.ecr.us-east-1.amazonaws.com"))
            .unwrap()
            .unwrap();
        assert_eq!(
            (claim.profile.as_str(), claim.source),
            ("b", Source::Registration)
        );
        let claim = o
            .owner(&registry("444444444444.dkr.ecr.us-east-1.amazonaws.com"))
            .unwrap()
            .unwrap();
        assert_eq!(
            (claim.profile.as_str(), claim.source),
            ("fallback", Source::AwsProfile)
        );
        assert_eq!(o.warnings.len(), 1, "{:?}", o.warnings);
    }
}
