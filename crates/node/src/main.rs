//! `razor`: run a Razor node or the demo.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use razor_core::channel::{CipherSuite, SecureChannelOptions, TrustPolicy};
use razor_core::identity::Identifier;
use razor_core::runtime::Runtime;
use razor_core::services::{Echo, RELAY_SERVICE_ADDRESS, RelayService};
use razor_core::{Node, NodeConfig};
use razor_node::transport::{TcpTransport, WebSocketTransport, WebTransportTransport};
use razor_node::{TokioRuntime, init_logging, run_local};
use tracing::{error, info};

/// Razor: end-to-end encrypted, mutually authenticated channels over any route.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start a node with its identity, secure channel listeners (at `secure` with Ockam's
    /// suite, at `secure-noise` with Noise_XX_25519_ChaChaPoly_SHA256), the echo service (at
    /// `echo`) and the relay service (at `forwarding_service`); runs until Ctrl-C.
    Node(NodeArgs),
    /// Two nodes on the in-memory transport: a message over a 3-hop route and its echo back
    /// by the return route, printing each hop.
    Demo,
}

#[derive(clap::Args)]
struct NodeArgs {
    /// Name of the node, shown in logs.
    #[arg(long, default_value = "razor")]
    name: String,
    /// Who may open secure channels to this node: `everyone`, or one identifier
    /// (`I` + 64 hex digits). There is no default: accepting everyone must be explicit.
    #[arg(long)]
    trust: String,
    /// Directory that keeps the node's identity and keys across restarts (created if missing;
    /// keys are written with mode 0600). Without it the identity is new on every start.
    #[arg(long)]
    state_dir: Option<PathBuf>,
    /// Listen for WebSocket connections on this address (e.g. 127.0.0.1:4000).
    #[arg(long, value_name = "ADDR")]
    ws: Vec<String>,
    /// Listen for WebTransport sessions on this UDP address (e.g. 127.0.0.1:4433). Prints the
    /// self-signed certificate's SHA-256, which browsers pin with `serverCertificateHashes`.
    #[arg(long, value_name = "ADDR")]
    wt: Vec<String>,
    /// Listen for TCP connections (Ockam's framing) on this address (e.g. 127.0.0.1:5000).
    #[arg(long, value_name = "ADDR")]
    tcp: Vec<String>,
}

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    let outcome = run_local(async move {
        match cli.command {
            Command::Node(args) => run_node(args).await,
            Command::Demo => razor_node::demo::run_demo().await.map(|_| ()),
        }
    });
    match outcome {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(error)) => {
            error!(code = error.code(), "{error}");
            ExitCode::FAILURE
        }
        Err(error) => {
            error!("could not start the runtime: {error}");
            ExitCode::FAILURE
        }
    }
}

fn trust_policy(trust: &str) -> razor_core::Result<TrustPolicy> {
    if trust == "everyone" {
        return Ok(TrustPolicy::TrustEveryone);
    }
    Ok(TrustPolicy::TrustIdentifier(trust.parse::<Identifier>()?))
}

async fn run_node(args: NodeArgs) -> razor_core::Result<()> {
    let options = SecureChannelOptions::new(trust_policy(&args.trust)?);
    let config = NodeConfig::new(args.name);
    let (node, identity) = match &args.state_dir {
        Some(dir) => {
            let (vault, identity) =
                razor_node::state::load_or_create(dir, TokioRuntime.unix_time()).await?;
            (Node::with_vault(TokioRuntime, config, vault), identity)
        }
        None => {
            let node = Node::new(TokioRuntime, config);
            let identity = node.create_identity().await?;
            (node, identity)
        }
    };
    node.create_secure_channel_listener(&identity, "secure", options.clone())?;
    node.create_secure_channel_listener(
        &identity,
        "secure-noise",
        options.with_suite(CipherSuite::NoiseChaChaPoly),
    )?;
    node.start_worker("echo", Echo)?;
    node.start_worker(RELAY_SERVICE_ADDRESS, RelayService::new())?;
    println!("identifier: {}", identity.identifier());
    // Every transport can dial out (for multi-hop routes); listeners as asked.
    let ws = WebSocketTransport::create(&node)?;
    let wt = WebTransportTransport::create(&node)?;
    let tcp = TcpTransport::create(&node)?;
    for address in &args.ws {
        println!("websocket: ws#{}", ws.listen(address).await?);
    }
    for address in &args.wt {
        let listener = wt.listen(address).await?;
        println!(
            "webtransport: wt#{} certificate-sha256: {}",
            listener.address,
            listener.certificate_hash_hex()
        );
    }
    for address in &args.tcp {
        println!("tcp: tcp#{}", tcp.listen(address).await?);
    }
    info!(
        node = node.name(),
        "running: secure channel listeners at 0#secure (Ockam suite) and 0#secure-noise, echo at 0#echo, relay service at 0#{RELAY_SERVICE_ADDRESS}; Ctrl-C stops"
    );
    if let Err(error) = tokio::signal::ctrl_c().await {
        error!("cannot wait for Ctrl-C: {error}");
    }
    info!("shutting down");
    node.shutdown();
    Ok(())
}
