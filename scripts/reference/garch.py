#!/usr/bin/env python3
"""Reference fits of arch's univariate GARCH-family models and a written spec of arch's conventions.

    python3 scripts/reference/garch.py

Writes the fixtures crates/aurum-vol's tests compare with (versions: the "generated_by" line of each
file and scripts/reference/requirements.txt):

* crates/aurum-vol/tests/fixtures/arch_lbma.json: 24 fits on the LBMA PM gold returns
  (5 volatility processes x 4 distributions with a constant mean, plus zero-mean GARCH-t,
  AR(1)-GARCH-t, constant-mean GARCH(2,0,1)-normal and GARCH(1,0,2)-t).
* crates/aurum-vol/tests/fixtures/arch_simulated.json: three series simulated by arch itself
  (model.simulate, numpy PCG64 seeds), with the simulated data and arch's fit on them.

Every fit is `model.fit(disp="off")` with arch's defaults (cov_type="robust", default backcast,
default starting values, rescale=None). The script runs in about 10 s and is deterministic (two runs
give byte-identical files on one machine).

The spec below is read from arch 7.2.0's source (arch/univariate/{base,mean,volatility,distribution,
recursions_python}.py; the recursions that actually run are the compiled Cython module
arch.univariate.recursions, whose source is arch/univariate/recursions.pyx upstream; where the two
differ the compiled one is quoted). Notation: y_t the input series (percent log returns), n its
length, eps_t the residuals of the mean model, s2_t = sigma_t^2 the conditional variance,
e_t = eps_t / sqrt(s2_t) the standardised residual, theta the full parameter vector, llf the
log-likelihood. Python slice notation: a[i:j] is elements i..j-1; indices are 0-based.

==================================================================================================
0. Data
==================================================================================================

close = data/prices/gold_usd_daily_lbma_pm.csv column "close", parsed by pandas
read_csv(float_precision="round_trip") (every value is the double nearest its decimal text).
y = (100 * np.log(close).diff().dropna()), i.e. y[i] = 100 * (ln close[i+1] - ln close[i]),
i = 0..n-1, n = 14282 (multiplication by 100 after the subtraction). No rescaling happens: arch's
_check_scale only acts when var(resids) is outside [0.1, 10000) (here 1.45), and with rescale=None
it would only warn. NOTE: np.log here is numpy's SIMD log, which is not always the C library's log
(Rust's f64::ln): on the generating machine they differ by 1 ulp for close = 40.4 (1968-09-20 and
1968-09-23), so y[119] and y[121] differ from 100*(f64::ln(..)-f64::ln(..)) by 4.4e-14. Every other
return is identical. Compare with tolerances, not bits (section 10).

==================================================================================================
1. Parameter vector, sample, nobs
==================================================================================================

theta = [mean params | volatility params | distribution params], in this order; names exactly:

  mean      constant: ["mu"];  zero: [];  ar1 (ARX(y, lags=1)): ["Const", "y[1]"] (the series is
            passed as a numpy array, which arch names "y").
  volatility ConstantVariance: ["sigma2"];  GARCH(p,o,q) (also GJR) and EGARCH(p,o,q):
            ["omega", "alpha[1]".."alpha[p]", "gamma[1]".."gamma[o]", "beta[1]".."beta[q]"];
            EWMAVariance(lam=0.94): [] (lam fixed, not estimated).
  dist      normal: [];  t (StudentsT): ["nu"];  skewt (SkewStudent): ["eta", "lambda"];
            ged (GeneralizedError): ["nu"].

Sample: constant and zero means use all n observations (nobs = n = 14282). ARX(lags=1) has
hold_back = max lag = 1: the regressors are [1, y[t-1]] (statsmodels lagmat, row 0 is all zero and
is dropped), the fitted sample is t = 1..n-1, so nobs = n - 1 = 14281 and everything (residuals,
backcast, variance bounds, recursion, likelihood) starts at y[1] as if it were the first
observation. Fixture arrays indexed "by observation" (conditional_variance.every_1000 etc.) are
indexed within the fitted sample: index 0 is y[fit_start] (fit_start = 1 for ar1, 0 otherwise).

Residuals:  constant  eps_t = y_t - mu;   zero  eps_t = y_t;
            ar1       eps_t = y_t - (Const*1 + y[1]*y_{t-1})  (computed as y - X @ params).

==================================================================================================
2. What ARCHModel.fit does, in order
==================================================================================================

(a) r = resids at the mean model's starting values (OLS): constant: mu0 = pinv(ones(n,1)) @ y
    (= mean(y) up to rounding); zero: r = y; ar1: [Const0, phi0] = pinv(X) @ y on the fitted sample.
    IMPORTANT: the backcast, the variance bounds, the volatility bounds and all starting values are
    computed from THESE residuals (OLS mean), once, and kept fixed for the whole optimisation.
    They are NOT recomputed at the fitted mean. (The fixture field "backcast" is this value;
    "backcast_fitted_mean" is the backcast of the residuals at the fitted mean, which is what
    res.forecast() uses, see section 8.)
(b) backcast = volatility.backcast(r)                                  (section 3)
(c) var_bounds = volatility.variance_bounds(r)   (an nobs x 2 array)    (section 4)
(d) sv_vol = volatility.starting_values(r); s2_sv = the variance recursion at sv_vol (with the
    backcast and bounds above); std_r = r / sqrt(s2_sv);
    sv = [mean starting values (the OLS of (a)), sv_vol, distribution.starting_values(std_r)].
                                                                        (section 5)
(e) bounds = mean bounds (all (-inf, inf)) + volatility.bounds(r) + distribution.bounds(std_r);
    linear inequality constraints A @ theta - b >= 0, block diagonal over mean (none), volatility,
    distribution.                                                       (section 6)
(f) scipy.optimize.minimize(neg_llf, sv, method="SLSQP", bounds=bounds,
    constraints=[{"type": "ineq", "fun": lambda th: A[i] @ th - b[i]} for each row], tol=None,
    options={"disp": False}), i.e. SLSQP defaults: ftol = 1e-6 (on the objective, which is
    -llf ~ 2e4 here), maxiter = 100, gradient by forward differences with absolute step
    eps = sqrt(2.220446049250313e-16) = 1.4901161193847656e-08 (scipy's approx_derivative
    "2-point", step direction flipped where x+h would leave the bounds); constraint Jacobians by
    the same finite differences (exact, they are linear). scipy clips sv into the bounds first
    (nothing to clip here: the script asserts sv is inside all bounds and constraints). The
    warning "Values in x were outside bounds during a minimize step" is suppressed; a
    ConvergenceWarning is issued when opt.status != 0 (never happened in these fixtures: every
    convergence_flag is 0).
    neg_llf(theta) = -sum_t llf_t with: eps = resids(mean part of theta); s2 = recursion(vol part,
    eps, backcast, var_bounds); llf_t = distribution log density (section 7).
(g) loglik = -opt.fun (exactly the objective at opt.x; recomputing it gives the same bits);
    conditional variance = the recursion at opt.x with the SAME backcast and var_bounds;
    conditional_volatility = sqrt(s2); std_resid = eps / sqrt(s2).
(h) AIC = -2*loglik + 2*k;  BIC = -2*loglik + ln(nobs)*k;  k = len(theta) (all estimated parameters,
    mean + volatility + distribution; EWMA's fixed lam is not counted).
(i) Exception, closed form: ConstantMean (or any HARX) + ConstantVariance + Normal is not optimised
    (case "constant-constant-normal"): X = regressors, mu = pinv(X) @ y, e = y - X @ mu,
    sigma2 = e @ e / nobs, params = [mu, sigma2], loglik = -0.5*nobs*ln(2*pi) - 0.5*nobs*ln(sigma2)
    - 0.5*nobs, convergence_flag = 0; covariance in section 9. (fix(params) recomputes the same
    loglik as a sum of per-observation normal densities; equal here, to ~1e-15 relative in general.)

res.model.fix(params) (fixture "fixed_loglik") repeats (a)-(c) and evaluates neg_llf once, so it
reproduces loglik exactly. A Rust implementation should reproduce fixed_loglik from the fixture's
params to ~1e-12 relative; that is the sharpest test of recursion + likelihood + backcast.

==================================================================================================
3. Backcast (the pre-sample value used wherever the recursion needs t-1-j < 0)
==================================================================================================

tau = min(75, nobs);  w_i = 0.94**i / W, i = 0..tau-1, W = sum_i 0.94**i.
  GARCH (power 2), GJR, EWMA (base class):  backcast = sum_{i<tau} w_i * |r_i|^2      (= r_i^2)
  EGARCH:  backcast = ln( sum_{i<tau} w_i * r_i^2 )   (the log of the same number; it enters the
           recursion as a pre-sample ln sigma^2)
  ConstantVariance: backcast = var(r) = mean((r - mean(r))^2) (ddof 0; unused by its "recursion").
Implementation detail (bit level only): w = 0.94 ** np.arange(tau) (numpy's pow), W is Python's
builtin sum over w (left to right), w = w / W, then np.sum(r[:tau]**2 * w) (numpy pairwise sum).

==================================================================================================
4. Variance bounds and clipping
==================================================================================================

variance_bounds(r) (VolatilityProcess, used by GARCH/GJR (power 2) and EGARCH; ConstantVariance and
EWMA compute them but ignore them):
  tau = min(75, nobs); w as in section 3; v0 = w @ r[:tau]**2 (BLAS dot; the GARCH backcast's
         quantity, possibly differing from it in the last bit)
  vb_t = EWMA(0.94) of r^2 started at v0:  vb_0 = 0.06000000000000005*v0 + 0.94*v0,
         vb_t = 0.06000000000000005*r_{t-1}^2 + 0.94*vb_{t-1}   (1 - 0.94 in doubles; evaluated as
         ((0 + (1-lam)*x) + lam*vb) by the GARCH recursion code, no clipping)
  lower_t = vb_t / 1e6, upper_t = vb_t * 1e6; then with V = var(r) (ddof 0) and M = max_t r_t^2:
  lower_t = V / 1e8        where lower_t < V / 1e8
  upper_t = 1 + M          where upper_t < 1 + M
  upper_t = 1e7 * (1 + M)  where upper_t > 1e7 * (1 + M)
(the bounds are on sigma^2 for power 2; for other powers they would be raised to power/2.)

GARCH/GJR clipping after each step (bounds_check, applied to s2_t before it is used at t+1):
  if s2_t < lower_t:           s2_t = lower_t
  elif s2_t > upper_t:         s2_t = upper_t + 1000            if s2_t > DBL_MAX (inf)
                               s2_t = upper_t + ln(s2_t / upper_t) otherwise
EGARCH clipping: see section 5. None of the 24 LBMA fits touches a variance bound at the optimum
(fixture variance_bounds.clipped_count is all zero), but the optimiser's trial points and
the numerical derivatives may.

==================================================================================================
5. Variance recursions and starting values
==================================================================================================

GARCH(p, o, q), power 2 (arch "GARCH" with o = 0, "GJR-GARCH" with o > 0), for t = 0..nobs-1,
accumulated in exactly this order (each += is one floating-point addition):
  s2_t  = omega
  for j = 0..p-1:  s2_t += alpha[j+1] * (backcast           if t-1-j < 0 else eps_{t-1-j}^2)
  for j = 0..o-1:  s2_t += gamma[j+1] * 0.5 * backcast       if t-1-j < 0     [(gamma*0.5)*backcast]
                   s2_t += gamma[j+1] * eps_{t-1-j}^2 * I(eps_{t-1-j} < 0)  otherwise
                                                            [(gamma*eps^2)*1.0 or *0.0]
  for j = 0..q-1:  s2_t += beta[j+1]  * (backcast           if t-1-j < 0 else s2_{t-1-j})
  s2_t = bounds_check(s2_t, lower_t, upper_t)
So gamma[j] multiplies the squared residual at lag j (same lag as alpha[j]) when that residual is
strictly negative (a zero residual gets no gamma term); pre-sample terms use the backcast, with half
of it for the gamma terms. eps^2 is |eps|**2.0 (numpy squares exactly); s2 is then raised to
2/power = 1.0 (a no-op).

EGARCH(p, o, q) (fitted here with p = o = q = 1):
  ln s2_t = omega
  for j = 0..p-1:  if t-1-j >= 0: ln s2_t += alpha[j+1] * (|e_{t-1-j}| - SQRT2_OV_PI)
  for j = 0..o-1:  if t-1-j >= 0: ln s2_t += gamma[j+1] * e_{t-1-j}
  for j = 0..q-1:  ln s2_t += beta[j+1] * (backcast if t-1-j < 0 else ln s2_{t-1-j})
  (pre-sample alpha and gamma terms are simply omitted, i.e. taken at their mean 0; the beta term
  uses the LOG backcast of section 3)
  if ln s2_t > LNSIGMA_MAX: ln s2_t = LNSIGMA_MAX, LNSIGMA_MAX = ln(DBL_MAX) = 709.782712893384
      (compiled module; the pure-Python fallback uses ln(DBL_MAX) - 0.1, irrelevant here)
  s2_t = exp(ln s2_t)
  if s2_t < lower_t:   s2_t = lower_t;  ln s2_t = ln(s2_t)
  elif s2_t > upper_t: s2_t = upper_t + ln(s2_t) - ln(upper_t);  ln s2_t = ln(s2_t)
  e_t = eps_t / sqrt(s2_t);  |e_t| = fabs(e_t)
  SQRT2_OV_PI = sqrt(2/pi) = 0.7978845608028654 (the double nearest), E|z| of a STANDARD NORMAL,
  used for every distribution (arch does not substitute E|z| of the t, skew-t or GED).
  The lagged ln s2 that feeds t+1 is the clipped one.

ConstantVariance: s2_t = sigma2 for all t (no bounds applied).

EWMAVariance(lam = 0.94), no parameters: computed by the GARCH(1,0,1) code with
  [omega, alpha, beta] = [0.0, 1 - lam, lam] = [0.0, 0.06000000000000005, 0.94], the backcast of
  section 3, and bounds [-1, 1.7e308] (no clipping):
  s2_0 = 0.0 + 0.06000000000000005*backcast + 0.94*backcast
  s2_t = 0.0 + 0.06000000000000005*eps_{t-1}^2 + 0.94*s2_{t-1}
  The EWMA models still estimate the mean and the distribution parameters by SLSQP.

Starting values (all from the OLS residuals r of section 2a):
  GARCH/GJR: target = mean(|r|^2) (the power-2 rescaling factor is exactly 1). Candidate grid, in
    itertools.product order (alpha outermost, then gamma, then agb innermost):
      alpha in [0.01, 0.05, 0.1, 0.2], gamma in [0.01, 0.05, 0.1, 0.2], agb in [0.5, 0.7, 0.9, 0.98]
    each candidate: omega = (1 - agb)*target; alpha[1..p] = alpha/p; rem = agb - alpha (if p > 0);
      gamma[1..o] = gamma/o and rem -= gamma/2 (if o > 0); beta[1..q] = rem/q (if q > 0).
    Each candidate is scored by the NORMAL log-likelihood of r (no mean parameter) with the
    backcast and variance bounds above; the first candidate with the largest value wins (np.argmax;
    with o = 0 the gamma loop repeats candidates, ties go to the first).
  EGARCH: target = ln(mean(r^2)); grid product(alpha in [0.01, 0.05, 0.1, 0.2],
    gamma in [-0.1, 0.0, 0.1], beta in [0.5, 0.7, 0.9, 0.98]); candidate
    [(1 - beta)*target, alpha/p (x p), gamma/o (x o), beta/q (x q)]; scored and chosen the same way.
  ConstantVariance: [var(r)] (ddof 0).  EWMA: none.
  Distribution (from std_r = r / sqrt(s2 at sv_vol)):
    t:     k = scipy.stats.kurtosis(std_r, fisher=False) (biased: m4 / m2^2, central moments
           about the sample mean); nu0 = max((4k - 6)/(k - 3) if k > 3.75 else 12.0, 4.0)
    skewt: [nu0 (same formula), 0.0];   ged: [1.5];   normal: none.
  The fixture stores the resulting vector ("starting_values").

==================================================================================================
6. Parameter bounds and linear constraints (SLSQP)
==================================================================================================

Bounds (r = OLS residuals, std_r as in section 5):
  mean params: (-inf, inf)  (fixture: null)
  GARCH/GJR: v = mean(|r|^2):  omega in [1e-8*v, 10*v];  alpha_i in [0, 1];
             gamma_j in [-1, 2] if j <= p (1-based) else [0, 2];  beta_k in [0, 1]
  EGARCH:    v = mean(r^2):  omega in [ln v - ln 10000, ln v + ln 10000];  alpha, gamma in
             (-inf, inf);  beta_k in [0, q]
  ConstantVariance: sigma2 in [var(r)/1e5, 10*(var(r) + mean(r)^2)]
  t: nu in [2.05, 500];  skewt: eta in [2.05, 300], lambda in [-1, 1];  ged: nu in [1.01, 500]
Linear constraints A @ theta - b >= 0 (the fixture lists them per case, e.g. "+alpha[1] >= 0"):
  GARCH/GJR: omega >= 0; alpha_i >= 0; for gamma_j: alpha_j + gamma_j >= 0 if j <= p, else
             gamma_j >= 0; beta_k >= 0; and stationarity
             1 - sum(alpha) - 0.5*sum(gamma) - sum(beta) >= 0
  EGARCH:    1 - sum(beta) >= 0
  ConstantVariance: sigma2 >= 0.   EWMA: none.
  t: nu - 2.05 >= 0, 500 - nu >= 0;  skewt: eta - 2.05 >= 0, 300 - eta >= 0, lambda + 1 >= 0,
  1 - lambda >= 0;  ged: nu - 1.01 >= 0, 500 - nu >= 0.
SLSQP satisfies constraints only to its tolerance: fitted GARCH/GJR persistences here are
1 +- 1e-6 (slightly above 1 in several cases; see "persistence" and "active_at_optimum").

==================================================================================================
7. Log-likelihoods (per observation llf_t; the total is np.sum, i.e. numpy pairwise summation)
==================================================================================================

Normal:   llf_t = -0.5 * (ln(2*pi) + ln s2_t + eps_t^2 / s2_t)
StudentsT (standardised to unit variance, nu > 2):
  llf_t = lnG((nu+1)/2) - lnG(nu/2) - ln(pi*(nu-2))/2 - 0.5*ln s2_t
          - ((nu+1)/2) * ln(1 + eps_t^2 / (s2_t*(nu-2)))
  (lnG = scipy.special.gammaln; evaluated in that order: the constant first, then the two
  subtractions)
SkewStudent (Hansen 1994), parameters eta (tails, 2 < eta) and lambda (skew, -1 < lambda < 1):
  lnc = lnG((eta+1)/2) - lnG(eta/2) - ln(pi*(eta-2))/2          (ln of Hansen's c)
  a   = 4 * lambda * exp(lnc) * (eta-2) / (eta-1)
  b   = (1 + 3*lambda^2 - a^2) ** 0.5
  z_t = eps_t / s2_t ** 0.5
  if |lambda| >= 1: lambda = sign(lambda)*(1 - 1e-6)  (only in the next line; a, b keep the
                                                       unclipped lambda)
  llf_t = ln b + lnc - ln(s2_t)/2
          - ((eta+1)/2) * ln(1 + ((b*z_t + a) / (1 + sign(z_t + a/b)*lambda))^2 / (eta-2))
  (np.sign: sign(0) = 0, so z_t = -a/b exactly uses denominator 1.)
GeneralizedError (unit variance), shape nu:
  lnc = 0.5 * (-2/nu * ln 2 + lnG(1/nu) - lnG(3/nu));  c = exp(lnc)
  llf_t = ln nu - lnc - lnG(1/nu) - (1 + 1/nu)*ln 2 - 0.5*ln s2_t
          - 0.5 * |eps_t / (sqrt(s2_t) * c)| ** nu
loglik = sum_t llf_t over the fitted sample.

==================================================================================================
8. Forecasts (fixture "forecast", res.forecast(horizon=h, reindex=False), last row)
==================================================================================================

Origin = last observation T (start = nobs-1 of the fitted sample). arch's forecast() RE-DERIVES its
inputs at the fitted parameters: eps = residuals at the fitted mean (not the OLS ones),
backcast = volatility.backcast(eps) ("backcast_fitted_mean" in the fixture), variance bounds =
variance_bounds(eps). It then runs the recursion over nobs+1 points with eps_{T+1} := 0 appended and
bounds [0, inf] for the appended point, so
s2_{T+1|T} = omega + alpha*eps_T^2 + gamma*eps_T^2*I(eps_T<0) + beta*s2_T (generally p, o, q lags),
unclipped. (The different backcast changes s2_t only by
~beta^t * diff, i.e. nothing at t = T.)
  GARCH/GJR, analytic, h = 1..H (horizon 10): f_h = omega + sum_j alpha_j*R_{h-j}^2
    + sum_j gamma_j*A_{h-j}^2 + sum_j beta_j*S_{h-j}, where for lags that fall at or before T the
    actual eps, eps*I(eps<0) and s2 are used, and for forecast lags R_{k} = sqrt(f_k),
    A_{k} = sqrt(0.5*f_k), S_k = f_k. (So for GARCH(1,1): f_h = omega + (alpha + gamma/2 + beta) *
    f_{h-1} for h >= 2, but computed literally as alpha*sqrt(f)^2 + gamma*sqrt(0.5 f)^2 + beta*f.)
    f_1 is recomputed this way from eps_T and s2_T (same value as the extended recursion).
  EGARCH: only h = 1 is analytic (fixture horizon 1): the extended recursion's last value.
  EWMA: f_h = s2_{T+1|T} (the extended recursion's last value) for every h.
  ConstantVariance: f_h = sigma2.
"residual_variance" is that variance forecast; "variance" = the forecast variance of y, equal to it
except for the AR(1) mean: variance_h = sum_{i=0}^{h-1} psi_i^2 * residual_variance_{h-i},
psi_i = phi^i (impulse response of the AR part). "mean": constant mu; zero 0; AR(1)
m_h = Const + phi*m_{h-1}, m_0 = y_T.

==================================================================================================
9. Standard errors (std_err = robust, std_err_classic = cov_type="classic")
==================================================================================================

Numerical (every case except the closed form), ARCHModel.compute_param_cov at the fitted theta,
with the fit's backcast (section 2a) and variance bounds recomputed from the OLS residuals (same
numbers): f(theta) = neg_llf(theta) (the SUM), f_t(theta) = -llf_t(theta).
  H = statsmodels approx_hess3(theta, f):  h_i = EPS**(1/4) * max(|theta_i|, 0.1),
      EPS = 2.220446049250313e-16 (so EPS**(1/4) = 1.220703125e-04); e_i = h_i * unit vector;
      H_ij = [f(th + e_i + e_j) - f(th + e_i - e_j) - (f(th - e_i + e_j) - f(th - e_i - e_j))]
             / (4 * h_i * h_j)     for i <= j, mirrored (the diagonal thus uses steps of 2*h_i)
  H /= nobs;  Hinv = inv(H)
  classic: cov = Hinv / nobs
  robust:  G = approx_fprime(theta, f_t) (forward differences, one column per parameter):
      g_i = EPS**(1/2) * max(|theta_i|, 0.1), G[t, i] = (f_t(th + g_i*unit_i) - f_t(th)) / g_i;
      S = np.cov(G.T) (demeaned, divisor nobs - 1);  cov = Hinv @ S @ Hinv / nobs
  std_err = sqrt(diag(cov)). The difference points are not kept inside bounds or constraints
  (e.g. alpha + beta > 1 and alpha[2] < 0 are evaluated as is).
Closed form (constant-constant-normal), with X the regressor column of ones, e the residuals,
sigma2 = e @ e / nobs:  H = blockdiag(-(X'X/nobs)^-1, -1);
  classic: cov = blockdiag(sigma2*(X'X/nobs)^-1, 2*sigma2^2) / nobs
  robust:  scores_t = [x_t*e_t, e_t^2 - sigma2];  S = scores' scores / nobs (NOT demeaned, divisor
           nobs); cov = H @ S @ H / nobs.
Caveat: the finite-difference Hessian is only as good as the smoothness of f. EGARCH's |e| has a
kink where a residual crosses zero, and the GED's |eps|^nu with nu near 1 nearly has one, so the
Hessian's mu entry depends on the step (with one simulated EGARCH series it even made a variance
negative, see SIM_CASES). In the LBMA constant-ged fit (nu at its lower bound 1.01, nearly Laplace;
the data hold 287 zero returns) the central second difference of f in mu is 2.8e4 with step 1e-3,
1.3e5 with 2.44e-5 (the step approx_hess3 uses) and 5.8e5 with 1e-6, so its SE(mu), robust 0.0012
vs classic 0.0028, are artefacts of the step size. Reproduce arch's numbers with the same steps AT
arch's parameters.

==================================================================================================
10. Numerics and recommended comparison tolerances
==================================================================================================

Reductions in arch/numpy: np.sum/np.mean/np.var use numpy's pairwise summation (blocks of <= 128
summed with 8 interleaved accumulators combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then the
remainder; longer arrays split at n/2 rounded down to a multiple of 8); dot products go to BLAS;
np.log/np.exp/np.power on arrays use numpy's SIMD kernels, which can differ by 1 ulp from libm
(sections 0 and 3). Bit-identical results are therefore not a goal. Suggested tolerances:
  returns, backcast, variance bounds, conditional variances at the fixture's params,
  fixed_loglik, loglik_obs_*, aic/bic from the fixture's loglik:    1e-12 relative (or better)
  std errors recomputed with the section-9 steps at the fixture's params:   ~1e-6 relative
  a Rust optimiser's own optimum: arch's SLSQP stops at ftol = 1e-6 on -llf ~ 2e4, and most
  GARCH/GJR optima sit on the stationarity constraint, so arch's params are accurate only to
  ~1e-4 (more in flat directions such as nu, eta); expect loglik_rust >= loglik - 1e-5 or so and
  params within ~1e-3 absolute; do not expect arch's digits.
Fixture sums ("sum_returns", "conditional_variance.sum", "data_sum") are math.fsum (correctly
rounded), so they do not depend on a summation order.

==================================================================================================
11. Simulation (arch_simulated.json)
==================================================================================================

ConstantMean(volatility=..., distribution=Dist(seed=SEED)).simulate(true_params, nobs=5000,
burn=500): Dist(seed=int) draws from numpy.random.default_rng(SEED) (PCG64). The volatility's
simulate is asked for nobs + burn = 5500 values with its own burn of 500, so it draws
nobs + 2*burn = 6000 innovations, drops the first 500, and the mean model drops 500 more.
GARCH/GJR start at the unconditional value omega / (1 - sum(alpha) - 0.5*sum(gamma) - sum(beta));
EGARCH at ln s2 = omega / (1 - sum(beta)) and, in simulation, uses the raw innovations z (not
eps/sigma) with E|z| = sqrt(2/pi) and no variance bounds. Innovations: t = standard_t(nu) /
sqrt(nu/(nu-2)); skewt = Hansen's ppf applied to uniforms; normal = standard_normal. data = mu +
eps. The Rust side cannot reproduce numpy's generator; the fixture therefore stores the 5000 values
("data", full precision) and arch's fit on them (params, loglik, fixed_loglik, std_err,
std_err_classic, backcast).

==================================================================================================
12. Fixture fields (arch_lbma.json, per case)
==================================================================================================

name "<mean>-<vol>-<dist>" (vol "garch201"/"garch102" for GARCH(2,0,1)/(1,0,2)); mean, vol, p, o, q
(0, 0, 0 for constant and ewma), dist; param_names, params; loglik (res.loglikelihood);
fixed_loglik (model.fix(params).loglikelihood); aic, bic, nobs, fit_start; std_err (robust),
std_err_classic and classic_fit {params, loglik} (second fit with cov_type="classic": same optimum,
checked bit for bit); convergence_flag; closed_form; optimizer {message, nit, nfev} (not for the
closed form); warnings (every warning raised while fitting or computing the covariance; empty in all
cases); starting_values, bounds (null = infinite), constraints (text) and active_at_optimum
(bounds/constraints with slack <= 1e-6); persistence (GARCH/GJR: sum(alpha) + 0.5*sum(gamma) +
sum(beta); EGARCH: sum(beta)); backcast (the value fit used, section 2a), backcast_fitted_mean
(section 8); variance_bounds {first 3 rows, last 3 rows, used_by_recursion, clipped_count};
conditional_variance {first 10, last 10, sum (fsum), every_1000 (s2 at fitted-sample index 0, 1000,
...)}; loglik_obs_first/last (5 per-observation llf_t); resid_last, std_resid_last (5 each);
forecast {horizon, variance, residual_variance, mean}.
"""
from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
import statsmodels

