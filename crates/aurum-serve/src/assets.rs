//! The dashboard's files, embedded in the binary: nothing is fetched from elsewhere.

/// `(path under /assets/, content type, bytes)`.
pub const FILES: &[(&str, &str, &[u8])] = &[
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/app.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/app.css"),
    ),
    (
        "i18n.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/i18n.js"),
    ),
    (
        "vendor/lightweight-charts.standalone.production.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/lightweight-charts.standalone.production.js"),
    ),
    (
        "vendor/LICENSE-lightweight-charts.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../assets/vendor/LICENSE-lightweight-charts.txt"),
    ),
    (
        "vendor/NOTICE-lightweight-charts.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../assets/vendor/NOTICE-lightweight-charts.txt"),
    ),
];

/// The page at `/`.
pub const INDEX: &str = include_str!("../assets/index.html");
