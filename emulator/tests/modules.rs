//! No import cycles between the crate's modules: reads `src/`, takes every `crate::…` path
//! (outside comments and `#[cfg(test)]` blocks) as an edge to the deepest module it names
//! (`crate::Config` is the crate root, `lib.rs`), and counts declaring a module (`mod x;`) as
//! depending on it, so a child that imports through its parent's re-exports closes a cycle.
//! `super::` and grouped `crate::{…}` imports are refused outright: they would hide edges.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Module path (`""` for the crate root, `"oauth::token"`) → source text.
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<String, String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_str().unwrap().to_string();
            if path.is_dir() {
                let mut p = prefix.to_vec();
                p.push(name);
                walk(&path, &p, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let mut p = prefix.to_vec();
                match (prefix.is_empty(), name.as_str()) {
                    (true, "main") => continue, // the binary, a crate of its own
                    (true, "lib") | (false, "mod") => {}
                    _ => p.push(name),
                }
                out.insert(p.join("::"), fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &[],
        &mut out,
    );
    out
}

/// The code of a file without comments and without its `#[cfg(test)]` part.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The modules `name` depends on.
fn edges(name: &str, text: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let code = code(text);
    assert!(
        !code.contains("super::"),
        "{name}: use crate:: paths, not super::"
    );
    assert!(
        !code.contains("crate::{"),
        "{name}: one crate:: path per use line"
    );
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        if i > 0 && code[..i].ends_with(|c: char| is_ident(c)) {
            continue; // e.g. `mobproc_crate::`
        }
        let rest = &code[i + "crate::".len()..];
        let path: String = rest
            .chars()
            .take_while(|c| is_ident(*c) || *c == ':')
            .collect();
        let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
        let target = (0..=segments.len())
            .rev()
            .map(|n| segments[..n].join("::"))
            .find(|m| known.contains(m))
            .unwrap_or_default();
        out.insert(target);
    }
    for line in code.lines() {
        let line = line.trim();
        let decl = line
            .strip_prefix("pub mod ")
            .or_else(|| line.strip_prefix("mod "));
        if let Some(child) = decl.and_then(|d| d.strip_suffix(';')) {
            let full = if name.is_empty() {
                child.to_string()
            } else {
                format!("{name}::{child}")
            };
            assert!(known.contains(&full), "{name}: mod {child} not found");
            out.insert(full);
        }
    }
    out.remove(name);
    out
}

/// A cycle through `from`, if any (depth-first search).
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(pos) = stack.iter().position(|s| s == n) {
            let mut c = stack[pos..].to_vec();
            c.push(n.to_string());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        stack.push(n.to_string());
        for next in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(next, graph, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mods = modules();
    let known: BTreeSet<String> = mods.keys().cloned().collect();
    mods.iter()
        .map(|(name, text)| (name.clone(), edges(name, text, &known)))
        .collect()
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let g = graph();
    // The reader sees what it should: the folders and a few known edges.
    for (from, to) in [
        ("", "oauth"),
        ("state", "journal::entries"),
        ("state", "cli::config"),
        ("journal::log", "state"),
        ("cli::config", "seed::model"),
        ("seed::extra", "seed::spec"),
        ("oauth::token", "oauth::client_auth"),
    ] {
        assert!(g[from].contains(to), "{from:?} -> {to:?} not seen: {g:#?}");
    }
    if let Some(c) = cycle(&g) {
        let shown: Vec<&str> = c
            .iter()
            .map(|m| if m.is_empty() { "crate" } else { m.as_str() })
            .collect();
        panic!("import cycle: {}", shown.join(" -> "));
    }
}

#[test]
fn the_checker_finds_a_cycle() {
    let mut g = graph();
    g.get_mut("seed::model")
        .unwrap()
        .insert("cli::config".to_string());
    let c = cycle(&g).expect("seed::model -> cli::config -> seed::model is a cycle");
    assert!(c.contains(&"seed::model".to_string()), "{c:?}");
    let known: BTreeSet<String> = ["", "a", "a::b"].iter().map(|s| s.to_string()).collect();
    let e = edges("a::b", "use crate::a::X;\n// crate::b\n", &known);
    assert_eq!(e, BTreeSet::from(["a".to_string()]));
    let e = edges("a", "pub mod b;\nuse crate::Config;", &known);
    assert_eq!(e, BTreeSet::from(["a::b".to_string(), String::new()]));
}
