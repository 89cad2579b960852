use std::fmt;
use std::str::FromStr;

use aurum_core::Date;
use aurum_stats::{quad, spd_inverse};
use serde::Serialize;

use crate::stats::{average_ranks, mean, p_normal, p_student, sd};
use crate::{Calendar, EventStudyError};

/// The normal-return model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Model {
    /// Constant mean return.
    Mean,
    /// Market model against one benchmark.
    Market,
    /// Multi-factor model against several benchmarks.
    Factor,
}

impl Model {
    fn name(self) -> &'static str {
        match self {
            Self::Mean => "mean",
            Self::Market => "market",
            Self::Factor => "factor",
        }
    }
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Model {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "mean" => Ok(Self::Mean),
            "market" => Ok(Self::Market),
            "factor" => Ok(Self::Factor),
            _ => Err(format!(
                "unknown model {s:?}: expected mean, market or factor"
            )),
        }
    }
}

/// What to do with events whose event windows share calendar dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OverlapPolicy {
    /// Keep all; each event lists the events it overlaps.
    #[default]
    Flag,
    /// Drop every event that overlaps another.
    Drop,
    /// Keep the first event of each cluster; the others are recorded as merged into it.
    Merge,
}

impl FromStr for OverlapPolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "flag" => Ok(Self::Flag),
            "drop" => Ok(Self::Drop),
            "merge" => Ok(Self::Merge),
            _ => Err(format!(
                "unknown overlap policy {s:?}: expected flag, drop or merge"
            )),
        }
    }
}

/// Event and estimation windows, in trading days relative to day 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Design {
    /// Event window `[L1, L2]`.
    pub window: (i32, i32),
    /// Estimation window `[E1, E2]`.
    pub estimation: (i32, i32),
}

impl Design {
    /// Validates `E1 ≤ E2 < L1 ≤ L2`.
    ///
    /// # Errors
    ///
    /// [`EventStudyError::InvalidWindows`].
    pub fn new(window: (i32, i32), estimation: (i32, i32)) -> Result<Self, EventStudyError> {
        let ((l1, l2), (e1, e2)) = (window, estimation);
        if !(e1 <= e2 && e2 < l1 && l1 <= l2) {
            return Err(EventStudyError::InvalidWindows { e1, e2, l1, l2 });
        }
        Ok(Self { window, estimation })
    }

    fn l(&self) -> usize {
        (self.window.1 - self.window.0 + 1) as usize
    }

    fn m(&self) -> usize {
        (self.estimation.1 - self.estimation.0 + 1) as usize
    }
}

/// An event to measure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventSpec {
    /// Identifier, echoed in the results.
    pub id: String,
    /// The date the news was public.
    pub date: Date,
}

/// One measured event.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventResult {
    /// Event id.
    pub id: String,
    /// The event's own date.
    pub event_date: Date,
    /// Day 0: the first trading date on or after the event date.
    pub day0: Date,
    /// Whether day 0 differs from the event date (a weekend or holiday).
    pub moved: bool,
    /// Estimated normal-return parameters (constant first).
    pub theta: Vec<f64>,
    /// Residual variance of the estimation window.
    pub sigma2: f64,
    /// Abnormal returns over the event window (decimal log returns).
    pub ar: Vec<f64>,
    /// Standardised abnormal returns over the event window.
    pub sar: Vec<f64>,
    /// Cumulative abnormal return over the event window.
    pub car: f64,
    /// Variance of the CAR, including estimation error.
    pub var_car: f64,
    /// Standardised CAR (also the event's own t statistic).
    pub scar: f64,
    /// Residual degrees of freedom `M − p`.
    pub df: usize,
    /// Two-sided p-value of `scar` (Student's t with `df` degrees of freedom).
    pub p: f64,
    /// Ids of events whose event windows share dates with this one's.
    pub overlaps: Vec<String>,
    /// Ids of events merged into this one (`--overlap merge`).
    pub merged: Vec<String>,
    #[serde(skip)]
    t0: usize,
    #[serde(skip)]
    est_ar: Vec<f64>,
}

/// An event that could not be measured, or was dropped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Event id.
    pub id: String,
    /// The event's date.
    pub event_date: Date,
    /// Why, in words.
    pub reason: String,
}

