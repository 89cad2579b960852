//! Text helpers: SVG number formatting, XML escaping, price labels and text-width estimates.

use std::fmt::Write as _;

/// A coordinate with at most two decimals, no trailing zeros and never `-0`.
pub(crate) fn num(x: f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    let r = if r == 0.0 { 0.0 } else { r }; // folds -0.0 into 0.0
    let s = format!("{r:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_owned()
}

/// Escapes the five XML special characters.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// A price with `decimals` decimals and a comma every three digits: `2,800`, `-1,234.50`.
pub(crate) fn thousands(value: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, value.abs());
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    // Rounding may turn a tiny negative value into zero; do not print "-0".
    if value < 0.0 && s.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        out.push('-');
    }
    let len = int.len();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (len - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(frac) = frac {
        let _ = write!(out, ".{frac}");
    }
    out
}

/// The fewest decimals (up to 6) that print every multiple of `step` exactly.
pub(crate) fn decimals_for_step(step: f64) -> usize {
    (0..=6)
        .find(|&d| {
            let scaled = step * 10f64.powi(i32::try_from(d).unwrap_or(0));
            (scaled - scaled.round()).abs() < 1e-6 * scaled.abs().max(1.0)
        })
        .unwrap_or(6)
}

/// Approximate rendered width in pixels of `text` at `size` px in DejaVu Sans / IPAexGothic.
///
/// Used only for layout (gutters, label boxes, tick spacing), so it errs on the wide side.
pub(crate) fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    let em: f64 = text
        .chars()
        .map(|c| match c {
            ' ' | ',' | '.' | ':' | ';' | '\'' | '|' | '!' | 'i' | 'j' | 'l' | 'I' => 0.32,
            'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '/' | '-' => 0.42,
            '0'..='9' => 0.64,
            'm' | 'w' | 'M' | 'W' => 0.92,
            'A'..='Z' => 0.72,
            c if c.is_ascii() => 0.62,
            '\u{2013}' => 0.5,
            // CJK, kana and full-width forms are one em wide.
            c if u32::from(c) >= 0x2E80 => 1.0,
            _ => 0.65,
        })
        .sum();
    em * size * if bold { 1.08 } else { 1.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_at_most_two_decimals() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(1.5), "1.5");
        assert_eq!(num(1.234_567), "1.23");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(1199.999), "1200");
    }

    #[test]
    fn xml_special_characters_are_escaped() {
        assert_eq!(
            escape(r#"a & b < c > d "e" 'f'"#),
            "a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos;"
        );
        assert_eq!(escape("金価格"), "金価格");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(2800.0, 0), "2,800");
        assert_eq!(thousands(2935.29, 2), "2,935.29");
        assert_eq!(thousands(1_234_567.0, 0), "1,234,567");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(thousands(-1234.5, 1), "-1,234.5");
        assert_eq!(thousands(-0.001, 0), "0");
        assert_eq!(thousands(0.25, 2), "0.25");
    }

    #[test]
    fn decimals_follow_the_step() {
        assert_eq!(decimals_for_step(100.0), 0);
        assert_eq!(decimals_for_step(2.5), 1);
        assert_eq!(decimals_for_step(0.25), 2);
        assert_eq!(decimals_for_step(0.05), 2);
    }
}
