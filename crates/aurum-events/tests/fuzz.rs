//! Fuzz-style tests: whatever text an event file holds, parsing gives a result or an error,
//! never a panic, and a result holds only valid events. Inputs are the shipped files and a
//! small seed, mutated byte by byte by a seeded generator, so every run checks the same
//! cases; `AURUM_FUZZ_CASES=200000 cargo test -p aurum-events --test fuzz` runs longer.

use aurum_core::date;
use aurum_events::{
    BUNDLED_CATALOG, BUNDLED_SCHEDULED, MAX_SPAN_DAYS, parse_scheduled, parse_toml,
    scheduled_between, valid_id,
};

const SEED: &str = r#"[[scheduled]]
id = "2025-06-17-fomc"
date = "2025-06-17"
end = "2025-06-18"
title_en = "FOMC meeting"
title_ja = "米連邦公開市場委員会（FOMC）"
kind = "fomc"
region = "north-america"
announced = "2024-08-09"
source = "Federal Reserve"
note = "n"
"#;

/// xorshift64*: small, seeded, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).expect("fits")
    }
}

/// Bytes that make interesting TOML: quotes, brackets, digits, dashes, newlines, multi-byte
/// UTF-8 and the odd random byte.
fn byte(rng: &mut Rng) -> u8 {
    const PICK: &[u8] = b"\"'[]=\n-0123456789 #\\{},.TZ:";
    if rng.below(4) == 0 {
        u8::try_from(rng.below(256)).expect("a byte")
    } else {
        PICK[rng.below(PICK.len())]
    }
}

/// `seed` with a few bytes replaced, inserted or deleted; invalid UTF-8 is replaced.
fn mutate(seed: &str, rng: &mut Rng) -> String {
    let mut b = seed.as_bytes().to_vec();
    for _ in 0..=rng.below(8) {
        let i = rng.below(b.len() + 1);
        match rng.below(3) {
            0 if i < b.len() => b[i] = byte(rng),
            1 => b.insert(i, byte(rng)),
            _ if i < b.len() => {
                b.remove(i);
            }
            _ => {}
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

fn cases(default: usize) -> usize {
    std::env::var("AURUM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Parses `text` as a calendar; a result must hold only valid, unique events.
fn check_scheduled(text: &str) {
    if let Ok(events) = parse_scheduled("f.toml", text) {
        assert!(!events.is_empty());
        let mut ids = std::collections::HashSet::new();
        for e in &events {
            assert!(valid_id(&e.id), "{e:?}");
            assert!(ids.insert(e.id.clone()), "duplicate {}", e.id);
            assert!(e.announced <= e.date, "{e:?}");
            if let Some(end) = e.end {
                assert!(
                    end >= e.date && (end - e.date).num_days() <= MAX_SPAN_DAYS,
                    "{e:?}"
                );
            }
            assert!(!e.title_en.trim().is_empty() && !e.title_ja.trim().is_empty());
            assert!(!e.source.trim().is_empty());
        }
        let as_of = date(2025, 2, 18);
        for e in scheduled_between(&events, date(1800, 1, 1), date(2100, 12, 31), as_of) {
            assert!(e.announced <= as_of);
        }
    }
}

#[test]
fn mutated_calendars_never_panic() {
    let mut rng = Rng(0x5EED_CA1E_0DA7_E500);
    for _ in 0..cases(3000) {
        check_scheduled(&mutate(SEED, &mut rng));
    }
    for _ in 0..cases(3000) / 10 {
        check_scheduled(&mutate(BUNDLED_SCHEDULED, &mut rng));
    }
}

#[test]
fn random_text_never_panics() {
    let mut rng = Rng(0xF0F0_1234_ABCD_0001);
    for _ in 0..cases(3000) {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| byte(&mut rng)).collect();
        let text = String::from_utf8_lossy(&bytes);
        check_scheduled(&text);
        let _ = parse_toml("f.toml", &text);
    }
}

#[test]
fn mutated_catalogs_never_panic() {
    // The catalog is large: a prefix keeps each case quick.
    let head: String = BUNDLED_CATALOG.chars().take(6000).collect();
    let mut rng = Rng(0xCA7A_1066_0000_0042);
    for _ in 0..cases(3000) / 10 {
        let _ = parse_toml("f.toml", &mutate(&head, &mut rng));
    }
}
