//! The connections an endpoint holds, so that idle ones cannot starve a real client.
//!
//! Every open connection costs a file descriptor. A local program that opens connections
//! and sends nothing would otherwise use them all up: the next accept fails, and a real
//! client waits in the listen queue until a silent connection times out, longer than the
//! second or two SDKs give a credential endpoint. So runas raises its soft descriptor
//! limit to the hard one when it starts serving, holds at most [`Connections::capacity`]
//! connections, and makes room for a new one by closing the oldest connection that has
//! no request under way.

use crate::log::debug;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use tokio::sync::Notify;

/// The most connections held at once, whatever the descriptor limit: SDKs use one or a
/// few; a burst of hundreds of requests at once (a fleet of threads) still fits.
const MAX_CONNECTIONS: usize = 512;
/// Descriptors kept for runas's own work beside its connections: the cache, its locks,
/// STS, an `mfa_process` and its pipes, the terminal.
const RESERVED: u64 = 32;

/// The soft descriptor limit runas started with, for its child (see [`raise_limit`]).
static ORIGINAL_LIMIT: OnceLock<libc::rlimit> = OnceLock::new();

/// Raises the soft `RLIMIT_NOFILE` to the hard limit; returns the soft limit now in force.
/// The first call records the original, which [`original_limit`] gives a child back: some
/// programs allocate by the limit or still use `select(2)`.
pub(crate) fn raise_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes the struct it is given.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return 1024;
    }
    let _ = ORIGINAL_LIMIT.set(limit);
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: limit.rlim_max,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: setrlimit reads the struct it is given.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            debug!(
                "file descriptor limit raised from {} to {}",
                limit.rlim_cur, raised.rlim_cur
            );
            return raised.rlim_cur;
        }
    }
    limit.rlim_cur
}

/// The limit runas started with, if [`raise_limit`] changed it.
pub(crate) fn original_limit() -> Option<libc::rlimit> {
    ORIGINAL_LIMIT.get().copied()
}

/// One held connection: whether a request is under way on it, and how to close it.
pub struct Held {
    busy: AtomicBool,
    pub closed: Notify,
}

impl Held {
    /// Marks a request under way until the returned guard is dropped.
    pub(crate) fn busy(self: &Arc<Self>) -> Busy {
        self.busy.store(true, Ordering::SeqCst);
        Busy(self.clone())
    }
}

pub(crate) struct Busy(Arc<Held>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.store(false, Ordering::SeqCst);
    }
}

pub struct Connections {
    capacity: usize,
    /// Oldest first.
    held: Mutex<VecDeque<(u64, Arc<Held>)>>,
    next: std::sync::atomic::AtomicU64,
}

impl Connections {
    /// Room for as many connections as the descriptor `limit` allows, at most
    /// [`MAX_CONNECTIONS`].
    pub fn new(limit: u64) -> Connections {
        let room = usize::try_from(limit.saturating_sub(RESERVED)).unwrap_or(usize::MAX);
        Connections {
            capacity: room.clamp(1, MAX_CONNECTIONS),
            held: Mutex::new(VecDeque::new()),
            next: std::sync::atomic::AtomicU64::new(0),
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// Holds a new connection, closing the oldest idle one first if there is no room.
    pub fn add(&self) -> (u64, Arc<Held>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let held = Arc::new(Held {
            busy: AtomicBool::new(false),
            closed: Notify::new(),
        });
        let mut all = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if all.len() >= self.capacity {
            close_oldest_idle(&mut all);
        }
        all.push_back((id, held.clone()));
        (id, held)
    }

    /// Closes the oldest idle connection (when accepting fails for want of descriptors);
    /// false if every one is busy.
    pub(crate) fn close_one(&self) -> bool {
        close_oldest_idle(&mut self.held.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Forgets a connection that has ended.
    pub fn remove(&self, id: u64) {
        let mut all = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(at) = all.iter().position(|(held, _)| *held == id) {
            all.remove(at);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

fn close_oldest_idle(all: &mut VecDeque<(u64, Arc<Held>)>) -> bool {
    let Some(at) = all.iter().position(|(_, h)| !h.busy.load(Ordering::SeqCst)) else {
        return false;
    };
    if let Some((_, held)) = all.remove(at) {
        // A stored permit: the connection's task sees it even if it is not waiting yet.
        held.closed.notify_one();
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_idle_connection_makes_room() {
        let connections = Connections::new(RESERVED + 3);
        assert_eq!(connections.capacity(), 3);
        let (_, first) = connections.add();
        let busy = first.busy();
        let (second_id, second) = connections.add();
        connections.add();
        assert_eq!(connections.len(), 3);
        connections.add();
        assert_eq!(connections.len(), 3, "one closed for the new one");
        // The first is busy: the second, the oldest idle one, was closed.
        let closed = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async {
                tokio::time::timeout(std::time::Duration::from_secs(1), second.closed.notified())
                    .await
                    .is_ok()
            });
        assert!(closed);
        connections.remove(second_id);
        drop(busy);
        assert!(connections.close_one(), "the first is idle now");
        assert_eq!(connections.len(), 2);
        assert_eq!(Connections::new(10).capacity(), 1);
        assert_eq!(Connections::new(1 << 20).capacity(), MAX_CONNECTIONS);
    }
}
