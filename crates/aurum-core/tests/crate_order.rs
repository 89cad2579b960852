//! `crates/README.md` lists the crates top to bottom and says dependencies point down the
//! list only. These tests read the list and every `crates/*/Cargo.toml` and hold the
//! workspace to it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A crate of the workspace: its package name and the workspace crates it depends on, each
/// with the table that names it (`dependencies`, `dev-dependencies`, `build-dependencies`,
/// or a `target.….` variant of them).
#[derive(Debug)]
struct Manifest {
    name: String,
    deps: Vec<(String, String)>,
}

/// The crates `readme` lists, in order, with their line numbers: every line that starts with
/// ``- `aurum``.
fn listed(readme: &str) -> Vec<(String, usize)> {
    readme
        .lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let rest = line.strip_prefix("- `")?;
            let name = &rest[..rest.find('`')?];
            name.starts_with("aurum").then(|| (name.to_owned(), i + 1))
        })
        .collect()
}

/// Every way `crates` breaks the list in `readme`, as one sentence each; empty when the list
/// is true. Only dependencies on the workspace's own crates (those found or listed) count.
fn violations(readme: &str, crates: &[Manifest]) -> Vec<String> {
    let list = listed(readme);
    let mut out = Vec::new();
    let mut position: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (index, (name, line)) in list.iter().enumerate() {
        if let Some((_, first)) = position.get(name.as_str()) {
            out.push(format!(
                "crates/README.md lists `{name}` twice (lines {first} and {line})"
            ));
        } else {
            position.insert(name, (index, *line));
        }
    }
    let found: BTreeSet<&str> = crates.iter().map(|c| c.name.as_str()).collect();
    for (name, line) in &list {
        if !found.contains(name.as_str()) {
            out.push(format!(
                "crates/README.md lists `{name}` (line {line}), but there is no crate of that \
                 name under crates/"
            ));
        }
    }
    for c in crates {
        let Some(&(at, line)) = position.get(c.name.as_str()) else {
            out.push(format!(
                "crate `{}` is missing from crates/README.md: add it where its dependencies \
                 are all below it",
                c.name
            ));
            continue;
        };
        for (dep, table) in &c.deps {
            // A dependency missing from the list is reported as such, on its own.
            if let Some(&(dep_at, dep_line)) = position.get(dep.as_str())
                && dep_at <= at
            {
                out.push(format!(
                    "`{}` (crates/README.md line {line}) depends on `{dep}` ([{table}]), \
                     which is listed above it (line {dep_line}): dependencies must point \
                     down the list",
                    c.name
                ));
            }
        }
    }
    out
}