/// Cross-sectional results over the measured events.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Aggregate {
    /// Number of events.
    pub n: usize,
    /// Cumulative average abnormal return over the event window.
    pub caar: f64,
    /// Average abnormal return on each event-window day.
    pub aar: Vec<f64>,
    /// Cumulative AAR through each event-window day.
    pub caar_path: Vec<f64>,
    /// Cross-sectional standard error of the cumulative ARs through each day (for bands).
    pub caar_path_se: Vec<f64>,
    /// Cross-sectional t.
    pub t_cs: f64,
    /// Its p-value.
    pub p_cs: f64,
    /// Patell Z.
    pub patell_z: f64,
    /// Its p-value.
    pub p_patell: f64,
    /// Boehmer–Musumeci–Poulsen t.
    pub bmp_t: f64,
    /// Its p-value.
    pub p_bmp: f64,
    /// Mean cross-correlation of estimation-window abnormal returns.
    pub kp_rbar: f64,
    /// Kolari–Pynnönen adjusted BMP t.
    pub kp_t: f64,
    /// Its p-value.
    pub p_kp: f64,
    /// Corrado rank Z over the event window.
    pub rank_z: f64,
    /// Its p-value.
    pub p_rank: f64,
    /// Share of positive estimation-window abnormal returns.
    pub sign_p_hat: f64,
    /// Events with a positive CAR.
    pub sign_w: usize,
    /// Generalised sign Z.
    pub sign_z: f64,
    /// Its p-value.
    pub p_sign: f64,
}

/// A complete event study.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Study {
    /// The normal-return model.
    pub model: Model,
    /// The windows.
    pub design: Design,
    /// Overlap handling applied.
    pub overlap: OverlapPolicy,
    /// Measured events, by date.
    pub events: Vec<EventResult>,
    /// Events not measured, with reasons.
    pub skipped: Vec<Skipped>,
    /// Cross-section; `None` with fewer than two events.
    pub aggregate: Option<Aggregate>,
}

/// Least shared estimation dates for a Kolari–Pynnönen correlation to count.
const KP_MIN_SHARED: usize = 30;

/// Runs an event study. See `docs/event-study.md` for every formula.
///
/// # Errors
///
/// Model/benchmark mismatch and estimation windows too short for the model.
pub fn study(
    cal: &Calendar,
    model: Model,
    design: &Design,
    events: &[EventSpec],
    overlap: OverlapPolicy,
) -> Result<Study, EventStudyError> {
    let k = cal.factors.len();
    match (model, k) {
        (Model::Mean, 0) | (Model::Market, 1) | (Model::Factor, 1..) => {}
        (Model::Mean, got) => {
            return Err(EventStudyError::Benchmarks {
                model: "mean",
                expected: "no",
                got,
            });
        }
        (Model::Market, got) => {
            return Err(EventStudyError::Benchmarks {
                model: "market",
                expected: "exactly 1",
                got,
            });
        }
        (Model::Factor, got) => {
            return Err(EventStudyError::Benchmarks {
                model: "factor",
                expected: "at least 1",
                got,
            });
        }
    }
    let p = k + 1;
    // Patell's variance d / (d − 2) needs d = M − p ≥ 3.
    if design.m() < p + 3 {
        return Err(EventStudyError::ShortEstimation {
            m: design.m(),
            model: model.name(),
            needed: p + 3,
        });
    }
    let mut sorted: Vec<&EventSpec> = events.iter().collect();
    sorted.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.id.cmp(&b.id)));

    let mut measured = Vec::new();
    let mut skipped = Vec::new();
    for e in sorted {
        match measure(cal, design, e) {
            Ok(r) => measured.push(r),
            Err(reason) => skipped.push(Skipped {
                id: e.id.clone(),
                event_date: e.date,
                reason,
            }),
        }
    }
    apply_overlaps(design, &mut measured, &mut skipped, overlap);
    skipped.sort_by(|a, b| {
        a.event_date
            .cmp(&b.event_date)
            .then_with(|| a.id.cmp(&b.id))
    });
    let aggregate = (measured.len() >= 2).then(|| aggregate(design, &measured));
    Ok(Study {
        model,
        design: *design,
        overlap,
        events: measured,
        skipped,
        aggregate,
    })
}

/// Regressors `x_t` (constant first) at calendar index `t`.
fn regressors(cal: &Calendar, t: usize) -> Vec<f64> {
    std::iter::once(1.0)
        .chain(cal.factors.iter().map(|f| f[t]))
        .collect()
}

