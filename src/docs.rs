//! The man pages and shell completions, generated from the clap definition in `cli.rs` so
//! that `--help`, `man runas` and TAB never disagree. `runas generate-docs .` rewrites
//! `man/` and `completions/`; a test fails when the checked-in files differ.

use crate::cli::{Cli, CredentialHelper};
use crate::error::{Error, Result};
use crate::variables::{self, Page};
use clap::CommandFactory;
use clap_complete::env::{Bash, Elvish, EnvCompleter, Fish, Powershell, Zsh};
use std::fs;
use std::path::Path;
use std::process::ExitCode;

pub fn generate(dir: &Path) -> Result<ExitCode> {
    let mut cmd = without_help(Cli::command());
    cmd.build();
    let man = dir.join("man");
    let completions = dir.join("completions");
    for d in [&man, &completions] {
        fs::create_dir_all(d).map_err(|e| Error::file(d, e))?;
    }
    write(&man.join("runas.1"), &top_page(&cmd)?)?;
    for (title, sub) in subcommands(&cmd, "runas") {
        write(&man.join(format!("{title}.1")), &page(sub, &title)?)?;
    }
    write(&man.join("docker-credential-runas.1"), &helper_page()?)?;
    let shells: [(&dyn EnvCompleter, &str); 5] = [
        (&Bash, "runas.bash"),
        (&Zsh, "_runas"),
        (&Fish, "runas.fish"),
        (&Powershell, "_runas.ps1"),
        (&Elvish, "runas.elv"),
    ];
    for (shell, file) in shells {
        let mut script = Vec::new();
        shell
            .write_registration(
                variables::COMPLETE.name,
                "runas",
                "runas",
                "runas",
                &mut script,
            )
            .map_err(|e| Error::file(&completions.join(file), e))?;
        write(&completions.join(file), &script)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// clap's `help` subcommands repeat `--help`; they get no pages. Man page headings are
/// upper case.
fn without_help(cmd: clap::Command) -> clap::Command {
    cmd.disable_help_subcommand(true)
        .subcommand_help_heading("SUBCOMMANDS")
        .mut_subcommands(without_help)
}

fn write(path: &Path, contents: &[u8]) -> Result<()> {
    fs::write(path, contents).map_err(|e| Error::file(path, e))
}

/// Every visible subcommand with the page title it gets (`runas-ecr-login`).
fn subcommands<'a>(cmd: &'a clap::Command, prefix: &str) -> Vec<(String, &'a clap::Command)> {
    let mut out = Vec::new();
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let title = format!("{prefix}-{}", sub.get_name());
        out.push((title.clone(), sub));
        out.extend(subcommands(sub, &title));
    }
    out
}

/// A subcommand's page: clap's sections, the ECR endpoint forms as a list where they
/// apply (clap's after-help would run them together into one paragraph), its examples
/// and its exit statuses.
fn page(cmd: &clap::Command, title: &str) -> Result<Vec<u8>> {
    let forms = cmd
        .get_after_help()
        .is_some_and(|h| h.to_string() == crate::cli::ECR_FORMS);
    let mut extra = if forms {
        endpoint_forms()
    } else {
        String::new()
    };
    extra.push_str(&examples(title));
    extra.push_str(&exit_status("0 when it did what was asked. Otherwise:"));
    let mut out = Vec::new();
    let man = clap_mangen::Man::new(cmd.clone().after_help(None::<&str>))
        .title(title)
        .manual("runas manual");
    let fail = |e: std::io::Error| Error::file(Path::new(title), e);
    man.render_title(&mut out).map_err(fail)?;
    man.render_name_section(&mut out).map_err(fail)?;
    man.render_synopsis_section(&mut out).map_err(fail)?;
    man.render_description_section(&mut out).map_err(fail)?;
    man.render_options_section(&mut out).map_err(fail)?;
    if cmd.has_subcommands() {
        man.render_subcommands_section(&mut out).map_err(fail)?;
    }
    out.extend_from_slice(extra.as_bytes());
    if cmd.get_version().is_some() {
        man.render_version_section(&mut out).map_err(fail)?;
    }
    Ok(out)
}

