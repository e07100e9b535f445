//! Credentials for the request handlers: from memory while they are fresh, otherwise from
//! a thread of their own that owns the [`Fresh`] chain.
//!
//! The chain's work blocks (files, locks, STS through its own runtime, an MFA prompt on the
//! terminal), so it never runs on the server's async threads. A warm request takes a lock,
//! checks an expiry and clones three strings; only a stale one waits for the thread, and
//! requests that arrive while it refreshes queue behind it and get the new credentials.

use crate::creds::{Credentials, Fresh};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::oneshot;

/// An answer from the refreshing thread: credentials, or a message fit for a client
/// (the error's `Display`, which never carries a secret).
type Answer = Result<Credentials, String>;

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
            for reply in requests {
                let answer = fresh.get().map_err(|e| e.to_string());
                if let Ok(credentials) = &answer {
                    *shared.lock().unwrap_or_else(PoisonError::into_inner) = credentials.clone();
                }
                // The client may have gone; nothing to do about it.
                let _ = reply.send(answer);
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
        let (reply, answer) = oneshot::channel();
        self.refresh
            .send(reply)
            .map_err(|_| "the credentials thread has stopped".to_owned())?;
        answer
            .await
            .map_err(|_| "the credentials thread has stopped".to_owned())?
    }
}