with warnings.catch_warnings():
    # arch warns at import that numba is missing; the compiled Cython recursions
    # (arch.univariate.recursions) are used regardless (checked in main()).
    warnings.simplefilter("ignore")
    import arch
    from arch.univariate import (
        ARX,
        EGARCH,
        GARCH,
        ConstantMean,
        ConstantVariance,
        EWMAVariance,
        GeneralizedError,
        Normal,
        SkewStudent,
        StudentsT,
        ZeroMean,
    )
    from arch.univariate import volatility as arch_volatility

ROOT = Path(__file__).resolve().parents[2]
DATA_REL = "data/prices/gold_usd_daily_lbma_pm.csv"
DATA = ROOT / DATA_REL
OUT_DIR = ROOT / "crates" / "aurum-vol" / "tests" / "fixtures"
OUT_LBMA = OUT_DIR / "arch_lbma.json"
OUT_SIM = OUT_DIR / "arch_simulated.json"

VOLS = ("constant", "garch", "gjr", "egarch", "ewma")
DISTS = ("normal", "t", "skewt", "ged")
# (mean, vol, p, o, q, dist) of the extra LBMA cases.
EXTRA_CASES = (
    ("zero", "garch", 1, 0, 1, "t"),
    ("ar1", "garch", 1, 0, 1, "t"),
    ("constant", "garch", 2, 0, 1, "normal"),
    ("constant", "garch", 1, 0, 2, "t"),
)
EWMA_LAM = 0.94
FORECAST_HORIZON = 10
# Relative slack below which a parameter bound or linear constraint is reported as active.
ACTIVE_TOL = 1e-6

