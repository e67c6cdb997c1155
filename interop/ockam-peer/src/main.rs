//! A real Ockam 0.150 node and verifier for Razor's interop tests.
//!
//! ockam-peer listen 127.0.0.1:4000 [TRUSTED_ID]
//!                                           TCP listener, secure channel listener "secure"
//!                                           (trusts everyone, or only TRUSTED_ID), echo worker
//!                                           "echoer"
//! ockam-peer connect 127.0.0.1:4000 [name]  secure channel to [tcp, name], sends "hello" to "echoer"
//! ockam-peer relay-ws 127.0.0.1:4000        WebSocket connection, secure channel listener "secure"
//!                                           (trusts everyone), echo worker "echoer", and a random
//!                                           relay at the node's "forwarding_service"; prints its alias
//! ockam-peer relay-tcp 127.0.0.1:5000 ws://127.0.0.1:8787/
//!                                           TCP connection to a Razor node that bridges to a
//!                                           relay service by WebSocket (route [tcp, 3#URL]);
//!                                           listener "secure", echoer, a random relay there
//! ockam-peer relay-tcp 127.0.0.1:5000      the same on the Razor node's own relay service
//! ockam-peer relay-service 127.0.0.1:4000   TCP listener with Ockam's relay service at
//!                                           "forwarding_service" (what `ockam relay create`
//!                                           registers at)
//! ockam-peer connect-relay 127.0.0.1:4000 ALIAS PEER_ID
//!                                           secure channel to [tcp, ALIAS, "secure"] trusting
//!                                           PEER_ID, sends the String "hello" to "echo"
//! ockam-peer connect-ws 127.0.0.1:4000 ALIAS
//!                                           secure channel to [ws, ALIAS, "secure"], sends "hello"
//!                                           to "echoer"
//! ockam-peer authority-issue (SUBJECT_ID NAME=VALUE TTL_SECONDS)...
//!                                           a new authority issues each subject a credential
//!                                           (schema 1) with one attribute; prints authority,
//!                                           authority_history, then a credential line (hex
//!                                           CredentialAndPurposeKey) per subject, in order
//! ockam-peer listen-abac 127.0.0.1:4000 AUTHORITY_HISTORY
//!                                           like listen, trusting AUTHORITY's credentials; the
//!                                           echoer admits only `(= subject.role "member")`
//! ockam-peer issuer 127.0.0.1:4000          an authority serving "credential_issuer" (the
//!                                           project-member protocol of ockam_api's issuer: POST /
//!                                           -> role=member for anyone, 1 h) and that ABAC echoer
//! ockam-peer connect-cred 127.0.0.1:4000 LISTENER_ID
//!                                           prints identifier and change_history, reads a
//!                                           credential (hex, or "none") from stdin, presents it on a channel
//!                                           to [tcp, "secure"] trusting only LISTENER_ID, sends
//!                                           "hello" to "echo"; prints the reply
//! ockam-peer connect-retriever 127.0.0.1:4000 ISSUER_ID
//!                                           Ockam's own RemoteCredentialRetriever gets a credential
//!                                           from ISSUER's credential_issuer, presents it, "hello"
//!                                           to the ABAC echoer
//! ockam-peer outlet 127.0.0.1:4000 TARGET_HOST:PORT
//!                                           TCP listener, secure channel listener "secure"
//!                                           (trusts everyone), a TCP portal outlet at "outlet"
//!                                           to TARGET
//! ockam-peer inlet 127.0.0.1:0 NODE_ADDR NODE_ID
//!                                           secure channel to [tcp NODE_ADDR, "secure"] trusting
//!                                           NODE_ID; a TCP portal inlet listening on the first
//!                                           address to [channel, "outlet"]; prints "inlet: ADDR"
//! ockam-peer bench-serve 127.0.0.1:4000    TCP listener, secure channel listener "secure"
//!                                           (trusts everyone), a worker at "echo" that answers
//!                                           every message with its bytes (what `razor node` runs)
//! ockam-peer bench 127.0.0.1:4000 CHANNELS SMALL LARGE
//!                                           against bench-serve (or a razor node): times CHANNELS
//!                                           channel creations, then echoes of 64 B (SMALL) and
//!                                           16 KiB (LARGE) messages, one at a time and 16 in
//!                                           flight; prints one JSON line per case
//! ockam-peer bench-cold 127.0.0.1:4000      connect, one channel, one 64 B echo, exit (timed
//!                                           from outside as a cold start)
//! ockam-peer verify-update OLD_HISTORY NEW_HISTORY
//!                                           verifies NEW as an update of OLD (same identifier)
//! ockam-peer verify-identity HEX            verifies a change history; prints its identifier
//! ockam-peer verify-attestation HISTORY ATTESTATION
//!                                           verifies a secure channel purpose key attestation
//! ockam-peer verify-credential SUBJECT_ID ISSUER_HISTORY CREDENTIAL
//!                                           verifies a credential (hex CredentialAndPurposeKey)
//! ockam-peer vectors transport-messages|identities
//!                                           prints golden vectors as JSON
//! Exit status 0 means success (verified); 1 means refused; 2 means bad usage.
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use ockam::identity::models::*;
use ockam::identity::*;
use ockam::identity::{SecureChannelListenerOptions, SecureChannelOptions};
use ockam::remote::{RemoteRelay, RemoteRelayOptions};
use ockam::tcp::{
    TcpConnectionOptions, TcpInletOptions, TcpListener, TcpListenerOptions, TcpOutletOptions, TcpTransport,
    TcpTransportExtension,
};
use ockam::transport::HostnamePort;
use ockam::vault::*;
use ockam::abac::{Expr, IncomingAbac};
use ockam::identity::utils::{now, AttributesBuilder};
use ockam::tcp::TCP;
use ockam::{node, route, Context, MessageSendReceiveOptions, RelayService, RelayServiceOptions, Result, Routed, TryClone, Worker};
use ockam_core::api::{Method, Request, Response};
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
    let node_mode = matches!(std::env::args().nth(1).as_deref(), Some("listen" | "connect" | "relay-ws" | "connect-ws" | "relay-tcp" | "listen-abac" | "issuer" | "connect-cred" | "connect-retriever" | "outlet" | "inlet" | "relay-service" | "connect-relay" | "bench-serve" | "bench" | "bench-cold"));
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
        Some("relay-tcp") => run_relay_over_tcp(ctx, &arg(2), args.get(3).map(String::as_str)).await,
        Some("relay-service") => relay_service(ctx, &arg(2)).await,
        Some("connect-relay") => connect_relay(ctx, &arg(2), &arg(3), &arg(4)).await,
        Some("outlet") => outlet(ctx, &arg(2), &arg(3)).await,
        Some("bench-serve") => bench_serve(ctx, &arg(2)).await,
        Some("bench") => {
            let count = |i: usize| arg(i).parse::<usize>().unwrap_or_else(|_| usage());
            bench(ctx, &arg(2), count(3), count(4), count(5)).await
        }
        Some("bench-cold") => bench_cold(ctx, &arg(2)).await,
        Some("inlet") => inlet(ctx, &arg(2), &arg(3), &arg(4)).await,
        Some("authority-issue") => authority_issue(ctx, &args).await,
        Some("listen-abac") => listen_abac(ctx, &args).await,
        Some("issuer") => issuer(ctx, &args).await,
        Some("connect-cred") => connect_cred(ctx, &args).await,
        Some("connect-retriever") => connect_retriever(ctx, &args).await,
        Some("verify-update") => {
            let identities = Identities::builder().await?.build();
            let id = verdict("old history", identities.identities_verification().import(None, &unhex(&arg(2))).await);
            verdict("new history", identities.identities_verification().import(Some(&id), &unhex(&arg(3))).await);
            println!("updated: {id}");
            done()
        }
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
    let (mut node, tcp, me) = tcp_node(ctx).await?;
    if mode == "listen" {
        let mut options = SecureChannelListenerOptions::new();
        if let Some(trusted) = args.get(3) {
            let trusted: Identifier = verdict("trusted id", trusted.as_str().try_into());
            options = options.with_trust_policy(TrustIdentifierPolicy::new(trusted));
        }
        let (tcp_listener, scl) = secure_listener(&node, &tcp, &me, &addr, options).await?;
        node.flow_controls().add_consumer(&"echoer".into(), tcp_listener.flow_control_id());
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
async fn run_relay_over_tcp(ctx: Context, tcp_addr: &str, ws_url: Option<&str>) -> Result<()> {
    let (node, tcp, me) = tcp_node(ctx).await?;
    let conn = tcp.connect(tcp_addr, TcpConnectionOptions::new()).await?;
    // Relayed messages arrive over this TCP connection: the listener consumes its flow.
    let scl = node.create_secure_channel_listener(
        &me,
        "secure",
        SecureChannelListenerOptions::new().as_consumer(conn.flow_control_id()),
    )?;
    node.flow_controls().add_consumer(&"echoer".into(), scl.flow_control_id());
    node.start_worker("echoer", Echoer)?;
    // On the Razor node's own relay service, or on one it bridges to by WebSocket.
    let service = match ws_url {
        Some(url) => route![conn.clone(), Address::new_with_string(TransportType::new(3), url)],
        None => route![conn.clone()],
    };
    let relay = RemoteRelay::create(node.context(), service, RemoteRelayOptions::new()).await?;
    println!("relay: {}", relay.remote_address());
    println!("ready");
    std::future::pending::<()>().await;
    Ok(())
}


/// Answers every message with its own bytes (a `Vec<u8>` is its raw bytes on the wire).
struct BytesEcho;

#[ockam::worker]
impl Worker for BytesEcho {
    type Context = Context;
    type Message = Vec<u8>;
    async fn handle_message(&mut self, ctx: &mut Context, msg: Routed<Vec<u8>>) -> Result<()> {
        let back = msg.return_route().clone();
        ctx.send(back, msg.into_body()?).await
    }
}

/// bench-serve ADDR
async fn bench_serve(ctx: Context, addr: &str) -> Result<()> {
    let (node, tcp, me) = tcp_node(ctx).await?;
    let (tcp_listener, scl) = secure_listener(&node, &tcp, &me, addr, SecureChannelListenerOptions::new()).await?;
    node.flow_controls().add_consumer(&"echo".into(), scl.flow_control_id());
    node.start_worker("echo", BytesEcho)?;
    println!("listening on {}: a bytes echo at 0#echo behind 0#secure", tcp_listener.socket_address());
    std::future::pending::<()>().await;
    Ok(())
}

/// Echoes `count` messages of `size` bytes through `channel`, `window` in flight; returns seconds.
async fn echo_run(node: &ockam::Node, channel: &SecureChannel, size: usize, count: usize, window: usize) -> Result<f64> {
    let address = Address::random_local();
    let flow = node
        .flow_controls()
        .find_flow_control_with_producer_address(channel.encryptor_address())
        .map(|x| x.flow_control_id().clone());
    if let Some(flow) = flow {
        node.flow_controls().add_consumer(&address, &flow);
    }
    let mut ctx = node.context().new_detached(address, AllowAll, AllowAll)?;
    let payload = vec![7u8; size];
    let route = route![channel.clone(), "echo"];
    let started = std::time::Instant::now();
    let mut sent = 0;
    while sent < window.min(count) {
        ctx.send(route.clone(), payload.clone()).await?;
        sent += 1;
    }
    for _ in 0..count {
        let reply = ctx.receive::<Vec<u8>>().await?.into_body()?;
        if reply.len() != size {
            return Err(ockam_core::Error::new(ockam_core::errcode::Origin::Application, ockam_core::errcode::Kind::Invalid, "short echo"));
        }
        if sent < count {
            ctx.send(route.clone(), payload.clone()).await?;
            sent += 1;
        }
    }
    Ok(started.elapsed().as_secs_f64())
}

/// bench ADDR CHANNELS SMALL LARGE
async fn bench(ctx: Context, addr: &str, channels: usize, small: usize, large: usize) -> Result<()> {
    let node = node(ctx).await?;
    let tcp = node.create_tcp_transport()?;
    let me = node.create_identity().await?;
    let conn = tcp.connect(addr, TcpConnectionOptions::new()).await?;
    let mut times = Vec::with_capacity(channels);
    for _ in 0..channels {
        let started = std::time::Instant::now();
        let channel = node.create_secure_channel(&me, route![conn.clone(), "secure"], SecureChannelOptions::new()).await?;
        // Created means usable: one round trip through it, as the Razor side does.
        let _: Vec<u8> = node.send_and_receive(route![channel.clone(), "echo"], vec![1u8]).await?;
        times.push(started.elapsed().as_secs_f64());
        node.context().stop_address(channel.encryptor_address())?;
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    println!("{}", json!({"case": "channel creation + first echo", "impl": "ockam", "us": median * 1e6}));
    let channel = node.create_secure_channel(&me, route![conn.clone(), "secure"], SecureChannelOptions::new()).await?;
    for (size, count) in [(64usize, small), (16384, large)] {
        for window in [1usize, 16] {
            let seconds = echo_run(&node, &channel, size, count, window).await?;
            println!(
                "{}",
                json!({"case": format!("echo {size} B, {window} in flight"), "impl": "ockam",
                       "msgs_per_s": count as f64 / seconds, "mb_per_s": (count * size) as f64 / seconds / 1e6})
            );
        }
    }
    done()
}

/// bench-cold ADDR
async fn bench_cold(ctx: Context, addr: &str) -> Result<()> {
    let node = node(ctx).await?;
    let tcp = node.create_tcp_transport()?;
    let me = node.create_identity().await?;
    let conn = tcp.connect(addr, TcpConnectionOptions::new()).await?;
    let channel = node.create_secure_channel(&me, route![conn, "secure"], SecureChannelOptions::new()).await?;
    let reply: Vec<u8> = node.send_and_receive(route![channel, "echo"], vec![7u8; 64]).await?;
    println!("echoed {} bytes", reply.len());
    done()
}

/// relay-service ADDR
async fn relay_service(ctx: Context, addr: &str) -> Result<()> {
    let node = node(ctx).await?;
    let tcp = node.create_tcp_transport()?;
    let tcp_listener = tcp.listen(addr, TcpListenerOptions::new()).await?;
    let options = RelayServiceOptions::new()
        .service_as_consumer(tcp_listener.flow_control_id())
        .relay_as_consumer(tcp_listener.flow_control_id());
    RelayService::create(node.context(), "forwarding_service", options)?;
    println!("listening on {addr}: Ockam's relay service at 0#forwarding_service");
    std::future::pending::<()>().await;
    Ok(())
}

/// connect-relay ADDR ALIAS PEER_ID
async fn connect_relay(ctx: Context, addr: &str, alias: &str, peer_id: &str) -> Result<()> {
    let (node, tcp, me) = tcp_node(ctx).await?;
    let peer: Identifier = verdict("peer id", peer_id.try_into());
    let conn = tcp.connect(addr, TcpConnectionOptions::new()).await?;
    let options = SecureChannelOptions::new()
        .with_trust_policy(TrustIdentifierPolicy::new(peer))
        .with_timeout(Duration::from_secs(10));
    let ch = node.create_secure_channel(&me, route![conn, alias, "secure"], options).await?;
    println!("secure channel to {}", ch.their_identifier());
    let reply: Routed<String> = node
        .send_and_receive_extended(route![ch, "echo"], "hello".to_string(), MessageSendReceiveOptions::new().with_timeout(Duration::from_secs(5)))
        .await?;
    println!("reply: {}", reply.into_body()?);
    done()
}

/// outlet ADDR TARGET
async fn outlet(ctx: Context, addr: &str, target: &str) -> Result<()> {
    let (node, tcp, me) = tcp_node(ctx).await?;
    let (_, scl) = secure_listener(&node, &tcp, &me, addr, SecureChannelListenerOptions::new()).await?;
    let target = verdict("target", HostnamePort::try_from(target));
    tcp.create_outlet("outlet", target.clone(), TcpOutletOptions::new().as_consumer(scl.flow_control_id()))?;
    println!("listening on {addr}: a TCP outlet at 0#outlet to {target}");
    std::future::pending::<()>().await;
    Ok(())
}

/// inlet BIND NODE_ADDR NODE_ID
async fn inlet(ctx: Context, bind: &str, node_addr: &str, node_id: &str) -> Result<()> {
    let (node, tcp, me) = tcp_node(ctx).await?;
    let peer: Identifier = verdict("node id", node_id.try_into());
    let conn = tcp.connect(node_addr, TcpConnectionOptions::new()).await?;
    let options = SecureChannelOptions::new()
        .with_trust_policy(TrustIdentifierPolicy::new(peer))
        .with_timeout(Duration::from_secs(10));
    let ch = node.create_secure_channel(&me, route![conn, "secure"], options).await?;
    let inlet = tcp.create_inlet(bind, route![ch, "outlet"], TcpInletOptions::new()).await?;
    println!("inlet: {}", inlet.socket_address());
    std::future::pending::<()>().await;
    Ok(())
}

fn member_expression() -> Expr {
    verdict("policy", Expr::try_from(r#"(= subject.role "member")"#))
}

fn io_error(error: std::io::Error) -> ockam_core::Error {
    ockam_core::Error::new(ockam_core::errcode::Origin::Application, ockam_core::errcode::Kind::Io, error)
}

/// authority-issue (SUBJECT_ID NAME=VALUE TTL_SECONDS)...: one new authority issues each
/// subject its credential. Subjects' histories are not needed (their latest change hash is left
/// out of the credential, which Ockam's verifier accepts).
async fn authority_issue(ctx: Context, args: &[String]) -> Result<()> {
    let node = node(ctx).await?;
    let authority = node.create_identity().await?;
    let purpose_key = node.purpose_keys().purpose_keys_creation().get_or_create_credential_purpose_key(&authority).await?;
    println!("authority: {authority}");
    println!("authority_history: {}", hex(&node.identities().export_identity(&authority).await?));
    if args.len() < 5 || (args.len() - 2) % 3 != 0 {
        usage()
    }
    for triple in args[2..].chunks(3) {
        let subject: Identifier = verdict("subject", triple[0].as_str().try_into());
        let (name, value) = triple[1].split_once('=').unwrap_or_else(|| usage());
        let ttl = triple[2].parse::<u64>().unwrap_or_else(|_| usage());
        let attributes = AttributesBuilder::with_schema(CredentialSchemaIdentifier(1)).with_attribute(name, value).build();
        let created_at = now()?;
        let data = CredentialData {
            subject: Some(subject),
            subject_latest_change_hash: None,
            subject_attributes: attributes,
            created_at,
            expires_at: created_at + TimestampInSeconds(ttl),
        };
        let versioned = minicbor::to_vec(Credential::create_versioned_data(minicbor::to_vec(&data).unwrap_or_default())).unwrap_or_default();
        let vault = node.vault();
        let hash = vault.verifying_vault.sha256(&versioned).await?;
        let signature = vault.credential_vault.sign(purpose_key.key(), &hash.0).await?;
        let credential = CredentialAndPurposeKey {
            credential: Credential { data: versioned, signature: signature.into() },
            purpose_key_attestation: purpose_key.attestation().clone(),
        };
        println!("credential: {}", hex(&minicbor::to_vec(&credential).unwrap_or_default()));
    }
    done()
}

/// listen-abac ADDR AUTHORITY_HISTORY
async fn listen_abac(ctx: Context, args: &[String]) -> Result<()> {
    let (node, tcp, me) = tcp_node(ctx).await?;
    let history = unhex(args.get(3).unwrap_or_else(|| usage()));
    let authority = verdict("authority history", node.identities_verification().import(None, &history).await);
    let options = SecureChannelListenerOptions::new().with_authority(authority.clone());
    let (_, scl) = secure_listener(&node, &tcp, &me, &args[2], options).await?;
    node.flow_controls().add_consumer(&"echoer".into(), scl.flow_control_id());
    let abac = IncomingAbac::create(node.identities_attributes(), Some(authority), member_expression());
    node.start_worker_with_access_control("echoer", Echoer, abac, AllowAll)?;
    println!("listening on {}: the echoer admits (= subject.role \"member\")", args[2]);
    std::future::pending::<()>().await;
    Ok(())
}

/// The issuer side of Ockam's project-member credential protocol (as ockam_api 0.93's
/// credential issuer worker answers it): `POST /` over a secure channel answers 200 with a
/// CredentialAndPurposeKey about the channel's peer; any other request 400.
struct Issuer {
    credentials: Arc<Credentials>,
    authority: Identifier,
}

#[ockam::worker]
impl Worker for Issuer {
    type Context = Context;
    type Message = Request<Vec<u8>>;
    async fn handle_message(&mut self, ctx: &mut Context, msg: Routed<Request<Vec<u8>>>) -> Result<()> {
        let back = msg.return_route().clone();
        let from = SecureChannelLocalInfo::find_info(msg.local_message()).map(|info| Identifier::from(info.their_identifier()));
        let request = msg.into_body()?;
        let header = request.header();
        let response = match (from, header.method(), header.path()) {
            (Ok(from), Some(Method::Post), "/") => {
                let attributes = AttributesBuilder::with_schema(CredentialSchemaIdentifier(1)).with_attribute("role", "member").build();
                let credential = self
                    .credentials
                    .credentials_creation()
                    .issue_credential(&self.authority, &from, attributes, Duration::from_secs(3600))
                    .await?;
                println!("issued: role=member to {from}");
                Response::ok().with_headers(header).body(credential).encode_body()?
            }
            (Err(_), ..) => Response::bad_request_no_request("secure channel required").encode_body()?,
            _ => Response::unknown_path(header).encode_body()?,
        };
        ctx.send(back, response).await
    }
}

/// issuer ADDR
async fn issuer(ctx: Context, args: &[String]) -> Result<()> {
    let (node, tcp, authority) = tcp_node(ctx).await?;
    println!("authority_history: {}", hex(&node.identities().export_identity(&authority).await?));
    let addr = args.get(2).cloned().unwrap_or_else(|| usage());
    let options = SecureChannelListenerOptions::new().with_authority(authority.clone());
    let (_, scl) = secure_listener(&node, &tcp, &authority, &addr, options).await?;
    node.flow_controls().add_consumer(&"credential_issuer".into(), scl.flow_control_id());
    node.flow_controls().add_consumer(&"echoer".into(), scl.flow_control_id());
    node.start_worker("credential_issuer", Issuer { credentials: node.credentials(), authority: authority.clone() })?;
    let abac = IncomingAbac::create(node.identities_attributes(), Some(authority), member_expression());
    node.start_worker_with_access_control("echoer", Echoer, abac, AllowAll)?;
    println!("listening on {}: credential_issuer, and the echoer admits (= subject.role \"member\")", args[2]);
    std::future::pending::<()>().await;
    Ok(())
}

/// connect-cred ADDR LISTENER_ID
async fn connect_cred(ctx: Context, args: &[String]) -> Result<()> {
    let (node, tcp, me) = tcp_node(ctx).await?;
    println!("change_history: {}", hex(&node.identities().export_identity(&me).await?));
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(io_error)?;
    let listener: Identifier = verdict("listener", args.get(3).unwrap_or_else(|| usage()).as_str().try_into());
    let mut options = SecureChannelOptions::new()
        .with_trust_policy(TrustIdentifierPolicy::new(listener))
        .with_timeout(Duration::from_secs(10));
    if line.trim() != "none" {
        let credential: CredentialAndPurposeKey = verdict("credential", minicbor::decode(&unhex(&line)));
        options = options.with_credential(credential)?;
    }
    let conn = tcp.connect(args[2].clone(), TcpConnectionOptions::new()).await?;
    let ch = node.create_secure_channel(&me, route![conn, "secure"], options).await?;
    println!("secure channel to {}", ch.their_identifier());
    let reply: Routed<Vec<u8>> = node
        .send_and_receive_extended(route![ch, "echo"], b"hello".to_vec(), MessageSendReceiveOptions::new().with_timeout(Duration::from_secs(3)))
        .await?;
    println!("reply: {}", String::from_utf8_lossy(&reply.into_body()?));
    done()
}

/// connect-retriever ADDR ISSUER_ID
async fn connect_retriever(ctx: Context, args: &[String]) -> Result<()> {
    let (node, tcp, me) = tcp_node(ctx).await?;
    let issuer: Identifier = verdict("issuer", args.get(3).unwrap_or_else(|| usage()).as_str().try_into());
    let info = RemoteCredentialRetrieverInfo::create_for_project_member(
        issuer,
        route![Address::new_with_string(TCP, args[2].as_str()), "secure"],
    );
    let creator = RemoteCredentialRetrieverCreator::new(node.context().try_clone()?, tcp.clone(), node.secure_channels(), info, "interop".to_string());
    let options = SecureChannelOptions::new().with_credential_retriever_creator(Arc::new(creator))?;
    let conn = tcp.connect(args[2].clone(), TcpConnectionOptions::new()).await?;
    let ch = node.create_secure_channel(&me, route![conn, "secure"], options).await?;
    let reply: String = node.send_and_receive(route![ch, "echoer"], "hello".to_string()).await?;
    println!("reply: {reply}");
    done()
}

/// A node with a TCP transport and a new identity, announced as `identifier: …` (what the tests
/// read first).
async fn tcp_node(ctx: Context) -> Result<(ockam::Node, Arc<TcpTransport>, Identifier)> {
    let node = node(ctx).await?;
    let tcp = node.create_tcp_transport()?;
    let me = node.create_identity().await?;
    println!("identifier: {me}");
    Ok((node, tcp, me))
}

/// A TCP listener on `addr` with the secure channel listener "secure" (for `me`, with `options`)
/// consuming what arrives on it.
async fn secure_listener(
    node: &ockam::Node,
    tcp: &TcpTransport,
    me: &Identifier,
    addr: &str,
    options: SecureChannelListenerOptions,
) -> Result<(TcpListener, SecureChannelListener)> {
    let tcp_listener = tcp.listen(addr, TcpListenerOptions::new()).await?;
    let scl = node.create_secure_channel_listener(me, "secure", options.as_consumer(tcp_listener.flow_control_id()))?;
    Ok((tcp_listener, scl))
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
