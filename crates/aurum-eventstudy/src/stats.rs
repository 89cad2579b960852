//! Distribution functions and rank helpers.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// Two-sided p-value of a standard normal statistic.
pub fn p_normal(z: f64) -> f64 {
    let n = Normal::standard();
    2.0 * n.cdf(-z.abs())
}

/// Two-sided p-value of a Student-t statistic with `df` degrees of freedom.
pub fn p_student(t: f64, df: f64) -> f64 {
    match StudentsT::new(0.0, 1.0, df) {
        Ok(d) => 2.0 * d.cdf(-t.abs()),
        Err(_) => f64::NAN,
    }
}

/// Ranks 1..=n of `values`, ties receiving the average of their ranks.
pub fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && values[idx[j + 1]] == values[idx[i]] {
            j += 1;
        }
        // Positions i..=j (0-based) share the mean rank ((i+1) + (j+1)) / 2.
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            ranks[k] = r;
        }
        i = j + 1;
    }
    ranks
}

/// Mean of a slice.
pub fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Sample standard deviation (divisor n − 1).
pub fn sd(x: &[f64]) -> f64 {
    let m = mean(x);
    (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() as f64 - 1.0)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_average_ties() {
        assert_eq!(average_ranks(&[3.0, 1.0, 3.0, 2.0]), [3.5, 1.0, 3.5, 2.0]);
    }

    #[test]
    fn p_values_of_known_points() {
        let p = p_normal(1.959_963_984_540_054);
        // statrs' normal CDF is accurate to about 1e-10 relative here; ample for p-values.
        assert!((p - 0.05).abs() < 1e-11, "{p:e}");
        // t(10) two-sided 5% critical value 2.228138851986274.
        assert!((p_student(2.228_138_851_986_274, 10.0) - 0.05).abs() < 1e-10);
    }
}