SIM_NOBS = 5000
SIM_BURN = 500
SIM_CASES = (
    {
        "name": "constant-garch-t",
        "mean": "constant", "vol": "garch", "p": 1, "o": 0, "q": 1, "dist": "t",
        "seed": 20250101,
        "true_params": [0.05, 0.02, 0.08, 0.9, 6.0],
    },
    {
        "name": "constant-gjr-normal",
        "mean": "constant", "vol": "gjr", "p": 1, "o": 1, "q": 1, "dist": "normal",
        "seed": 20250102,
        "true_params": [0.03, 0.03, 0.04, 0.08, 0.88],
    },
    {
        "name": "constant-egarch-skewt",
        "mean": "constant", "vol": "egarch", "p": 1, "o": 1, "q": 1, "dist": "skewt",
        # 20250103 was tried first: arch's classic covariance of that fit has a negative
        # variance for mu (numerical Hessian not positive definite, see the notes above), so
        # std_err_classic[mu] was NaN; the next seed gives a well-behaved fit.
        "seed": 20250104,
        "true_params": [0.0, 0.0, 0.15, -0.05, 0.97, 8.0, -0.1],
    },
)


# ---------------------------------------------------------------------------------------
# Data


def load_returns() -> np.ndarray:
    df = pd.read_csv(DATA, float_precision="round_trip")
    assert list(df.columns) == ["date", "close", "source"], df.columns
    assert df["close"].notna().all() and (df["close"] > 0).all()
    assert pd.to_datetime(df["date"]).is_monotonic_increasing
    y = (100 * np.log(df["close"]).diff().dropna()).to_numpy(dtype=np.float64)
    assert y.shape[0] == df.shape[0] - 1
    assert np.all(np.isfinite(y))
    return y


