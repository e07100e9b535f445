//! Every flag, argument and environment-variable alias of `runas`, with the help text.
//! The one definition from which `--help` (and, later, the man page and completions) come.

use crate::commands::{Ask, console, ecr, list, run, serve, sso};
use crate::ecr::client::KNOWN_CLIENTS;
use crate::ecr::credential_helper;
use crate::profile::chain::{Request, Target};
use crate::secret::Secret;
use crate::{creds, duration, variables};
use clap::{ArgAction, Args, Parser};
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};
pub use formats::{LinesOutput, Output};
use std::ffi::OsString;
use std::time::Duration;

mod formats;

/// Run a command with the AWS credentials of a profile.
///
/// runas reads ~/.aws/config and ~/.aws/credentials, obtains credentials for PROFILE
/// (assuming roles through chains of source profiles, with MFA and a shared cache) and runs
/// COMMAND with them in its environment. Without a COMMAND it prints them, as `export`
/// lines for `eval "$(runas PROFILE)"` or in the format -O names (fish, powershell, cmd,
/// env-no-export, dotenv, ini, or json, the credential_process format).
#[derive(Debug, Parser)]
#[command(
    name = "runas",
    version,
    max_term_width = 100,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    subcommand_value_name = "SUBCOMMAND",
    subcommand_help_heading = "Subcommands",
    after_help = "Examples:\n  runas prod aws s3 ls\n  runas prod -- terraform plan\n  eval \"$(runas prod)\"\n  runas -O json prod        # for credential_process = runas -O json prod\n  runas -O fish prod | source\n  runas console prod        # the AWS console in a browser\n  runas arn:aws:iam::123456789012:role/Admin aws sts get-caller-identity\n  runas ecr login prod      # docker login to the profile's own registry"
)]
pub struct Cli {
    #[command(subcommand)]
    pub subcommand: Option<Subcommand>,

    #[command(flatten)]
    pub run: RunArgs,

    /// Show what runas does, on stderr (repeat for more); secrets are never shown
    #[arg(short = 'v', long, action = ArgAction::Count, global = true)]
    pub verbose: u8,
}

/// `runas PROFILE [COMMAND...]`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Profile name, or a role ARN to assume with the default credentials
    #[arg(value_name = "PROFILE", required = true, add = profile_names())]
    pub profile: Option<String>,

    /// Command to run with the credentials, and its arguments (all of them are the
    /// command's, flags included). Without it, the credentials are printed.
    #[arg(
        value_name = "COMMAND",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub command: Vec<OsString>,

    #[command(flatten)]
    pub credentials: CredentialArgs,

    /// How to print credentials when no COMMAND is given (never guessed from the shell)
    #[arg(short = 'O', long, env = variables::RUNAS_OUTPUT.name, value_enum, default_value_t = Output::Env, value_name = "FORMAT")]
    pub output: Output,

    /// Print when the credentials expire, on stderr
    #[arg(short = 'e', long)]
    pub expiration: bool,

    /// Print the identity (ARN, account) of the resulting credentials, on stderr
    #[arg(short = 'w', long)]
    pub whoami: bool,

    /// Also write the credentials to the shared credentials file as [PROFILE-runas] (a
    /// section of that name that runas did not write is never replaced)
    #[arg(short = 'c', long, env = variables::RUNAS_WRITE_CREDENTIALS.name, value_parser = clap::builder::BoolishValueParser::new())]
    pub write_credentials: bool,

    /// Explain how PROFILE resolves, instead of running anything (as `runas diagnose`)
    #[arg(short = 'D', long)]
    pub diagnose: bool,

    /// Serve COMMAND its credentials from a token-guarded endpoint on 127.0.0.1 instead of
    /// putting keys in its environment, refreshed before they expire for as long as it
    /// runs (for long-running commands). runas stays its parent, passes signals on and
    /// exits with its status. The profile key `runas_serve = true` does the same.
    #[arg(short = 'S', long, env = variables::RUNAS_SERVE.name, value_parser = clap::builder::BoolishValueParser::new())]
    pub serve: bool,
}

