//! FNV-1a fingerprints of the data an analysis used: same fingerprint, same inputs.
//!
//! Every variable-length piece is framed by its length, so that two different inputs cannot
//! run together into the same bytes (`"ab", "c"` and `"a", "bc"` differ).

/// A 64-bit FNV-1a hasher, stable across platforms and releases.
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    /// Feeds raw bytes.
    fn eat(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// Feeds a count (of items or bytes), as 8 little-endian bytes.
    pub(crate) fn count(&mut self, n: usize) {
        self.eat(&(n as u64).to_le_bytes());
    }

    /// Feeds a variable-length piece, framed by its length.
    pub(crate) fn field(&mut self, bytes: &[u8]) {
        self.count(bytes.len());
        self.eat(bytes);
    }

    /// Feeds a number, as its 8 little-endian bytes.
    pub(crate) fn number(&mut self, v: f64) {
        self.eat(&v.to_le_bytes());
    }

    /// The fingerprint as 16 hex digits.
    pub(crate) fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(fields: &[&str]) -> String {
        let mut f = Fnv::default();
        for x in fields {
            f.field(x.as_bytes());
        }
        f.hex()
    }

    #[test]
    fn framed_fields_do_not_run_together() {
        assert_ne!(of(&["ab", "c"]), of(&["a", "bc"]));
        assert_ne!(of(&["abc"]), of(&["abc", ""]));
        assert_eq!(of(&["ab", "c"]), of(&["ab", "c"]));
    }

    #[test]
    fn the_hash_is_fnv_1a() {
        // FNV-1a of the empty input and of "a", as published by its authors.
        let mut f = Fnv::default();
        assert_eq!(f.hex(), "cbf29ce484222325");
        f.eat(b"a");
        assert_eq!(f.hex(), "af63dc4c8601ec8c");
    }
}