# ---------------------------------------------------------------------------------------
# Model construction


def make_volatility(vol: str, p: int, o: int, q: int):
    if vol == "constant":
        return ConstantVariance()
    if vol == "garch":
        assert o == 0
        return GARCH(p=p, o=0, q=q)
    if vol == "gjr":
        assert o >= 1
        return GARCH(p=p, o=o, q=q)
    if vol == "egarch":
        return EGARCH(p=p, o=o, q=q)
    if vol == "ewma":
        return EWMAVariance(lam=EWMA_LAM)
    raise ValueError(vol)


def make_distribution(dist: str, seed: int | None = None):
    kwargs = {} if seed is None else {"seed": seed}
    return {"normal": Normal, "t": StudentsT, "skewt": SkewStudent,
            "ged": GeneralizedError}[dist](**kwargs)


def make_model(y, mean: str, vol: str, p: int, o: int, q: int, dist: str,
               seed: int | None = None):
    """Same objects arch_model() builds (arch_model has no EWMA, hence the classes)."""
    v = make_volatility(vol, p, o, q)
    d = make_distribution(dist, seed)
    if mean == "constant":
        return ConstantMean(y, volatility=v, distribution=d)
    if mean == "zero":
        return ZeroMean(y, volatility=v, distribution=d)
    if mean == "ar1":
        return ARX(y, lags=1, volatility=v, distribution=d)
    raise ValueError(mean)