/// How to get a profile's credentials; shared by every command that needs them.
#[derive(Debug, Clone, Args)]
pub struct CredentialArgs {
    /// Region for STS and for the command [default: the profile's `region`, then AWS_REGION]
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// Lifetime of the MFA session token, e.g. 12h or 90m (15m to 36h)
    #[arg(short = 'd', long = "duration", env = variables::SESSION_TOKEN_DURATION.name, value_name = "DURATION", value_parser = duration::parse)]
    pub session_duration: Option<Duration>,

    /// Lifetime of the role credentials, e.g. 1h (15m to 12h; 1h when chained)
    #[arg(short = 'a', long = "role-duration", env = variables::CREDENTIALS_DURATION.name, value_name = "DURATION", value_parser = duration::parse)]
    pub role_duration: Option<Duration>,

    /// MFA code, instead of mfa_process or a prompt on the terminal
    #[arg(
        short = 'o',
        long,
        env = variables::MFA_CODE.name,
        value_name = "CODE",
        hide_env_values = true
    )]
    pub otp: Option<String>,

    /// ARN of the MFA device, instead of the profile's mfa_serial
    #[arg(short = 'M', long, env = variables::MFA_SERIAL.name, value_name = "ARN")]
    pub mfa_serial: Option<String>,

    /// External ID for the role, instead of the profile's external_id
    #[arg(
        short = 'X',
        long,
        env = variables::EXTERNAL_ID.name,
        value_name = "ID",
        hide_env_values = true
    )]
    pub external_id: Option<String>,

    /// Use the session-token credentials, not the role's
    #[arg(short = 's', long)]
    pub session: bool,

    /// Ignore cached credentials and fetch them anew
    #[arg(short = 'r', long)]
    pub refresh: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum Subcommand {
    /// Log container clients into Amazon ECR with a profile's credentials
    #[command(subcommand, after_help = ECR_FORMS)]
    Ecr(Ecr),
    /// List profiles, or the roles and MFA devices of a profile's identity
    #[command(subcommand)]
    List(List),
    /// Explain how a profile resolves, step by step, and what looks wrong
    Diagnose(Diagnose),
    /// Open the AWS console in a browser as the profile's identity (through the console
    /// federation endpoint of its partition)
    Console(ConsoleArgs),
    /// Serve a profile's credentials on 127.0.0.1 to other processes, refreshed before
    /// they expire, until interrupted
    #[command(subcommand)]
    Serve(Serve),
    /// Sign in to IAM Identity Center (SSO) once for the AWS CLI, the SDKs and runas, or
    /// sign out
    #[command(subcommand)]
    Sso(Sso),
    /// Write the man pages and shell completions into DIR/man and DIR/completions
    #[command(hide = true)]
    GenerateDocs {
        #[arg(value_name = "DIR")]
        dir: std::path::PathBuf,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum List {
    /// Every profile the AWS SDKs see in the config and credentials files, one per line
    Profiles,
    /// Role ARNs the profile's IAM identity may assume, from its IAM policies (inline and
    /// attached, its own and its groups'); wildcard resources are left out
    Roles(ListIdentity),
    /// ARNs of the MFA devices of the profile's IAM user
    Mfa(ListIdentity),
}

#[derive(Debug, Args)]
pub struct ListIdentity {
    /// Profile whose identity (the IAM user or role at the root of its chain) to ask about
    #[arg(value_name = "PROFILE", add = profile_names())]
    pub profile: String,

    #[command(flatten)]
    pub credentials: CredentialArgs,
}

#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// Profile (or role ARN) whose identity signs in
    #[arg(value_name = "PROFILE", add = profile_names())]
    pub profile: String,

    /// Land on this service's page (s3, ec2, cloudwatch, ...) in the profile's region
    #[arg(long, value_name = "SERVICE", conflicts_with = "destination")]
    pub service: Option<String>,

    /// Land on this console URL (https://...)
    #[arg(long, value_name = "URL")]
    pub destination: Option<String>,

    /// Print the sign-in URL instead of opening a browser; it signs anyone in for 15
    /// minutes, so treat it as a password
    #[arg(long)]
    pub url: bool,

    /// Sign the browser out of any console session first, so that signing in to a second
    /// account does not fail
    #[arg(long)]
    pub logout_first: bool,

    #[command(flatten)]
    pub credentials: CredentialArgs,
}

#[derive(Debug, Args)]
pub struct Diagnose {
    /// Profile to explain
    #[arg(value_name = "PROFILE", add = profile_names())]
    pub profile: String,

    /// Also obtain the credentials as a run would (cache, MFA and all) and ask STS whose
    /// they are (GetCallerIdentity): the identity, or STS's refusal and what to do
    #[arg(long)]
    pub check: bool,

    #[command(flatten)]
    pub credentials: CredentialArgs,
}

/// IAM Identity Center sign-in. The token goes to the AWS CLI's file
/// (~/.aws/sso/cache/SHA1.json), so the AWS CLI, the SDKs and runas share one sign-in; runs
/// that need it at the same time wait for one sign-in instead of each opening a browser.
#[derive(Debug, clap::Subcommand)]
pub enum Sso {
    /// Sign in: open the sign-in page in a browser (the authorization-code flow with PKCE,
    /// its answer taken on 127.0.0.1), or with --device-code show a code to enter on any
    /// device
    Login(SsoLogin),
    /// Sign out: end the session at the portal and remove the token file of the AWS CLI
    /// and runas
    Logout(SsoTarget),
}

#[derive(Debug, Args)]
pub struct SsoTarget {
    /// Profile whose IAM Identity Center session to use
    #[arg(value_name = "PROFILE", add = profile_names(), conflicts_with_all = ["profile", "sso_session"])]
    pub positional: Option<String>,

    /// The same as PROFILE, in the AWS CLI's words
    #[arg(long, value_name = "PROFILE", add = profile_names(), conflicts_with = "sso_session")]
    pub profile: Option<String>,

    /// An [sso-session NAME] section of the config file, instead of a profile
    #[arg(long, value_name = "NAME")]
    pub sso_session: Option<String>,
}

#[derive(Debug, Args)]
pub struct SsoLogin {
    #[command(flatten)]
    pub target: SsoTarget,

    /// Sign in with a device code instead of a browser on this machine: the code and URL
    /// are printed, to be entered on any device
    #[arg(long, visible_alias = "use-device-code")]
    pub device_code: bool,

    /// Print the sign-in URL instead of opening a browser
    #[arg(long)]
    pub no_browser: bool,
}

impl SsoTarget {
    fn into_target(self) -> sso::Target {
        match (self.positional.or(self.profile), self.sso_session) {
            (_, Some(name)) => sso::Target::Session(name),
            (Some(profile), None) => sso::Target::Profile(profile),
            (None, None) => sso::Target::Default,
        }
    }
}

/// The endpoints `runas serve` offers. Each prints the variables that point an SDK at it
/// (`export` lines, or another shell's with -O), then serves until SIGINT or SIGTERM.
#[derive(Debug, clap::Subcommand)]
pub enum Serve {
    /// An ECS-style container endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI) that wants the
    /// printed AWS_CONTAINER_AUTHORIZATION_TOKEN with every request
    Ecs(ServeArgs),
    /// An IMDSv2-style metadata endpoint (AWS_EC2_METADATA_SERVICE_ENDPOINT), for SDKs and
    /// tools that only know the instance metadata service
    Imds(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Profile whose credentials to serve
    #[arg(value_name = "PROFILE", add = profile_names())]
    pub profile: String,

    /// Port on 127.0.0.1 [default: a free one]
    #[arg(long, value_name = "N", default_value_t = 0, hide_default_value = true)]
    pub port: u16,

    /// Write the variables to PATH, a file only you can read (0600), instead of stdout,
    /// and remove it when the server stops: `runas serve ecs prod > env.sh` would leave
    /// the endpoint's token in a file other users can read
    #[arg(long, value_name = "PATH")]
    pub env_file: Option<std::path::PathBuf>,

    /// How to print the variables that point at the endpoint, for the shell that will read
    /// them (RUNAS_OUTPUT is not read here: its json and ini have nothing to say for an
    /// endpoint)
    #[arg(short = 'O', long, value_enum, default_value_t = LinesOutput::Env, value_name = "FORMAT")]
    pub output: LinesOutput,

    #[command(flatten)]
    pub credentials: CredentialArgs,
}

/// Every ENDPOINT form, for `runas ecr --help` and its subcommands' help.
pub(crate) const ECR_FORMS: &str = "ENDPOINT forms:
  ACCOUNT.dkr.ecr.REGION.amazonaws.com: a registry host; also .amazonaws.com.cn,
    .amazonaws.eu, .c2s.ic.gov, .sc2s.sgov.gov, .cloud.adc-e.uk, .csp.hci.ic.gov
  ACCOUNT.dkr.ecr-fips.REGION.amazonaws.com: FIPS
  ACCOUNT.dkr-ecr.REGION.on.aws: dual-stack (IPv6)
  ACCOUNT: 12 digits, its registry in the profile's region
  public.ecr.aws, ecr-public.aws.com: ECR Public (and its dual-stack host)
  HOST/REPOSITORY:TAG: an image reference stands for its registry
  https:// (in any case) and a trailing / are fine.
  Without ENDPOINT: the profile's `ecr_registries`, else its own account in its region.";

/// Completion candidates for PROFILE: the names in the user's own files, read when the
/// shell asks.
fn profile_names() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        crate::profile::completion_names()
            .into_iter()
            .map(CompletionCandidate::new)
            .collect()
    })
}