fn measure(cal: &Calendar, d: &Design, e: &EventSpec) -> Result<EventResult, String> {
    let last = cal.dates.len() - 1;
    if e.date < cal.dates[0] {
        return Err(format!("dated before the data begin ({})", cal.dates[0]));
    }
    let t0 = cal.day0(e.date).ok_or_else(|| {
        format!(
            "no trading date on or after {} (data end {})",
            e.date, cal.dates[last]
        )
    })?;
    let (e1, e2) = d.estimation;
    let (l1, l2) = d.window;
    let first = t0 as i64 + i64::from(e1);
    if first < 1 {
        return Err(format!(
            "estimation window starts {} days before day 0 {}, before the data begin ({})",
            -e1, cal.dates[t0], cal.dates[0]
        ));
    }
    if t0 as i64 + i64::from(l2) > last as i64 {
        return Err(format!(
            "event window ends {l2} days after day 0 {}, past the last calendar date ({})",
            cal.dates[t0], cal.dates[last]
        ));
    }
    let at = |rel: i32| (t0 as i64 + i64::from(rel)) as usize;
    let est: Vec<usize> = (e1..=e2).map(at).collect();
    let win: Vec<usize> = (l1..=l2).map(at).collect();
    let p = cal.factors.len() + 1;
    // OLS by normal equations: θ = (XᵀX)⁻¹ Xᵀy.
    let mut xtx = vec![vec![0.0; p]; p];
    let mut xty = vec![0.0; p];
    for &t in &est {
        let x = regressors(cal, t);
        for i in 0..p {
            xty[i] += x[i] * cal.returns[t];
            for j in 0..p {
                xtx[i][j] += x[i] * x[j];
            }
        }
    }
    let inv = spd_inverse(&xtx).ok_or_else(|| {
        "the benchmarks are collinear (or constant) over the estimation window".to_owned()
    })?;
    let theta: Vec<f64> = (0..p)
        .map(|i| (0..p).map(|j| inv[i][j] * xty[j]).sum())
        .collect();
    let ar_at = |t: usize| {
        let x = regressors(cal, t);
        cal.returns[t] - x.iter().zip(&theta).map(|(a, b)| a * b).sum::<f64>()
    };
    let est_ar: Vec<f64> = est.iter().map(|&t| ar_at(t)).collect();
    let m = est.len();
    let df = m - p;
    let sigma2 = est_ar.iter().map(|v| v * v).sum::<f64>() / df as f64;
    let ar: Vec<f64> = win.iter().map(|&t| ar_at(t)).collect();
    let sar: Vec<f64> = win
        .iter()
        .zip(&ar)
        .map(|(&t, a)| a / (sigma2 * (1.0 + quad(&inv, &regressors(cal, t)))).sqrt())
        .collect();
    let car: f64 = ar.iter().sum();
    // 1ᵀ X_w (XᵀX)⁻¹ X_wᵀ 1 = sᵀ (XᵀX)⁻¹ s with s the column sums of X_w.
    let mut s = vec![0.0; p];
    for &t in &win {
        for (acc, x) in s.iter_mut().zip(regressors(cal, t)) {
            *acc += x;
        }
    }
    let var_car = sigma2 * (win.len() as f64 + quad(&inv, &s));
    let scar = car / var_car.sqrt();
    Ok(EventResult {
        id: e.id.clone(),
        event_date: e.date,
        day0: cal.dates[t0],
        moved: cal.dates[t0] != e.date,
        theta,
        sigma2,
        ar,
        sar,
        car,
        var_car,
        scar,
        df,
        p: p_student(scar, df as f64),
        overlaps: Vec::new(),
        merged: Vec::new(),
        t0,
        est_ar,
    })
}

fn apply_overlaps(
    d: &Design,
    events: &mut Vec<EventResult>,
    skipped: &mut Vec<Skipped>,
    policy: OverlapPolicy,
) {
    let span = |e: &EventResult| {
        (
            e.t0 as i64 + i64::from(d.window.0),
            e.t0 as i64 + i64::from(d.window.1),
        )
    };
    let n = events.len();
    for i in 0..n {
        for j in 0..n {
            let (a, b) = (span(&events[i]), span(&events[j]));
            if i != j && a.0 <= b.1 && b.0 <= a.1 {
                let other = events[j].id.clone();
                events[i].overlaps.push(other);
            }
        }
    }
    match policy {
        OverlapPolicy::Flag => {}
        OverlapPolicy::Drop => {
            let (keep, drop): (Vec<_>, Vec<_>) =
                events.drain(..).partition(|e| e.overlaps.is_empty());
            for e in drop {
                skipped.push(Skipped {
                    id: e.id,
                    event_date: e.event_date,
                    reason: format!(
                        "dropped: its event window overlaps {}",
                        e.overlaps.join(", ")
                    ),
                });
            }
            *events = keep;
        }
        OverlapPolicy::Merge => {
            // Events are in date order, so a cluster is a run in which each event starts
            // within the previous one's window.
            let mut kept: Vec<EventResult> = Vec::with_capacity(n);
            let mut prev_end = i64::MIN;
            for e in events.drain(..) {
                let (start, end) = span(&e);
                match kept.last_mut() {
                    Some(head) if start <= prev_end => {
                        head.merged.push(e.id.clone());
                        skipped.push(Skipped {
                            id: e.id,
                            event_date: e.event_date,
                            reason: format!("merged into {}: overlapping event windows", head.id),
                        });
                    }
                    _ => kept.push(e),
                }
                prev_end = prev_end.max(end);
            }
            *events = kept;
        }
    }
}

