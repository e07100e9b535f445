//! Credential endpoints on loopback, for processes that outlive their first credentials:
//! an ECS-style container endpoint (`runas -S`, `runas serve ecs`) and an IMDSv2-style
//! metadata endpoint (`runas serve imds`), and the child supervisor of `runas -S`.
//!
//! Credentials come from [`crate::creds::Fresh`]: the same chain, cache and locks as every
//! other runas, refreshed before they expire. The endpoints bind 127.0.0.1 and nothing
//! else; the ECS one wants a random 256-bit token with every request, the metadata one a
//! session token from its own `PUT`.

pub mod child;
pub mod connections;
pub mod ecs;
pub mod handover;
mod host;
pub mod http;
pub mod imds;
mod supply;
mod token;
pub mod views;

pub(crate) use supply::Supply;
pub(crate) use token::AuthToken;

use crate::arn::RoleArn;
use crate::creds::Fresh;
use crate::error::{Error, Result};
use http::Body;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use tokio::sync::oneshot;

pub enum Endpoint {
    Ecs(ecs::Ecs),
    Imds(imds::Imds),
}

impl Endpoint {
    async fn answer(&self, request: &Request<Incoming>) -> Response<Body> {
        match self {
            Endpoint::Ecs(ecs) => ecs.answer(request).await,
            Endpoint::Imds(imds) => imds.answer(request).await,
        }
    }
}

/// Who the served credentials are, as far as the plan knows: no secret.
pub struct Identity {
    pub role_arn: Option<RoleArn>,
    pub account: Option<String>,
    /// The name the metadata endpoint lists: the role's, else the profile's.
    pub role_name: String,
}

impl Identity {
    pub fn of(fresh: &Fresh) -> Identity {
        let role_arn = fresh.role_arn().cloned();
        let name = role_arn
            .as_ref()
            .and_then(RoleArn::name)
            .unwrap_or(fresh.chain().profile());
        let role_name = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "+=,.@_-".contains(c) {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        Identity {
            account: fresh.account().map(str::to_owned),
            role_arn,
            role_name,
        }
    }

    fn add_to(&self, document: &mut serde_json::Value) {
        if let Some(arn) = &self.role_arn {
            document["RoleArn"] = arn.as_str().into();
        }
        if let Some(account) = &self.account {
            document["AccountId"] = account.as_str().into();
        }
    }
}

/// The four fields both endpoints answer with; the one place the secret leaves as JSON.
fn credentials_document(c: &crate::credentials::Credentials) -> serde_json::Value {
    let mut document = serde_json::json!({
        "AccessKeyId": c.access_key_id,
        "SecretAccessKey": c.secret_access_key.expose(),
        "Token": c.session_token.as_ref().map(crate::secret::Secret::expose),
        "Expiration": c.expiration.map(crate::credentials::rfc3339),
    });
    if let Some(account) = &c.account_id {
        document["AccountId"] = account.as_str().into();
    }
    document
}

fn json(status: StatusCode, document: &serde_json::Value) -> Response<Body> {
    http::response(status, "application/json", document.to_string())
}

/// An error answer: a code and a message, never a secret.
fn failure(status: StatusCode, code: &str, message: &str) -> Response<Body> {
    json(
        status,
        &serde_json::json!({ "Code": code, "Message": message }),
    )
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))
}

/// An endpoint served from a thread of its own, for as long as a child runs.
pub(crate) struct Running {
    stop: oneshot::Sender<()>,
    thread: std::thread::JoinHandle<Result<()>>,
}

impl Running {
    pub fn start(listener: TcpListener, endpoint: Endpoint) -> Result<Running> {
        let runtime = runtime()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            runtime.block_on(http::serve(listener, Arc::new(endpoint), async {
                let _ = stopped.await;
            }))
        });
        Ok(Running { stop, thread })
    }

    /// Stops serving and closes the port.
    pub fn stop(self) -> Result<()> {
        let _ = self.stop.send(());
        self.thread
            .join()
            .map_err(|_| Error::Internal("the credential endpoint's thread failed".into()))?
    }
}

/// A server for this thread that stops on SIGINT, SIGTERM or SIGHUP (the terminal
/// closed). The signals are caught from [`Interruptible::catch`] on, so that one that
/// comes while the variables are being handed over still lets runas clean up.
pub(crate) struct Interruptible {
    runtime: tokio::runtime::Runtime,
    signals: [tokio::signal::unix::Signal; 3],
}

impl Interruptible {
    pub(crate) fn catch() -> Result<Interruptible> {
        use tokio::signal::unix::{SignalKind, signal};
        let runtime = runtime()?;
        let fail = |e: std::io::Error| Error::Serve(format!("cannot handle signals: {e}"));
        let signals = {
            let _entered = runtime.enter();
            [
                signal(SignalKind::interrupt()).map_err(fail)?,
                signal(SignalKind::terminate()).map_err(fail)?,
                signal(SignalKind::hangup()).map_err(fail)?,
            ]
        };
        Ok(Interruptible { runtime, signals })
    }

    /// Serves until one of the signals comes (or came already).
    pub fn serve(self, listener: TcpListener, endpoint: Endpoint) -> Result<()> {
        let Interruptible {
            runtime,
            signals: [mut interrupt, mut terminate, mut hangup],
        } = self;
        runtime.block_on(http::serve(listener, Arc::new(endpoint), async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
                _ = hangup.recv() => {}
            }
        }))
    }
}

/// The address clients are given.
pub fn address(listener: &TcpListener) -> Result<SocketAddr> {
    listener
        .local_addr()
        .map_err(|e| Error::Serve(format!("cannot serve: {e}")))
}