/// The workspace's own dependencies of one manifest.
fn manifest(text: &str, path: &Path, workspace: &BTreeSet<String>) -> Manifest {
    let doc: toml::Table =
        toml::from_str(text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = doc
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(toml::Value::as_str)
        .unwrap_or_else(|| panic!("{}: no [package] name", path.display()))
        .to_owned();
    let mut tables: Vec<(String, &toml::Table)> = Vec::new();
    const KINDS: [&str; 3] = ["dependencies", "dev-dependencies", "build-dependencies"];
    for kind in KINDS {
        if let Some(t) = doc.get(kind).and_then(toml::Value::as_table) {
            tables.push((kind.to_owned(), t));
        }
    }
    if let Some(targets) = doc.get("target").and_then(toml::Value::as_table) {
        for (cfg, target) in targets {
            for kind in KINDS {
                if let Some(t) = target.get(kind).and_then(toml::Value::as_table) {
                    tables.push((format!("target.{cfg}.{kind}"), t));
                }
            }
        }
    }
    let mut deps = Vec::new();
    for (table, entries) in tables {
        for (key, spec) in entries {
            // A renamed dependency names its crate in `package`.
            let dep = spec
                .get("package")
                .and_then(toml::Value::as_str)
                .unwrap_or(key);
            if workspace.contains(dep) {
                deps.push((dep.to_owned(), table.clone()));
            }
        }
    }
    Manifest { name, deps }
}

#[test]
fn dependencies_point_down_the_crate_list() {
    let crates_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crates/")
        .to_path_buf();
    let readme_path = crates_dir.join("README.md");
    let readme = fs_err::read_to_string(&readme_path).unwrap_or_else(|e| panic!("{e}"));
    let mut texts = Vec::new();
    for entry in fs_err::read_dir(&crates_dir).unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.expect("crates/ entry").path().join("Cargo.toml");
        if path.is_file() {
            let text = fs_err::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
            texts.push((path, text));
        }
    }
    texts.sort();
    // The workspace's crates: those found, and those the list names.
    let mut workspace: BTreeSet<String> = listed(&readme).into_iter().map(|(n, _)| n).collect();
    for (path, text) in &texts {
        let doc: toml::Table =
            toml::from_str(text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if let Some(name) = doc
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(toml::Value::as_str)
        {
            workspace.insert(name.to_owned());
        }
    }
    let crates: Vec<Manifest> = texts
        .iter()
        .map(|(path, text)| manifest(text, path, &workspace))
        .collect();
    assert!(
        crates.iter().any(|c| c.name == "aurum-core"),
        "no crates found under {}",
        crates_dir.display()
    );
    let problems = violations(&readme, &crates);
    assert!(
        problems.is_empty(),
        "crates/README.md does not match the crates:\n- {}",
        problems.join("\n- ")
    );
}

fn synthetic(deps: &[(&str, &[(&str, &str)])]) -> Vec<Manifest> {
    deps.iter()
        .map(|(name, ds)| Manifest {
            name: (*name).to_owned(),
            deps: ds
                .iter()
                .map(|(d, t)| ((*d).to_owned(), (*t).to_owned()))
                .collect(),
        })
        .collect()
}

const SYNTHETIC_README: &str = "# Crates\n\n\
    Dependencies point down this list only.\n\n\
    - `aurum-top` — uses the others.\n  A continued line.\n\
    - `aurum-mid` — in the middle.\n\
    - `aurum-low` — depends on nothing.\n";

#[test]
fn the_list_is_read_in_order() {
    assert_eq!(
        listed(SYNTHETIC_README),
        [
            ("aurum-top".to_owned(), 5),
            ("aurum-mid".to_owned(), 7),
            ("aurum-low".to_owned(), 8)
        ]
    );
}

#[test]
fn downward_dependencies_pass() {
    let crates = synthetic(&[
        (
            "aurum-top",
            &[
                ("aurum-mid", "dependencies"),
                ("aurum-low", "dev-dependencies"),
            ],
        ),
        ("aurum-mid", &[("aurum-low", "dependencies")]),
        ("aurum-low", &[]),
    ]);
    assert_eq!(violations(SYNTHETIC_README, &crates), Vec::<String>::new());
}

#[test]
fn an_upward_dependency_is_caught() {
    let crates = synthetic(&[
        ("aurum-top", &[("aurum-mid", "dependencies")]),
        ("aurum-mid", &[]),
        ("aurum-low", &[("aurum-mid", "dev-dependencies")]),
    ]);
    let problems = violations(SYNTHETIC_README, &crates);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("`aurum-low`")
            && problems[0].contains("depends on `aurum-mid` ([dev-dependencies])")
            && problems[0].contains("listed above it"),
        "{}",
        problems[0]
    );
}

#[test]
fn missing_and_unknown_crates_are_caught() {
    // `aurum-new` exists but is not listed; `aurum-low` is listed but does not exist.
    let crates = synthetic(&[
        ("aurum-top", &[("aurum-mid", "dependencies")]),
        ("aurum-mid", &[]),
        ("aurum-new", &[]),
    ]);
    let problems = violations(SYNTHETIC_README, &crates);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("lists `aurum-low`") && problems[0].contains("no crate"));
    assert!(problems[1].contains("`aurum-new` is missing from crates/README.md"));
}
