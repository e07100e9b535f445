//! Credentials for the request handlers: from memory while they are fresh, otherwise from
//! a thread of their own that owns the [`Fresh`] chain.
//!
//! The chain's work blocks (files, locks, STS through its own runtime, an MFA prompt on the
//! terminal), so it never runs on the server's async threads. A warm request takes a lock,
//! checks an expiry and clones three strings; only a stale one asks the thread, and
//! requests that arrive while it refreshes queue behind it and get the same answer.
//!
//! SDKs give their credential endpoint a second or two. A refresh can take longer (an MFA
//! prompt, a slow `mfa_process`), so a stale request waits a moment for it and then, if the
//! current credentials still have a while to live, gets those; it gets the new ones once
//! they are there.

use crate::creds::{Credentials, Fresh};
use crate::log::debug;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::oneshot;

/// An answer from the refreshing thread: credentials, or a message fit for a client
/// (the error's `Display`, which never carries a secret).
type Answer = Result<Credentials, String>;

/// How long a stale request waits for a refresh before it is answered with the current
/// credentials: well under the one second botocore gives the endpoint.
const PATIENCE: Duration = Duration::from_millis(400);
/// Credentials closer to their expiry than this are never handed out while a refresh runs:
/// a request signed with them must still reach AWS in time.
const FLOOR: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct Supply {
    latest: Arc<Mutex<Credentials>>,
    margin: Duration,
    refresh: mpsc::Sender<oneshot::Sender<Answer>>,
}

impl Supply {
    /// Moves `fresh` to a thread that refreshes on demand. The thread ends when the last
    /// `Supply` is dropped.
    pub fn start(mut fresh: Fresh) -> Supply {
        let latest = Arc::new(Mutex::new(fresh.current().clone()));
        let margin = fresh.margin();
        let (refresh, requests) = mpsc::channel::<oneshot::Sender<Answer>>();
        let shared = latest.clone();
        std::thread::spawn(move || {
            while let Ok(reply) = requests.recv() {
                let answer = fresh.get().map_err(|e| e.to_string());
                if let Ok(credentials) = &answer {
                    *shared.lock().unwrap_or_else(PoisonError::into_inner) = credentials.clone();
                }
                // Requests that queued during this refresh get its answer, not one each.
                // Their clients may have gone; nothing to do about it.
                let _ = reply.send(answer.clone());
                for queued in requests.try_iter() {
                    let _ = queued.send(answer.clone());
                }
            }
        });
        Supply {
            latest,
            margin,
            refresh,
        }
    }

    /// Credentials good for the refresh margin.
    pub async fn get(&self) -> Answer {
        let latest = self
            .latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if latest.fresh_for(self.margin) {
            return Ok(latest);
        }
        let (reply, mut answer) = oneshot::channel();
        let stopped = || "the credentials thread has stopped".to_owned();
        self.refresh.send(reply).map_err(|_| stopped())?;
        match tokio::time::timeout(PATIENCE, &mut answer).await {
            Ok(answered) => answered.map_err(|_| stopped())?,
            Err(_) if latest.fresh_for(FLOOR) => {
                debug!("a refresh is under way; answering with the current credentials");
                Ok(latest)
            }
            Err(_) => answer.await.map_err(|_| stopped())?,
        }
    }
}
