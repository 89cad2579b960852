//! Text helpers: SVG number formatting, tick decimals and text-width estimates. Thousands
//! separators and XML escaping are `aurum_core::text`'s.

/// A coordinate with at most two decimals, no trailing zeros and never `-0`.
pub(crate) fn num(x: f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    let r = if r == 0.0 { 0.0 } else { r }; // folds -0.0 into 0.0
    let s = format!("{r:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_owned()
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

/// The width in pixels of `text` at `size` px as resvg lays it out in the embedded fonts
/// (IPAexGothic first when `japanese`, else DejaVu Sans); the estimate of [`text_width`]
/// should the text not lay out.
pub(crate) fn measured(text: &str, size: f64, bold: bool, japanese: bool) -> f64 {
    if text.is_empty() {
        return 0.0;
    }
    crate::png::measure(text, size, bold, japanese).unwrap_or_else(|| text_width(text, size, bold))
}

/// The font size for a line of text `room` pixels wide, by its laid-out width (see
/// [`measured`]): `size`, or smaller (down to `min`) when the text would be wider at `size`.
pub(crate) fn fit_measured(
    text: &str,
    (size, min): (f64, f64),
    room: f64,
    bold: bool,
    japanese: bool,
) -> f64 {
    let natural = measured(text, size, bold, japanese);
    if natural <= room {
        size
    } else {
        (size * room / natural).max(min)
    }
}

/// `text` as it fits in `room` pixels at `size` px: whole, or cut short with `…` (and
/// nothing but the `…` when not even one character fits).
pub(crate) fn fit_text(text: &str, size: f64, bold: bool, japanese: bool, room: f64) -> String {
    // A size fitted to the room gives a width equal to it, give or take a rounding.
    let room = room + 1e-6 * room.abs();
    if measured(text, size, bold, japanese) <= room {
        return text.to_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    let cut = |n: usize| {
        let head: String = chars[..n].iter().collect();
        format!(
            "{}…",
            head.trim_end_matches([' ', '　', '、', ',', '，', '・', '·', ';', '：'])
        )
    };
    // The most characters that fit with the ellipsis: widths grow with the count.
    let (mut lo, mut hi) = (0, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if measured(&cut(mid), size, bold, japanese) <= room {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    // Rather at a comma or closing bracket, else a space, not far back, than inside a word
    // or number.
    let floor = lo - lo / 3;
    let after = |set: &[char]| {
        (floor.max(1)..=lo).rev().find(|&n| {
            let next = chars.get(n);
            // A comma between digits is inside a number.
            let in_number = chars[n - 1] == ',' && next.is_some_and(char::is_ascii_digit);
            set.contains(&chars[n - 1]) && !in_number || next == Some(&'·')
        })
    };
    let at = after(&['、', '，', '）', ')', ',', ';', '：'])
        .or_else(|| after(&[' ', '　']))
        .unwrap_or(lo);
    cut(at)
}

/// The font size for a line of text `room` pixels wide: `size`, or smaller (down to `min`)
/// when the text would be wider at `size`.
pub(crate) fn fit_size(text: &str, size: f64, min: f64, room: f64, bold: bool) -> f64 {
    let natural = text_width(text, size, bold);
    if natural <= room {
        size
    } else {
        (size * room / natural).max(min)
    }
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
    fn decimals_follow_the_step() {
        assert_eq!(decimals_for_step(100.0), 0);
        assert_eq!(decimals_for_step(2.5), 1);
        assert_eq!(decimals_for_step(0.25), 2);
        assert_eq!(decimals_for_step(0.05), 2);
    }

    #[test]
    fn cut_text_fits_and_ends_at_a_break_when_one_is_near() {
        let text = "2023年1月3日〜2025年2月18日（2025年2月18日時点）、直近終値 2,935.29ドル";
        let cut = fit_text(text, 12.0, false, true, 410.0);
        assert_eq!(cut, "2023年1月3日〜2025年2月18日（2025年2月18日時点）…");
        let room = measured(text, 12.0, false, true) * 0.8;
        let cut = fit_text(text, 12.0, false, true, room);
        assert!(measured(&cut, 12.0, false, true) <= room);
        // At the comma after the bracket, not inside the number.
        assert_eq!(cut, "2023年1月3日〜2025年2月18日（2025年2月18日時点）…");
        let word = "Supercalifragilisticexpialidocious";
        let cut = fit_text(word, 12.0, false, false, 60.0);
        assert!(
            cut.ends_with('…') && measured(&cut, 12.0, false, false) <= 60.0,
            "{cut}"
        );
        assert_eq!(fit_text("short", 12.0, false, false, 500.0), "short");
        assert_eq!(fit_text("wide", 12.0, false, false, 1.0), "…");
    }

    #[test]
    fn long_lines_get_smaller_fonts_down_to_a_floor() {
        assert_eq!(fit_size("Gold", 22.0, 14.0, 500.0, true), 22.0);
        let long = "What a US withdrawal from NATO would mean for gold, weekly";
        let size = fit_size(long, 22.0, 14.0, 600.0, true);
        assert!((14.0..22.0).contains(&size), "{size}");
        assert!(text_width(long, size, true) <= 600.0 + 1e-9);
        assert_eq!(fit_size(long, 22.0, 14.0, 100.0, true), 14.0);
    }
}
