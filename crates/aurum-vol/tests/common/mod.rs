//! What the integration tests share: the repository's root and the bundled LBMA returns.

/// The repository's root.
pub fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Percent log returns of the bundled LBMA PM series, as `arch` is given them.
pub fn lbma_returns() -> Vec<f64> {
    let text =
        fs_err::read_to_string(root().join("data/prices/gold_usd_daily_lbma_pm.csv")).unwrap();
    let closes: Vec<f64> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    closes
        .windows(2)
        .map(|w| 100.0 * (w[1].ln() - w[0].ln()))
        .collect()
}
