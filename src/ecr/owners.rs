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
use std::fmt;

/// The profile setting that lists a profile's registries.
const ECR_REGISTRIES: &str = "ecr_registries";

/// One profile's `ecr_registries`, as the profile files give it.
#[derive(Debug, Clone)]
pub(crate) struct Listed {
    pub profile: String,
    pub list: String,
}

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
            Source::ProfileList => ECR_REGISTRIES,
            Source::Registration => "registered by runas ecr login --helper",
            Source::AwsProfile => crate::variables::AWS_PROFILE.name,
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Claim {
    pub registry: Registry,
    pub profile: String,
    pub source: Source,
}

#[derive(Debug, Default)]
pub(crate) struct Owners {
    pub claims: Vec<Claim>,
    pub aws_profile: Option<String>,
    /// Entries that could not be read, for `runas ecr helper status` and `-v`.
    pub warnings: Vec<String>,
}

impl Owners {
    /// The claims of every profile's list (a bare account is in the region `region_of`
    /// gives for the profile) and of the registrations; `aws_profile` serves the rest.
    pub fn load(
        listed: &[Listed],
        region_of: impl Fn(&str) -> Result<String>,
        registrations: &Registrations,
        aws_profile: Option<String>,
    ) -> Owners {
        let mut owners = Owners {
            aws_profile,
            ..Owners::default()
        };
        for Listed { profile, list } in listed {
            owners.claim_list(profile, list, &region_of);
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

    fn claim_list(
        &mut self,
        profile: &str,
        list: &str,
        region_of: impl Fn(&str) -> Result<String>,
    ) {
        for text in endpoint::split_list(list) {
            let registry = match endpoint::parse(text) {
                Ok(Endpoint::Registry(registry)) => registry,
                Ok(Endpoint::Account(account)) => match region_of(profile) {
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
    pub(crate) fn owner(&self, registry: &Registry) -> Result<Option<Claim>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(host: &str) -> Registry {
        match endpoint::parse(host) {
            Ok(Endpoint::Registry(r)) => r,
            other => panic!("{other:?}"),
        }
    }

    /// Profile `a` (in us-east-1) and `b` (in us-west-2) with their lists.
    const CONFIG: &[(&str, &str)] = &[
        (
            "a",
            "111111111111, 222222222222.dkr.ecr.eu-west-1.amazonaws.com",
        ),
        ("b", "111111111111 public.ecr.aws"),
    ];

    fn owners(
        listed: &[(&str, &str)],
        registered: &[(&str, &str)],
        aws_profile: Option<&str>,
    ) -> Owners {
        let listed: Vec<Listed> = listed
            .iter()
            .map(|(profile, list)| Listed {
                profile: profile.to_string(),
                list: list.to_string(),
            })
            .collect();
        let registrations = Registrations {
            registries: registered
                .iter()
                .map(|(h, p)| (h.to_string(), p.to_string()))
                .collect(),
        };
        let region_of = |profile: &str| {
            Ok(if profile == "b" {
                "us-west-2"
            } else {
                "us-east-1"
            }
            .to_owned())
        };
        Owners::load(
            &listed,
            region_of,
            &registrations,
            aws_profile.map(str::to_owned),
        )
    }

    #[test]
    fn accounts_are_claimed_in_the_profiles_region_in_every_variant() {
        let o = owners(CONFIG, &[], None);
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
            None,
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
            Some("fallback"),
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