/// The ECR endpoint forms of `runas ecr --help`, one tagged paragraph each.
fn endpoint_forms() -> String {
    let mut text = String::from(".SH \"ENDPOINT FORMS\"\n");
    let mut items: Vec<String> = Vec::new();
    for line in crate::cli::ECR_FORMS.lines().skip(1) {
        if line.starts_with("    ") {
            if let Some(last) = items.last_mut() {
                last.push(' ');
                last.push_str(line.trim());
            }
        } else {
            items.push(line.trim().to_owned());
        }
    }
    for item in items {
        match item.split_once(": ") {
            Some((form, meaning)) => {
                text.push_str(&format!(".TP\n\\fB{}\\fR\n{}\n", roff(form), roff(meaning)))
            }
            None => text.push_str(&format!(".PP\n{}\n", roff(&item))),
        }
    }
    text
}

/// Each subcommand page's examples: the command, then what it does.
const EXAMPLES: &[(&str, &[(&str, &str)])] = &[
    (
        "runas-sso",
        &[
            (
                "runas sso login dev",
                "Sign in to IAM Identity Center for dev's session, in the browser.",
            ),
            (
                "runas sso logout dev",
                "Sign out, and remove the token runas and the AWS CLI share.",
            ),
        ],
    ),
    (
        "runas-sso-login",
        &[
            (
                "runas sso login dev",
                "Sign in for dev's sso-session in the browser (PKCE), once for every run that waits.",
            ),
            (
                "runas sso login --sso-session corp --device-code",
                "Sign in on a machine without a browser: a code to type elsewhere.",
            ),
            (
                "runas sso login --no-browser dev",
                "Print the sign-in URL instead of opening it.",
            ),
        ],
    ),
    (
        "runas-sso-logout",
        &[
            (
                "runas sso logout dev",
                "Sign out of dev's session and remove its token and cached role credentials.",
            ),
            (
                "runas sso logout --sso-session corp",
                "The same, naming the session.",
            ),
        ],
    ),
    (
        "runas-console",
        &[
            (
                "runas console prod",
                "Open the AWS console in the browser as prod.",
            ),
            (
                "runas console --service s3 --region eu-west-1 prod",
                "Open the S3 console in eu-west-1.",
            ),
            (
                "runas console --logout-first prod-eu",
                "Sign out of the console first, so a second account does not fail.",
            ),
            (
                "runas console --url prod",
                "Print the sign-in URL instead (a credential for 15 minutes).",
            ),
        ],
    ),
    (
        "runas-ecr",
        &[
            (
                "runas ecr login prod",
                "Log docker into prod's own registry.",
            ),
            (
                "runas ecr token prod | skopeo login --password-stdin -u AWS HOST",
                "A password for any other client.",
            ),
        ],
    ),
    (
        "runas-ecr-login",
        &[
            (
                "runas ecr login prod",
                "docker login to prod's own account, in its region.",
            ),
            (
                "runas ecr login --client podman prod 111111111111 public.ecr.aws",
                "Two registries, with podman.",
            ),
            (
                "runas ecr login --helper prod",
                "Register docker-credential-runas instead: no password is stored.",
            ),
        ],
    ),
    (
        "runas-ecr-logout",
        &[
            (
                "runas ecr logout prod",
                "Log the client out of prod's registries.",
            ),
            (
                "runas ecr logout --helper build 210987654321",
                "Remove a credHelpers entry and its registration.",
            ),
        ],
    ),
    (
        "runas-ecr-token",
        &[
            (
                "runas ecr token prod 210987654321.dkr.ecr.eu-west-1.amazonaws.com",
                "Print the registry password, for a client's --password-stdin.",
            ),
            (
                "runas ecr token --basic prod",
                "The user:password pair, base64-encoded.",
            ),
        ],
    ),
    (
        "runas-ecr-helper",
        &[(
            "runas ecr helper status",
            "Every registry docker-credential-runas serves, by which profile.",
        )],
    ),
    (
        "runas-ecr-helper-status",
        &[(
            "runas ecr helper status",
            "Registries, their profiles and token expiry.",
        )],
    ),
    (
        "runas-list",
        &[
            ("runas list profiles", "Every profile the AWS SDKs see."),
            (
                "runas list roles prod",
                "Role ARNs prod's identity may assume.",
            ),
        ],
    ),
    (
        "runas-list-profiles",
        &[("runas list profiles", "One profile name per line.")],
    ),
    (
        "runas-list-roles",
        &[(
            "runas list roles prod",
            "Role ARNs prod's IAM identity may assume, from its policies.",
        )],
    ),
    (
        "runas-list-mfa",
        &[("runas list mfa prod", "The MFA devices of prod's IAM user.")],
    ),
    (
        "runas-diagnose",
        &[
            (
                "runas diagnose prod",
                "How prod resolves, where each setting comes from, and what will fail, without a network call beyond the clock check.",
            ),
            (
                "runas diagnose --check prod",
                "Also obtain the credentials as a run would and ask STS whose they are.",
            ),
        ],
    ),
    (
        "runas-serve",
        &[(
            "runas serve ecs prod",
            "Serve prod's credentials to other processes as a container endpoint.",
        )],
    ),
    (
        "runas-serve-ecs",
        &[
            (
                "runas serve ecs --env-file ~/.runas-prod.env prod &",
                "Serve prod's credentials in the background; once the file is written, `. ~/.runas-prod.env` points a shell's SDKs at the endpoint (the file is removed when the server stops).",
            ),
            (
                "runas serve ecs -O fish --env-file ~/.runas-prod.fish prod &",
                "The same for fish: `source ~/.runas-prod.fish`.",
            ),
        ],
    ),
    (
        "runas-serve-imds",
        &[(
            "runas serve imds prod --port 9911",
            "An IMDSv2 metadata endpoint for prod on 127.0.0.1:9911.",
        )],
    ),
];

