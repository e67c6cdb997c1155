//! The core's modules form layers, and imports point only down (docs/ARCHITECTURE.md, "Layers").
//! This test reads the sources and fails on an import that points up, or that goes through the
//! crate root's re-exports (which hide where a type comes from).

use std::fs;
use std::path::Path;

mod source_files;
use source_files::{code, sources};

/// Bottom first. A module may use the modules before it, never those after it.
const LAYERS: &[&str] = &[
    "codec",
    "base",
    "routing",
    "error",
    "vault",
    "identity",
    "runtime",
    "transport",
    "abac",
    "channel",
    "services",
];

/// Modules outside the layers: test scenarios may use everything.
const EXEMPT: &[&str] = &["testing", "lib"];

/// Every `crate::<name>` the code names, including inside `use crate::{a, b::c}`.
fn named(code: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let item = item.trim();
                if !item.is_empty() {
                    names.push(item.split("::").next().unwrap().trim().to_owned());
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            names.push(name);
        }
    }
    names
}

#[test]
fn imports_point_only_down_and_name_their_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let mut problems = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&root).unwrap();
        if file.file_name().is_some_and(|n| n == "tests.rs") {
            continue; // a `#[cfg(test)] mod tests;` of its parent
        }
        let module = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if EXEMPT.contains(&module.as_str()) {
            continue;
        }
        let level = LAYERS
            .iter()
            .position(|l| *l == module)
            .unwrap_or_else(|| panic!("{} is in no layer: add it to LAYERS", relative.display()));
        for name in named(&code(&fs::read_to_string(&file).unwrap())) {
            if name.is_empty() || name == module {
                continue;
            }
            match LAYERS.iter().position(|l| *l == name) {
                Some(other) if other > level => problems.push(format!(
                    "{}: `{module}` imports `{name}`, a layer above it",
                    relative.display()
                )),
                Some(_) => {}
                None if name == "testing" => problems.push(format!(
                    "{}: `testing` outside a test module",
                    relative.display()
                )),
                None => problems.push(format!(
                    "{}: imports `crate::{name}` through the crate root; name its module",
                    relative.display()
                )),
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
