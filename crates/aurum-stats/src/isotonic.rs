//! Isotonic regression by pool-adjacent-violators.

/// The non-increasing sequence closest to `y` in least squares with equal weights (pool
/// adjacent violators): blocks that rise are replaced by their mean.
#[must_use]
pub fn non_increasing(y: &[f64]) -> Vec<f64> {
    // Blocks of (sum, count), merged while a later block's mean exceeds the one before.
    let mut blocks: Vec<(f64, usize)> = Vec::with_capacity(y.len());
    for &v in y {
        blocks.push((v, 1));
        while blocks.len() > 1 {
            let (s1, n1) = blocks[blocks.len() - 1];
            let (s0, n0) = blocks[blocks.len() - 2];
            if s1 / n1 as f64 > s0 / n0 as f64 {
                blocks.pop();
                let last = blocks.len() - 1;
                blocks[last] = (s0 + s1, n0 + n1);
            } else {
                break;
            }
        }
    }
    blocks
        .into_iter()
        .flat_map(|(s, n)| std::iter::repeat_n(s / n as f64, n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The naive twin: among all ways to cut the sequence into consecutive blocks, the one
    /// whose block means do not increase and whose squared error is least.
    fn brute(y: &[f64]) -> Vec<f64> {
        let n = y.len();
        let mut best: Option<(f64, Vec<f64>)> = None;
        for cuts in 0u32..(1 << (n - 1)) {
            let mut fit = Vec::with_capacity(n);
            let mut start = 0;
            let mut means = Vec::new();
            for i in 0..n {
                if i == n - 1 || cuts & (1 << i) != 0 {
                    let m = y[start..=i].iter().sum::<f64>() / (i + 1 - start) as f64;
                    means.push(m);
                    fit.extend(std::iter::repeat_n(m, i + 1 - start));
                    start = i + 1;
                }
            }
            if means.windows(2).any(|w| w[1] > w[0] + 1e-12) {
                continue;
            }
            let err: f64 = fit.iter().zip(y).map(|(a, b)| (a - b).powi(2)).sum();
            if best.as_ref().is_none_or(|(e, _)| err < *e - 1e-15) {
                best = Some((err, fit));
            }
        }
        best.map(|(_, f)| f).unwrap_or_default()
    }

    #[test]
    fn agrees_with_the_brute_force_fit() {
        let cases: [&[f64]; 6] = [
            &[0.5],
            &[0.3, 0.4],
            &[0.9, 0.2, 0.25, 0.1],
            &[0.013, 0.015, 0.011],
            &[0.1, 0.2, 0.3, 0.4, 0.5],
            &[0.8, 0.6, 0.7, 0.7, 0.1, 0.3],
        ];
        for y in cases {
            let a = non_increasing(y);
            let b = brute(y);
            assert_eq!(a.len(), y.len());
            for (x, z) in a.iter().zip(&b) {
                assert!((x - z).abs() < 1e-12, "{y:?}: {a:?} vs {b:?}");
            }
            assert!(a.windows(2).all(|w| w[1] <= w[0]));
        }
        assert!(non_increasing(&[]).is_empty());
    }
}
