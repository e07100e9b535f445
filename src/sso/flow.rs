//! The two ways a person signs in: the authorization-code flow with PKCE (a browser and a
//! loopback callback), and the device-code flow (a code typed on any device), each ending
//! in a token for the file.

use super::LOGIN_TIMEOUT;
use super::callback::{Callback, Listener};
use super::oidc::{Grant, Oidc};
use super::pkce::Pkce;
use super::registration::{self, Registration};
use super::token::Token;
use crate::error::{Error, Result};
use crate::profile::chain::SsoSession;
use crate::sdk::Network;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use std::path::Path;
use std::time::{Duration, Instant};

/// How a sign-in proceeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Method {
    pub device_code: bool,
    /// Print the URL instead of opening a browser.
    pub no_browser: bool,
}

/// Added to the polling interval on each `SlowDownException` (RFC 8628, 3.5).
const SLOW_DOWN: Duration = Duration::from_secs(5);

pub(crate) fn sign_in(
    network: &Network,
    session: &SsoSession,
    home: &Path,
    method: Method,
) -> Result<Token> {
    let oidc = Oidc::new(network, session)?;
    let watch = super::cancel::Watch::start();
    // As the AWS CLI: a profile without an sso-session signs in with a device code.
    let device = method.device_code || session.name.is_none();
    let registration = registered(network, &oidc, session, home, !device)?;
    let issued = if device {
        device_flow(network, &oidc, session, &registration, method, &watch)?
    } else {
        code_flow(network, &oidc, session, &registration, method, &watch)?
    };
    Ok(Token {
        start_url: session.start_url.clone(),
        region: session.region.clone(),
        access_token: issued.access_token,
        expires_at: issued.expires_at,
        // A legacy profile's token carries no registration, as the CLI writes it.
        client: session.name.is_some().then(|| registration.client.clone()),
        refresh_token: issued.refresh_token,
    })
}

/// The cached registration if it will do, else a new one, cached for the CLI too.
fn registered(
    network: &Network,
    oidc: &Oidc,
    session: &SsoSession,
    home: &Path,
    auth_code: bool,
) -> Result<Registration> {
    let path = registration::path(home, session);
    if let Some(cached) = registration::read(&path).filter(|r| r.usable(auth_code)) {
        return Ok(cached);
    }
    let fresh = network.block_on(oidc.register(session, auth_code))??;
    if let Err(e) = registration::write(&path, &fresh) {
        crate::log::warning!(
            "cannot cache the client registration in {}: {e}",
            path.display()
        );
    }
    Ok(fresh)
}

fn refused(what: &str, message: String) -> Error {
    Error::Credentials {
        what: what.to_owned(),
        message,
    }
}

fn code_flow(
    network: &Network,
    oidc: &Oidc,
    session: &SsoSession,
    registration: &Registration,
    method: Method,
    watch: &super::cancel::Watch,
) -> Result<super::oidc::Issued> {
    let what = "IAM Identity Center sign-in";
    let listener =
        Listener::bind().map_err(|e| refused(what, format!("cannot listen on 127.0.0.1: {e}")))?;
    let pkce = Pkce::new().map_err(|e| Error::Internal(format!("no random values: {e}")))?;
    let scopes = session
        .scopes
        .clone()
        .unwrap_or_else(|| vec![super::oidc::DEFAULT_SCOPE.to_owned()])
        .join(" ");
    let query = [
        ("response_type", "code"),
        ("client_id", &registration.client.id),
        ("redirect_uri", &listener.redirect_uri),
        ("state", &pkce.state),
        ("code_challenge_method", "S256"),
        ("scopes", &scopes),
        ("code_challenge", &pkce.challenge),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC)))
    .collect::<Vec<_>>()
    .join("&");
    let url = format!("{}/authorize?{query}", oidc.endpoint);
    show(&url, None, method.no_browser);
    let deadline = Instant::now() + LOGIN_TIMEOUT;
    let code = match listener.wait(&pkce.state, deadline, || watch.cancelled()) {
        Some(Callback::Code(code)) => code,
        Some(Callback::Refused(why)) => {
            return Err(refused(what, format!("the sign-in was refused ({why})")));
        }
        None if watch.cancelled() => return Err(cancelled()),
        None => {
            return Err(refused(
                what,
                format!("no sign-in within {}m", LOGIN_TIMEOUT.as_secs() / 60),
            ));
        }
    };
    let grant = Grant::Code {
        code: &code,
        verifier: &pkce.verifier,
        redirect_uri: &listener.redirect_uri,
    };
    network
        .block_on(oidc.create_token(&registration.client, grant))??
        .map_err(|r| refused("CreateToken", r.sentence))
}

fn device_flow(
    network: &Network,
    oidc: &Oidc,
    session: &SsoSession,
    registration: &Registration,
    method: Method,
    watch: &super::cancel::Watch,
) -> Result<super::oidc::Issued> {
    let device =
        network.block_on(oidc.start_device(&registration.client, &session.start_url))??;
    show(
        device.url_complete.as_deref().unwrap_or(&device.url),
        Some((&device.url, &device.user_code)),
        method.no_browser,
    );
    let deadline = Instant::now() + device.expires_in.min(LOGIN_TIMEOUT);
    let mut interval = device.interval;
    loop {
        if Instant::now() + interval > deadline {
            return Err(refused(
                "IAM Identity Center sign-in",
                "the device code expired before the sign-in was approved".to_owned(),
            ));
        }
        let wake = Instant::now() + interval;
        while Instant::now() < wake && !watch.cancelled() {
            std::thread::sleep(Duration::from_millis(50));
        }
        if watch.cancelled() {
            return Err(cancelled());
        }
        let grant = Grant::Device(&device.device_code);
        match network.block_on(oidc.create_token(&registration.client, grant))?? {
            Ok(issued) => return Ok(issued),
            Err(r) if r.code == "AuthorizationPendingException" => {}
            Err(r) if r.code == "SlowDownException" => interval += SLOW_DOWN,
            Err(r) => return Err(refused("CreateToken", r.sentence)),
        }
    }
}

fn cancelled() -> Error {
    refused(
        "IAM Identity Center sign-in",
        "the sign-in was cancelled (interrupted)".to_owned(),
    )
}

/// Tells the person what to do: always the URL and code of a device sign-in; the URL of a
/// browser sign-in when no browser opens it.
fn show(url: &str, device: Option<(&str, &str)>, no_browser: bool) {
    if let Some((base, code)) = device {
        eprintln!("runas: to sign in, open {base} and enter the code {code}");
    }
    let opened = if no_browser {
        None
    } else {
        crate::browser::open(url)
    };
    match opened {
        Some(program) => eprintln!(
            "runas: opened the IAM Identity Center sign-in page with {program}; if no browser shows it, open:\n{url}"
        ),
        None => eprintln!("runas: open this URL in a browser to sign in:\n{url}"),
    }
}
