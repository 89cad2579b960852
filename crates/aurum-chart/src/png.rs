//! SVG to PNG with resvg, using only the fonts embedded in this crate.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg::fontdb::{Database, ID, Source};
use resvg::usvg::{self, FontResolver};

use crate::ChartError;

const DEJAVU_SANS: &[u8] = include_bytes!("../../../data/fonts/DejaVuSans.ttf");
const DEJAVU_SANS_BOLD: &[u8] = include_bytes!("../../../data/fonts/DejaVuSans-Bold.ttf");
const IPAEX_GOTHIC: &[u8] = include_bytes!("../../../data/fonts/ipaexg.ttf");

/// Family used for text that names no family (and for the generic families).
const DEFAULT_FAMILY: &str = "DejaVu Sans";

/// The embedded fonts, parsed once.
struct Fonts {
    db: Arc<Database>,
    /// Faces tried, in order, for characters the chosen face lacks: IPAexGothic first, so
    /// Japanese never falls to a tofu box, then the DejaVu faces.
    fallback: Vec<ID>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    // No system fonts: the same SVG must give the same pixels on every machine.
    let mut db = Database::new();
    let mut load =
        |data: &'static [u8]| db.load_font_source(Source::Binary(Arc::new(data))).to_vec();
    let dejavu = load(DEJAVU_SANS);
    let dejavu_bold = load(DEJAVU_SANS_BOLD);
    let ipaex = load(IPAEX_GOTHIC);
    db.set_sans_serif_family(DEFAULT_FAMILY);
    db.set_serif_family(DEFAULT_FAMILY);
    db.set_monospace_family(DEFAULT_FAMILY);
    db.set_cursive_family(DEFAULT_FAMILY);
    db.set_fantasy_family(DEFAULT_FAMILY);
    let fallback = ipaex.into_iter().chain(dejavu).chain(dejavu_bold).collect();
    Fonts {
        db: Arc::new(db),
        fallback,
    }
});

/// Parsing options that resolve fonts against the embedded fonts only.
fn options() -> usvg::Options<'static> {
    let fonts = &*FONTS;
    let order = fonts.fallback.clone();
    usvg::Options {
        font_family: DEFAULT_FAMILY.to_owned(),
        fontdb: Arc::clone(&fonts.db),
        font_resolver: FontResolver {
            select_font: FontResolver::default_font_selector(),
            // The first embedded face not tried yet; usvg keeps looping while glyphs are missing.
            select_fallback: Box::new(move |_c, used, _db| {
                order.iter().copied().find(|id| !used.contains(id))
            }),
        },
        ..usvg::Options::default()
    }
}

/// Parses `svg` with the embedded fonts, text converted to paths.
pub(crate) fn parse(svg: &str) -> Result<usvg::Tree, ChartError> {
    usvg::Tree::from_str(svg, &options()).map_err(|e| ChartError::InvalidSvg(e.to_string()))
}

thread_local! {
    /// Widths already measured, by text, size, boldness and family.
    static MEASURED: RefCell<HashMap<(String, u64, bool, bool), f64>> =
        RefCell::new(HashMap::new());
}

/// The advance width in pixels of `text` set at `size` px in the embedded fonts, as resvg
/// lays it out: in IPAexGothic first when `japanese`, else in DejaVu Sans (bold when
/// `bold`), each with the other for the characters it lacks. `None` when the text cannot be
/// laid out.
pub(crate) fn measure(text: &str, size: f64, bold: bool, japanese: bool) -> Option<f64> {
    let key = (text.to_owned(), size.to_bits(), bold, japanese);
    if let Some(w) = MEASURED.with(|m| m.borrow().get(&key).copied()) {
        return Some(w);
    }
    let fonts = if japanese {
        crate::svg::JAPANESE_FONTS
    } else {
        crate::svg::LATIN_FONTS
    };
    let weight = if bold { r#" font-weight="bold""# } else { "" };
    let svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><text x="0" y="50" font-family="{fonts}" font-size="{size}"{weight}>{}</text></svg>"#,
        aurum_core::text::escape_xml(text)
    );
    let tree = parse(&svg).ok()?;
    let width = tree.root().children().iter().find_map(|node| match node {
        usvg::Node::Text(t) => Some(f64::from(t.bounding_box().width())),
        _ => None,
    })?;
    MEASURED.with(|m| m.borrow_mut().insert(key, width));
    Some(width)
}

