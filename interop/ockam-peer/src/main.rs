//! A real Ockam 0.150 node and verifier for Razor's interop tests.
//!
//! ockam-peer listen 127.0.0.1:4000          TCP listener, secure channel listener "secure"
//!                                           (trusts everyone), echo worker "echoer"
//! ockam-peer connect 127.0.0.1:4000 [name]  secure channel to [tcp, name], sends "hello" to "echoer"
//! ockam-peer relay-ws 127.0.0.1:4000        WebSocket connection, secure channel listener "secure"
//!                                           (trusts everyone), echo worker "echoer", and a random
//!                                           relay at the node's "forwarding_service"; prints its alias
//! ockam-peer relay-tcp 127.0.0.1:5000 ws://127.0.0.1:8787/
//!                                           TCP connection to a Razor node that bridges to a
//!                                           relay service by WebSocket (route [tcp, 3#URL]);
//!                                           listener "secure", echoer, a random relay there
//! ockam-peer connect-ws 127.0.0.1:4000 ALIAS
//!                                           secure channel to [ws, ALIAS, "secure"], sends "hello"
//!                                           to "echoer"
//! ockam-peer verify-identity HEX            verifies a change history; prints its identifier
//! ockam-peer verify-attestation HISTORY ATTESTATION
//!                                           verifies a secure channel purpose key attestation
//! ockam-peer verify-credential SUBJECT_ID ISSUER_HISTORY CREDENTIAL
//!                                           verifies a credential (hex CredentialAndPurposeKey)
//! ockam-peer vectors transport-messages|identities
//!                                           prints golden vectors as JSON
//! Exit status 0 means success (verified); 1 means refused; 2 means bad usage.
use std::collections::BTreeMap;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use ockam::identity::models::*;
use ockam::identity::*;
use ockam::identity::{SecureChannelListenerOptions, SecureChannelOptions};
use ockam::remote::{RemoteRelay, RemoteRelayOptions};
use ockam::tcp::{TcpConnectionOptions, TcpListenerOptions, TcpTransportExtension};
use ockam::vault::*;
use ockam::{node, route, Context, Result, Routed, Worker};
use ockam_core::{
    Address, AllowAll, Any, Decodable, SecureChannelLocalInfo, Encodable, LocalMessage, Processor, Route, TransportMessage, TransportMessageV1,
    TransportType,
};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message as WsFrame;

struct Echoer;

#[ockam::worker]
impl Worker for Echoer {
    type Context = Context;
    type Message = String;
    async fn handle_message(&mut self, ctx: &mut Context, msg: Routed<String>) -> Result<()> {
        let back = msg.return_route().clone();
        // Who sent it, as the secure channel it came through authenticated them ("plain" without one).
        let from = SecureChannelLocalInfo::find_info(msg.local_message())
            .map(|info| String::from(&info.their_identifier()))
            .unwrap_or_else(|_| "plain".into());
        let body = msg.into_body()?;
        println!("echoer got: {body} from {from}");
        ctx.send(back, body).await
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    let text = text.trim();
    (0..text.len() / 2)
        .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap_or_else(|_| usage()))
        .collect()
}

/// Ends a one-shot command: the Ockam node would otherwise keep the process alive.
fn done() -> ! {
    std::process::exit(0)
}

fn usage() -> ! {
    eprintln!("usage: see the header of interop/ockam-peer/src/main.rs");
    std::process::exit(2)
}

fn verdict<T, E: std::fmt::Display>(what: &str, result: std::result::Result<T, E>) -> T {
    match result {
        Ok(value) => value,
        Err(error) => {
            println!("refused: {what}: {error}");
            std::process::exit(1)
        }
    }
}

fn main() {
    // Ockam's default logging writes to stdout; only the node modes want it (OCKAM_LOG_LEVEL).
    let node_mode = matches!(std::env::args().nth(1).as_deref(), Some("listen" | "connect" | "relay-ws" | "connect-ws" | "relay-tcp"));
    let (ctx, mut executor) = ockam::NodeBuilder::new().with_logging(node_mode).build();
    // execute() returns the future's own Result inside its own: either one is a failure.
    if let Err(error) = executor.execute(async move { run(ctx).await }).and_then(|result| result) {
        eprintln!("ockam-peer: {error}");
        std::process::exit(1);
    }
}