fn aggregate(d: &Design, ev: &[EventResult]) -> Aggregate {
    let n = ev.len();
    let nf = n as f64;
    let l = d.l();
    let cars: Vec<f64> = ev.iter().map(|e| e.car).collect();
    let caar = mean(&cars);
    let aar: Vec<f64> = (0..l)
        .map(|t| ev.iter().map(|e| e.ar[t]).sum::<f64>() / nf)
        .collect();
    let mut caar_path = Vec::with_capacity(l);
    let mut caar_path_se = Vec::with_capacity(l);
    let mut cum = vec![0.0; n];
    let mut acc = 0.0;
    for (t, a) in aar.iter().enumerate() {
        acc += a;
        caar_path.push(acc);
        for (c, e) in cum.iter_mut().zip(ev) {
            *c += e.ar[t];
        }
        caar_path_se.push(sd(&cum) / nf.sqrt());
    }
    let t_cs = caar / (sd(&cars) / nf.sqrt());
    let scars: Vec<f64> = ev.iter().map(|e| e.scar).collect();
    let patell_den: f64 = ev.iter().map(|e| e.df as f64 / (e.df as f64 - 2.0)).sum();
    let patell_z = scars.iter().sum::<f64>() / patell_den.sqrt();
    let bmp_t = mean(&scars) / (sd(&scars) / nf.sqrt());
    let kp_rbar = kp_rbar(d, ev);
    let kp_t = bmp_t * ((1.0 - kp_rbar) / (1.0 + (nf - 1.0) * kp_rbar)).sqrt();
    let rank_z = corrado(d, ev);
    let sign_p_hat = ev
        .iter()
        .map(|e| e.est_ar.iter().filter(|v| **v > 0.0).count() as f64 / e.est_ar.len() as f64)
        .sum::<f64>()
        / nf;
    let sign_w = cars.iter().filter(|c| **c > 0.0).count();
    let sign_z = (sign_w as f64 - nf * sign_p_hat) / (nf * sign_p_hat * (1.0 - sign_p_hat)).sqrt();
    let df = nf - 1.0;
    Aggregate {
        n,
        caar,
        aar,
        caar_path,
        caar_path_se,
        t_cs,
        p_cs: p_student(t_cs, df),
        patell_z,
        p_patell: p_normal(patell_z),
        bmp_t,
        p_bmp: p_student(bmp_t, df),
        kp_rbar,
        kp_t,
        p_kp: p_student(kp_t, df),
        rank_z,
        p_rank: p_normal(rank_z),
        sign_p_hat,
        sign_w,
        sign_z,
        p_sign: p_normal(sign_z),
    }
}

/// Mean pairwise correlation of estimation-window ARs on shared calendar dates.
fn kp_rbar(d: &Design, ev: &[EventResult]) -> f64 {
    let start = |e: &EventResult| (e.t0 as i64 + i64::from(d.estimation.0)) as usize;
    let mut total = 0.0;
    let mut pairs = 0usize;
    for i in 0..ev.len() {
        for j in i + 1..ev.len() {
            pairs += 1;
            let (si, sj) = (start(&ev[i]), start(&ev[j]));
            let (lo, hi) = (
                si.max(sj),
                (si + ev[i].est_ar.len()).min(sj + ev[j].est_ar.len()),
            );
            if hi <= lo || hi - lo < KP_MIN_SHARED {
                continue;
            }
            let a = &ev[i].est_ar[lo - si..hi - si];
            let b = &ev[j].est_ar[lo - sj..hi - sj];
            total += pearson(a, b);
        }
    }
    if pairs == 0 {
        0.0
    } else {
        total / pairs as f64
    }
}

fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let (ma, mb) = (mean(a), mean(b));
    let mut sab = 0.0;
    let mut saa = 0.0;
    let mut sbb = 0.0;
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma).powi(2);
        sbb += (y - mb).powi(2);
    }
    sab / (saa * sbb).sqrt()
}

