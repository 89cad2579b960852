//! Renders a [`Report`] through the language's templates: Markdown, one self-contained HTML
//! file, and a post.

use aurum_core::text::escape_xml;
use aurum_core::{Date, Lang};
use minijinja::value::Value;
use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

use crate::format;
use crate::{Report, ReportError};

/// The report text of each language: `templates/<lang>/`. Each language has its own
/// templates, written as an analyst of that language writes, not translated sentence by
/// sentence; the numbers all come from the [`Report`].
const EN_REPORT: &str = include_str!("../templates/en/report.md.j2");
const JA_REPORT: &str = include_str!("../templates/ja/report.md.j2");
const EN_POST: &str = include_str!("../templates/en/post.txt.j2");
const JA_POST: &str = include_str!("../templates/ja/post.txt.j2");
const CSS: &str = include_str!("../templates/report.css");

fn parse_date(s: &str) -> Result<Date, Error> {
    s.parse()
        .map_err(|_| Error::new(ErrorKind::InvalidOperation, format!("not a date: {s:?}")))
}

fn environment(lang: Lang) -> Result<Environment<'static>, ReportError> {
    let mut env = Environment::new();
    // A misspelt field is an error, never an empty string in a published note.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    let (report, post) = match lang {
        Lang::Ja => (JA_REPORT, JA_POST),
        _ => (EN_REPORT, EN_POST),
    };
    env.add_template("report.md", report)?;
    env.add_template("post.txt", post)?;
    env.add_filter("usd", move |v: f64, d: Option<usize>| {
        format::usd(v, d.unwrap_or(0), lang)
    });
    env.add_filter("pct", |v: f64, d: Option<usize>| {
        format::pct(v, d.unwrap_or(0))
    });
    env.add_filter("signed", move |v: f64, d: Option<usize>| {
        format::signed(v, d.unwrap_or(1), lang)
    });
    env.add_filter("num", move |v: f64, d: Option<usize>| {
        format::number(v, d.unwrap_or(0), lang)
    });
    env.add_filter("date", move |s: String| {
        Ok::<_, Error>(format::date(parse_date(&s)?, lang))
    });
    env.add_filter("day", move |s: String| {
        Ok::<_, Error>(format::day(parse_date(&s)?, lang))
    });
    env.add_filter("month", move |s: String| {
        Ok::<_, Error>(format::month(parse_date(&s)?, lang))
    });
    Ok(env)
}

fn render(report: &Report, lang: Lang, name: &str) -> Result<String, ReportError> {
    let env = environment(lang)?;
    let ctx = Value::from_serialize(report);
    Ok(env
        .get_template(name)?
        .render(minijinja::context! { r => ctx })?)
}

/// The report in Markdown. Figures are referenced as `chart-weekly.png` and `fan.png`.
///
/// # Errors
///
/// [`ReportError::Template`] when a template does not fit the data.
pub fn markdown(report: &Report, lang: Lang) -> Result<String, ReportError> {
    render(report, lang, "report.md")
}

/// The post: a few lines with the key probability, for one post on X.
///
/// # Errors
///
/// [`ReportError::Template`]; [`ReportError::PostTooLong`] when it weighs more than 280.
pub fn post(report: &Report, lang: Lang) -> Result<String, ReportError> {
    let text = render(report, lang, "post.txt")?.trim().to_owned();
    let weight = weighted_len(&text);
    if weight > 280 {
        return Err(ReportError::PostTooLong { weight, text });
    }
    Ok(text)
}

/// Length of a post as X counts it (twitter-text 3): characters in the Latin, general
/// punctuation and similar ranges weigh 1, everything else (CJK included) weighs 2, and a
/// link weighs 23.
#[must_use]
pub fn weighted_len(text: &str) -> usize {
    // X counts any link as 23, whatever its length.
    text.split_inclusive(char::is_whitespace)
        .map(|word| {
            let bare = word.trim_end();
            if bare.starts_with("https://") || bare.starts_with("http://") {
                23 + (word.len() - bare.len())
            } else {
                word.chars()
                    .map(|c| {
                        let u = u32::from(c);
                        let light = matches!(u, 0..=4351 | 8192..=8205 | 8208..=8223 | 8242..=8247);
                        if light { 1 } else { 2 }
                    })
                    .sum()
            }
        })
        .sum()
}

/// An inline figure: the file name the Markdown refers to, and its SVG.
pub struct Figure<'a> {
    /// File name in the Markdown, e.g. `chart-weekly.png`.
    pub name: &'a str,
    /// The figure as SVG.
    pub svg: &'a str,
}

/// Whether a link or image address is safe to keep: relative, a fragment, or http(s) and
/// mailto. Anything else (`javascript:`, `data:`, `vbscript:`, `file:`) is dropped.
fn safe_url(url: &str) -> bool {
    let u = url.trim().to_ascii_lowercase();
    match u.split_once(':') {
        // A colon after a slash, `?` or `#` is not a scheme.
        Some((scheme, _)) if !scheme.contains(['/', '?', '#']) => {
            matches!(scheme, "http" | "https" | "mailto")
        }
        _ => true,
    }
}

