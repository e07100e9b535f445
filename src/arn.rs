//! A role's ARN, parsed once where it enters (a profile's `role_arn`, a role ARN typed in
//! place of a profile) and carried as a type: its partition, account and name are read
//! from the parse, never by splitting the text again.

use std::fmt;
use std::ops::Range;

/// `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`, with a known partition and a 12-digit
/// account: what STS takes as a `RoleArn`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoleArn {
    text: String,
    partition: Range<usize>,
    account: Range<usize>,
}

impl RoleArn {
    /// The ARN, or the sentence that says why `text` is not one (for `Problem::Invalid`).
    pub fn parse(text: &str) -> Result<RoleArn, String> {
        let parts: Vec<&str> = text.splitn(6, ':').collect();
        let ok = parts.len() == 6
            && parts[0] == "arn"
            && parts[2] == "iam"
            && parts[3].is_empty()
            && is_account(parts[4])
            && parts[5].starts_with("role/")
            && parts[5].len() > "role/".len()
            && parts[5].bytes().all(|b| b.is_ascii_graphic());
        if !ok {
            return Err(format!(
                "role_arn `{}` is not a role ARN; expected arn:aws:iam::123456789012:role/NAME (a 12-digit account and a role name)",
                text.escape_debug()
            ));
        }
        known_partition(parts[1], text)?;
        let partition = 4..4 + parts[1].len();
        // `arn:` + partition + `:iam::`
        let account_start = partition.end + ":iam::".len();
        Ok(RoleArn {
            text: text.to_owned(),
            partition,
            account: account_start..account_start + 12,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn partition(&self) -> &str {
        &self.text[self.partition.clone()]
    }

    pub fn account(&self) -> &str {
        &self.text[self.account.clone()]
    }

    /// The role's name, without its path.
    pub fn name(&self) -> &str {
        self.text.rsplit('/').next().unwrap_or_default()
    }
}

impl fmt::Display for RoleArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A 12-digit AWS account id.
pub(crate) fn is_account(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// An ARN's partition must be one the region table knows, else no endpoint serves it.
pub(crate) fn known_partition(partition: &str, arn: &str) -> Result<(), String> {
    if crate::partition::is_known(partition) {
        Ok(())
    } else {
        Err(format!(
            "`{}` names partition `{}`, which is not one of {}",
            arn.escape_debug(),
            partition.escape_debug(),
            crate::partition::names()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parts_come_from_the_parse() {
        let arn = RoleArn::parse("arn:aws-us-gov:iam::123456789012:role/ops/Admin").unwrap();
        assert_eq!(arn.partition(), "aws-us-gov");
        assert_eq!(arn.account(), "123456789012");
        assert_eq!(arn.name(), "Admin");
        assert_eq!(
            arn.to_string(),
            "arn:aws-us-gov:iam::123456789012:role/ops/Admin"
        );
    }

    #[test]
    fn what_sts_would_refuse_is_not_an_arn() {
        for bad in [
            "arn:aws:iam::1234:role/A",
            "arn:aws:iam::123456789012:user/A",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:sts::123456789012:role/A",
            "arn:aws:iam:us-east-1:123456789012:role/A",
            "arn:aws:iam::123456789012:role/a b",
        ] {
            assert!(RoleArn::parse(bad).is_err(), "{bad}");
        }
        let err = RoleArn::parse("arn:nope:iam::123456789012:role/A").unwrap_err();
        assert!(err.contains("names partition `nope`"), "{err}");
    }
}
