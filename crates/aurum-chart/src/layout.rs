//! Placing labels: pushing positions apart along one axis until they keep their distance.

/// Positions as close to `wanted` as keeps every two at least `gap` apart, inside `lo..=hi`.
///
/// The result is in the order of `wanted`, and keeps its order: a label wanted above
/// another stays above it. Positions that already keep their distance do not move; each
/// run of crowded ones is centred on where its members want to be (the least squares
/// fit), then moved inside the bounds. When there is not room for them all, they start at
/// `lo` and run past `hi`.
pub(crate) fn spread(wanted: &[f64], gap: f64, lo: f64, hi: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..wanted.len()).collect();
    order.sort_by(|&a, &b| wanted[a].total_cmp(&wanted[b]).then(a.cmp(&b)));
    // Runs of neighbours `gap` apart: how many members, the sum of each member's wanted
    // position less its offset in the run, and where the run starts.
    struct Run {
        count: usize,
        sum: f64,
        start: f64,
    }
    #[allow(clippy::cast_precision_loss)]
    let place = |count: usize, sum: f64| {
        let n = count as f64;
        (sum / n).min(hi - (n - 1.0) * gap).max(lo)
    };
    let mut runs: Vec<Run> = Vec::with_capacity(wanted.len());
    for &i in &order {
        let mut run = Run {
            count: 1,
            sum: wanted[i],
            start: place(1, wanted[i]),
        };
        #[allow(clippy::cast_precision_loss)]
        while let Some(prev) = runs.last()
            && prev.start + prev.count as f64 * gap > run.start + 1e-9 * gap
        {
            // The later run's offsets grow by the earlier run's length.
            let sum = prev.sum + run.sum - prev.count as f64 * gap * run.count as f64;
            let count = prev.count + run.count;
            runs.pop();
            run = Run {
                count,
                sum,
                start: place(count, sum),
            };
        }
        runs.push(run);
    }
    let mut out = vec![0.0; wanted.len()];
    let mut members = order.iter();
    for run in &runs {
        for (k, &i) in members.by_ref().take(run.count).enumerate() {
            #[allow(clippy::cast_precision_loss)]
            let offset = k as f64 * gap;
            out[i] = run.start + offset;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_apart(p: &[f64], gap: f64) {
        let mut s = p.to_vec();
        s.sort_by(f64::total_cmp);
        for w in s.windows(2) {
            assert!(w[1] - w[0] >= gap - 1e-9, "{p:?}");
        }
    }

    #[test]
    fn positions_far_apart_stay_put() {
        assert_eq!(
            spread(&[50.0, 10.0, 30.0], 15.0, 0.0, 100.0),
            [50.0, 10.0, 30.0]
        );
        assert_eq!(spread(&[], 15.0, 0.0, 100.0), Vec::<f64>::new());
    }

    #[test]
    fn crowded_positions_are_centred_on_their_mean() {
        // Two labels 4 apart need 16: each moves 6 away from the other.
        let p = spread(&[50.0, 54.0], 16.0, 0.0, 100.0);
        assert_eq!(p, [44.0, 60.0]);
        // Three at one spot: one stays, one either side; the order given is kept.
        let p = spread(&[50.0, 50.0, 50.0], 10.0, 0.0, 100.0);
        assert_eq!(p, [40.0, 50.0, 60.0]);
        // A run pushed into a neighbour takes it along.
        let p = spread(&[20.0, 31.0, 33.0], 10.0, 0.0, 100.0);
        assert_apart(&p, 10.0);
        assert!((p.iter().sum::<f64>() - 84.0).abs() < 1e-9, "{p:?}");
    }

    #[test]
    fn bounds_hold_and_order_is_kept() {
        let p = spread(&[99.0, 98.0, 97.0], 10.0, 0.0, 100.0);
        assert_eq!(p, [100.0, 90.0, 80.0]);
        let p = spread(&[1.0, 0.0], 10.0, 0.0, 100.0);
        assert_eq!(p, [10.0, 0.0]);
        // Too many for the room: they start at the bottom and keep their distance.
        let p = spread(&[5.0, 5.0, 5.0], 10.0, 0.0, 15.0);
        assert_eq!(p, [0.0, 10.0, 20.0]);
        // Whatever the input, neighbours keep the gap and the order.
        let wanted = [12.0, 90.0, 14.0, 88.0, 13.0, 50.0, 51.0, 100.0, 0.0];
        let p = spread(&wanted, 7.0, 0.0, 100.0);
        assert_apart(&p, 7.0);
        assert!(p.iter().all(|&v| (0.0..=100.0).contains(&v)), "{p:?}");
        for i in 0..wanted.len() {
            for j in 0..wanted.len() {
                if wanted[i] < wanted[j] {
                    assert!(p[i] < p[j], "{p:?}");
                }
            }
        }
    }
}