/// Corrado's rank Z over the event window (Campbell–Wasley cumulation).
fn corrado(d: &Design, ev: &[EventResult]) -> f64 {
    let (m, l) = (d.m(), d.l());
    let t_all = m + l;
    let mut u_bar = vec![0.0; t_all];
    for e in ev {
        let all: Vec<f64> = e.est_ar.iter().chain(&e.ar).copied().collect();
        for (u, k) in u_bar.iter_mut().zip(average_ranks(&all)) {
            *u += k / (t_all as f64 + 1.0) - 0.5;
        }
    }
    let nf = ev.len() as f64;
    for u in &mut u_bar {
        *u /= nf;
    }
    let s = (u_bar.iter().map(|u| u * u).sum::<f64>() / t_all as f64).sqrt();
    u_bar[m..].iter().sum::<f64>() / ((l as f64).sqrt() * s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurum_core::date;

    /// A deterministic wobbling price on every calendar day of 2023–2024.
    fn calendar() -> Calendar {
        let mut prices = Vec::new();
        let mut d = date(2023, 1, 1);
        let mut p = 100.0;
        let mut i = 0u32;
        while d <= date(2024, 12, 31) {
            p *= 1.0 + 0.004 * f64::from(i % 7) - 0.011;
            prices.push((d, p));
            d = d.succ_opt().unwrap();
            i += 1;
        }
        Calendar::new(&prices, &[]).unwrap()
    }

    fn ev(id: &str, d: Date) -> EventSpec {
        EventSpec {
            id: id.into(),
            date: d,
        }
    }

    fn run(policy: OverlapPolicy) -> Study {
        let events = [
            ev("a", date(2024, 6, 3)),
            ev("b", date(2024, 6, 6)),
            ev("c", date(2024, 6, 10)),
            ev("d", date(2024, 9, 2)),
            ev("early", date(2023, 2, 1)),
            ev("late", date(2024, 12, 30)),
        ];
        study(
            &calendar(),
            Model::Mean,
            &Design::new((-1, 5), (-250, -11)).unwrap(),
            &events,
            policy,
        )
        .unwrap()
    }

    #[test]
    fn overlaps_are_flagged_dropped_or_merged() {
        let flag = run(OverlapPolicy::Flag);
        let ids: Vec<&str> = flag.events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c", "d"]);
        assert_eq!(flag.events[0].overlaps, ["b"]);
        assert_eq!(flag.events[1].overlaps, ["a", "c"]);
        assert!(flag.events[3].overlaps.is_empty());

        let drop = run(OverlapPolicy::Drop);
        assert_eq!(
            drop.events
                .iter()
                .map(|e| e.id.as_str())
                .collect::<Vec<_>>(),
            ["d"]
        );
        assert!(drop.aggregate.is_none(), "one event has no cross-section");

        let merge = run(OverlapPolicy::Merge);
        assert_eq!(
            merge
                .events
                .iter()
                .map(|e| e.id.as_str())
                .collect::<Vec<_>>(),
            ["a", "d"]
        );
        assert_eq!(merge.events[0].merged, ["b", "c"]);
        assert_eq!(merge.aggregate.as_ref().unwrap().n, 2);
    }

    #[test]
    fn events_without_enough_data_are_skipped_with_reasons() {
        let s = run(OverlapPolicy::Flag);
        let reasons: Vec<(&str, &str)> = s
            .skipped
            .iter()
            .map(|k| (k.id.as_str(), k.reason.as_str()))
            .collect();
        assert_eq!(reasons.len(), 2);
        assert!(
            reasons[0].0 == "early" && reasons[0].1.contains("before the data begin"),
            "{reasons:?}"
        );
        assert!(
            reasons[1].0 == "late" && reasons[1].1.contains("past the last calendar date"),
            "{reasons:?}"
        );
    }

    #[test]
    fn invalid_designs_and_models_are_errors() {
        assert!(Design::new((-1, 5), (-250, 0)).is_err());
        assert!(Design::new((5, -1), (-250, -11)).is_err());
        let cal = calendar();
        let d = Design::new((-1, 5), (-4, -2)).unwrap();
        let err = study(&cal, Model::Mean, &d, &[], OverlapPolicy::Flag).unwrap_err();
        assert_eq!(
            err.to_string(),
            "estimation window has 3 days; the mean model needs at least 4"
        );
        let d = Design::new((-1, 5), (-250, -11)).unwrap();
        let err = study(&cal, Model::Market, &d, &[], OverlapPolicy::Flag).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the market model needs exactly 1 benchmark(s); 0 given"
        );
    }
}