/// ENDPOINT forms: a registry host (ACCOUNT.dkr.ecr.REGION.amazonaws.com, .amazonaws.com.cn,
/// ACCOUNT.dkr.ecr-fips.REGION.amazonaws.com, ACCOUNT.dkr-ecr.REGION.on.aws and the other
/// partitions' hosts, with or without https://), a 12-digit account id (its registry in the
/// profile's region), or public.ecr.aws. Without ENDPOINT: the profile's `ecr_registries`,
/// else the profile's own account in its region.
///
/// With --helper, no password is stored anywhere: Docker asks docker-credential-runas for
/// each registry, and it answers with the token of the profile that owns the registry.
#[derive(Debug, clap::Subcommand)]
pub enum Ecr {
    /// Log a container client into registries (docker login --password-stdin, by default)
    #[command(after_help = ECR_FORMS)]
    Login(EcrRegistries),
    /// Print a registry password (or, with --basic, the token for an Authorization header)
    #[command(after_help = ECR_FORMS)]
    Token(EcrToken),
    /// Log a container client out of registries
    #[command(after_help = ECR_FORMS)]
    Logout(EcrRegistries),
    /// The Docker credential helper docker-credential-runas: what it serves
    #[command(subcommand)]
    Helper(EcrHelper),
}

#[derive(Debug, clap::Subcommand)]
pub enum EcrHelper {
    /// List every registry the credential helper serves, the profile that owns it and why
    /// (ecr_registries, a registration, AWS_PROFILE), the cached token's expiry, and
    /// whether the Docker config sends the registry to the helper
    Status,
}

