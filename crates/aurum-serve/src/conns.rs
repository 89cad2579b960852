//! The connections open at once: a cap that cannot be held by clients that say nothing.
//!
//! At the cap, a new connection takes the place of the open one that has waited longest
//! without a request in progress (a client sending its headers slowly, or an idle
//! keep-alive), so slow clients cannot lock the dashboard out; only when every open
//! connection is serving a request is the new one closed.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// What one connection is doing.
#[derive(Debug, Default)]
pub struct ConnState {
    /// Requests in progress.
    pub active: AtomicUsize,
    /// When it last started or finished something, in ms since the server started.
    pub last: AtomicU64,
}

/// The open connections.
pub struct Conns {
    cap: usize,
    start: Instant,
    next: AtomicU64,
    open: Mutex<BTreeMap<u64, (Arc<ConnState>, tokio::task::AbortHandle)>>,
}

impl Conns {
    /// At most `cap` open connections.
    #[must_use]
    pub fn new(cap: usize) -> Self {
        Self {
            cap: cap.max(1),
            start: Instant::now(),
            next: AtomicU64::new(0),
            open: Mutex::new(BTreeMap::new()),
        }
    }

    /// Milliseconds since the server started.
    pub fn now(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Makes room for a new connection: `false` when every open one is serving a request.
    pub fn admit(&self) -> bool {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.len() < self.cap {
            return true;
        }
        let idle = open
            .iter()
            .filter(|(_, (s, _))| s.active.load(Ordering::SeqCst) == 0)
            .min_by_key(|(_, (s, _))| s.last.load(Ordering::SeqCst))
            .map(|(id, _)| *id);
        match idle.and_then(|id| open.remove(&id)) {
            Some((_, abort)) => {
                abort.abort();
                true
            }
            None => false,
        }
    }

    /// An id for a new connection.
    pub fn reserve(&self) -> u64 {
        self.next.fetch_add(1, Ordering::SeqCst)
    }

    /// Registers a connection's task under its id.
    pub fn insert(&self, id: u64, state: Arc<ConnState>, abort: tokio::task::AbortHandle) {
        self.open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, (state, abort));
    }

    /// Forgets a connection that ended.
    pub fn remove(&self, id: u64) {
        self.open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// At the cap, the idle connection that waited longest makes room; busy ones never do.
    #[test]
    fn room_is_made_from_the_longest_idle_connection_only() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let conns = Conns::new(2);
            let mut tasks = Vec::new();
            let mut states = Vec::new();
            for last in [5, 3] {
                let state = Arc::new(ConnState::default());
                state.active.store(1, Ordering::SeqCst);
                state.last.store(last, Ordering::SeqCst);
                let task = tokio::spawn(std::future::pending::<()>());
                let id = conns.reserve();
                conns.insert(id, Arc::clone(&state), task.abort_handle());
                tasks.push(task);
                states.push(state);
            }
            // Both busy: no room.
            assert!(!conns.admit());
            // Both idle: the one idle since 3 goes.
            for s in &states {
                s.active.store(0, Ordering::SeqCst);
            }
            assert!(conns.admit());
            let second = tasks.pop().unwrap();
            assert!(second.await.unwrap_err().is_cancelled());
            // Room now, without closing anything else.
            assert!(conns.admit());
            assert!(!tasks[0].is_finished());
        });
    }
}
