//! Small dense linear algebra for OLS with a handful of regressors.

#![allow(clippy::needless_range_loop)] // index loops mirror the textbook formulas

/// A symmetric positive-definite `p × p` matrix's inverse, by Cholesky decomposition.
/// `None` when the matrix is not positive definite (collinear regressors).
pub fn spd_inverse(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let p = a.len();
    // Cholesky: a = L Lᵀ.
    let mut l = vec![vec![0.0; p]; p];
    for i in 0..p {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = a[i][i] - s;
                // Relative test: a pivot lost to rounding means collinear regressors.
                if d.is_nan() || d <= 1e-12 * a[i][i].abs() {
                    return None;
                }
                l[i][j] = d.sqrt();
            } else {
                l[i][j] = (a[i][j] - s) / l[j][j];
            }
        }
    }
    // Invert by solving L Lᵀ x = e_k for each column k.
    let mut inv = vec![vec![0.0; p]; p];
    for k in 0..p {
        let mut y = vec![0.0; p];
        for i in 0..p {
            let s: f64 = (0..i).map(|j| l[i][j] * y[j]).sum();
            y[i] = (if i == k { 1.0 } else { 0.0 } - s) / l[i][i];
        }
        let mut x = vec![0.0; p];
        for i in (0..p).rev() {
            let s: f64 = (i + 1..p).map(|j| l[j][i] * x[j]).sum();
            x[i] = (y[i] - s) / l[i][i];
        }
        for i in 0..p {
            inv[i][k] = x[i];
        }
    }
    Some(inv)
}

/// `xᵀ A x`.
pub fn quad(a: &[Vec<f64>], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for (i, row) in a.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            s += x[i] * v * x[j];
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_of_a_known_matrix() {
        let a = vec![vec![4.0, 2.0], vec![2.0, 3.0]];
        let inv = spd_inverse(&a).unwrap();
        // [[3, -2], [-2, 4]] / 8
        let want = [[0.375, -0.25], [-0.25, 0.5]];
        for i in 0..2 {
            for j in 0..2 {
                assert!((inv[i][j] - want[i][j]).abs() < 1e-15);
            }
        }
        assert!((quad(&a, &[1.0, 1.0]) - 11.0).abs() < 1e-15);
    }

    #[test]
    fn singular_matrices_are_refused() {
        assert!(spd_inverse(&[vec![1.0, 2.0], vec![2.0, 4.0]]).is_none());
    }
}
