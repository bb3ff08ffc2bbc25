//! What each crate adds to a wasm module: function body and data segment sizes read from a
//! module that kept its `name` section, each function put in one row by its name.
//!
//! The rule (`row`), in order:
//! 1. names ending in `externref shim` or `multivalue shim` are wasm-bindgen's shims around the
//!    exports: wasm-opt inlines most exported methods' bodies into them;
//! 2. mangled names (`_ZN…E`, `_R…`) are demangled and `[0123abcd…]` crate hashes dropped;
//! 3. the crate is the first segment of the name's path; for `<X as Trait>::f` or `<X>::f` it is
//!    the first segment of the self type `X` (after `&`, `mut`, `dyn`, `[`, `(`), so a trait
//!    implementation counts for the type's crate and `<impl X for Y>` inside a path for the
//!    path's crate; when `X` is no path (`<T as Trait>`), the first `crate::` found anywhere,
//!    and core if there is none (`<str>::f`); drop glue `core::ptr::drop_in_place<X>` counts
//!    for `X`'s crate;
//! 4. mobproc_auth is split into `client`, `js` and the rest; wasm-bindgen-futures (re-exported
//!    as `js_sys::futures`) and serde_core are merged into `js_sys::futures` and `serde`;
//!    `__rustc::` (allocator and panic hooks) counts as std;
//! 5. names that are no Rust path: `__wbindgen_…` / `__externref_…` are wasm_bindgen's runtime,
//!    other exported ones (the `#[wasm_bindgen]` wrappers such as `mobprocclient_logout`) count
//!    with the shims, the rest (`memcpy`, `__multi3`, unnamed functions) are "other functions".

use crate::sh::Result;
use std::collections::{BTreeMap, BTreeSet};
use wasmparser::{ExternalKind, Name, Parser, Payload, TypeRef};

/// Row for the exports' wrappers and wasm-bindgen's shims around them.
pub const SHIMS: &str = "wasm-bindgen shims";
/// Row for data segments (strings, tables: not attributable to a crate from the module).
pub const DATA: &str = "data segments";
/// Row for unnamed functions and names that are no Rust path.
pub const OTHER: &str = "other functions";
/// Row for what is no function body nor data: types, imports (wasm-bindgen's `__wbg_…` names),
/// exports, tables, globals, section and body headers.
pub const STRUCTURE: &str = "imports, exports, types…";

/// Bytes per row, and the module's size without custom sections.
pub struct Breakdown {
    /// Row label to bytes: function bodies, data segments, and `STRUCTURE` for the remainder.
    pub rows: BTreeMap<String, usize>,
    /// Module size without custom sections (the names, producers, target features).
    pub total: usize,
}

