//! The environment variables runas reads, in one table: the code reads each by its entry
//! here, and the man pages' ENVIRONMENT sections are generated from the same entries, so a
//! variable cannot be read without being documented, nor documented after it is gone.
//!
//! The variables runas sets for the commands it runs are outputs, described with the
//! commands; they are not here.

/// A variable runas reads, and what it means to a user.
#[derive(Debug, Clone, Copy)]
pub struct Variable {
    pub name: &'static str,
    /// One paragraph of plain text; the man page renderer escapes it.
    pub meaning: &'static str,
    /// The pages whose ENVIRONMENT section lists it.
    pub pages: &'static [Page],
}

/// A man page with an ENVIRONMENT section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// runas(1)
    Runas,
    /// docker-credential-runas(1)
    Helper,
}

const RUNAS: &[Page] = &[Page::Runas];
const HELPER: &[Page] = &[Page::Helper];
const BOTH: &[Page] = &[Page::Runas, Page::Helper];

pub const AWS_CONFIG_FILE: Variable = Variable {
    name: "AWS_CONFIG_FILE",
    meaning: "Where the config file is (default ~/.aws/config).",
    pages: BOTH,
};
pub const AWS_SHARED_CREDENTIALS_FILE: Variable = Variable {
    name: "AWS_SHARED_CREDENTIALS_FILE",
    meaning: "Where the credentials file is (default ~/.aws/credentials).",
    pages: BOTH,
};
pub const AWS_PROFILE: Variable = Variable {
    name: "AWS_PROFILE",
    meaning: "The profile for ECR registries that no profile claims (for \
              docker-credential-runas), and the one whose credentials assume a role ARN given \
              to runas in place of a profile.",
    pages: BOTH,
};
pub const AWS_ACCESS_KEY_ID: Variable = Variable {
    name: "AWS_ACCESS_KEY_ID",
    meaning: "With AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), the credentials of a \
              profile with credential_source = Environment, and those that assume a role ARN \
              given in place of a profile, before AWS_PROFILE's. runas diagnose warns when \
              they are set, as other AWS tools prefer them to any profile.",
    pages: RUNAS,
};
pub const AWS_SECRET_ACCESS_KEY: Variable = Variable {
    name: "AWS_SECRET_ACCESS_KEY",
    meaning: "The secret key of AWS_ACCESS_KEY_ID.",
    pages: RUNAS,
};
pub const AWS_SESSION_TOKEN: Variable = Variable {
    name: "AWS_SESSION_TOKEN",
    meaning: "The session token of AWS_ACCESS_KEY_ID when those are session credentials: \
              then a role assumed with them asks for at most an hour.",
    pages: RUNAS,
};
pub const AWS_SECURITY_TOKEN: Variable = Variable {
    name: "AWS_SECURITY_TOKEN",
    meaning: "An older name of AWS_SESSION_TOKEN that some AWS tools still read; runas \
              diagnose warns when it is set.",
    pages: RUNAS,
};
pub const AWS_REGION: Variable = Variable {
    name: "AWS_REGION",
    meaning: "The region when neither --region nor the profile names one.",
    pages: RUNAS,
};
pub const AWS_DEFAULT_REGION: Variable = Variable {
    name: "AWS_DEFAULT_REGION",
    meaning: "The region when neither --region, the profile nor AWS_REGION names one.",
    pages: RUNAS,
};
pub const AWS_ENDPOINT_URL: Variable = Variable {
    name: "AWS_ENDPOINT_URL",
    meaning: "Another endpoint for every AWS API runas calls, as for the AWS SDKs.",
    pages: BOTH,
};
pub const AWS_ENDPOINT_URL_STS: Variable = Variable {
    name: "AWS_ENDPOINT_URL_STS",
    meaning: "Another endpoint for STS, before AWS_ENDPOINT_URL and the profile's \
              endpoint_url, as for the AWS SDKs.",
    pages: BOTH,
};
pub const AWS_ENDPOINT_URL_ECR: Variable = Variable {
    name: "AWS_ENDPOINT_URL_ECR",
    meaning: "Another endpoint for ECR, before AWS_ENDPOINT_URL, as for the AWS SDKs.",
    pages: BOTH,
};
pub const AWS_ENDPOINT_URL_ECR_PUBLIC: Variable = Variable {
    name: "AWS_ENDPOINT_URL_ECR_PUBLIC",
    meaning: "Another endpoint for ECR Public, before AWS_ENDPOINT_URL, as for the AWS SDKs.",
    pages: BOTH,
};
pub(crate) const AWS_ENDPOINT_URL_IAM: Variable = Variable {
    name: "AWS_ENDPOINT_URL_IAM",
    meaning: "Another endpoint for IAM (runas list), before AWS_ENDPOINT_URL, as for the AWS \
              SDKs.",
    pages: RUNAS,
};
pub const AWS_ENDPOINT_URL_SIGNIN: Variable = Variable {
    name: "AWS_ENDPOINT_URL_SIGNIN",
    meaning: "Another endpoint for the sign-in service: where login_session credentials \
              (aws login) are refreshed, and the console federation endpoint of runas console \
              (runas adds /federation); before the profile's [services] entry and \
              AWS_ENDPOINT_URL, as for the AWS SDKs.",
    pages: BOTH,
};
pub const AWS_LOGIN_CACHE_DIRECTORY: Variable = Variable {
    name: "AWS_LOGIN_CACHE_DIRECTORY",
    meaning: "Where the AWS CLI's aws login keeps its sessions, which login_session profiles \
              read and refresh (default ~/.aws/login/cache), as for the AWS CLI and SDKs.",
    pages: BOTH,
};
pub const MFA_CODE: Variable = Variable {
    name: "MFA_CODE",
    meaning: "An MFA code for a profile that needs one (for runas, as --otp).",
    pages: BOTH,
};
pub(crate) const MFA_SERIAL: Variable = Variable {
    name: "MFA_SERIAL",
    meaning: "As -M/--mfa-serial.",
    pages: RUNAS,
};
pub(crate) const EXTERNAL_ID: Variable = Variable {
    name: "EXTERNAL_ID",
    meaning: "As -X/--external-id.",
    pages: RUNAS,
};
pub const SESSION_TOKEN_DURATION: Variable = Variable {
    name: "SESSION_TOKEN_DURATION",
    meaning: "As -d/--duration.",
    pages: RUNAS,
};
pub const CREDENTIALS_DURATION: Variable = Variable {
    name: "CREDENTIALS_DURATION",
    meaning: "As -a/--role-duration.",
    pages: RUNAS,
};
pub const RUNAS_OUTPUT: Variable = Variable {
    name: "RUNAS_OUTPUT",
    meaning: "As -O/--output: the format runas prints credentials in when no command is \
              given, for people who always use one shell (fish, powershell, ...).",
    pages: RUNAS,
};
pub const RUNAS_OUTPUT_FORMAT: Variable = Variable {
    name: "RUNAS_OUTPUT_FORMAT",
    meaning: "The older name of RUNAS_OUTPUT, read when RUNAS_OUTPUT is not set.",
    pages: RUNAS,
};
pub const RUNAS_WRITE_CREDENTIALS: Variable = Variable {
    name: "RUNAS_WRITE_CREDENTIALS",
    meaning: "As -c/--write-credentials.",
    pages: RUNAS,
};
pub const RUNAS_SERVE: Variable = Variable {
    name: "RUNAS_SERVE",
    meaning: "1: -S by default when a command is given.",
    pages: RUNAS,
};
pub const RUNAS_ECR_CLIENT: Variable = Variable {
    name: "RUNAS_ECR_CLIENT",
    meaning: "As --client of runas ecr login and runas ecr logout.",
    pages: RUNAS,
};
pub const RUNAS_TIMEOUT: Variable = Variable {
    name: "RUNAS_TIMEOUT",
    meaning: "Seconds runas waits for anything outside itself: each network call, external \
              program and lock held by another run (default 60); for docker-credential-runas, \
              a whole get that must fetch a token, prompt included.",
    pages: BOTH,
};
pub(crate) const RUNAS_VERBOSE: Variable = Variable {
    name: "RUNAS_VERBOSE",
    meaning: "Set to 1, shows on stderr what the helper does (never a secret).",
    pages: HELPER,
};
pub const AWS_ENDPOINT_URL_SSO_OIDC: Variable = Variable {
    name: "AWS_ENDPOINT_URL_SSO_OIDC",
    meaning: "The IAM Identity Center OIDC service (sign-in, token refresh) instead of \
              https://oidc.REGION.amazonaws.com; its /authorize page moves with it.",
    pages: RUNAS,
};
pub const AWS_ENDPOINT_URL_SSO: Variable = Variable {
    name: "AWS_ENDPOINT_URL_SSO",
    meaning: "The IAM Identity Center portal (role credentials, logout) instead of \
              https://portal.sso.REGION.amazonaws.com.",
    pages: RUNAS,
};
pub const RUNAS_SSO_AUTO_LOGIN: Variable = Variable {
    name: "RUNAS_SSO_AUTO_LOGIN",
    meaning: "Set to 1, a run without a terminal signs in to IAM Identity Center by itself \
              when it has no usable token (as sso_auto_login = true does for one profile); \
              otherwise such a run fails with exit status 4 and says to run runas sso login. \
              docker-credential-runas and the refreshes of -S and runas serve never sign in.",
    pages: RUNAS,
};
pub const BROWSER: Variable = Variable {
    name: "BROWSER",
    meaning: "The program runas sso login and runas console open a page with (colon-separated \
              choices; %s stands for the page), before xdg-open and open.",
    pages: RUNAS,
};
pub const RUNAS_CACHE_DIR: Variable = Variable {
    name: "RUNAS_CACHE_DIR",
    meaning: "The credential cache (default $XDG_CACHE_HOME/runas, else ~/.cache/runas).",
    pages: BOTH,
};
pub const RUNAS_REFRESH_MARGIN: Variable = Variable {
    name: "RUNAS_REFRESH_MARGIN",
    meaning: "How long before their expiry cached credentials count as stale and are fetched \
              anew (default 5m), for every command and for the endpoints of -S and runas \
              serve. A margin not below the lifetime of the credentials it applies to is taken \
              as half that lifetime.",
    pages: RUNAS,
};
pub(crate) const XDG_CACHE_HOME: Variable = Variable {
    name: "XDG_CACHE_HOME",
    meaning: "Where the credential cache is when RUNAS_CACHE_DIR is not set: in \
              $XDG_CACHE_HOME/runas.",
    pages: BOTH,
};
pub const XDG_RUNTIME_DIR: Variable = Variable {
    name: "XDG_RUNTIME_DIR",
    meaning: "Without HOME, the credential cache is in $XDG_RUNTIME_DIR/runas, when that \
              directory is the user's own and private.",
    pages: BOTH,
};
pub const XDG_CONFIG_HOME: Variable = Variable {
    name: "XDG_CONFIG_HOME",
    meaning: "Where the registrations of runas ecr login --helper are: in \
              $XDG_CONFIG_HOME/runas (default ~/.config/runas).",
    pages: BOTH,
};
pub const HOME: Variable = Variable {
    name: "HOME",
    meaning: "The home directory, ~ on this page.",
    pages: BOTH,
};
pub const USER: Variable = Variable {
    name: "USER",
    meaning: "Role sessions are named runas-USER (the characters of it that STS accepts) \
              when the profile sets no role_session_name, so that CloudTrail shows who \
              assumed the role.",
    pages: BOTH,
};
pub const DOCKER_CONFIG: Variable = Variable {
    name: "DOCKER_CONFIG",
    meaning: "The directory of the Docker config file that --write-config writes and runas \
              ecr login --helper edits.",
    pages: RUNAS,
};
pub const COMPLETE: Variable = Variable {
    name: "COMPLETE",
    meaning: "Set to a shell name, makes runas print that shell's completion script.",
    pages: RUNAS,
};