async fn run(ctx: Context) -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| args.get(i).cloned().unwrap_or_else(|| usage());
    match args.get(1).map(String::as_str) {
        Some("listen") | Some("connect") => run_node(ctx, &args).await,
        Some("relay-ws") | Some("connect-ws") => run_ws_node(ctx, &args).await,
        Some("relay-tcp") => run_relay_over_tcp(ctx, &arg(2), &arg(3)).await,
        Some("verify-identity") => {
            let identities = Identities::builder().await?.build();
            let id = verdict("change history", identities.identities_verification().import(None, &unhex(&arg(2))).await);
            println!("identifier: {id}");
            done()
        }
        Some("verify-attestation") => {
            let identities = Identities::builder().await?.build();
            let id = verdict("change history", identities.identities_verification().import(None, &unhex(&arg(2))).await);
            let attestation: PurposeKeyAttestation = verdict("decoding", minicbor::decode(&unhex(&arg(3))));
            let data = verdict(
                "attestation",
                identities.purpose_keys().purpose_keys_verification().verify_purpose_key_attestation(Some(&id), &attestation).await,
            );
            println!("verified: {:?}", data.public_key);
            done()
        }
        Some("verify-credential") => {
            let identities = Identities::builder().await?.build();
            let subject: Identifier = verdict("subject", arg(2).as_str().try_into());
            let issuer = verdict("issuer history", identities.identities_verification().import(None, &unhex(&arg(3))).await);
            let credential: CredentialAndPurposeKey = verdict("decoding", minicbor::decode(&unhex(&arg(4))));
            let data = verdict(
                "credential",
                identities.credentials().credentials_verification().verify_credential(Some(&subject), &[issuer], &credential).await,
            );
            for (name, value) in &data.credential_data.subject_attributes.map {
                println!("attribute {}={}", String::from_utf8_lossy(name), String::from_utf8_lossy(value));
            }
            done()
        }
        Some("vectors") => {
            let value = match arg(2).as_str() {
                "transport-messages" => transport_messages(),
                "identities" => identity_vectors().await?,
                _ => usage(),
            };
            println!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
            done()
        }
        _ => usage(),
    }
}

async fn run_node(ctx: Context, args: &[String]) -> Result<()> {
    let mode = args[1].as_str();
    let addr = args.get(2).cloned().unwrap_or_else(|| "127.0.0.1:4000".into());
    let mut node = node(ctx).await?;
    let tcp = node.create_tcp_transport()?;
    let me = node.create_identity().await?;
    println!("identifier: {me}");
    if mode == "listen" {
        let tcp_listener = tcp.listen(addr.clone(), TcpListenerOptions::new()).await?;
        node.flow_controls().add_consumer(&"echoer".into(), tcp_listener.flow_control_id());
        let scl = node.create_secure_channel_listener(
            &me,
            "secure",
            SecureChannelListenerOptions::new().as_consumer(tcp_listener.flow_control_id()),
        )?;
        node.flow_controls().add_consumer(&"echoer".into(), scl.flow_control_id());
        node.start_worker("echoer", Echoer)?;
        println!("listening on {addr}: routes '0#echoer' (plain) and '0#secure' (secure channel listener)");
        std::future::pending::<()>().await;
        Ok(())
    } else {
        let listener = args.get(3).cloned().unwrap_or_else(|| "secure".into());
        let conn = tcp.connect(addr, TcpConnectionOptions::new()).await?;
        let ch = node
            .create_secure_channel(&me, route![conn.clone(), listener.as_str()], SecureChannelOptions::new())
            .await?;
        println!("secure channel to {}", ch.their_identifier());
        let reply: String = node.send_and_receive(route![ch, "echoer"], "hello".to_string()).await?;
        println!("reply: {reply}");
        node.shutdown().await
    }
}

fn ws_error(error: tokio_tungstenite::tungstenite::Error) -> ockam_core::Error {
    ockam_core::Error::new(ockam_core::errcode::Origin::Transport, ockam_core::errcode::Kind::Io, error)
}