/// What `ecr login` and `ecr logout` act on, and how.
#[derive(Debug, Args)]
pub struct EcrRegistries {
    /// Profile whose credentials (and `ecr_registries`) to use
    #[arg(value_name = "PROFILE", add = profile_names())]
    pub profile: String,

    /// Registries (see `runas ecr --help` for the forms); none: the profile's own
    #[arg(value_name = "ENDPOINT")]
    pub endpoints: Vec<String>,

    #[command(flatten)]
    pub target: EcrTarget,

    #[command(flatten)]
    pub credentials: CredentialArgs,
}

/// Where logins go: a client program, or the Docker config file directly.
#[derive(Debug, Clone, Args)]
pub struct EcrTarget {
    /// Client to log in: docker, podman, finch, nerdctl, helm, oras, or any program that
    /// takes `login --username U --password-stdin HOST`
    #[arg(
        long,
        env = variables::RUNAS_ECR_CLIENT.name,
        value_name = "NAME",
        default_value = "docker",
        conflicts_with = "write_config",
        add = ArgValueCandidates::new(|| KNOWN_CLIENTS.map(CompletionCandidate::new).into())
    )]
    pub client: String,

    /// Write the login into $DOCKER_CONFIG/config.json (default ~/.docker/config.json)
    /// instead of running a client
    #[arg(long)]
    pub write_config: bool,

    /// Store no password: send the registries to docker-credential-runas in `credHelpers`
    /// of the Docker config (removing stored passwords for them), and register the ones
    /// named here to PROFILE; logout --helper undoes both. Flags that change PROFILE's plan
    /// (--region, -M, -X, -a, -d, -s) are refused: set them in the profile
    #[arg(long, conflicts_with = "write_config")]
    pub helper: bool,
}

