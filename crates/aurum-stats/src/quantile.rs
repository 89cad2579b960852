//! Sample quantiles.

/// The `q` quantile of `sorted` (ascending) by numpy's default `linear` method (Hyndman and
/// Fan's type 7): at `h = (n − 1) q`, the order statistics `x[⌊h⌋]` and `x[⌊h⌋ + 1]`
/// interpolated linearly, `x[⌊h⌋] + (h − ⌊h⌋) (x[⌊h⌋ + 1] − x[⌊h⌋])`.
///
/// `q` is clamped to [0, 1]. An empty slice has no quantile: NaN. Values agree with
/// `numpy.quantile(x, q)` to rounding (numpy computes the upper half of each interval from
/// the upper point, which may differ in the last bit).
///
/// ```
/// let xs = [1.0, 1.5, 2.6, 3.0, 4.0, 9.0];
/// assert_eq!(aurum_stats::quantile(&xs, 0.9), 6.5);
/// ```
#[must_use]
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn numpy_linear_quantiles() {
        // numpy.quantile([3, 1, 4, 1.5, 9, 2.6], q), by hand: n − 1 = 5, so h = 5q.
        let xs = [1.0, 1.5, 2.6, 3.0, 4.0, 9.0];
        assert_eq!(quantile(&xs, 0.0), 1.0);
        assert!(close(quantile(&xs, 0.1), 1.25)); // h = 0.5: 1 + 0.5 × 0.5
        assert!(close(quantile(&xs, 0.25), 1.775)); // h = 1.25: 1.5 + 0.25 × 1.1
        assert!(close(quantile(&xs, 0.5), 2.8)); // h = 2.5: 2.6 + 0.5 × 0.4
        assert!(close(quantile(&xs, 0.75), 3.75)); // h = 3.75: 3 + 0.75 × 1
        assert!(close(quantile(&xs, 0.9), 6.5)); // h = 4.5: 4 + 0.5 × 5
        assert_eq!(quantile(&xs, 1.0), 9.0);
        // An odd count: the median is the middle value.
        assert_eq!(quantile(&[1.0, 2.0, 2.0, 3.0], 0.5), 2.0);
        assert_eq!(quantile(&[1.0, 2.0, 7.0], 0.5), 2.0);
        assert_eq!(quantile(&[0.0, 10.0], 0.25), 2.5);
    }

    #[test]
    fn edges() {
        assert!(quantile(&[], 0.5).is_nan());
        assert_eq!(quantile(&[4.2], 0.0), 4.2);
        assert_eq!(quantile(&[4.2], 0.7), 4.2);
        // q outside [0, 1] is clamped.
        assert_eq!(quantile(&[1.0, 2.0], -0.5), 1.0);
        assert_eq!(quantile(&[1.0, 2.0], 1.5), 2.0);
        // Ties and negatives.
        assert_eq!(quantile(&[-3.0, -1.0, -1.0, 5.0], 0.5), -1.0);
        assert!(close(quantile(&[-3.0, -1.0, -1.0, 5.0], 0.9), 3.2)); // h = 2.7
    }
}
