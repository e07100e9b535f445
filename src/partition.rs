//! AWS partitions and the regions each one serves: the one table runas keeps of them.
//!
//! Credentials and ARNs of one partition mean nothing in another, so a role ARN whose
//! partition does not serve the chain's region is refused before any call, and cache keys
//! name the partition so that one partition's credentials are never tried against another.

/// Partition names with the region prefix their regions share, the longer prefixes first
/// (`us-isob-` before `us-iso-`); `aws` takes every other region.
const PARTITIONS: [(&str, &str); 8] = [
    ("aws-cn", "cn-"),
    ("aws-us-gov", "us-gov-"),
    ("aws-iso-b", "us-isob-"),
    ("aws-iso-f", "us-isof-"),
    ("aws-iso-e", "eu-isoe-"),
    ("aws-iso", "us-iso-"),
    ("aws-eusc", "eusc-"),
    ("aws", ""),
];

/// The partition that serves `region`.
pub(crate) fn of_region(region: &str) -> &'static str {
    PARTITIONS
        .iter()
        .find(|(_, prefix)| region.starts_with(prefix))
        .map_or("aws", |(name, _)| name)
}

pub(crate) fn is_known(name: &str) -> bool {
    PARTITIONS.iter().any(|(n, _)| *n == name)
}

/// A region name as AWS writes them (`us-east-1`, `us-gov-west-1`, `eusc-de-east-1`):
/// hyphenated parts of lower-case letters and digits, at least three, the last a number.
/// Checked before a region goes into a host name, a signature or a cache key.
pub(crate) fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    region.len() <= 32
        && parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// A region name as the SDKs take one: a host label (1 to 63 letters, digits and inner
/// hyphens, not digits alone), since it becomes part of endpoint host names. Services that
/// speak S3 name their own (`auto` for Cloudflare R2, `garage`, `nyc3`), and the SDKs
/// pass those on; [`is_region`] is AWS's own form.
pub(crate) fn is_region_name(region: &str) -> bool {
    (1..=63).contains(&region.len())
        && region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-')
        && !region.bytes().all(|b| b.is_ascii_digit())
}

/// Every partition's name, for messages.
pub fn names() -> String {
    PARTITIONS
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_map_to_their_partitions() {
        for (region, partition) in [
            ("us-east-1", "aws"),
            ("eu-west-3", "aws"),
            ("cn-north-1", "aws-cn"),
            ("us-gov-west-1", "aws-us-gov"),
            ("us-iso-east-1", "aws-iso"),
            ("us-isob-east-1", "aws-iso-b"),
            ("us-isof-south-1", "aws-iso-f"),
            ("eu-isoe-west-1", "aws-iso-e"),
            ("eusc-de-east-1", "aws-eusc"),
        ] {
            assert_eq!(of_region(region), partition, "{region}");
        }
        assert!(is_known("aws-iso-b"));
        for region in [
            "us-east-1",
            "us-gov-west-1",
            "eusc-de-east-1",
            "us-isob-east-1",
        ] {
            assert!(is_region(region), "{region}");
        }
        for bad in [
            "",
            "us-east",
            "us east 1",
            "US-EAST-1",
            "us--1",
            "us-east-1a",
            "local",
        ] {
            assert!(!is_region(bad), "{bad}");
        }
        assert!(!is_known("aws-moon"));
    }

    #[test]
    fn region_names_are_what_the_sdks_take() {
        // Cloudflare R2's `auto`, Garage's `garage`, DigitalOcean's `nyc3`: botocore and
        // aws-config take any host label.
        for region in ["us-east-1", "auto", "garage", "nyc3", "US-EAST-1", "local"] {
            assert!(is_region_name(region), "{region}");
        }
        for bad in [
            "",
            "us east 1",
            "-x",
            "x-",
            "123",
            "a.b",
            "eu/west",
            &"a".repeat(64),
        ] {
            assert!(!is_region_name(bad), "{bad}");
        }
    }
}