#[derive(Debug, Args)]
pub struct EcrToken {
    /// Profile whose credentials get the registry token
    #[arg(value_name = "PROFILE", add = profile_names())]
    pub profile: String,

    /// The registry (see `runas ecr --help` for the forms)
    #[arg(value_name = "ENDPOINT")]
    pub endpoint: Option<String>,

    /// Print the base64 `AWS:password` token for `Authorization: Basic`, not the password
    #[arg(long)]
    pub basic: bool,

    #[command(flatten)]
    pub credentials: CredentialArgs,
}

/// Docker's credential helper for Amazon ECR: each registry gets the token of the AWS
/// profile that owns it.
///
/// Docker (and podman, skopeo, buildah, the containerd tools) runs docker-credential-runas
/// for every registry that `credHelpers` in ~/.docker/config.json sends to `runas`, as
/// `runas ecr login --helper PROFILE [ENDPOINT...]` writes it. No password is stored in the
/// Docker config. A registry belongs to the profile whose `ecr_registries` names it (a
/// full host, or a bare account in the profile's region; every endpoint variant of the
/// registry), else to the profile it was registered to by `runas ecr login --helper`, else
/// to AWS_PROFILE. Tokens are fetched with the profile's credentials (role chains, MFA and
/// the credential cache as for runas) and cached per region and role until shortly before
/// they expire, so a warm `get` makes no network call.
#[derive(Debug, Parser)]
#[command(
    name = "docker-credential-runas",
    version,
    max_term_width = 100,
    disable_help_subcommand = true,
    subcommand_value_name = "VERB",
    subcommand_help_heading = "Verbs",
    after_help = "Examples:\n  runas ecr login --helper prod 210987654321   # credHelpers, and a registration\n  echo 210987654321.dkr.ecr.eu-west-1.amazonaws.com | docker-credential-runas get\n  runas ecr helper status                      # what it serves, and why"
)]
pub struct CredentialHelper {
    #[command(subcommand)]
    pub verb: HelperVerb,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::Subcommand)]
pub enum HelperVerb {
    /// Read a server URL on stdin; print {"ServerURL","Username","Secret"} for it, or
    /// "credentials not found in native keychain" (exit 1) when no profile owns it
    Get,
    /// Print the registries served, as {"https://HOST": "AWS", ...}
    List,
    /// Accept credentials on stdin and keep nothing (exit 0): nothing is ever stored
    Store,
    /// Accept a server URL on stdin and do nothing (exit 0)
    Erase,
    /// Print the version
    Version,
}

/// What the command line asks, as the commands' plain structs: nothing after this point
/// knows clap.
pub enum Invocation {
    Run(run::Run),
    /// The profile, and whether to obtain its credentials too (`--check`).
    Diagnose(Ask, bool),
    Console(console::Console),
    List(list::List),
    Serve(serve::Serve),
    EcrLogin(ecr::Registries),
    EcrLogout(ecr::Registries),
    EcrToken(ecr::TokenRequest),
    EcrHelperStatus,
    SsoLogin(sso::Login),
    SsoLogout(sso::Target),
    GenerateDocs(std::path::PathBuf),
}

