//! Scalars that the likelihood is generic over: `f64` for values, and forward-mode dual
//! numbers [`Dual`] carrying exact first derivatives with respect to `N` parameters.

use std::ops::{Add, Div, Mul, Neg, Sub};

use statrs::function::gamma::{digamma, ln_gamma};

/// The operations the likelihood needs.
pub trait Real:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + Add<f64, Output = Self>
    + Sub<f64, Output = Self>
    + Mul<f64, Output = Self>
    + Div<f64, Output = Self>
{
    /// A constant.
    fn cst(v: f64) -> Self;
    /// The value, without derivatives.
    fn val(self) -> f64;
    /// `eˣ`.
    fn exp(self) -> Self;
    /// `ln x`.
    fn ln(self) -> Self;
    /// `√x`.
    fn sqrt(self) -> Self;
    /// `|x|`.
    fn abs(self) -> Self;
    /// `ln Γ(x)`.
    fn ln_gamma(self) -> Self;
    /// `xʸ` for `x > 0`.
    fn powr(self, y: Self) -> Self {
        (self.ln() * y).exp()
    }
    /// `1 / (1 + e⁻ˣ)`.
    fn logistic(self) -> Self {
        Self::cst(1.0) / ((-self).exp() + 1.0)
    }
}

impl Real for f64 {
    fn cst(v: f64) -> Self {
        v
    }
    fn val(self) -> f64 {
        self
    }
    fn exp(self) -> Self {
        f64::exp(self)
    }
    fn ln(self) -> Self {
        f64::ln(self)
    }
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
    fn abs(self) -> Self {
        f64::abs(self)
    }
    fn ln_gamma(self) -> Self {
        ln_gamma(self)
    }
    fn powr(self, y: Self) -> Self {
        self.powf(y)
    }
}

/// A value and its gradient with respect to `N` parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dual<const N: usize> {
    /// Value.
    pub v: f64,
    /// Gradient.
    pub d: [f64; N],
}

impl<const N: usize> Dual<N> {
    /// The `i`-th of `N` variables, at value `v`.
    #[must_use]
    pub fn var(v: f64, i: usize) -> Self {
        let mut d = [0.0; N];
        d[i] = 1.0;
        Self { v, d }
    }

    /// `f(x)` with derivative `f'(x)`, by the chain rule.
    fn chain(self, v: f64, slope: f64) -> Self {
        let mut d = self.d;
        for x in &mut d {
            *x *= slope;
        }
        Self { v, d }
    }
}

impl<const N: usize> Add for Dual<N> {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        let mut d = self.d;
        for (a, b) in d.iter_mut().zip(o.d) {
            *a += b;
        }
        Self { v: self.v + o.v, d }
    }
}

impl<const N: usize> Sub for Dual<N> {
    type Output = Self;
    fn sub(self, o: Self) -> Self {
        let mut d = self.d;
        for (a, b) in d.iter_mut().zip(o.d) {
            *a -= b;
        }
        Self { v: self.v - o.v, d }
    }
}

impl<const N: usize> Mul for Dual<N> {
    type Output = Self;
    fn mul(self, o: Self) -> Self {
        let mut d = [0.0; N];
        for i in 0..N {
            d[i] = self.d[i] * o.v + self.v * o.d[i];
        }
        Self { v: self.v * o.v, d }
    }
}

impl<const N: usize> Div for Dual<N> {
    type Output = Self;
    fn div(self, o: Self) -> Self {
        let inv = 1.0 / o.v;
        let v = self.v * inv;
        let mut d = [0.0; N];
        for i in 0..N {
            d[i] = (self.d[i] - v * o.d[i]) * inv;
        }
        Self { v, d }
    }
}

impl<const N: usize> Neg for Dual<N> {
    type Output = Self;
    fn neg(self) -> Self {
        self.chain(-self.v, -1.0)
    }
}

impl<const N: usize> Add<f64> for Dual<N> {
    type Output = Self;
    fn add(self, o: f64) -> Self {
        Self {
            v: self.v + o,
            d: self.d,
        }
    }
}

impl<const N: usize> Sub<f64> for Dual<N> {
    type Output = Self;
    fn sub(self, o: f64) -> Self {
        Self {
            v: self.v - o,
            d: self.d,
        }
    }
}

impl<const N: usize> Mul<f64> for Dual<N> {
    type Output = Self;
    fn mul(self, o: f64) -> Self {
        self.chain(self.v * o, o)
    }
}

impl<const N: usize> Div<f64> for Dual<N> {
    type Output = Self;
    fn div(self, o: f64) -> Self {
        self.chain(self.v / o, 1.0 / o)
    }
}

impl<const N: usize> Real for Dual<N> {
    fn cst(v: f64) -> Self {
        Self { v, d: [0.0; N] }
    }
    fn val(self) -> f64 {
        self.v
    }
    fn exp(self) -> Self {
        let e = self.v.exp();
        self.chain(e, e)
    }
    fn ln(self) -> Self {
        self.chain(self.v.ln(), 1.0 / self.v)
    }
    fn sqrt(self) -> Self {
        let s = self.v.sqrt();
        self.chain(s, 0.5 / s)
    }
    fn abs(self) -> Self {
        if self.v < 0.0 { -self } else { self }
    }
    fn ln_gamma(self) -> Self {
        self.chain(ln_gamma(self.v), digamma(self.v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dual-number derivatives against central finite differences.
    #[test]
    fn derivatives_match_finite_differences() {
        type D = Dual<2>;
        let f = |x: D, y: D| {
            (x * y).exp() / (x.ln_gamma() + y.sqrt()) + x.powr(y) - (x - y).abs().logistic()
        };
        let g = |x: f64, y: f64| {
            (x * y).exp() / (ln_gamma(x) + y.sqrt()) + x.powf(y)
                - 1.0 / (1.0 + (-(x - y).abs()).exp())
        };
        let (x, y) = (1.7, 0.6);
        let r = f(D::var(x, 0), D::var(y, 1));
        assert!((r.v - g(x, y)).abs() < 1e-14);
        let h = 1e-6;
        let dx = (g(x + h, y) - g(x - h, y)) / (2.0 * h);
        let dy = (g(x, y + h) - g(x, y - h)) / (2.0 * h);
        assert!((r.d[0] - dx).abs() < 1e-7, "{} vs {dx}", r.d[0]);
        assert!((r.d[1] - dy).abs() < 1e-7, "{} vs {dy}", r.d[1]);
    }
}