/// The EXAMPLES section of the page `title`.
fn examples(title: &str) -> String {
    let Some((_, examples)) = EXAMPLES.iter().find(|(t, _)| *t == title) else {
        return String::new();
    };
    let mut text = String::from(".SH EXAMPLES\n");
    for (command, meaning) in *examples {
        text.push_str(&format!(
            ".TP\n\\fB{}\\fR\n{}\n",
            roff(command),
            roff(meaning)
        ));
    }
    text
}

/// The main page: clap's sections, then what clap cannot know.
fn top_page(cmd: &clap::Command) -> Result<Vec<u8>> {
    let extra = EXTRA_SECTIONS
        .replace("{ENVIRONMENT}", &environment(Page::Runas))
        .replace(
            "{EXIT_STATUS}",
            &exit_status("The command's own, when runas runs one. Otherwise:"),
        );
    with_extra(cmd, "runas.1", &extra, true)
}

/// docker-credential-runas(1): clap's sections, its verbs, then what clap cannot know.
fn helper_page() -> Result<Vec<u8>> {
    let mut helper = CredentialHelper::command().subcommand_help_heading("VERBS");
    helper.build();
    let extra = format!(
        "{}{}",
        verbs(&helper),
        HELPER_SECTIONS.replace("{ENVIRONMENT}", &environment(Page::Helper))
    );
    with_extra(&helper, "docker-credential-runas.1", &extra, false)
}

/// The helper's verbs, on its own page: they are words of a protocol, not commands with
/// pages of their own.
fn verbs(cmd: &clap::Command) -> String {
    let mut text = String::from(".SH VERBS\n");
    for verb in cmd.get_subcommands() {
        let about = verb.get_about().map(|a| a.to_string()).unwrap_or_default();
        text.push_str(&format!(
            ".TP\n\\fB{}\\fR\n{}\n",
            verb.get_name(),
            roff(&about)
        ));
    }
    text
}