type WsStream = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Sending half of a WebSocket connection: every message routed to it leaves as one binary frame
/// holding its BARE TransportMessage, its own address popped (as ockam_transport_websocket does).
struct WsSender(SplitSink<WsStream, WsFrame>);

#[ockam::worker]
impl Worker for WsSender {
    type Context = Context;
    type Message = Any;
    async fn handle_message(&mut self, _ctx: &mut Context, msg: Routed<Any>) -> Result<()> {
        let msg = msg.into_local_message().pop_front_onward_route()?;
        let frame = WsFrame::binary(msg.into_transport_message().encode()?);
        self.0.send(frame).await.map_err(ws_error)
    }
}

/// Receiving half: decodes each frame, puts the sender's local address in front of the return
/// route (so that replies go back over this connection) and forwards it.
struct WsReceiver(SplitStream<WsStream>, Address);

#[ockam::processor]
impl Processor for WsReceiver {
    type Context = Context;
    async fn process(&mut self, ctx: &mut Context) -> Result<bool> {
        let data = match self.0.next().await {
            Some(Ok(WsFrame::Binary(data))) => data,
            Some(Ok(WsFrame::Close(_))) | Some(Err(_)) | None => return Ok(false),
            Some(Ok(_)) => return Ok(true),
        };
        let msg = LocalMessage::from_transport_message(TransportMessage::decode(&data)?);
        if msg.has_next_on_onward_route() {
            ctx.forward(msg.push_front_return_route(self.1.clone())).await?;
        }
        Ok(true)
    }
}

/// Connects to ws://ADDR/ and returns the local address of the connection. This stands in for
/// ockam_transport_websocket 0.128, which cannot route on ockam_node 0.139: a `3#host:port` hop
/// resolves to its router worker but the message keeps `3#host:port` as destination, which that
/// worker's mailboxes refuse (ockam_core mailbox.rs: "does not match any addresses for this
/// destination"); its own send_receive test is #[ignore]d. Like that crate it sets no flow control
/// ids (AllowAll both ways), so relayed messages reach "secure" without `as_consumer`; only
/// "echoer" must consume the secure channel listener's spawner id to get decrypted messages.
async fn connect_ws(ctx: &Context, addr: &str) -> Result<Address> {
    let (stream, _) = tokio_tungstenite::connect_async(format!("ws://{addr}"))
        .await
        .map_err(ws_error)?;
    let (sink, stream) = stream.split();
    let conn = Address::random_local();
    ctx.start_worker(conn.clone(), WsSender(sink))?;
    ctx.start_processor_with_access_control(Address::random_local(), WsReceiver(stream, conn.clone()), AllowAll, AllowAll)?;
    Ok(conn)
}

async fn run_ws_node(ctx: Context, args: &[String]) -> Result<()> {
    let mode = args[1].as_str();
    let addr = args.get(2).cloned().unwrap_or_else(|| usage());
    let node = node(ctx).await?;
    let me = node.create_identity().await?;
    println!("identifier: {me}");
    let conn = connect_ws(node.context(), &addr).await?;
    if mode == "relay-ws" {
        let scl = node.create_secure_channel_listener(&me, "secure", SecureChannelListenerOptions::new())?;
        node.flow_controls().add_consumer(&"echoer".into(), scl.flow_control_id());
        node.start_worker("echoer", Echoer)?;
        let relay = RemoteRelay::create(node.context(), route![conn], RemoteRelayOptions::new()).await?;
        println!("relay: {}", relay.remote_address());
        println!("ready");
        std::future::pending::<()>().await;
        Ok(())
    } else {
        let alias = args.get(3).cloned().unwrap_or_else(|| usage());
        let ch = node
            .create_secure_channel(&me, route![conn, alias.as_str(), "secure"], SecureChannelOptions::new())
            .await?;
        println!("secure channel to {}", ch.their_identifier());
        let reply: String = node.send_and_receive(route![ch, "echoer"], "hello".to_string()).await?;
        println!("reply: {reply}");
        done()
    }
}

