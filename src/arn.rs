//! A role's ARN, parsed once where it enters (a profile's `role_arn`, a role ARN typed in
//! place of a profile) and carried as a type: its partition and account are read from the
//! parse, never by splitting the text again.

use std::fmt;
use std::ops::Range;

/// What STS's model takes as a `RoleArn`: 20 to 2,048 characters.
const LENGTH: std::ops::RangeInclusive<usize> = 20..=2048;

/// The role a profile assumes, as the profile names it.
///
/// The SDKs send `role_arn` as written, and STS-compatible services take ARNs AWS never
/// issues: MinIO ignores the value (its guide uses `arn:xxx:xxx:xxx:xxxx`), Ceph's have no
/// account, the SDKs' own test vectors use 9-digit accounts. So any value STS's model
/// allows is kept; only one of AWS's form, `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`,
/// tells its partition (when the region table knows it) and its account (when it has 12
/// digits), and what those decide is decided only for such ARNs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoleArn {
    text: String,
    partition: Option<Range<usize>>,
    account: Option<Range<usize>>,
}

impl RoleArn {
    /// The ARN, or the sentence that says why `text` cannot be sent (for
    /// `Problem::Invalid`): too short or too long for STS, or a control character that
    /// would reach a terminal.
    pub fn parse(text: &str) -> Result<RoleArn, String> {
        let length = text.chars().count();
        if !LENGTH.contains(&length) || text.chars().any(char::is_control) {
            return Err(format!(
                "role_arn `{}` is not a role ARN STS takes: {} to {} characters, none of them control characters, such as arn:aws:iam::123456789012:role/NAME",
                text.escape_debug(),
                LENGTH.start(),
                LENGTH.end()
            ));
        }
        let parts: Vec<&str> = text.splitn(6, ':').collect();
        let aws_form = parts.len() == 6
            && parts[0] == "arn"
            && parts[2] == "iam"
            && parts[3].is_empty()
            && parts[5].len() > "role/".len()
            && parts[5].starts_with("role/")
            && parts[5].bytes().all(|b| b.is_ascii_graphic());
        let mut arn = RoleArn {
            text: text.to_owned(),
            partition: None,
            account: None,
        };
        if aws_form && crate::partition::is_known(parts[1]) {
            let partition = 4..4 + parts[1].len();
            // `arn:` + partition + `:iam::`
            let account_start = partition.end + ":iam::".len();
            arn.partition = Some(partition);
            arn.account = is_account(parts[4]).then(|| account_start..account_start + 12);
        }
        Ok(arn)
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The partition of an ARN of AWS's form, when the region table knows it.
    pub fn partition(&self) -> Option<&str> {
        self.partition.clone().map(|r| &self.text[r])
    }

    /// The 12-digit account of an ARN of AWS's form.
    pub fn account(&self) -> Option<&str> {
        self.account.clone().map(|r| &self.text[r])
    }

    /// Whether AWS STS could know the role: AWS's form, a known partition, a 12-digit
    /// account. When STS refuses any other, the message says so.
    pub fn is_aws_form(&self) -> bool {
        self.partition.is_some() && self.account.is_some()
    }

    /// The role's name, without its path, for an ARN of AWS's form (another has no name
    /// that means anything: MinIO's `arn:xxx:xxx:xxx:xxxx`).
    pub fn name(&self) -> Option<&str> {
        self.partition.as_ref()?;
        self.text.rsplit('/').next().filter(|name| !name.is_empty())
    }
}

impl fmt::Display for RoleArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A 12-digit AWS account id.
fn is_account(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parts_come_from_the_parse() {
        let arn = RoleArn::parse("arn:aws-us-gov:iam::123456789012:role/ops/Admin").unwrap();
        assert_eq!(arn.partition(), Some("aws-us-gov"));
        assert_eq!(arn.account(), Some("123456789012"));
        assert_eq!(arn.name(), Some("Admin"));
        assert!(arn.is_aws_form());
        assert_eq!(
            arn.to_string(),
            "arn:aws-us-gov:iam::123456789012:role/ops/Admin"
        );
    }

    /// What the SDKs send and some STS-compatible service takes is kept, with only the
    /// parts AWS's form gives.
    #[test]
    fn what_the_sdks_send_is_kept() {
        for (text, partition, account) in [
            // The SDKs' own test vectors.
            ("arn:aws:iam::123456789:role/RoleA", Some("aws"), None),
            // MinIO's guide; Ceph RGW's roles have no account.
            ("arn:xxx:xxx:xxx:xxxx", None, None),
            ("arn:minio:iam:::role/dRbc2G0WvX6RLRGn", None, None),
            (
                "arn:aws:iam:::role/application_abc/S3Access",
                Some("aws"),
                None,
            ),
            (
                "arn:aws:iam::000000000000:role/localstack",
                Some("aws"),
                Some("000000000000"),
            ),
            // An unknown partition is STS's to refuse, or a local service's to take.
            ("arn:nope:iam::123456789012:role/A", None, None),
            // No role name holds a blank: AWS STS cannot know it.
            ("arn:aws:iam::123456789012:role/a b", None, None),
        ] {
            let arn = RoleArn::parse(text).unwrap();
            assert_eq!(
                (arn.partition(), arn.account(), arn.as_str()),
                (partition, account, text)
            );
            assert!(!arn.is_aws_form() || account.is_some());
            assert_eq!(arn.name().is_some(), partition.is_some(), "{text}");
        }
        for not_aws in [
            "arn:aws:iam::1234:role/AAAAAAAA",
            "arn:aws:iam::123456789012:user/A",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:sts::123456789012:role/A",
            "arn:aws:iam:us-east-1:123456789012:role/A",
            "arn:aws:iam:012345678901:role/something",
        ] {
            assert!(!RoleArn::parse(not_aws).unwrap().is_aws_form(), "{not_aws}");
        }
    }

    /// STS's model: 20 to 2,048 characters; and nothing that would reach a terminal raw.
    #[test]
    fn what_sts_cannot_take_is_refused() {
        let long = format!("arn:aws:iam::123456789012:role/{}", "a".repeat(2048));
        for bad in [
            "arn:aws:iam::1:role",
            "",
            long.as_str(),
            "arn:aws:iam::123456789012:role/\u{1b}[2J",
        ] {
            let err = RoleArn::parse(bad).unwrap_err();
            assert!(err.contains("20 to 2048 characters"), "{err}");
            assert!(!err.contains('\u{1b}'), "{err}");
        }
        assert!(
            RoleArn::parse("arn:aws:iam:::role/a").is_ok(),
            "20 is enough"
        );
    }
}