impl Cli {
    /// The command asked for.
    pub fn invocation(self) -> Invocation {
        match self.subcommand {
            None if self.run.diagnose => Invocation::Diagnose(self.run.ask(), false),
            None => Invocation::Run(self.run.into_run()),
            Some(Subcommand::List(List::Profiles)) => Invocation::List(list::List::Profiles),
            Some(Subcommand::List(List::Roles(a))) => Invocation::List(list::List::Roles(a.ask())),
            Some(Subcommand::List(List::Mfa(a))) => Invocation::List(list::List::Mfa(a.ask())),
            Some(Subcommand::Diagnose(a)) => {
                Invocation::Diagnose(a.credentials.ask(&a.profile), a.check)
            }
            Some(Subcommand::Console(a)) => Invocation::Console(console::Console {
                ask: a.credentials.ask(&a.profile),
                service: a.service,
                destination: a.destination,
                print_url: a.url,
                logout_first: a.logout_first,
            }),
            Some(Subcommand::Serve(Serve::Ecs(a))) => {
                Invocation::Serve(a.into_serve(serve::Kind::Ecs))
            }
            Some(Subcommand::Serve(Serve::Imds(a))) => {
                Invocation::Serve(a.into_serve(serve::Kind::Imds))
            }
            Some(Subcommand::GenerateDocs { dir }) => Invocation::GenerateDocs(dir),
            Some(Subcommand::Ecr(Ecr::Login(a))) => Invocation::EcrLogin(a.into_registries()),
            Some(Subcommand::Ecr(Ecr::Logout(a))) => Invocation::EcrLogout(a.into_registries()),
            Some(Subcommand::Ecr(Ecr::Token(a))) => Invocation::EcrToken(ecr::TokenRequest {
                ask: a.credentials.ask(&a.profile),
                endpoint: a.endpoint,
                basic: a.basic,
            }),
            Some(Subcommand::Ecr(Ecr::Helper(EcrHelper::Status))) => Invocation::EcrHelperStatus,
            Some(Subcommand::Sso(Sso::Login(a))) => Invocation::SsoLogin(sso::Login {
                target: a.target.into_target(),
                method: crate::sso::Method {
                    device_code: a.device_code,
                    no_browser: a.no_browser,
                },
            }),
            Some(Subcommand::Sso(Sso::Logout(a))) => Invocation::SsoLogout(a.into_target()),
        }
    }
}

impl From<HelperVerb> for credential_helper::Verb {
    fn from(verb: HelperVerb) -> Self {
        match verb {
            HelperVerb::Get => credential_helper::Verb::Get,
            HelperVerb::List => credential_helper::Verb::List,
            HelperVerb::Store => credential_helper::Verb::Store,
            HelperVerb::Erase => credential_helper::Verb::Erase,
            HelperVerb::Version => credential_helper::Verb::Version,
        }
    }
}

impl CredentialArgs {
    /// PROFILE (a profile or a role ARN, told apart here once) and these flags.
    pub fn ask(&self, profile: &str) -> Ask {
        Ask {
            request: Request {
                target: Target::parse(profile),
                region: self.region.clone(),
                mfa_serial: self.mfa_serial.clone(),
                external_id: self.external_id.clone(),
                role_duration: self.role_duration,
                session_duration: self.session_duration,
                session_only: self.session,
            },
            options: creds::Options {
                refresh: self.refresh,
                otp: self.otp.clone().map(Secret::new),
            },
        }
    }
}

impl RunArgs {
    fn ask(&self) -> Ask {
        // clap requires PROFILE when there is no subcommand.
        self.credentials
            .ask(self.profile.as_deref().unwrap_or_default())
    }

    fn into_run(self) -> run::Run {
        run::Run {
            ask: self.ask(),
            command: self.command,
            format: self.output.into(),
            expiration: self.expiration,
            whoami: self.whoami,
            write_credentials: self.write_credentials,
            serve: self.serve,
        }
    }
}

impl ListIdentity {
    fn ask(&self) -> Ask {
        self.credentials.ask(&self.profile)
    }
}

impl ServeArgs {
    fn into_serve(self, kind: serve::Kind) -> serve::Serve {
        serve::Serve {
            kind,
            port: self.port,
            env_file: self.env_file,
            lines: self.output.into(),
            ask: self.credentials.ask(&self.profile),
        }
    }
}