/// Every variable, in the order the pages list them.
pub(crate) const TABLE: &[Variable] = &[
    AWS_CONFIG_FILE,
    AWS_SHARED_CREDENTIALS_FILE,
    AWS_PROFILE,
    AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY,
    AWS_SESSION_TOKEN,
    AWS_SECURITY_TOKEN,
    AWS_REGION,
    AWS_DEFAULT_REGION,
    AWS_ENDPOINT_URL,
    AWS_ENDPOINT_URL_STS,
    AWS_ENDPOINT_URL_ECR,
    AWS_ENDPOINT_URL_ECR_PUBLIC,
    AWS_ENDPOINT_URL_IAM,
    AWS_ENDPOINT_URL_SSO_OIDC,
    AWS_ENDPOINT_URL_SSO,
    AWS_ENDPOINT_URL_SIGNIN,
    AWS_LOGIN_CACHE_DIRECTORY,
    BROWSER,
    MFA_CODE,
    MFA_SERIAL,
    EXTERNAL_ID,
    SESSION_TOKEN_DURATION,
    CREDENTIALS_DURATION,
    RUNAS_OUTPUT,
    RUNAS_OUTPUT_FORMAT,
    RUNAS_WRITE_CREDENTIALS,
    RUNAS_SERVE,
    RUNAS_ECR_CLIENT,
    RUNAS_TIMEOUT,
    RUNAS_VERBOSE,
    RUNAS_CACHE_DIR,
    RUNAS_REFRESH_MARGIN,
    RUNAS_SSO_AUTO_LOGIN,
    XDG_CACHE_HOME,
    XDG_RUNTIME_DIR,
    XDG_CONFIG_HOME,
    HOME,
    USER,
    DOCKER_CONFIG,
    COMPLETE,
];

