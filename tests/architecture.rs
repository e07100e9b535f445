//! The module map of ARCHITECTURE.md, checked from the `use crate::…` paths of the source:
//! no cycle between top-level modules, and the few "may not import" rules that keep the
//! flow one way.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text of a file without its unit tests (`#[cfg(test)] mod tests`), which may reach
/// anywhere.
fn non_test_text(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("read source");
    match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// Which top-level module each top-level module names through `crate::`.
fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src");
        let first = relative.iter().next().expect("a component");
        let top = first.to_string_lossy().trim_end_matches(".rs").to_owned();
        if matches!(top.as_str(), "main" | "lib" | "bin") || relative.ends_with("tests.rs") {
            continue;
        }
        let text = non_test_text(&file);
        let edges = graph.entry(top.clone()).or_default();
        for (at, _) in text.match_indices("crate::") {
            let name: String = text[at + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && name != top {
                edges.insert(name);
            }
        }
    }
    graph
}

fn reaches(graph: &Graph, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut todo = vec![from.to_owned()];
    while let Some(module) = todo.pop() {
        for next in graph.get(&module).into_iter().flatten() {
            if next == to {
                return true;
            }
            if seen.insert(next.clone()) {
                todo.push(next.clone());
            }
        }
    }
    false
}

#[test]
fn no_cycle_between_top_level_modules() {
    let graph = graph();
    assert!(graph.len() > 10, "{graph:?}");
    let cycles: Vec<String> = graph
        .iter()
        .flat_map(|(from, tos)| tos.iter().map(move |to| (from, to)))
        .filter(|(from, to)| reaches(&graph, to, from))
        .map(|(from, to)| format!("{from} -> {to} -> … -> {from}"))
        .collect();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_flow_goes_one_way() {
    let graph = graph();
    let forbidden = [
        ("profile", "creds"),
        ("error", "profile"),
        ("creds", "exec"),
        ("creds", "serve"),
        ("creds", "commands"),
        ("sdk", "creds"),
        ("ecr", "creds"),
        ("ecr", "profile"),
    ];
    for (from, to) in forbidden {
        assert!(
            !graph.get(from).is_some_and(|edges| edges.contains(to)),
            "{from} imports {to}"
        );
    }
}