/// A relay registered through a Razor node that bridges Ockam's TCP to a relay service's
/// WebSocket: only Ockam's own transport, relay client and secure channel are used here.
async fn run_relay_over_tcp(ctx: Context, tcp_addr: &str, ws_url: &str) -> Result<()> {
    let node = node(ctx).await?;
    let tcp = node.create_tcp_transport()?;
    let me = node.create_identity().await?;
    println!("identifier: {me}");
    let conn = tcp.connect(tcp_addr, TcpConnectionOptions::new()).await?;
    // Relayed messages arrive over this TCP connection: the listener consumes its flow.
    let scl = node.create_secure_channel_listener(
        &me,
        "secure",
        SecureChannelListenerOptions::new().as_consumer(conn.flow_control_id()),
    )?;
    node.flow_controls().add_consumer(&"echoer".into(), scl.flow_control_id());
    node.start_worker("echoer", Echoer)?;
    let service = Address::new_with_string(TransportType::new(3), ws_url);
    let relay = RemoteRelay::create(node.context(), route![conn.clone(), service], RemoteRelayOptions::new()).await?;
    println!("relay: {}", relay.remote_address());
    println!("ready");
    std::future::pending::<()>().await;
    Ok(())
}

fn transport_messages() -> Value {
    fn route(addrs: &[(u8, &str)]) -> Route {
        Route::create(addrs.iter().map(|(tt, a)| Address::new_with_string(TransportType::new(*tt), *a)).collect::<Vec<_>>())
    }
    fn route_json(addrs: &[(u8, &str)]) -> Value {
        Value::Array(addrs.iter().map(|(tt, a)| json!(format!("{tt}#{a}"))).collect())
    }
    let long_address = "a".repeat(300);
    let big_payload: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
    type Case<'a> = (&'a str, u8, Vec<(u8, &'a str)>, Vec<(u8, &'a str)>, Vec<u8>, Option<&'a str>);
    let cases: Vec<Case> = vec![
        ("empty", 2, vec![], vec![], vec![], None),
        ("local-hello", 2, vec![(0, "echo")], vec![(0, "app")], b"hello".to_vec(), None),
        ("three-hop-tcp", 2, vec![(1, "127.0.0.1:4000"), (0, "hop"), (0, "echo")], vec![(0, "0123456789abcdef0123456789abcdef")], b"\x05hello".to_vec(), None),
        ("ws-and-tracing", 2, vec![(3, "localhost:4000"), (0, "secure")], vec![(0, "client")], vec![0, 1, 2, 3, 255], Some("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")),
        ("long-address-big-payload", 2, vec![(0, long_address.as_str())], vec![(7, "x")], big_payload, None),
        ("v1-local", 1, vec![(0, "onward")], vec![(0, "return")], b"v1".to_vec(), None),
    ];
    let mut out = Vec::new();
    for (name, version, onward, ret, payload, tracing) in cases {
        let bytes = if version == 1 {
            TransportMessageV1::new(route(&onward), route(&ret), payload.clone()).encode().unwrap_or_default()
        } else {
            TransportMessage::new(version, route(&onward), route(&ret), payload.clone(), tracing.map(String::from))
                .encode()
                .unwrap_or_default()
        };
        out.push(json!({
            "name": name, "version": version, "onward": route_json(&onward), "return": route_json(&ret),
            "payload_hex": hex(&payload), "tracing": tracing, "bytes_hex": hex(&bytes),
        }));
    }
    Value::Array(out)
}

