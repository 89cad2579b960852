//! [`Progress`]: how long work reports itself, without knowing who is watching.

/// Receives the progress of long work and the notes worth telling a person (a moved event
/// date, a resumed backtest). The command line draws bars on stderr; the server stays silent.
///
/// Work may report from several threads at once.
pub trait Progress: Sync {
    /// Work begins: `len` units when known (a bar), else a spinner.
    fn start(&self, message: &str, len: Option<u64>);
    /// `n` more units are done.
    fn advance(&self, n: u64);
    /// The work begun last has finished.
    fn finish(&self);
    /// A note for a person: a warning, a summary of what was done.
    fn note(&self, text: &str);
    /// Whether whoever waits for the work has given up on it (a request past its time
    /// limit): long work stops at its next checkpoint and records nothing.
    fn cancelled(&self) -> bool {
        false
    }
}

/// Progress that nobody watches, cancelled when its flag is set (by a server whose request
/// ran out of time).
#[derive(Clone, Debug, Default)]
pub struct Cancel(pub std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Cancel {
    /// Gives up on the work.
    pub fn cancel(&self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Progress for Cancel {
    fn start(&self, _: &str, _: Option<u64>) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
    fn note(&self, _: &str) {}
    fn cancelled(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Progress that nobody watches.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: &str, _: Option<u64>) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
    fn note(&self, _: &str) {}
}
