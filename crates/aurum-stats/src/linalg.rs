//! Small dense linear algebra: matrix inversion and OLS for a handful of parameters.
//!
//! Two inverses, for two kinds of matrix: [`invert`] takes any square matrix (Hessians,
//! reweighted cross products); [`spd_inverse`] takes a symmetric positive-definite one
//! (`XᵀX`) and refuses it, scale-free, when its regressors are collinear.

/// OLS coefficients of `y` on the row-major regressors `x` with `k` columns; `None` when
/// the regressors are collinear. With `k = 0`, an empty vector.
#[must_use]
pub fn ols(x: &[f64], y: &[f64], k: usize) -> Option<Vec<f64>> {
    if k == 0 {
        return Some(Vec::new());
    }
    let mut xtx = vec![vec![0.0; k]; k];
    let mut xty = vec![0.0; k];
    for (t, yt) in y.iter().enumerate() {
        let row = &x[t * k..(t + 1) * k];
        for i in 0..k {
            xty[i] += row[i] * yt;
            for j in 0..k {
                xtx[i][j] += row[i] * row[j];
            }
        }
    }
    let inv = invert(&xtx)?;
    Some(
        (0..k)
            .map(|i| (0..k).map(|j| inv[i][j] * xty[j]).sum())
            .collect(),
    )
}

/// Inverse of a square matrix by Gauss–Jordan elimination with partial pivoting; `None`
/// when it is singular.
#[must_use]
pub fn invert(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut m: Vec<Vec<f64>> = a
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut r = row.clone();
            r.extend((0..n).map(|j| if i == j { 1.0 } else { 0.0 }));
            r
        })
        .collect();
    let scale = a
        .iter()
        .flatten()
        .fold(0.0_f64, |s, v| s.max(v.abs()))
        .max(f64::MIN_POSITIVE);
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| m[i][col].abs().total_cmp(&m[j][col].abs()))?;
        if m[pivot][col].abs() <= 1e-14 * scale {
            return None;
        }
        m.swap(col, pivot);
        let p = m[col][col];
        for v in &mut m[col] {
            *v /= p;
        }
        for r in 0..n {
            if r != col {
                let f = m[r][col];
                if f != 0.0 {
                    let pivot_row = m[col].clone();
                    for (v, pv) in m[r].iter_mut().zip(pivot_row) {
                        *v -= f * pv;
                    }
                }
            }
        }
    }
    Some(m.into_iter().map(|r| r[n..].to_vec()).collect())
}

/// A symmetric positive-definite `p × p` matrix's inverse, by Cholesky decomposition.
/// `None` when the matrix is not positive definite (collinear regressors): a pivot that
/// rounding leaves at or below 1e-12 of its diagonal entry, whatever the matrix's scale.
#[must_use]
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

/// The quadratic form `xᵀ A x`.
#[must_use]
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
    fn ols_and_inverse() {
        // y = 1 + 2x exactly.
        let x = [1.0, 0.0, 1.0, 1.0, 1.0, 2.0, 1.0, 3.0];
        let y = [1.0, 3.0, 5.0, 7.0];
        let b = ols(&x, &y, 2).unwrap();
        assert!((b[0] - 1.0).abs() < 1e-12 && (b[1] - 2.0).abs() < 1e-12);
        let inv = invert(&[vec![0.0, 2.0], vec![4.0, 1.0]]).unwrap();
        assert!((inv[0][0] + 0.125).abs() < 1e-15 && (inv[0][1] - 0.25).abs() < 1e-15);
        assert!(invert(&[vec![1.0, 2.0], vec![2.0, 4.0]]).is_none());
    }

    #[test]
    fn spd_inverse_of_a_known_matrix() {
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
    fn spd_inverse_refuses_singular_matrices() {
        assert!(spd_inverse(&[vec![1.0, 2.0], vec![2.0, 4.0]]).is_none());
        // Not positive definite.
        assert!(spd_inverse(&[vec![1.0, 2.0], vec![2.0, 1.0]]).is_none());
        // Collinear at any scale.
        assert!(spd_inverse(&[vec![1e-8, 2e-8], vec![2e-8, 4e-8]]).is_none());
        assert!(spd_inverse(&[vec![f64::NAN]]).is_none());
    }
}
