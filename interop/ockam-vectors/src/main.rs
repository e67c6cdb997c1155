//! Prints Razor's golden vectors, produced by the real `ockam_core` 0.125 encoders, as JSON.
//!
//! `ockam-vectors transport-messages` -> JSON array of
//! `{name, version, onward, return, payload_hex, tracing, bytes_hex}`.
use ockam_core::{Address, Encodable, Route, TransportMessage, TransportMessageV1, TransportType};
use serde_json::{json, Value};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn route(addrs: &[(u8, &str)]) -> Route {
    Route::create(
        addrs
            .iter()
            .map(|(tt, a)| Address::new_with_string(TransportType::new(*tt), *a))
            .collect::<Vec<_>>(),
    )
}

fn route_json(addrs: &[(u8, &str)]) -> Value {
    Value::Array(addrs.iter().map(|(tt, a)| json!(format!("{tt}#{a}"))).collect())
}

fn transport_messages() -> Value {
    let long_address = "a".repeat(300);
    let big_payload: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
    let cases: Vec<(&str, u8, Vec<(u8, &str)>, Vec<(u8, &str)>, Vec<u8>, Option<&str>)> = vec![
        ("empty", 2, vec![], vec![], vec![], None),
        ("local-hello", 2, vec![(0, "echo")], vec![(0, "app")], b"hello".to_vec(), None),
        (
            "three-hop-tcp",
            2,
            vec![(1, "127.0.0.1:4000"), (0, "hop"), (0, "echo")],
            vec![(0, "0123456789abcdef0123456789abcdef")],
            b"\x05hello".to_vec(),
            None,
        ),
        (
            "ws-and-tracing",
            2,
            vec![(3, "localhost:4000"), (0, "secure")],
            vec![(0, "client")],
            vec![0, 1, 2, 3, 255],
            Some("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        ),
        ("long-address-big-payload", 2, vec![(0, long_address.as_str())], vec![(7, "x")], big_payload, None),
        ("v1-local", 1, vec![(0, "onward")], vec![(0, "return")], b"v1".to_vec(), None),
    ];
    let mut out = Vec::new();
    for (name, version, onward, ret, payload, tracing) in cases {
        let bytes = if version == 1 {
            TransportMessageV1::new(route(&onward), route(&ret), payload.clone()).encode().unwrap()
        } else {
            TransportMessage::new(version, route(&onward), route(&ret), payload.clone(), tracing.map(String::from))
                .encode()
                .unwrap()
        };
        out.push(json!({
            "name": name,
            "version": version,
            "onward": route_json(&onward),
            "return": route_json(&ret),
            "payload_hex": hex(&payload),
            "tracing": tracing,
            "bytes_hex": hex(&bytes),
        }));
    }
    Value::Array(out)
}

fn main() {
    let what = std::env::args().nth(1).unwrap_or_default();
    let value = match what.as_str() {
        "transport-messages" => transport_messages(),
        other => {
            eprintln!("usage: ockam-vectors transport-messages (got {other:?})");
            std::process::exit(2);
        }
    };
    println!("{}", serde_json::to_string_pretty(&value).unwrap());
}