/// Splits a module that has a `name` section into rows (see the module docs).
pub fn breakdown(wasm: &[u8]) -> Result<Breakdown> {
    let err = |e: wasmparser::BinaryReaderError| format!("reading the wasm module: {e}");
    let mut imported = 0u32;
    let mut bodies = Vec::new();
    let mut data = 0;
    let mut names = BTreeMap::new();
    let mut exported = BTreeSet::new();
    let mut total = 8; // magic and version
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(err)?;
        if let Some((id, range)) = payload.as_section() {
            if id != 0 {
                total += 1 + leb_len(range.len()) + range.len();
            }
        }
        match payload {
            Payload::ImportSection(imports) => {
                for import in imports.into_imports() {
                    let ty = import.map_err(err)?.ty;
                    imported += u32::from(matches!(ty, TypeRef::Func(_) | TypeRef::FuncExact(_)));
                }
            }
            Payload::ExportSection(exports) => {
                for export in exports {
                    let export = export.map_err(err)?;
                    if export.kind == ExternalKind::Func {
                        exported.insert(export.index);
                    }
                }
            }
            Payload::CodeSectionEntry(body) => bodies.push(body.range().len()),
            Payload::DataSection(segments) => {
                for segment in segments {
                    data += segment.map_err(err)?.range.len();
                }
            }
            Payload::CustomSection(section) => {
                if let wasmparser::KnownCustom::Name(reader) = section.as_known() {
                    for sub in reader {
                        if let Name::Function(map) = sub.map_err(err)? {
                            for naming in map {
                                let naming = naming.map_err(err)?;
                                names.insert(naming.index, naming.name.to_owned());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if names.is_empty() {
        return Err("the wasm module has no function names (was it built with names kept?)".into());
    }
    let mut rows = BTreeMap::new();
    for (i, size) in (imported..).zip(bodies) {
        let label = names
            .get(&i)
            .map_or(OTHER.to_owned(), |n| row(n, exported.contains(&i)));
        *rows.entry(label).or_default() += size;
    }
    rows.insert(DATA.to_owned(), data);
    let attributed: usize = rows.values().sum();
    rows.insert(STRUCTURE.to_owned(), total.saturating_sub(attributed));
    Ok(Breakdown { rows, total })
}

/// The row of a function named `name`, exported or not (the rule is in the module docs).
pub fn row(name: &str, exported: bool) -> String {
    if name.ends_with("externref shim") || name.ends_with("multivalue shim") {
        return SHIMS.to_owned();
    }
    let name = drop_hashes(&rustc_demangle::demangle(name).to_string());
    let Some((krate, module)) = owner(&name) else {
        return if name.starts_with("__wbindgen_") || name.starts_with("__externref_") {
            "wasm_bindgen"
        } else if exported {
            SHIMS
        } else {
            OTHER
        }
        .to_owned();
    };
    match (krate, module) {
        ("mobproc_auth", "client" | "js") => format!("mobproc_auth::{module}"),
        ("mobproc_auth", _) => "mobproc_auth (other modules)".to_owned(),
        ("js_sys", "futures") | ("wasm_bindgen_futures", _) => "js_sys::futures".to_owned(),
        ("serde_core", _) => "serde".to_owned(),
        ("__rustc", _) => "std".to_owned(),
        ("http" | "gloo_utils", _) => format!("{krate} (gloo_net's)"),
        _ => krate.to_owned(),
    }
}

/// The crate and the next path segment that own a demangled name: the dropped type's for drop
/// glue, the self type's for `<X as Trait>`, else the first `a::b` in the name; core for the
/// inherent methods of primitive types (`<str>::f`, `<[T]>::f`).
fn owner(name: &str) -> Option<(&str, &str)> {
    if let Some(dropped) = name
        .strip_prefix("core::ptr::drop_in_place")
        .and_then(|r| r.trim_start_matches("::").strip_prefix('<'))
    {
        return owner(dropped);
    }
    let mut rest = name;
    while let Some(r) = ["<", "&", "mut ", "*const ", "*mut ", "dyn ", "[", "("]
        .iter()
        .find_map(|p| rest.strip_prefix(p))
    {
        rest = r;
    }
    path_at(rest)
        .or_else(|| {
            name.match_indices("::")
                .find_map(|(i, _)| path_at(&name[start_of_ident(name, i)..]))
        })
        .or_else(|| name.starts_with('<').then_some(("core", "")))
}

/// `("a", "b")` when `s` starts with an identifier `a` followed by `::b`.
fn path_at(s: &str) -> Option<(&str, &str)> {
    let end = s.find(|c: char| !is_ident(c))?;
    let (krate, rest) = s.split_at(end);
    let rest = rest.strip_prefix("::")?;
    let module = &rest[..rest.find(|c: char| !is_ident(c)).unwrap_or(rest.len())];
    (!krate.is_empty() && !krate.starts_with(|c: char| c.is_ascii_digit()))
        .then_some((krate, module))
}

/// Index where the identifier ending at `end` starts.
fn start_of_ident(s: &str, end: usize) -> usize {
    s[..end].rfind(|c: char| !is_ident(c)).map_or(0, |i| i + 1)
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Removes the `[c5930c85a12de822]` crate disambiguators of v0 names.
fn drop_hashes(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(open) = rest.find('[') {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        match after[1..].find(']') {
            Some(len) if len >= 8 && after[1..=len].chars().all(|c| c.is_ascii_hexdigit()) => {
                rest = &after[len + 2..];
            }
            _ => {
                out.push('[');
                rest = &after[1..];
            }
        }
    }
    out + rest
}

/// Bytes of the unsigned LEB128 encoding of `n`.
fn leb_len(mut n: usize) -> usize {
    let mut len = 1;
    while n >= 0x80 {
        n >>= 7;
        len += 1;
    }
    len
}

#[cfg(test)]
mod tests {
    use super::row;

    #[test]
    fn names_go_to_their_crate() {
        let cases = [
            (
                "mobproc_auth::client::http::<impl mobproc_auth::client::Client>::sign::h199c64cad0b4c364",
                "mobproc_auth::client",
            ),
            (
                "mobproc_auth::js::MobprocClient::validate::{{closure}}::h7821f21f6cb6f31f",
                "mobproc_auth::js",
            ),
            (
                "<mobproc_auth::error::Error as core::clone::Clone>::clone::hc78a0838b619d105",
                "mobproc_auth (other modules)",
            ),
            ("<core[c5930c85a12de822]::fmt::Formatter>::pad", "core"),
            ("core[c5930c85a12de822]::fmt::write", "core"),
            (
                "<gloo_net::http::request::Request as core::convert::TryFrom<gloo_net::http::request::RequestBuilder>>::try_from::ha485a9ec66174fe7",
                "gloo_net",
            ),
            (
                "js_sys::futures::future_to_promise::{{closure}}::{{closure}}::hf13f89dd3ce437df",
                "js_sys::futures",
            ),
            ("<&T as core::fmt::Display>::fmt::h0123456789abcdef", "core"),
            ("<[u8] as alloc::slice::hack::ConvertVec>::to_vec", "alloc"),
            ("serde_core::de::Visitor::visit_str", "serde"),
            ("http::header::name::HeaderName::from_static", "http (gloo_net's)"),
            ("mobprocclient_new externref shim multivalue shim", "wasm-bindgen shims"),
            ("mobprocclient_fetch externref shim", "wasm-bindgen shims"),
            ("memcpy", "other functions"),
            ("<str>::eq_ignore_ascii_case", "core"),
            (
                "core::ptr::drop_in_place<mobproc_auth::client::Client>::hee1d367254072723",
                "mobproc_auth::client",
            ),
            ("__rustc::__rust_alloc", "std"),
            // Legacy and v0 mangling.
            ("_ZN12mobproc_auth2js5Thing3new17h0123456789abcdefE", "mobproc_auth::js"),
            ("_RNvMCsbWabp6fOGLV_4talcNtB2_1S3new", "talc"),
        ];
        for (name, expected) in cases {
            assert_eq!(row(name, false), expected, "{name}");
        }
        assert_eq!(row("mobprocclient_logout", true), "wasm-bindgen shims");
        assert_eq!(row("__externref_table_alloc", true), "wasm_bindgen");
    }
}
