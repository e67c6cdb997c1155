use razor_core::Error;
use wasm_bindgen::JsValue;

/// A JS `Error` named `RazorError` whose `code` is [`Error::code`] (e.g. `"TIMEOUT"`) and whose
/// `kind` is [`ErrorKind::name`](razor_core::ErrorKind::name) (e.g. `"timeout"`); `remote` is
/// true when another node reported it (a notice).
pub fn to_js_error(error: Error) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    js.set_name("RazorError");
    let _ = js_sys::Reflect::set(&js, &"code".into(), &error.code().into());
    let _ = js_sys::Reflect::set(&js, &"kind".into(), &error.kind().name().into());
    let remote = matches!(error, Error::Remote(_));
    let _ = js_sys::Reflect::set(&js, &"remote".into(), &remote.into());
    js.into()
}

/// Every error code with its kind, `[code, kind]` pairs: what the TypeScript layer's
/// `ErrorCode` union is generated from (`js/scripts/error-codes.mjs`).
#[wasm_bindgen::prelude::wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> js_sys::Array {
    Error::CODE_KINDS
        .iter()
        .map(|(code, kind)| js_sys::Array::of2(&(*code).into(), &kind.name().into()))
        .collect()
}