/// Identities, a rotation, a P-256 identity, a credential purpose key and a credential, all
/// from fixed keys and times so that Razor can reproduce them byte for byte.
async fn identity_vectors() -> Result<Value> {
    let signing = SoftwareVaultForSigning::create().await?;
    let credential_vault = SoftwareVaultForSigning::create().await?;
    let vault = Vault::new(signing.clone(), Vault::create_secure_channel_vault().await?, credential_vault.clone(), Vault::create_verifying_vault());
    let identities = Identities::builder().await?.with_vault(vault).build();
    let ed = |seed: u8| SigningSecret::EdDSACurve25519(EdDSACurve25519SecretKey::new([seed; 32]));
    let window = (TimestampInSeconds(1_700_000_000), TimestampInSeconds(2_015_360_000));

    let issuer = identities.identities_creation().identity_builder()
        .with_existing_key(signing.import_key(ed(1)).await?).with_timestamps(window.0, window.1).build().await?;
    let issuer_first = hex(&identities.export_identity(&issuer).await?);
    identities.identities_creation().rotate_identity_with_options(&issuer,
        IdentityOptions::new(signing.import_key(ed(2)).await?, true, TimestampInSeconds(1_700_000_100), TimestampInSeconds(2_015_360_100))).await?;
    let issuer_rotated = hex(&identities.export_identity(&issuer).await?);

    let p256_key = signing.import_key(SigningSecret::ECDSASHA256CurveP256(ECDSASHA256CurveP256SecretKey::new([3; 32]))).await?;
    let p256 = identities.identities_creation().identity_builder().with_existing_key(p256_key).with_timestamps(window.0, window.1).build().await?;

    let subject = identities.identities_creation().identity_builder()
        .with_existing_key(signing.import_key(ed(4)).await?).with_timestamps(window.0, window.1).build().await?;

    let credential_key = credential_vault.import_key(ed(5)).await?;
    let purpose_key = identities.purpose_keys().purpose_keys_creation().credential_purpose_key_builder(&issuer)
        .with_existing_key(credential_key.clone())
        .with_timestamps(TimestampInSeconds(1_700_000_200), TimestampInSeconds(2_000_000_000)).build().await?;
    let mut map = BTreeMap::new();
    map.insert(b"role".to_vec().into(), b"member".to_vec().into());
    map.insert(b"a".to_vec().into(), b"1".to_vec().into());
    let data = CredentialData {
        subject: Some(subject.clone()),
        subject_latest_change_hash: Some(identities.get_identity(&subject).await?.latest_change_hash()?.clone()),
        subject_attributes: Attributes { schema: CredentialSchemaIdentifier(1), map },
        created_at: TimestampInSeconds(1_700_000_300),
        expires_at: TimestampInSeconds(1_900_000_000),
    };
    let versioned = minicbor::to_vec(Credential::create_versioned_data(minicbor::to_vec(&data).unwrap_or_default())).unwrap_or_default();
    let hash = identities.vault().verifying_vault.sha256(&versioned).await?;
    let signature = credential_vault.sign(&credential_key, &hash.0).await?;
    let credential = CredentialAndPurposeKey {
        credential: Credential { data: versioned, signature: signature.into() },
        purpose_key_attestation: purpose_key.attestation().clone(),
    };
    let secure_channel_key = identities.purpose_keys().purpose_keys_creation().secure_channel_purpose_key_builder(&subject)
        .with_timestamps(TimestampInSeconds(1_700_000_200), TimestampInSeconds(2_000_000_000)).build().await?;
    Ok(json!({
        "source": "Produced by interop/ockam-peer (ockam 0.150) with fixed keys: Ed25519 seeds 01..01 (issuer), 02..02 (its rotation, revoke_all_purpose_keys=true), 04..04 (subject), 05..05 (credential purpose key); P-256 scalar 03..03. Windows: identities (1700000000, 2015360000); rotation (1700000100, 2015360100); purpose keys (1700000200, 2000000000); credential (1700000300, 1900000000), schema 1, attributes {a: 1, role: member}.",
        "ed25519": {"identifier": issuer.to_string(), "change_history": issuer_first},
        "ed25519_rotated": {"identifier": issuer.to_string(), "change_history": issuer_rotated},
        "p256": {"identifier": p256.to_string(), "change_history": hex(&identities.export_identity(&p256).await?)},
        "subject": {"identifier": subject.to_string(), "change_history": hex(&identities.export_identity(&subject).await?)},
        "credential_purpose_key_attestation": hex(&minicbor::to_vec(purpose_key.attestation()).unwrap_or_default()),
        "credential_and_purpose_key": hex(&minicbor::to_vec(&credential).unwrap_or_default()),
        "secure_channel_purpose_key_attestation_of_subject": hex(&minicbor::to_vec(secure_channel_key.attestation()).unwrap_or_default()),
    }))
}
