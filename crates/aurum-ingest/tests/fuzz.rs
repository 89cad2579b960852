//! Property tests: whatever bytes a file holds, parsing gives a result or an error, never a
//! panic, and a result holds only valid bars. A fixed number of cases runs with every
//! `cargo test`; `PROPTEST_CASES=100000 cargo test -p aurum-ingest --test fuzz` runs longer.

use aurum_ingest::{Format, ParseOptions, parse};
use proptest::prelude::*;

const SEED: &str = "Date,Open,High,Low,Close,Adj Close,Volume\n\
                    2025-02-14,2930,2940,2880,2885,2885,0\n\
                    2025-02-17,2890,2910,2880,2899,2899,0\n\
                    2025-02-18,2885,2940,2880,2935,2935,0\n";

/// The seed file with `edits` applied: each replaces, inserts or deletes a byte.
fn mutate(edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut b = SEED.as_bytes().to_vec();
    for &(at, op, byte) in edits {
        let i = at % (b.len() + 1);
        match op % 3 {
            0 if i < b.len() => b[i] = byte,
            1 => b.insert(i, byte),
            _ if i < b.len() => {
                b.remove(i);
            }
            _ => {}
        }
    }
    b
}

fn check(bytes: &[u8], opts: &ParseOptions) {
    if let Ok(p) = parse("f.csv", bytes, opts) {
        for b in &p.bars {
            assert!(b.close.is_finite() && b.close > 0.0, "{b:?}");
            let (o, h, l, c) = b.ohlc_or_close();
            assert!(
                h >= o.max(c) - 1e-6 * h.abs().max(1.0) && l <= o.min(c) + 1e-6 * l.abs().max(1.0),
                "{b:?}"
            );
        }
        assert!(p.bars.windows(2).all(|w| w[0].date < w[1].date));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_csv_never_panics(edits in prop::collection::vec((0usize..400, 0u8..3, any::<u8>()), 0..12)) {
        check(&mutate(&edits), &ParseOptions::default());
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        for format in [Format::Auto, Format::LbmaJson, Format::Fred, Format::TradingView] {
            check(&bytes, &ParseOptions { format, ..ParseOptions::default() });
        }
    }
}
