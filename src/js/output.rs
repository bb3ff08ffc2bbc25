//! Values handed to JavaScript: the outputs' serde derives, through serde-wasm-bindgen.

use js_sys::Object;
use serde::Serialize;
use serde_wasm_bindgen::Serializer;
use wasm_bindgen::JsValue;

/// A struct seen through serde's `flatten`, so that it reaches serde-wasm-bindgen as a map.
/// The object made is the same; but a map's keys become JavaScript strings directly, where a
/// struct's go through serde-wasm-bindgen's interning cache (a `HashMap` in a thread local),
/// whose code costs the module more than every key it would save.
#[derive(Serialize)]
struct Flat<'a, T: Serialize> {
    #[serde(flatten)]
    fields: &'a T,
}

/// A struct as a plain JavaScript object; its `None` fields `null` if `missing_as_null`, else
/// `undefined`.
// Not inlined into `MobprocClient::call`'s async body and its other callers (−79 B gzip, with
// LTO).
#[inline(never)]
pub fn object<T: Serialize>(value: &T, missing_as_null: bool) -> JsValue {
    finish(Flat { fields: value }.serialize(&serializer(missing_as_null)))
}

/// The serializer of [`object`]; apart from it, so that each output type's copy of `object`
/// is only the call to its serialiser.
fn serializer(missing_as_null: bool) -> Serializer {
    Serializer::new()
        .serialize_maps_as_objects(true)
        .serialize_missing_as_null(missing_as_null)
}

/// The object made, or an empty one should serialising fail.
fn finish(made: Result<JsValue, serde_wasm_bindgen::Error>) -> JsValue {
    made.unwrap_or_else(|_| Object::new().into())
}

/// An optional struct as a JavaScript object, `None` as `null`.
pub fn optional<T: Serialize>(value: &Option<T>) -> JsValue {
    value
        .as_ref()
        .map_or(JsValue::NULL, |value| object(value, true))
}
