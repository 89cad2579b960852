//! `aurum chart`: SVG candle counts and PNG output.

use crate::util::TestContext;

#[test]
fn svg_has_one_candle_per_week() {
    let ctx = TestContext::new();
    let out = ctx.path("spot-2024.svg");
    let out_s = out.display().to_string();
    ctx.run(&[
        "chart",
        "--series",
        "gold-usd-spot",
        "--freq",
        "weekly",
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-31",
        "--target",
        "3000",
        "--out",
        &out_s,
    ])
    .ok();
    let svg = fs_err::read_to_string(&out).unwrap();
    // Weeks (W-FRI) holding a day of 2024: from the one ending 2024-01-05 to the one ending
    // 2025-01-03 — 53 of them, counted in pandas' fixture as well.
    let pandas = read_fixture_rows("2024-01-05", "2025-01-03");
    assert_eq!(pandas, 53);
    assert_eq!(svg.matches("class=\"candle\"").count(), pandas);
    assert_eq!(svg.matches("class=\"target\"").count(), 1);
    assert!(svg.contains("Target 3,000"));
    assert!(svg.contains("USD / troy oz"));
}

fn read_fixture_rows(first: &str, last: &str) -> usize {
    let text = fs_err::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../aurum-core/tests/fixtures/stooq_weekly_w_fri.csv"),
    )
    .unwrap();
    text.lines()
        .filter(|l| l.get(..10).is_some_and(|d| d >= first && d <= last))
        .count()
}

#[test]
fn png_in_japanese_at_post_size() {
    let ctx = TestContext::new();
    let out = ctx.path("ja.png");
    let out_s = out.display().to_string();
    ctx.run(&[
        "chart",
        "--series",
        "gold-usd-spot",
        "--from",
        "2023-01-01",
        "--as-of",
        "2025-02-18",
        "--target",
        "3000",
        "--lang",
        "ja",
        "--out",
        &out_s,
    ])
    .ok();
    let png = fs_err::read(&out).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // IHDR: width and height, big-endian, at bytes 16..24.
    assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 1200);
    assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), 675);
    let svg_out = ctx.path("ja.svg");
    ctx.run(&[
        "chart",
        "--from",
        "2023-01-01",
        "--as-of",
        "2025-02-18",
        "--lang",
        "ja",
        "--out",
        &svg_out.display().to_string(),
    ])
    .ok();
    let svg = fs_err::read_to_string(&svg_out).unwrap();
    assert!(svg.contains("ドル/トロイオンス") && svg.contains("金価格 週足推移"));
}

#[test]
fn bad_chart_requests_fail_clearly() {
    let ctx = TestContext::new();
    let run = ctx
        .run(&["chart", "--out", &ctx.path("x.jpg").display().to_string()])
        .usage();
    assert!(
        run.stderr
            .contains("expected a file name ending in .svg or .png"),
        "{}",
        run.stderr
    );
    let run = ctx
        .run(&[
            "chart",
            "--from",
            "2030-01-01",
            "--out",
            &ctx.path("x.svg").display().to_string(),
        ])
        .fails();
    assert!(
        run.stderr.contains("has no data in the chosen window"),
        "{}",
        run.stderr
    );
    let run = ctx
        .run(&[
            "chart",
            "--target=-5",
            "--out",
            &ctx.path("x.svg").display().to_string(),
        ])
        .usage();
    assert!(
        run.stderr.contains("--target -5: expected a price > 0"),
        "{}",
        run.stderr
    );
}
