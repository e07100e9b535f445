//! `runas ecr login | token | logout`: container clients logged into Amazon ECR
//! with a profile's credentials, or sent to the credential helper `docker-credential-runas`
//! (`helper`: its set-up and status; `credential_helper`: the helper itself; `tokens`: the
//! cached tokens they share).
//!
//! Everything that can be checked is checked before the first network call: the
//! endpoints, the client. Then credentials, one token per scope (fetched together), and
//! the logins one after another, since each client rewrites the same config file.

pub mod credential_helper;
pub mod helper;
mod tokens;

use crate::commands::Ask;
use crate::creds::{Credentials, Execution, remaining, rfc3339};
use crate::ecr::client::Backend;
use crate::ecr::endpoint::{self, Endpoint, Registry, Scope};
use crate::ecr::owners::{Listed, Owners};
use crate::ecr::registrations::Registrations;
use crate::ecr::token::{self, Tokens};
use crate::error::Problem;
use crate::error::{Error, Result};
use crate::log::warning;
use crate::profile::Profiles;
use crate::profile::chain::{Chain, Request, Target};
use crate::profile::key::ECR_REGISTRIES;
use crate::sdk::Network;
use crate::session;
use aws_types::os_shim_internal::Env;
use std::process::ExitCode;
use std::time::SystemTime;

/// `runas ecr login|logout PROFILE [ENDPOINT...]`, as asked.
#[derive(Debug)]
pub struct Registries {
    pub ask: Ask,
    /// As typed; none: the profile's `ecr_registries`, else its own registry.
    pub endpoints: Vec<String>,
    pub via: Via,
}

/// Where a login goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A client program (docker, podman, …) that reads the password on stdin.
    Client(String),
    /// The Docker config file, written directly (`--write-config`).
    DockerConfig,
    /// No password anywhere: `credHelpers` sends the registry to docker-credential-runas.
    Helper,
}

impl Via {
    fn client(&self) -> Option<&str> {
        match self {
            Via::Client(name) => Some(name),
            Via::DockerConfig | Via::Helper => None,
        }
    }
}

/// `runas ecr token PROFILE [ENDPOINT]`, as asked.
#[derive(Debug)]
pub struct TokenRequest {
    pub ask: Ask,
    pub endpoint: Option<String>,
    /// The base64 token for `Authorization: Basic`, not the password.
    pub basic: bool,
}

pub fn login(args: Registries) -> Result<ExitCode> {
    if args.via == Via::Helper {
        return helper::login(args);
    }
    let env = Env::real();
    let wanted = Wanted::resolve(&args.ask, &args.endpoints, &env)?;
    let backend = Backend::new(args.via.client(), docker_config_dir(&env))?;
    let (execution, credentials) =
        session::credentials(wanted.chain.clone(), &args.ask.options, &env)?;
    let registries = wanted.registries(&execution, &credentials)?;
    let tokens = fetch(&registries, &credentials, execution.network())?;

    let mut failed = 0;
    for registry in &registries {
        let outcome = token_for(&tokens, registry).and_then(|token| {
            backend
                .login(&registry.host, token)
                .map(|()| token.expires_at)
        });
        match outcome {
            Ok(expiry) => eprintln!(
                "ECR login: {} ({})",
                registry.host,
                expiry
                    .map(remaining)
                    .unwrap_or_else(|| "no expiry given".into())
            ),
            Err(message) => {
                failed += 1;
                eprintln!("ECR login failed: {}: {message}", registry.host);
            }
        }
    }
    summary("login", failed, registries.len(), &backend)
}

pub fn logout(args: Registries) -> Result<ExitCode> {
    if args.via == Via::Helper {
        return helper::logout(args);
    }
    let env = Env::real();
    let wanted = Wanted::resolve(&args.ask, &args.endpoints, &env)?;
    let backend = Backend::new(args.via.client(), docker_config_dir(&env))?;
    let registries = match wanted.account_free() {
        Some(registries) => registries,
        None => {
            let (execution, credentials) =
                session::credentials(wanted.chain.clone(), &args.ask.options, &env)?;
            wanted.registries(&execution, &credentials)?
        }
    };
    let mut failed = 0;
    for registry in &registries {
        match backend.logout(&registry.host) {
            Ok(()) => eprintln!("ECR logout: {}", registry.host),
            Err(message) => {
                failed += 1;
                eprintln!("ECR logout failed: {}: {message}", registry.host);
            }
        }
    }
    summary("logout", failed, registries.len(), &backend)
}