/// A page of clap's sections (the subcommands' when they have pages of their own), then
/// `extra`, then the version.
fn with_extra(
    cmd: &clap::Command,
    file: &str,
    extra: &str,
    subcommand_pages: bool,
) -> Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd.clone()).manual("runas manual");
    let mut out = Vec::new();
    let fail = |e: std::io::Error| Error::file(Path::new(file), e);
    man.render_title(&mut out).map_err(fail)?;
    man.render_name_section(&mut out).map_err(fail)?;
    man.render_synopsis_section(&mut out).map_err(fail)?;
    man.render_description_section(&mut out).map_err(fail)?;
    man.render_options_section(&mut out).map_err(fail)?;
    if subcommand_pages {
        man.render_subcommands_section(&mut out).map_err(fail)?;
    }
    out.extend_from_slice(extra.as_bytes());
    man.render_version_section(&mut out).map_err(fail)?;
    Ok(out)
}

/// The EXIT STATUS section, from the table the code uses, after `intro`.
fn exit_status(intro: &str) -> String {
    let mut text = format!(".SH \"EXIT STATUS\"\n{intro}\n.TP\n\\fB0\\fR\nSuccess.\n");
    for (exit, meaning) in crate::error::Exit::TABLE {
        text.push_str(&format!(".TP\n\\fB{}\\fR\n{}\n", exit as u8, roff(meaning)));
    }
    text
}

/// The ENVIRONMENT section of `page`, from the table the code reads the variables by.
fn environment(page: Page) -> String {
    let mut text = String::from(".SH ENVIRONMENT\n");
    for variable in variables::on(page) {
        text.push_str(&format!(
            ".TP\n\\fB{}\\fR\n{}\n",
            variable.name,
            roff(variable.meaning)
        ));
    }
    text
}

