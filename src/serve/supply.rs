//! Credentials for the request handlers: from memory while they are fresh, otherwise from
//! a thread of their own that owns the [`Fresh`] chain.
//!
//! The chain's work blocks (files, locks, STS through its own runtime, an MFA prompt on the
//! terminal), so it never runs on the server's async threads. A warm request takes a lock,
//! checks an expiry and clones three strings; only a stale one asks the thread, and
//! requests that arrive while it refreshes queue behind it and get the same answer.
//!
//! A command served for hours should not fail because one refresh did. SDKs give their
//! credential endpoint a second or two, and a refresh can take longer (an MFA prompt, a
//! slow `mfa_process`) or fail (STS unreachable for a moment, no terminal to ask a code
//! on). So a stale request waits a moment for the refresh, and then, while the current
//! credentials still have a while to live, gets those; a failed refresh is said on stderr
//! and tried again after a pause. Only credentials about to expire make a failure the
//! request's answer.

use crate::creds::{Credentials, Fresh, remaining};
use crate::log::{debug, warning};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// An answer from the refreshing thread: credentials, or a message fit for a client
/// (the error's `Display`, which never carries a secret).
type Answer = Result<Credentials, String>;

/// How long a stale request waits for a refresh before it is answered with the current
/// credentials: well under the one second botocore gives the endpoint.
const PATIENCE: Duration = Duration::from_millis(400);
/// Credentials closer to their expiry than this are never handed out in place of a
/// refresh: a request signed with them must still reach AWS in time.
const FLOOR: Duration = Duration::from_secs(60);
/// After a failed refresh, requests get its answer for this long before another try: a
/// failing STS or `mfa_process` is not asked again for every request.
const PAUSE: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct Supply {
    latest: Arc<Mutex<Credentials>>,
    margin: Duration,
    refresh: mpsc::Sender<oneshot::Sender<Answer>>,
}

impl Supply {
    /// Moves `fresh` to a thread that refreshes on demand. The thread ends when the last
    /// `Supply` is dropped.
    pub fn start(fresh: Fresh) -> Supply {
        let latest = Arc::new(Mutex::new(fresh.current().clone()));
        let margin = fresh.margin();
        let (refresh, requests) = mpsc::channel::<oneshot::Sender<Answer>>();
        let shared = latest.clone();
        std::thread::spawn(move || refresh_on_demand(fresh, &requests, &shared));
        Supply {
            latest,
            margin,
            refresh,
        }
    }

    /// Credentials good for the refresh margin, or, while a refresh is slow or failing,
    /// the current ones if they have more than [`FLOOR`] left.
    pub async fn get(&self) -> Answer {
        let latest = self
            .latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if latest.fresh_for(self.margin) {
            return Ok(latest);
        }
        let usable = latest.fresh_for(FLOOR);
        let (reply, mut answer) = oneshot::channel();
        let stopped = || "the credentials thread has stopped".to_owned();
        self.refresh.send(reply).map_err(|_| stopped())?;
        let answered = match tokio::time::timeout(PATIENCE, &mut answer).await {
            Ok(answered) => answered.map_err(|_| stopped())?,
            Err(_) if usable => {
                debug!("a refresh is under way; answering with the current credentials");
                return Ok(latest);
            }
            Err(_) => answer.await.map_err(|_| stopped())?,
        };
        match answered {
            Err(_) if usable => Ok(latest),
            answered => answered,
        }
    }
}

/// The refreshing thread: one refresh at a time, its answer shared by every request that
/// queued meanwhile; after a failure, the same failure for [`PAUSE`].
fn refresh_on_demand(
    mut fresh: Fresh,
    requests: &mpsc::Receiver<oneshot::Sender<Answer>>,
    shared: &Mutex<Credentials>,
) {
    // A refresh in the background never opens a browser: it says what to run instead.
    crate::sso::never_sign_in_on_this_thread();
    let mut failed: Option<(Instant, String)> = None;
    while let Ok(reply) = requests.recv() {
        let paused = failed.as_ref().filter(|(at, _)| at.elapsed() < PAUSE);
        let answer = match paused {
            Some((_, message)) => Err(message.clone()),
            None => fresh.get().map_err(|e| e.to_string()),
        };
        let tried = paused.is_none();
        match &answer {
            Ok(credentials) => {
                *shared.lock().unwrap_or_else(PoisonError::into_inner) = credentials.clone();
                failed = None;
            }
            Err(message) if tried => {
                if failed.is_none() {
                    let left = fresh.current().expiration.map(remaining);
                    warning!(
                        "cannot refresh the credentials of the endpoint: {message}; it serves the current ones ({}) until a minute before they expire, and tries again after {}s",
                        left.as_deref().unwrap_or("no expiry"),
                        PAUSE.as_secs()
                    );
                }
                failed = Some((Instant::now(), message.clone()));
            }
            Err(_) => {}
        }
        // Their clients may have gone; nothing to do about it.
        let _ = reply.send(answer.clone());
        for queued in requests.try_iter() {
            let _ = queued.send(answer.clone());
        }
    }
}