impl EcrRegistries {
    fn into_registries(self) -> ecr::Registries {
        let via = match (self.target.helper, self.target.write_config) {
            (true, _) => ecr::Via::Helper,
            (false, true) => ecr::Via::DockerConfig,
            (false, false) => ecr::Via::Client(self.target.client),
        };
        ecr::Registries {
            ask: self.credentials.ask(&self.profile),
            endpoints: self.endpoints,
            via,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_subcommand_list_is_clap_s() {
        let mut names: Vec<String> = Cli::command()
            .get_subcommands()
            .filter(|s| !s.is_hide_set())
            .map(|s| s.get_name().to_owned())
            .collect();
        names.push("help".to_owned());
        assert_eq!(names, crate::commands::SUBCOMMANDS);
    }

    #[test]
    fn flags_after_the_command_belong_to_it() {
        let cli = Cli::try_parse_from([
            "runas",
            "-v",
            "prod",
            "aws",
            "s3",
            "ls",
            "--profile",
            "x",
            "-v",
        ])
        .unwrap();
        assert_eq!(cli.run.profile.as_deref(), Some("prod"));
        assert_eq!(cli.verbose, 1);
        assert_eq!(cli.run.command, ["aws", "s3", "ls", "--profile", "x", "-v"]);
        let cli = Cli::try_parse_from(["runas", "prod", "--", "sh", "-c", "exit 7"]).unwrap();
        assert_eq!(cli.run.command, ["sh", "-c", "exit 7"]);
    }

    #[test]
    fn ecr_subcommands_take_their_own_flags() {
        let cli = Cli::try_parse_from([
            "runas",
            "ecr",
            "login",
            "-v",
            "--client",
            "podman",
            "-o",
            "123456",
            "prod",
            "111111111111",
        ])
        .unwrap();
        let Some(Subcommand::Ecr(Ecr::Login(login))) = cli.subcommand else {
            panic!("not ecr login")
        };
        assert_eq!(
            (login.profile.as_str(), login.target.client.as_str()),
            ("prod", "podman")
        );
        assert_eq!(login.endpoints, ["111111111111"]);
        assert_eq!(login.credentials.otp.as_deref(), Some("123456"));
        assert_eq!(cli.verbose, 1);
        assert!(
            Cli::try_parse_from([
                "runas",
                "ecr",
                "login",
                "--client",
                "x",
                "--write-config",
                "p"
            ])
            .is_err()
        );
        assert!(
            Cli::try_parse_from(["runas", "ecr", "login", "--helper", "--write-config", "p"])
                .is_err()
        );
        let cli = Cli::try_parse_from(["runas", "ecr", "logout", "--helper", "p"]).unwrap();
        assert!(matches!(
            cli.subcommand,
            Some(Subcommand::Ecr(Ecr::Logout(EcrRegistries {
                target: EcrTarget { helper: true, .. },
                ..
            })))
        ));
        let cli = Cli::try_parse_from(["runas", "ecr", "helper", "status"]).unwrap();
        assert!(matches!(
            cli.subcommand,
            Some(Subcommand::Ecr(Ecr::Helper(EcrHelper::Status)))
        ));
    }

    #[test]
    fn words_after_the_profile_are_the_commands() {
        let cli = Cli::try_parse_from(["runas", "prod", "ecr", "login"]).unwrap();
        assert!(cli.subcommand.is_none());
        assert_eq!(cli.run.command, ["ecr", "login"]);
        let cli = Cli::try_parse_from(["runas", "prod", "help"]).unwrap();
        assert_eq!(cli.run.command, ["help"]);
    }

    #[test]
    fn serve_takes_a_kind_a_profile_and_a_port() {
        let cli =
            Cli::try_parse_from(["runas", "serve", "imds", "--port", "9911", "prod"]).unwrap();
        let Some(Subcommand::Serve(Serve::Imds(args))) = cli.subcommand else {
            panic!("not serve imds")
        };
        assert_eq!((args.profile.as_str(), args.port), ("prod", 9911));
        let cli = Cli::try_parse_from(["runas", "-S", "prod", "sleep", "1"]).unwrap();
        assert!(cli.run.serve);
        assert_eq!(cli.run.command, ["sleep", "1"]);
        let cli = Cli::try_parse_from(["runas", "prod", "serve", "-S"]).unwrap();
        assert!(!cli.run.serve, "after the profile, -S is the command's");
    }

    #[test]
    fn durations_are_checked_by_the_parser() {
        let cli = Cli::try_parse_from(["runas", "-d", "1h30m", "-a", "45m", "prod"]).unwrap();
        assert_eq!(
            cli.run.credentials.session_duration,
            Some(Duration::from_secs(5400))
        );
        assert_eq!(
            cli.run.credentials.role_duration,
            Some(Duration::from_secs(2700))
        );
        let err = Cli::try_parse_from(["runas", "-d", "12x", "prod"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown unit"), "{err}");
    }
}