pub fn token(args: TokenRequest) -> Result<ExitCode> {
    let env = Env::real();
    let endpoints: Vec<String> = args.endpoint.iter().cloned().collect();
    let wanted = Wanted::resolve(&args.ask, &endpoints, &env)?;
    if let Some(registries) = wanted.account_free() {
        one_token(&registries, args.ask.profile())?;
    }
    let (execution, credentials) =
        session::credentials(wanted.chain.clone(), &args.ask.options, &env)?;
    let registries = wanted.registries(&execution, &credentials)?;
    one_token(&registries, args.ask.profile())?;
    let tokens = fetch(&registries, &credentials, execution.network())?;
    let token = match tokens.into_values().next() {
        Some(Ok(token)) => token,
        Some(Err(message)) => {
            return Err(Error::Credentials {
                what: format!("getting an ECR token for profile `{}`", args.ask.profile()),
                message,
            });
        }
        None => return Err(Error::profile(args.ask.profile(), Problem::NoRegistry)),
    };
    if args.basic {
        crate::output::say!("{}", token.encoded.expose());
    } else {
        crate::output::say!("{}", token.password.expose());
    }
    Ok(ExitCode::SUCCESS)
}

/// `ecr token` prints one token: registries that need several (another region, ECR
/// Public) are listed, with the command that names one.
fn one_token(registries: &[Registry], profile: &str) -> Result<()> {
    if Scope::requests(registries.iter().map(|r| &r.scope)).len() <= 1 {
        return Ok(());
    }
    let hosts: Vec<&str> = registries.iter().map(|r| r.host.as_str()).collect();
    Err(Error::Usage(format!(
        "the registries of profile `{profile}` need different tokens; name one of them: {} \
         (for example `runas ecr token {profile} {}`)",
        hosts.join(", "),
        hosts[0]
    )))
}

/// What the command line and the profile ask for, checked, before any network call.
pub(super) struct Wanted {
    profile: String,
    pub(super) chain: Chain,
    endpoints: Vec<Endpoint>,
}

impl Wanted {
    pub(super) fn resolve(ask: &Ask, given: &[String], env: &Env) -> Result<Self> {
        crate::endpoint_url::check(None)?;
        let profile = ask.profile();
        let (_, chain) = session::plan(&ask.request, env)?;
        let endpoints = if !given.is_empty() {
            parse_all(given.iter().map(String::as_str)).map_err(Error::Usage)?
        } else {
            match &chain.ecr_registries {
                Some(list) => parse_all(endpoint::split_list(list).into_iter()).map_err(|why| {
                    Error::profile(
                        profile,
                        Problem::Unparsable {
                            key: ECR_REGISTRIES.to_owned(),
                            why,
                        },
                    )
                })?,
                None => vec![],
            }
        };
        Ok(Wanted {
            profile: profile.to_owned(),
            chain,
            endpoints,
        })
    }

    /// The registries, if naming them needs no account lookup.
    pub(super) fn account_free(&self) -> Option<Vec<Registry>> {
        let account = self.account_from_plan();
        if self.endpoints.is_empty() {
            return account.map(|a| vec![endpoint::registry_for(&a, &self.chain.region)]);
        }
        Some(self.expand(None))
    }

    pub(super) fn registries(
        &self,
        execution: &Execution,
        credentials: &Credentials,
    ) -> Result<Vec<Registry>> {
        if !self.endpoints.is_empty() {
            return Ok(self.expand(None));
        }
        // The plan's account, else the one the credentials came with (STS's answer for a
        // role whose ARN does not say), else GetCallerIdentity.
        let known = credentials
            .account_id
            .clone()
            .filter(|_| self.profile == self.chain.profile());
        let account = match self.account_from_plan().or(known) {
            Some(account) => account,
            None => execution.whoami(credentials)?.account,
        };
        Ok(self.expand(Some(&account)))
    }