/// The variables of `page`, in table order.
pub fn on(page: Page) -> impl Iterator<Item = &'static Variable> {
    TABLE.iter().filter(move |v| v.pages.contains(&page))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    #[test]
    fn every_variable_once_and_on_a_page() {
        let names: BTreeSet<&str> = TABLE.iter().map(|v| v.name).collect();
        assert_eq!(names.len(), TABLE.len(), "a name appears twice");
        let declared = include_str!("variables.rs")
            .matches(concat!(": Variable = ", "Variable {"))
            .count();
        assert_eq!(
            declared,
            TABLE.len(),
            "a variable is declared but not in TABLE"
        );
        for v in TABLE {
            assert!(!v.pages.is_empty() && !v.meaning.is_empty(), "{}", v.name);
        }
    }

    /// Variables runas sets for the commands it runs: written, never read.
    const SET_FOR_THE_CHILD: [&str; 1] = ["RUNAS_PROFILE"];

    /// A `"RUNAS_…"` literal anywhere else in the code names a variable of the table (or one
    /// runas only sets), so that a new one cannot be read without being documented.
    #[test]
    fn runas_literals_in_the_code_are_in_the_table() {
        let mut unknown = Vec::new();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        for file in rust_files(&src) {
            if file.ends_with("variables.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap();
            for (at, _) in text.match_indices("\"RUNAS_") {
                let name: String = text[at + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                // `"RUNAS_"` alone is the prefix of them all (the warm path hashes them).
                let known = name == "RUNAS_"
                    || TABLE.iter().any(|v| v.name == name)
                    || SET_FOR_THE_CHILD.contains(&name.as_str());
                if !known {
                    unknown.push(format!("{}: {name}", file.display()));
                }
            }
        }
        assert!(unknown.is_empty(), "not in variables::TABLE: {unknown:?}");
    }

    fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(rust_files(&path));
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
        files
    }
}
