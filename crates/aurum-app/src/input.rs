//! Reading the user's files: regular files only, and no more than a stated size, so that
//! `data import /dev/zero` or a mistaken path fails at once with a clear error.

use std::io::Read;
use std::path::Path;

use crate::{AppError, AppResult};

/// Largest price file an import reads (a century of daily bars is a few megabytes).
pub const MAX_DATA_BYTES: u64 = 1 << 30;
/// Largest event, dictionary or news file read.
pub const MAX_TEXT_BYTES: u64 = 64 << 20;

/// The bytes of `path`, named by `field` in errors: a regular file of at most `limit` bytes
/// (checked before reading, and again while reading a file that grows).
///
/// # Errors
///
/// A missing or unreadable file, a directory, device or pipe, a file over the limit.
pub fn read_bounded(field: &str, path: &Path, limit: u64) -> AppResult<Vec<u8>> {
    // The path names the input: a positional argument on the command line has no flag.
    let bad = |m: String| AppError::bad(field, format!("{}: {m}", path.display()));
    let meta = existing(field, path)?;
    if !meta.is_file() {
        return Err(bad("not a regular file".into()));
    }
    let too_big = |n: u64| bad(format!("{n} bytes; the limit is {limit}"));
    if meta.len() > limit {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    fs_err::File::open(path)
        .map_err(|e| bad(unreadable(&e)))?
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| bad(e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

/// The metadata of the input `path`, or an error in plain words naming it (`x.toml: no such
/// file`) rather than the system's (`failed to query resolved metadata …`).
///
/// # Errors
///
/// A path that does not exist or cannot be reached.
pub fn existing(field: &str, path: &Path) -> AppResult<std::fs::Metadata> {
    std::fs::metadata(path)
        .map_err(|e| AppError::bad(field, format!("{}: {}", path.display(), unreadable(&e))))
}

/// Why a file could not be opened, in plain words.
fn unreadable(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        std::io::ErrorKind::NotADirectory => {
            "no such file (a folder on its path is a file)".to_owned()
        }
        _ => e.to_string(),
    }
}

/// As [`read_bounded`], as UTF-8 text.
///
/// # Errors
///
/// As [`read_bounded`], and text that is not UTF-8.
pub fn read_text(field: &str, path: &Path, limit: u64) -> AppResult<String> {
    String::from_utf8(read_bounded(field, path, limit)?).map_err(|e| {
        AppError::bad(
            field,
            format!(
                "{}: not UTF-8 text (byte {})",
                path.display(),
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.csv");
        fs_err::write(&f, "Date,Close\n2025-02-18,2935\n").unwrap();
        assert_eq!(read_bounded("file", &f, 100).unwrap().len(), 27);
        let e = read_bounded("file", &f, 10).unwrap_err().to_string();
        assert!(e.contains("27 bytes; the limit is 10"), "{e}");
        let e = read_bounded("file", dir.path(), 100)
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a regular file"), "{e}");
        #[cfg(unix)]
        {
            let e = read_bounded("file", Path::new("/dev/zero"), 100)
                .unwrap_err()
                .to_string();
            assert!(e.contains("not a regular file"), "{e}");
        }
        assert!(read_bounded("file", &dir.path().join("missing"), 100).is_err());
        fs_err::write(&f, [0xff, 0xfe]).unwrap();
        assert!(
            read_text("file", &f, 100)
                .unwrap_err()
                .to_string()
                .contains("UTF-8")
        );
    }
}
