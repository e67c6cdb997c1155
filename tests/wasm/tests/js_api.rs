//! The JS-facing API, called from Rust as JS would call it.
#![cfg(target_arch = "wasm32")]

use js_sys::Reflect;
use razor_wasm::api::{MemoryNetwork, Message, Node};
use wasm_bindgen::convert::TryFromJsValue;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

fn code_of(error: &JsValue) -> String {
    Reflect::get(error, &"code".into())
        .unwrap()
        .as_string()
        .unwrap()
}

#[wasm_bindgen_test]
async fn request_over_three_hops_resolves_with_the_echo() {
    let network = MemoryNetwork::new();
    let alice = Node::new(Some("alice".into())).unwrap();
    let bob = Node::new(Some("bob".into())).unwrap();
    alice.attach_memory(&network, "alice").unwrap();
    bob.attach_memory(&network, "bob").unwrap();
    alice.start_hop("hop", None).unwrap();
    bob.start_hop("hop", None).unwrap();
    bob.start_echo("echo").unwrap();
    let promise = alice.request(
        "hop => mem#bob => hop => echo",
        b"hi".to_vec(),
        Some(5_000),
        JsValue::UNDEFINED,
    );
    let reply = Message::try_from_js_value(JsFuture::from(promise).await.unwrap()).unwrap();
    assert_eq!(reply.payload().to_vec(), b"hi");
    assert!(
        reply.return_route().ends_with("0#echo"),
        "{}",
        reply.return_route()
    );
    let _ = alice.shutdown();
    let _ = bob.shutdown();
}

#[wasm_bindgen_test]
async fn errors_are_js_errors_with_codes() {
    let node = Node::new(None).unwrap();
    let unknown = JsFuture::from(node.request("nobody", vec![1], Some(1_000), JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert!(unknown.is_instance_of::<js_sys::Error>());
    assert_eq!(code_of(&unknown), "UNKNOWN_ADDRESS");
    let bad_route = JsFuture::from(node.request("quic#x", vec![], None, JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert_eq!(code_of(&bad_route), "ADDRESS_PARSE");
    node.start_hop("hole", None).unwrap();
    // A hop to nowhere never answers: the request times out.
    let timeout =
        JsFuture::from(node.request("hole => hole2", vec![], Some(50), JsValue::UNDEFINED))
            .await
            .unwrap_err();
    assert_eq!(code_of(&timeout), "TIMEOUT");
    let taken = node.start_echo("hole").unwrap_err();
    assert_eq!(code_of(&taken), "ADDRESS_IN_USE");
    let _ = node.shutdown();
}