    /// Endpoints to registries, accounts in the profile's region, duplicates dropped.
    fn expand(&self, own_account: Option<&str>) -> Vec<Registry> {
        let mut registries: Vec<Registry> = Vec::new();
        let own = own_account.map(|a| Endpoint::Account(a.to_owned()));
        for e in self.endpoints.iter().chain(own.as_ref()) {
            let registry = match e {
                Endpoint::Registry(r) => r.clone(),
                Endpoint::Account(a) => endpoint::registry_for(a, &self.chain.region),
            };
            if !registries.iter().any(|r| r.host == registry.host) {
                registries.push(registry);
            }
        }
        registries
    }

    /// The account whose credentials the chain ends with, when the plan shows it: a role's
    /// ARN or an SSO account. Saves a GetCallerIdentity call.
    fn account_from_plan(&self) -> Option<String> {
        self.chain
            .account()
            .filter(|_| self.profile == self.chain.profile())
            .map(str::to_owned)
    }
}

/// Which profile owns which registry: every profile's `ecr_registries` (a bare account in
/// the region the profile resolves with) and the registrations; `AWS_PROFILE` the rest.
pub(crate) fn owners(profiles: &Profiles, registrations: &Registrations, env: &Env) -> Owners {
    let listed: Vec<Listed> = profiles
        .names()
        .into_iter()
        .filter_map(|name| {
            let list = profiles.get(name)?.get(ECR_REGISTRIES)?;
            Some(Listed {
                profile: name.to_owned(),
                list: list.to_owned(),
            })
        })
        .collect();
    let region_of = |profile: &str| {
        let request = Request {
            target: Target::Profile(profile.to_owned()),
            ..Request::default()
        };
        crate::profile::resolve::resolve(profiles, &request, env).map(|c| c.region)
    };
    let aws_profile = env
        .get(crate::variables::AWS_PROFILE.name)
        .ok()
        .filter(|p| !p.is_empty());
    Owners::load(&listed, region_of, registrations, aws_profile)
}

fn parse_all<'a>(
    texts: impl Iterator<Item = &'a str>,
) -> std::result::Result<Vec<Endpoint>, String> {
    let (ok, bad): (Vec<_>, Vec<_>) = texts.map(endpoint::parse).partition(|r| r.is_ok());
    if let Some(Err(first)) = bad.into_iter().next() {
        return Err(first);
    }
    Ok(ok.into_iter().flatten().collect())
}

/// The token for a registry's region, or why there is none.
fn token_for<'t>(tokens: &'t Tokens, registry: &Registry) -> Result<&'t token::AuthToken, String> {
    match tokens
        .iter()
        .find(|(scope, _)| scope.same_token(&registry.scope))
    {
        Some((_, Ok(token))) => Ok(token),
        Some((scope, Err(e))) => Err(format!("no token from {scope}: {e}")),
        None => Err(format!("no token was asked for {}", registry.scope)),
    }
}

fn fetch(registries: &[Registry], credentials: &Credentials, network: &Network) -> Result<Tokens> {
    let scopes = Scope::requests(registries.iter().map(|r| &r.scope));
    let tokens = token::fetch_all(network, &scopes, credentials)?;
    for (scope, token) in &tokens {
        if let Ok(token) = token
            && let Some(t) = token.expires_at
        {
            expiry_warning(t, scope);
        }
    }
    Ok(tokens)
}

/// An ECR token is good for 12 hours; one that arrives expired means the clock is off.
fn expiry_warning(expires_at: SystemTime, scope: &Scope) {
    if expires_at < SystemTime::now() {
        warning!(
            "the token from {scope} says it expired at {}; on AWS that means this machine's clock is wrong",
            rfc3339(expires_at)
        );
    }
}

fn summary(what: &str, failed: usize, total: usize, backend: &Backend) -> Result<ExitCode> {
    if failed == 0 {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(Error::Ecr(format!(
            "{failed} of {total} ECR {what}s failed (client: {})",
            backend.describe()
        )))
    }
}

pub(super) fn docker_config_dir(env: &Env) -> Option<std::path::PathBuf> {
    env.get(crate::variables::DOCKER_CONFIG.name)
        .ok()
        .filter(|d| !d.is_empty())
        .map(std::path::PathBuf::from)
}
