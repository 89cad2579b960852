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
