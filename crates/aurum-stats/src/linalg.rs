//! Small dense linear algebra: matrix inversion and OLS for a handful of parameters.

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
}
