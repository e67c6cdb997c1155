//! No two rooms lean on each other: within each folder of `crates/core`, `crates/node` and
//! `crates/wasm`, the modules that import their siblings (`super::x`, `crate::a::x`) form no
//! circle. This test reads the sources, draws those imports and fails on a circle that is not
//! on the list below of circles still to be taken apart (issue 23), and on a listed circle
//! that is gone (so that the list only shrinks).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

mod source_files;
use source_files::{code, sources};

/// Circles known today, each as its sorted files: to be taken apart, not added to.
const KNOWN: &[&[&str]] = &[];

/// The module path of a file: `src/channel/worker.rs` → `["channel", "worker"]`, a `mod.rs`
/// or `lib.rs` its folder's.
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The sibling modules `code` (of the module at `path`) names: `super::x`, and `crate::…::x`
/// where `…` is its parent.
fn siblings_named(code: &str, path: &[String], siblings: &BTreeSet<String>) -> BTreeSet<String> {
    let parent = &path[..path.len().saturating_sub(1)];
    let mut prefixes = vec!["super::".to_owned()];
    prefixes.push(format!(
        "crate::{}",
        parent.iter().map(|p| format!("{p}::")).collect::<String>()
    ));
    let mut named = BTreeSet::new();
    for prefix in prefixes {
        let mut rest = code;
        while let Some(i) = rest.find(&prefix) {
            rest = &rest[i + prefix.len()..];
            let names: Vec<&str> = match rest.strip_prefix('{') {
                Some(group) => group[..group.find('}').unwrap_or(group.len())]
                    .split(',')
                    .collect(),
                None => vec![rest],
            };
            for name in names {
                let name: String = name
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if siblings.contains(&name) && path.last() != Some(&name) {
                    named.insert(name);
                }
            }
        }
    }
    named
}

/// The circles among `edges` (file → files), each as its sorted files.
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<Vec<String>> {
    let mut found = BTreeSet::new();
    for start in edges.keys() {
        // Everything reachable from `start`; a circle through it is what reaches back.
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        while let Some((at, trail)) = stack.pop() {
            for next in edges.get(&at).into_iter().flatten() {
                if next == start {
                    let mut circle = trail.clone();
                    circle.sort();
                    found.insert(circle);
                } else if !trail.contains(next) && next > start {
                    let mut longer = trail.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    found
}

#[test]
fn sibling_modules_import_each_other_in_no_new_circle() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for krate in ["core", "node", "wasm"] {
        let root = crates.join(krate).join("src");
        let mut files = Vec::new();
        sources(&root, &mut files);
        // Each file with its module path and its name in the messages.
        let files: Vec<(PathBuf, Vec<String>, String)> = files
            .into_iter()
            .map(|file| {
                let relative = file.strip_prefix(&root).unwrap().to_owned();
                (
                    file,
                    module_path(&relative),
                    format!("{krate}/{}", relative.display()),
                )
            })
            .collect();
        let modules: BTreeMap<&[String], &str> = files
            .iter()
            .map(|(_, path, name)| (path.as_slice(), name.as_str()))
            .collect();
        for (file, path, name) in &files {
            if path.is_empty() || file.file_name().is_some_and(|n| n == "tests.rs") {
                continue; // the crate root; a `#[cfg(test)] mod tests;`
            }
            let parent = &path[..path.len() - 1];
            let siblings: BTreeSet<String> = modules
                .keys()
                .filter(|p| p.len() == path.len() && p[..p.len() - 1] == *parent)
                .map(|p| p[p.len() - 1].clone())
                .collect();
            let text = fs::read_to_string(file).unwrap();
            for sibling in siblings_named(&code(&text), path, &siblings) {
                let mut target = parent.to_vec();
                target.push(sibling);
                let target = modules[target.as_slice()].to_owned();
                edges.entry(name.clone()).or_default().insert(target);
            }
        }
    }
    let found = circles(&edges);
    let known: BTreeSet<Vec<String>> = KNOWN
        .iter()
        .map(|c| c.iter().map(|f| (*f).to_owned()).collect())
        .collect();
    let new: Vec<_> = found.difference(&known).collect();
    let gone: Vec<_> = known.difference(&found).collect();
    assert!(new.is_empty(), "new circles between modules: {new:?}");
    assert!(
        gone.is_empty(),
        "circles taken apart: remove them from KNOWN: {gone:?}"
    );
}