def pqo(vol: str, p: int, o: int, q: int) -> tuple[int, int, int]:
    if vol in ("constant", "ewma"):
        return 0, 0, 0
    return p, o, q


def case_name(mean, vol, p, o, q, dist) -> str:
    base = {"garch": (1, 0, 1), "gjr": (1, 1, 1), "egarch": (1, 1, 1)}.get(vol)
    vname = vol
    if base is not None and (p, o, q) != base:
        vname = f"{vol}{p}{o}{q}"
    return f"{mean}-{vname}-{dist}"


# ---------------------------------------------------------------------------------------
# Helpers


def flist(a) -> list[float]:
    return [float(x) for x in np.asarray(a, dtype=np.float64).ravel()]


def fnum(x) -> float | None:
    """JSON number; +-inf (unbounded parameter) becomes null."""
    x = float(x)
    return None if math.isinf(x) else x


def fit_quiet(model, **kwargs):
    """model.fit(disp="off", **kwargs), collecting every warning raised while fitting."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = model.fit(disp="off", **kwargs)
        # param_cov is computed lazily (numerical Hessian and scores); its warnings count too.
        se = np.asarray(res.std_err, dtype=np.float64)
    msgs = sorted({f"{w.category.__name__}: {str(w.message).strip().splitlines()[0]}"
                   for w in caught})
    return res, se, msgs


def stationarity_note(vol: str, names: list[str], params: np.ndarray) -> dict | None:
    """Persistence of the fitted process: GARCH sum(alpha)+0.5 sum(gamma)+sum(beta); EGARCH
    sum(beta)."""
    pd_ = dict(zip(names, params))
    if vol in ("garch", "gjr"):
        s = (sum(v for k, v in pd_.items() if k.startswith("alpha["))
             + 0.5 * sum(v for k, v in pd_.items() if k.startswith("gamma["))
             + sum(v for k, v in pd_.items() if k.startswith("beta[")))
        return {"expr": "sum(alpha)+0.5*sum(gamma)+sum(beta)", "value": float(s)}
    if vol == "egarch":
        s = sum(v for k, v in pd_.items() if k.startswith("beta["))
        return {"expr": "sum(beta)", "value": float(s)}
    return None


def constraint_matrices(m) -> tuple[np.ndarray, np.ndarray]:
    """The stacked linear inequality constraints a @ x - b >= 0 exactly as ARCHModel.fit builds
    them (block-diagonal: mean, volatility, distribution)."""
    v, d = m.volatility, m.distribution
    offsets = np.array((m.num_params, v.num_params, d.num_params), dtype=int)
    blocks = (m.constraints(), v.constraints(), d.constraints())
    n_rows = [c[0].shape[0] for c in blocks]
    a = np.zeros((sum(n_rows), int(offsets.sum())))
    b = np.zeros(sum(n_rows))
    r0 = c0 = 0
    for (ca, cb), nr, nc in zip(blocks, n_rows, offsets):
        if nr > 0:
            a[r0:r0 + nr, c0:c0 + nc] = ca
            b[r0:r0 + nr] = cb
        r0 += nr
        c0 += nc
    return a, b


def describe_row(row: np.ndarray, bval: float, names: list[str]) -> str:
    terms = []
    for coef, name in zip(row, names):
        if coef == 0:
            continue
        if coef == 1:
            terms.append(f"+{name}")
        elif coef == -1:
            terms.append(f"-{name}")
        else:
            terms.append(f"{coef:+g}*{name}")
    return " ".join(terms) + f" >= {bval:g}"


# ---------------------------------------------------------------------------------------
# One LBMA case


def run_case(y: np.ndarray, mean: str, vol: str, p: int, o: int, q: int, dist: str) -> dict:
    p, o, q = pqo(vol, p, o, q)
    name = case_name(mean, vol, p, o, q, dist)
    model = make_model(y, mean, vol, p, o, q, dist)
    res, se, warns = fit_quiet(model)
    m = res.model  # the deep copy arch stores with the result: fitted state (_backcast, ...)
    names = list(res.params.index)
    params = np.asarray(res.params, dtype=np.float64)
    closed_form = isinstance(m.volatility, ConstantVariance) and dist == "normal"

    # classic (non-robust) covariance: a second fit with cov_type="classic".
    model_c = make_model(y, mean, vol, p, o, q, dist)
    res_c, se_c, warns_c = fit_quiet(model_c, cov_type="classic")
    params_c = np.asarray(res_c.params, dtype=np.float64)
    assert np.array_equal(params_c, params), (name, params, params_c)
    assert res_c.loglikelihood == res.loglikelihood
    # ... and the same thing computed on the first fit's model at the same parameters.
    if not closed_form:
        se_c2 = np.sqrt(np.diag(m.compute_param_cov(params, robust=False)))
        assert np.allclose(se_c2, se_c, rtol=1e-12, atol=0), (name, se_c, se_c2)

    # Residuals at the starting values of the mean (OLS): arch's backcast, variance bounds,
    # bounds and starting values are all built from these, not from the fitted mean.
    sv_mean = np.asarray(m.starting_values(), dtype=np.float64)
    sv_resids = np.asarray(m.resids(sv_mean), dtype=np.float64)
    v, d = m.volatility, m.distribution
    backcast = v.backcast(sv_resids)
    var_bounds = v.variance_bounds(sv_resids)
    if not closed_form:
        assert m._backcast == backcast, (name, m._backcast, backcast)
        assert np.array_equal(m._var_bounds, var_bounds)
    mp, vp, dp = m._parse_parameters(params)
    resids = np.asarray(m.resids(mp), dtype=np.float64)
    nobs = resids.shape[0]
    assert nobs == res.nobs
    fs, fe = res.fit_start, res.fit_stop
    assert fe - fs == nobs

    if closed_form:
        sigma2 = np.full(nobs, params[-1])
    else:
        sigma2 = np.zeros(nobs)
        v.compute_variance(vp, resids, sigma2, backcast, var_bounds)
    cond_vol = np.asarray(res.conditional_volatility, dtype=np.float64)[fs:fe]
    assert np.array_equal(np.sqrt(sigma2), cond_vol), name
    lls = np.asarray(d.loglikelihood(dp, resids, sigma2, individual=True), dtype=np.float64)
    assert math.isclose(float(np.sum(lls)), res.loglikelihood, rel_tol=1e-13), name
    if not closed_form:
        # SLSQP returns -fun at opt.x; recomputing the objective there gives the same bits.
        assert float(np.sum(lls)) == res.loglikelihood, name

    # fix(): arch's own log-likelihood at the fitted parameters (same backcast/bounds).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fixed = make_model(y, mean, vol, p, o, q, dist).fix(params)
    fixed_loglik = float(fixed.loglikelihood)
    assert math.isclose(fixed_loglik, res.loglikelihood, rel_tol=1e-13), name

    # Variance actually clipped by the bounds anywhere on the fitted path?
    if vol in ("ewma", "constant"):
        clipped = {"lower": 0, "upper": 0}
    else:
        clipped = {"lower": int(np.sum(sigma2 <= var_bounds[:, 0])),
                   "upper": int(np.sum(sigma2 >= var_bounds[:, 1]))}

    std_resid = np.asarray(res.std_resid, dtype=np.float64)[fs:fe]
    assert np.array_equal(std_resid, resids / np.sqrt(sigma2))

    case: dict = {
        "name": name,
        "mean": mean,
        "vol": vol,
        "p": p,
        "o": o,
        "q": q,
        "dist": dist,
        "param_names": names,
        "params": flist(params),
        "loglik": float(res.loglikelihood),
        "fixed_loglik": fixed_loglik,
        "aic": float(res.aic),
        "bic": float(res.bic),
        "nobs": int(res.nobs),
        "fit_start": int(fs),
        "std_err": flist(se),
        "std_err_classic": flist(se_c),
        "classic_fit": {"params": flist(params_c), "loglik": float(res_c.loglikelihood)},
        "convergence_flag": int(res.convergence_flag),
        "closed_form": bool(closed_form),
    }
    if not closed_form:
        opt = res.optimization_result
        case["optimizer"] = {"message": str(opt.message), "nit": int(opt.nit),
                             "nfev": int(opt.nfev)}
    case["warnings"] = sorted(set(warns) | set(warns_c))

    # Starting values, bounds and constraints exactly as fit() built them.
    if not closed_form:
        sv_vol = np.asarray(v.starting_values(sv_resids), dtype=np.float64)
        s2_sv = np.zeros(nobs)
        v.compute_variance(sv_vol, sv_resids, s2_sv, backcast, var_bounds)
        std_sv = sv_resids / np.sqrt(s2_sv)
        sv_dist = np.asarray(d.starting_values(std_sv), dtype=np.float64)
        sv = np.hstack([sv_mean, sv_vol, sv_dist])
        bounds = list(m.bounds()) + list(v.bounds(sv_resids)) + list(d.bounds(std_sv))
        a, b = constraint_matrices(m)
        # scipy would clip sv into the bounds; make sure there is nothing to clip.
        assert all(lo <= x <= hi for x, (lo, hi) in zip(sv, bounds)), (name, sv, bounds)
        assert np.all(a @ sv - b >= 0), (name, sv)
        case["starting_values"] = flist(sv)
        case["bounds"] = [[fnum(lo), fnum(hi)] for lo, hi in bounds]
        case["constraints"] = [describe_row(a[i], b[i], names) for i in range(a.shape[0])]
        active = []
        for nm, x, (lo, hi) in zip(names, params, bounds):
            for side, bv in (("lower", lo), ("upper", hi)):
                if math.isfinite(bv) and abs(x - bv) <= ACTIVE_TOL * max(1.0, abs(bv)):
                    active.append(f"{nm} at {side} bound {float(bv)!r} (value {float(x)!r})")
        slack = a @ params - b
        for i in range(a.shape[0]):
            if slack[i] <= ACTIVE_TOL:
                active.append(f"constraint {describe_row(a[i], b[i], names)} active "
                              f"(slack {slack[i]:.3e})")
        case["active_at_optimum"] = active
    persistence = stationarity_note(vol, names, params)
    if persistence is not None:
        case["persistence"] = persistence

    case["backcast"] = float(backcast)
    case["backcast_fitted_mean"] = float(v.backcast(resids))
    case["variance_bounds"] = {
        "first": [flist(r) for r in var_bounds[:3]],
        "last": [flist(r) for r in var_bounds[-3:]],
        "used_by_recursion": vol in ("garch", "gjr", "egarch"),
        "clipped_count": clipped,
    }
    case["conditional_variance"] = {
        "first": flist(sigma2[:10]),
        "last": flist(sigma2[-10:]),
        "sum": math.fsum(sigma2),
        "every_1000": flist(sigma2[::1000]),
    }
    case["loglik_obs_first"] = flist(lls[:5])
    case["loglik_obs_last"] = flist(lls[-5:])
    case["resid_last"] = flist(resids[-5:])
    case["std_resid_last"] = flist(std_resid[-5:])

    horizon = 1 if vol == "egarch" else FORECAST_HORIZON
    fc = res.forecast(horizon=horizon, reindex=False)
    case["forecast"] = {
        "horizon": horizon,
        "variance": flist(fc.variance.values[-1]),
        "residual_variance": flist(fc.residual_variance.values[-1]),
        "mean": flist(fc.mean.values[-1]),
    }
    return case


# ---------------------------------------------------------------------------------------
# Simulated series


def run_sim_case(spec: dict) -> dict:
    mean, vol, p, o, q, dist = (spec[k] for k in ("mean", "vol", "p", "o", "q", "dist"))
    sim_model = make_model(None, mean, vol, p, o, q, dist, seed=spec["seed"])
    names = sim_model._all_parameter_names()
    true_params = np.asarray(spec["true_params"], dtype=np.float64)
    sim = sim_model.simulate(true_params, nobs=SIM_NOBS, burn=SIM_BURN)
    data = np.asarray(sim["data"], dtype=np.float64)
    assert data.shape == (SIM_NOBS,) and np.all(np.isfinite(data))

    model = make_model(data, mean, vol, p, o, q, dist)
    res, se, warns = fit_quiet(model)
    model_c = make_model(data, mean, vol, p, o, q, dist)
    res_c, se_c, warns_c = fit_quiet(model_c, cov_type="classic")
    assert np.array_equal(np.asarray(res_c.params), np.asarray(res.params))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fixed = make_model(data, mean, vol, p, o, q, dist).fix(np.asarray(res.params))
    m = res.model
    return {
        "name": spec["name"],
        "mean": mean,
        "vol": vol,
        "p": p,
        "o": o,
        "q": q,
        "dist": dist,
        "seed": spec["seed"],
        "nobs": SIM_NOBS,
        "burn": SIM_BURN,
        "param_names": names,
        "true_params": flist(true_params),
        "fit": {
            "params": flist(res.params),
            "loglik": float(res.loglikelihood),
            "fixed_loglik": float(fixed.loglikelihood),
            "aic": float(res.aic),
            "bic": float(res.bic),
            "std_err": flist(se),
            "std_err_classic": flist(se_c),
            "convergence_flag": int(res.convergence_flag),
            "backcast": float(m._backcast),
            "warnings": sorted(set(warns) | set(warns_c)),
        },
        "data_sum": math.fsum(data),
        "data": flist(data),
    }


# ---------------------------------------------------------------------------------------


def header() -> str:
    return (f"DO NOT EDIT: generated by scripts/reference/garch.py (arch {arch.__version__}, "
            f"numpy {np.__version__}, scipy {scipy.__version__}, "
            f"statsmodels {statsmodels.__version__}, pandas {pd.__version__})")


def assert_finite(obj, path="$") -> None:
    if isinstance(obj, float):
        assert math.isfinite(obj), path
    elif isinstance(obj, dict):
        for k, v in obj.items():
            assert_finite(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            assert_finite(v, f"{path}[{i}]")


def write(path: Path, doc: dict) -> None:
    assert_finite(doc)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False) + "\n")


def main() -> None:
    # The compiled recursions are the ones fit() runs (not the pure-Python fallbacks).
    assert arch_volatility.rec.__name__ == "arch.univariate.recursions", arch_volatility.rec
    y = load_returns()

    specs = [("constant", vol, 1, 1 if vol in ("gjr", "egarch") else 0, 1, dist)
             for vol in VOLS for dist in DISTS]
    specs.extend(EXTRA_CASES)
    cases = [run_case(y, *s) for s in specs]
    assert len(cases) == 24 and len({c["name"] for c in cases}) == 24

    lbma = {
        "generated_by": header(),
        "data": {
            "file": DATA_REL,
            "column": "close",
            "scale": 100,
            "n": int(y.shape[0]),
            "first_returns": flist(y[:5]),
            "last_returns": flist(y[-5:]),
            "sum_returns": math.fsum(y),
            "sum_sq_returns": math.fsum(y * y),
        },
        "cases": cases,
    }
    write(OUT_LBMA, lbma)

    sims = [run_sim_case(s) for s in SIM_CASES]
    write(OUT_SIM, {"generated_by": header(), "cases": sims})

    for c in cases:
        extra = ""
        if c.get("active_at_optimum"):
            extra = " ACTIVE: " + "; ".join(c["active_at_optimum"])
        if c["warnings"]:
            extra += " WARN: " + "; ".join(c["warnings"])
        print(f"{c['name']}: loglik={c['loglik']:.6f} flag={c['convergence_flag']} "
              f"params={dict(zip(c['param_names'], (round(x, 6) for x in c['params'])))}"
              f"{extra}")
    for s in sims:
        f = s["fit"]
        print(f"sim {s['name']}: true={s['true_params']} fit="
              f"{[round(x, 4) for x in f['params']]} loglik={f['loglik']:.6f} "
              f"flag={f['convergence_flag']} warn={f['warnings']}")


if __name__ == "__main__":
    main()
