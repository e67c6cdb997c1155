use razor_core::Error;
use wasm_bindgen::JsValue;

/// A JS `Error` named `RazorError` whose `code` is [`Error::code`] (e.g. `"TIMEOUT"`); `remote`
/// is true when another node reported it (a notice).
pub fn to_js_error(error: Error) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    js.set_name("RazorError");
    let _ = js_sys::Reflect::set(&js, &"code".into(), &error.code().into());
    let remote = matches!(error, Error::Remote(_));
    let _ = js_sys::Reflect::set(&js, &"remote".into(), &remote.into());
    js.into()
}