/// Renders an SVG document to PNG bytes at its own size (one pixel per SVG unit).
///
/// Text is drawn with the fonts embedded in this crate only (DejaVu Sans, DejaVu Sans Bold
/// and IPAexGothic), never with system fonts, so a given SVG gives the same PNG on every
/// machine. Characters missing from the requested family fall back to IPAexGothic, then to
/// DejaVu Sans.
///
/// # Errors
///
/// [`ChartError::InvalidSvg`] when `svg` does not parse, [`ChartError::ImageSize`] when its
/// size is empty or too large for a pixmap, [`ChartError::PngEncoding`] when encoding fails.
pub fn svg_to_png(svg: &str) -> Result<Vec<u8>, ChartError> {
    let tree = parse(svg)?;
    let size = tree.size().to_int_size();
    let (width, height) = (size.width(), size.height());
    let mut pixmap = Pixmap::new(width, height).ok_or(ChartError::ImageSize { width, height })?;
    resvg::render(&tree, Transform::identity(), &mut pixmap.as_mut());
    pixmap
        .encode_png()
        .map_err(|e| ChartError::PngEncoding(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(svg: &str) -> Pixmap {
        Pixmap::decode_png(&svg_to_png(svg).unwrap()).unwrap()
    }

    /// Dark pixels in a rendering.
    fn dark_pixels(pixmap: &Pixmap) -> usize {
        pixmap
            .pixels()
            .iter()
            .filter(|p| p.alpha() > 0 && p.red() < 128)
            .count()
    }

    fn text_svg(family: &str, text: &str) -> String {
        format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60" viewBox="0 0 200 60"><rect width="200" height="60" fill="#fff"/><text x="10" y="42" font-family="{family}" font-size="32" fill="#000">{text}</text></svg>"##
        )
    }

    #[test]
    fn embedded_fonts_have_the_families_the_svg_names() {
        let names: Vec<&str> = FONTS
            .db
            .faces()
            .flat_map(|f| f.families.iter().map(|(n, _)| n.as_str()))
            .collect();
        assert!(names.contains(&"DejaVu Sans"), "{names:?}");
        assert!(names.contains(&"IPAexGothic"), "{names:?}");
        assert_eq!(FONTS.fallback.len(), 3);
    }

    #[test]
    fn japanese_text_draws_glyphs_whatever_family_is_asked_for() {
        // "金価格" has many strokes: each glyph blackens well over a hundred pixels at 32 px.
        for family in ["IPAexGothic", "'DejaVu Sans'", "NoSuchFont", "sans-serif"] {
            let drawn = render(&text_svg(family, "金価格"));
            let dark = dark_pixels(&drawn);
            assert!(dark > 400, "{family}: only {dark} dark pixels");
            // Tofu boxes look alike whatever the character; real glyphs do not.
            let shuffled = render(&text_svg(family, "格金価"));
            assert_ne!(
                drawn.data(),
                shuffled.data(),
                "{family}: glyphs look like tofu"
            );
        }
        // And the text node converts to paths with a real bounding box.
        let tree = parse(&text_svg("'DejaVu Sans'", "金価格")).unwrap();
        let bbox = tree.root().abs_bounding_box();
        assert!(bbox.width() > 80.0 && bbox.height() > 20.0, "{bbox:?}");
    }

    #[test]
    fn measured_widths_are_the_laid_out_ones() {
        let w = measure("3,000", 12.0, false, false).unwrap();
        // Five DejaVu glyphs at 12 px: digits are 1303/2048 em, the comma 651/2048 em.
        assert!((w - 12.0 * (4.0 * 0.6362 + 0.3179)).abs() < 0.2, "{w}");
        assert!(measure("3,000", 12.0, true, false).unwrap() > w);
        // Japanese is one em a character in IPAexGothic.
        let ja = measure("金価格", 20.0, false, true).unwrap();
        assert!((ja - 60.0).abs() < 0.5, "{ja}");
        assert_eq!(measure("", 12.0, false, false), None);
    }

    #[test]
    fn invalid_svg_is_an_error() {
        assert!(matches!(svg_to_png("<svg"), Err(ChartError::InvalidSvg(_))));
    }
}