/// The Markdown as HTML: figures inlined, any HTML written in the text (a scenario title,
/// an event's name) shown as text, never passed through (but for a bare `<small>` and
/// `</small>`, which the templates' fine print uses), and unsafe link addresses dropped.
fn body_html(markdown: &str, figures: &[Figure<'_>]) -> String {
    let parser = Parser::new_ext(markdown, Options::ENABLE_TABLES);
    let mut skipping = false;
    let events = parser.filter_map(|e| match e {
        Event::Start(Tag::Image { dest_url, .. }) => {
            match figures.iter().find(|f| f.name == dest_url.as_ref()) {
                Some(f) => {
                    skipping = true;
                    Some(Event::Html(
                        format!("<span class=\"figure\">{}</span>", strip_prolog(f.svg)).into(),
                    ))
                }
                None => Some(Event::Start(Tag::Image {
                    link_type: pulldown_cmark::LinkType::Inline,
                    dest_url: if safe_url(&dest_url) {
                        dest_url
                    } else {
                        "#".into()
                    },
                    title: "".into(),
                    id: "".into(),
                })),
            }
        }
        // The templates' own fine print: the bare tag, no attributes, is kept.
        Event::InlineHtml(raw) if !skipping && matches!(raw.as_ref(), "<small>" | "</small>") => {
            Some(Event::InlineHtml(raw))
        }
        Event::Html(raw) | Event::InlineHtml(raw) if !skipping => Some(Event::Text(raw)),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if !skipping => Some(Event::Start(Tag::Link {
            link_type,
            dest_url: if safe_url(&dest_url) {
                dest_url
            } else {
                "#".into()
            },
            title,
            id,
        })),
        Event::End(TagEnd::Image) if skipping => {
            skipping = false;
            None
        }
        _ if skipping => None,
        e => Some(e),
    });
    let mut body = String::new();
    html::push_html(&mut body, events);
    body
}

/// The report as one HTML file: the Markdown's text, the figures inlined as SVG, and the
/// style sheet inlined; it refers to nothing outside itself. The as-of date heads the page
/// and, when printed, the foot of every page.
#[must_use]
pub fn html(report: &Report, lang: Lang, markdown: &str, figures: &[Figure<'_>]) -> String {
    let body = body_html(markdown, figures);
    let (code, title, stamp) = match lang {
        Lang::Ja => (
            "ja",
            report
                .title_ja
                .clone()
                .unwrap_or_else(|| report.title.clone()),
            format!(
                "{}時点のデータ · aurum {}",
                format::date(report.as_of, lang),
                report.version
            ),
        ),
        _ => (
            "en",
            report.title.clone(),
            format!(
                "Data as of {} · aurum {}",
                format::date(report.as_of, lang),
                report.version
            ),
        ),
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n\
         <header class=\"stamp\">{stamp}</header>\n<main>\n{body}</main>\n\
         <footer class=\"print-stamp\">{stamp}</footer>\n</body>\n</html>\n",
        title = escape_xml(&title),
        stamp = escape_xml(&stamp),
    )
}

fn strip_prolog(svg: &str) -> &str {
    svg.find("<svg").map_or(svg, |i| &svg[i..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_in_the_text_is_shown_not_run() {
        let md = "# <script>alert(1)</script> title\n\n<img src=x onerror=alert(1)>\n\n\
                  A [link](javascript:alert(1)), [data](data:text/html,x), \
                  [ok](https://www.lbma.org.uk/prices) and ![i](JaVaScRiPt:alert(2)).\n";
        let out = body_html(md, &[]);
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("<img src=x"), "{out}");
        assert!(out.contains("&lt;script&gt;"), "{out}");
        assert!(!out.to_ascii_lowercase().contains("javascript:"), "{out}");
        assert!(!out.contains("data:text"), "{out}");
        assert!(
            out.contains("href=\"https://www.lbma.org.uk/prices\""),
            "{out}"
        );
        // The fine print's bare tag is kept; with an attribute it is text again.
        let small = body_html(
            "<small>100 paths</small> and <small onclick=x>y</small>\n",
            &[],
        );
        assert!(small.contains("<small>100 paths</small>"), "{small}");
        assert!(small.contains("&lt;small onclick=x&gt;"), "{small}");
        assert!(safe_url("chart-weekly.png") && safe_url("#top") && safe_url("a/b:c"));
        assert!(!safe_url(" vbscript:x") && !safe_url("file:///etc/passwd"));
    }

    #[test]
    fn links_weigh_twenty_three() {
        let long = format!("https://example.com/{}", "a".repeat(100));
        assert_eq!(weighted_len(&long), 23);
        assert_eq!(
            weighted_len(&format!("金 {long}\n#gold")),
            2 + 1 + 23 + 1 + 5
        );
    }

    #[test]
    fn cjk_weighs_two_and_latin_one() {
        assert_eq!(weighted_len("gold 80%"), 8);
        assert_eq!(weighted_len("金価格"), 6);
        assert_eq!(weighted_len("3,000ドル"), 5 + 4);
        // General punctuation (the en dash) is light; the ideographic full stop is not.
        assert_eq!(weighted_len("–"), 1);
        assert_eq!(weighted_len("。"), 2);
    }
}