/// Plain text as roff shows it: backslashes and hyphens are roff's own, and a line that
/// starts with a dot or quote would be read as a request.
fn roff(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

/// Written in roff: what the files mean, MFA, what the command gets, files, examples; the
/// variables and exit statuses are generated from the tables the code uses.
const EXTRA_SECTIONS: &str = r#".SH "PROFILE FILES"
runas reads the profile files as the AWS SDKs do. Besides the standard keys
(\fBregion\fR, \fBrole_arn\fR, \fBsource_profile\fR, \fBcredential_source\fR,
\fBrole_session_name\fR, \fBexternal_id\fR, \fBduration_seconds\fR, \fBmfa_serial\fR,
\fBweb_identity_token_file\fR, \fBcredential_process\fR, \fBsso_session\fR and \fBsso_*\fR,
\fBlogin_session\fR, \fBaws_access_key_id\fR, \fBaws_secret_access_key\fR,
\fBaws_session_token\fR, \fBaws_account_id\fR, \fBendpoint_url\fR) it reads its own:
.TP
\fBsession_token_duration\fR
Lifetime of the MFA session token, Go\-style (\fB12h\fR, \fB90m\fR).
.TP
\fBcredentials_duration\fR
Lifetime of role credentials, Go\-style.
.TP
\fBmfa_process\fR
A command whose output is the MFA code.
.TP
\fBecr_registries\fR
Registries for \fBrunas ecr login\fR when none are named, comma\- or space\-separated; also
the registries \fBdocker\-credential\-runas\fR(1) serves with this profile.
.TP
\fBrunas_serve\fR
\fBtrue\fR: run commands of this profile as \fB\-S\fR does.
.TP
\fBsso_auto_login\fR
\fBtrue\fR: a run without a terminal may sign in to IAM Identity Center by itself (see
\fBIAM IDENTITY CENTER\fR).
.PP
\fBmfa_serial\fR, \fBmfa_process\fR and the durations may be set on a source profile or in
\fB[default]\fR and then apply to the roles sourced from it.
.PP
A profile's credentials come, in the SDKs' order, from \fBcredential_source\fR, a web
identity, SSO, \fBlogin_session\fR, \fBcredential_process\fR or keys; a profile with
\fBlogin_session\fR and any other of them is refused.
.SH "LOGIN SESSIONS"
\fBaws login \-\-profile NAME\fR (AWS CLI) signs a console identity in and writes
\fBlogin_session = ARN\fR into the profile. runas reads the session from the CLI's login cache
(\fI~/.aws/login/cache\fR, or \fBAWS_LOGIN_CACHE_DIRECTORY\fR), uses its credentials while
they are fresh, with no network, and otherwise refreshes them at the sign\-in service of the
region's partition (\fBAWS_ENDPOINT_URL_SIGNIN\fR, a \fB[services]\fR entry for
\fBsignin\fR or \fBAWS_ENDPOINT_URL\fR change where) with the cached refresh token and a
proof signed with the session's key. Parallel runs make one refresh; the file is rewritten
whole, keeping the CLI's keys, so the CLI and the SDKs go on using it. A login profile may be
the \fBsource_profile\fR of roles: its credentials are session credentials, so the first role
lasts at most one hour. An ended session, or a cache that is missing, damaged or not private
(this user's, mode 0600) exits with status 4 and says to run \fBaws login \-\-profile
NAME\fR; \fBrunas diagnose\fR shows the cache file, its expiry and whether it holds a
refresh token.
.SH MFA
The code comes from \fB\-\-otp\fR, then \fBMFA_CODE\fR, then \fBmfa_process\fR, then a
prompt on \fI/dev/tty\fR. STS accepts each code once, so runas sends it once. With
long\-term keys at the root, it goes one of two ways:
.TP
\fBsession token\fR (roles of up to 1h, the default)
The code buys one session token (GetSessionToken, 12h by default, cached) and every role of
that identity is assumed with it: a code about twice a day. STS caps a role assumed with
session credentials at one hour.
.TP
\fBdirect\fR (a first role of more than 1h: \fBduration_seconds\fR, \fBcredentials_duration\fR, \fB\-a\fR)
The role is assumed straight from the long\-term keys with the code, and cached for its whole
life; each refresh of that role needs a new code.
.PP
Roots that give session credentials (SSO, login sessions, web identity, credential_process
output with a session token, instance or container credentials, \fBAWS_SESSION_TOKEN\fR) never call
GetSessionToken: the code goes with the first AssumeRole. Later roles of a chain that name
the same device ride the MFA\-authenticated session and send no code.
\fBrunas diagnose PROFILE\fR shows which way a profile goes.
.SH "IAM IDENTITY CENTER"
A profile with \fBsso_session\fR (or the legacy \fBsso_start_url\fR and \fBsso_region\fR)
gets role credentials from the portal with the token of the AWS CLI's file,
\fI~/.aws/sso/cache/SHA1.json\fR (SHA\-1 of the session's name, or of the start URL), which
the AWS CLI, the SDKs and runas share. \fBrunas sso login\fR signs in and writes it: in a
browser by default (the authorization\-code flow with PKCE; the answer comes back to
127.0.0.1), or with \fB\-\-device\-code\fR by a code entered on any device. The client
registration is cached in the AWS CLI's file and reused until it expires. A token near its
expiry is refreshed with its refresh token (given when \fBsso_registration_scopes\fR is set),
never with a browser.
.PP
Runs that need a sign-in at the same time wait for one (up to 10 minutes, not
\fBRUNAS_TIMEOUT\fR) instead of each opening a browser; when it fails, the runs that waited,
and those that come within a minute, fail with its reason. A run signs in by itself only
with a terminal, or with \fBsso_auto_login = true\fR or \fBRUNAS_SSO_AUTO_LOGIN=1\fR;
otherwise it exits with status 4 and says to run \fBrunas sso login \-\-profile PROFILE\fR.
\fBdocker\-credential\-runas\fR(1) and the refreshes of \fB\-S\fR and \fBrunas serve\fR
never sign in.
.PP
The sign\-in URL goes to the browser's command line, as with the AWS CLI: it carries no
credential (a client id, the redirect URI, a state and the PKCE challenge; the verifier never
leaves runas).
{ENVIRONMENT}.PP
The command gets \fBAWS_ACCESS_KEY_ID\fR, \fBAWS_SECRET_ACCESS_KEY\fR,
\fBAWS_SESSION_TOKEN\fR, \fBAWS_SECURITY_TOKEN\fR, \fBAWS_REGION\fR, \fBAWS_DEFAULT_REGION\fR,
\fBAWS_CREDENTIAL_EXPIRATION\fR, \fBRUNAS_PROFILE\fR and \fBAWSRUNAS_PROFILE\fR, and
\fBAWS_ACCOUNT_ID\fR when the account of the credentials is known (a role's, SSO's, a login
session's, a credential_process's \fBAccountId\fR, the profile's \fBaws_account_id\fR); it
loses \fBAWS_PROFILE\fR, \fBAWS_DEFAULT_PROFILE\fR and an inherited \fBAWS_ACCOUNT_ID\fR
otherwise. \fB\-O json\fR carries the account as \fBAccountId\fR, and \fB\-c\fR writes it
as \fBaws_account_id\fR.
.PP
Without a command, \fB\-O\fR (or \fBRUNAS_OUTPUT\fR; never a guess from \fBSHELL\fR) prints
the same variables, and removes the same ones, as:
\fBenv\fR (\fBexport\fR and \fBunset\fR lines, for \fBeval "$(runas prod)"\fR);
\fBfish\fR (\fBset \-gx\fR and \fBset \-e\fR, for \fBrunas \-O fish prod | source\fR);
\fBpowershell\fR (\fB$Env:NAME = 'value'\fR and \fBRemove\-Item Env:NAME\fR, for
\fBInvoke\-Expression\fR; every single quote, typographic ones too, doubled);
\fBcmd\fR (\fBset "NAME=value"\fR and \fBset NAME=\fR);
\fBenv\-no\-export\fR (\fB\-uNAME\fR and \fBNAME=value\fR words, for
\fBenv $(runas \-O env\-no\-export prod) COMMAND\fR);
\fBdotenv\fR (unquoted \fBNAME=value\fR lines, for \fBdocker run \-\-env\-file\fR and dotenv
libraries; removed variables are named in comments);
\fBini\fR (the \fB[PROFILE\-runas]\fR section \fB\-c\fR writes);
\fBjson\fR (the credential_process format).
A value a format cannot carry byte for byte (for cmd: \fB"\fR, \fB%\fR, \fB!\fR, \fB^\fR, a
line break; for env\-no\-export: a blank, \fB*\fR, \fB?\fR, \fB[\fR; for dotenv: a line
break, or what dotenv libraries trim, unquote or expand) is refused with status 2, the
variable named and its value not shown; nothing is printed.
.PP
With \fB\-S\fR, the command gets \fBAWS_CONTAINER_CREDENTIALS_FULL_URI\fR (an endpoint on
127.0.0.1), \fBAWS_CONTAINER_AUTHORIZATION_TOKEN\fR (its 256\-bit token), the region
variables and \fBRUNAS_PROFILE\fR, and none of the credential variables: its SDK asks the
endpoint, and asks again before the credentials expire. runas stays its parent, passes on
signals sent to runas alone (a signal the terminal sent to both is not sent twice; SIGTSTP
sent to runas alone stops only the command), and exits with its status, 128+N for a signal
N. If runas is killed outright, the kernel kills the command too (Linux). When
\fB[default]\fR has credentials of its own, which SDKs would use before the endpoint, the
command also gets \fBAWS_CONFIG_FILE\fR and \fBAWS_SHARED_CREDENTIALS_FILE\fR naming
0600 views of the two files in which those settings moved to a profile
\fBrunas\-default\fR (and \fBsource_profile = default\fR with them), removed when runas ends.
.PP
Both endpoints answer only a \fBHost\fR of 127.0.0.1, localhost or [::1] with their port,
refuse requests with an \fBOrigin\fR header (web pages), and close connections idle for 2
seconds, the oldest idle ones first when 512 are open.
.PP
\fBrunas serve imds\fR binds 127.0.0.1 only. Tools that insist on 169.254.169.254 can reach
it through an alias and a redirect, as root:
\fBip addr add 169.254.169.254/32 dev lo\fR and
\fBiptables \-t nat \-A OUTPUT \-p tcp \-d 169.254.169.254 \-\-dport 80 \-j DNAT
\-\-to\-destination 127.0.0.1:PORT\fR.
.SH FILES
.TP
\fI~/.aws/config\fR, \fI~/.aws/credentials\fR
Read. The credentials file is also written by \fB\-c\fR (section \fB[PROFILE\-runas]\fR,
everything else kept, mode 0600).
.TP
\fI~/.aws/sso/cache/\fR
The IAM Identity Center token and client registration files the AWS CLI and the SDKs share;
written by \fBrunas sso login\fR (mode 0600), removed by \fBrunas sso logout\fR (with the
role credentials runas cached from that sign\-in and the registry tokens fetched with them). runas's
lock and the memo of a failed sign\-in are in its \fI.runas/\fR.
.TP
\fI~/.aws/login/cache/\fR
The AWS CLI's login sessions: read, and rewritten whole (mode 0600) when runas refreshes one.
.TP
\fI~/.cache/runas/\fR
The credential cache: mode 0700, one 0600 file per chain step, plan notes and lock files;
files untouched for two days are removed.
.TP
\fI~/.docker/config.json\fR
Written by \fBrunas ecr login \-\-write\-config\fR (and by the container client otherwise);
\fBrunas ecr login \-\-helper\fR adds \fBcredHelpers\fR entries for
\fBdocker\-credential\-runas\fR(1) and removes stored passwords.
.TP
\fI~/.config/runas/ecr\-helper.json\fR
Registries registered to a profile by \fBrunas ecr login \-\-helper\fR (in
\fI$XDG_CONFIG_HOME/runas\fR when that is set); mode 0600.
{EXIT_STATUS}.SH EXAMPLES
.TP
\fBrunas prod aws s3 ls\fR
Run a command with the credentials of profile prod.
.TP
\fBeval "$(runas prod)"\fR
Export them into the current shell.
.TP
\fBrunas \-O fish prod | source\fR
The same in fish (\fB\-O powershell\fR with \fBInvoke\-Expression\fR in PowerShell).
.TP
\fBcredential_process = runas \-O json prod\fR
Use runas from another profile of any AWS tool.
.TP
\fBalias awsprod='runas prod aws'\fR
An alias; \fBawsprod s3 ls \-\-recursive\fR passes every argument on to aws.
.TP
\fBrunas \-S prod terraform apply\fR
A command that runs for hours, its credentials refreshed through an endpoint.
.TP
\fBrunas serve ecs \-\-env\-file ~/.runas\-prod.env prod &\fR
Write the variables of an endpoint for other processes to a 0600 file (removed when it
stops), then serve until interrupted.
.TP
\fBrunas ecr login prod 210987654321 public.ecr.aws\fR
Log docker into another account's registry and ECR Public with prod's credentials.
.TP
\fBrunas ecr login \-\-helper prod 210987654321\fR
Send that registry to \fBdocker\-credential\-runas\fR(1), with prod's credentials: no
password is stored.
.TP
\fBrunas sso login dev\fR
Sign in to IAM Identity Center for profile dev (and every profile of its sso\-session).
.TP
\fBrunas diagnose prod\fR
See where every setting of prod comes from, and what is wrong.
"#;

/// The credential helper's page, after clap's sections; its variables are generated.
const HELPER_SECTIONS: &str = r#".SH "WHICH PROFILE"
A registry is served by the profile whose \fBecr_registries\fR names it: a full registry
host, or a bare 12\-digit account, which is that account's registry in the profile's
region. Every endpoint variant of the registry (FIPS, dual\-stack) is covered, and
\fBpublic.ecr.aws\fR (or \fBecr\-public.aws.com\fR) is ECR Public. Else the profile it was
registered to by \fBrunas ecr login \-\-helper PROFILE ENDPOINT\fR. Two profiles claiming
one registry is an error naming both. Else \fBAWS_PROFILE\fR, when set. Else the registry
is not found and Docker goes on without credentials.
.SH MFA
A profile behind MFA takes its code from \fBMFA_CODE\fR, the profile's \fBmfa_process\fR,
or a prompt on the terminal (\fI/dev/tty\fR; stdin carries the server URL). With none of
them it fails at once and says so. \fBrunas ecr login \-\-helper PROFILE\fR, run in a
terminal, fetches and caches the tokens ahead of Docker.
{ENVIRONMENT}.SH FILES
.TP
\fI~/.cache/runas/*.token\fR
Cached registry tokens, one per region and role: mode 0600, used only when still private.
.TP
\fI~/.config/runas/ecr\-helper.json\fR
Registrations made by \fBrunas ecr login \-\-helper\fR.
.SH "EXIT STATUS"
\fB0\fR when it answered; \fB1\fR when the registry is not served (stdout:
\fBcredentials not found in native keychain\fR) or the token could not be had (the reason
on stderr and stdout, where Docker shows it).
.SH "SEE ALSO"
\fBrunas\fR(1), \fBrunas\-ecr\-login\fR(1), \fBrunas\-ecr\-helper\-status\fR(1)
"#;

#[cfg(test)]
mod tests {
    use super::*;

    /// The ENVIRONMENT section of a rendered page: from its heading to the next one.
    fn section(page: &[u8]) -> String {
        let text = String::from_utf8(page.to_vec()).unwrap();
        let start = text
            .find(".SH ENVIRONMENT\n")
            .expect("an ENVIRONMENT section");
        let rest = &text[start + 1..];
        let end = rest.find("\n.SH ").map_or(rest.len(), |at| at + 1);
        rest[..end].to_owned()
    }

    #[test]
    fn every_variable_is_on_its_pages_and_only_there() {
        let mut cmd = without_help(Cli::command());
        cmd.build();
        let pages = [
            (Page::Runas, section(&top_page(&cmd).unwrap())),
            (Page::Helper, section(&helper_page().unwrap())),
        ];
        for variable in variables::TABLE {
            let entry = format!(
                ".TP\n\\fB{}\\fR\n{}\n",
                variable.name,
                roff(variable.meaning)
            );
            for (page, text) in &pages {
                assert_eq!(
                    text.contains(&entry),
                    variable.pages.contains(page),
                    "{} on {page:?}:\n{text}",
                    variable.name
                );
            }
        }
    }

    #[test]
    fn the_prose_after_the_list_stays() {
        let mut cmd = without_help(Cli::command());
        cmd.build();
        let runas = section(&top_page(&cmd).unwrap());
        assert!(
            runas.contains(".PP\nThe command gets \\fBAWS_ACCESS_KEY_ID\\fR"),
            "{runas}"
        );
    }

    #[test]
    fn plain_text_becomes_roff() {
        assert_eq!(roff("a-b \\c"), "a\\-b \\\\c");
        assert_eq!(roff(".x"), "\\&.x");
        assert_eq!(roff("'x"), "\\&'x");
    }
}
