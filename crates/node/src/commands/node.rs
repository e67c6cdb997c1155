//! `razor node` (and `razor relay create`): a node that listens, answers channels, runs echo, the
//! relay service and an outlet, registers a relay, and serves metrics, until Ctrl-C.

use razor_core::abac::Policy;
use razor_core::channel::{CipherSuite, SecureChannelOptions, TrustPolicy};
use razor_core::services::portal::Outlet;
use razor_core::services::{Echo, RELAY_SERVICE_ADDRESS, RelayClient, RelayService};
use razor_core::{Error, Result};
use razor_node::portal::TcpOutletTarget;
use razor_node::relay_client;
use razor_node::transport::{Admission, TcpTransport, WebSocketTransport, WebTransportTransport};
use tracing::{error, info};

use super::{node_with_identity, trust_policy, verified_history};
use crate::NodeArgs;

/// Runs the node `args` describe until Ctrl-C.
pub(crate) async fn run(args: NodeArgs) -> Result<()> {
    let mut trust = trust_policy(&args.trust)?;
    if let Some(policy) = &args.policy {
        let policy = Policy::parse(policy)
            .map_err(|e| Error::InvalidArgument(format!("--policy {policy:?}: {e}")))?;
        trust = TrustPolicy::All(vec![trust, TrustPolicy::TrustPolicy(policy)]);
    }
    let mut options = SecureChannelOptions::new(trust)
        .with_max_handshakes(args.limits.max_handshakes)
        .with_max_channels(args.limits.max_channels)
        .with_timeout(std::time::Duration::from_millis(
            args.limits.handshake_timeout_ms,
        ));
    for history in &args.authority {
        options = options.with_authority(verified_history("--authority", history)?);
    }
    let (node, identity) =
        node_with_identity(&args.name, args.state_dir.as_deref(), true, &[]).await?;
    node.create_secure_channel_listener(&identity, "secure", options.clone())?;
    node.create_secure_channel_listener(
        &identity,
        "secure-noise",
        options.with_suite(CipherSuite::NoiseChaChaPoly),
    )?;
    node.start_worker("echo", Echo)?;
    if let Some(target) = &args.outlet {
        node.start_worker(
            args.outlet_address.as_str(),
            Outlet::new(TcpOutletTarget::new(target.clone())),
        )?;
        println!("outlet: 0#{} -> {target}", args.outlet_address);
    }
    node.start_worker(RelayService::ockam_addresses(), RelayService::new())?;
    println!("identifier: {}", identity.identifier());
    Admission::of(&node).set_limits(args.limits.listener_limits());
    if let Some(address) = &args.metrics {
        let bound = razor_node::metrics::serve_metrics(&node, address).await?;
        println!("metrics: http://{bound}/metrics");
    }
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
    if let Some(url) = &args.relay {
        let mut client = RelayClient::new();
        client.name = args.relay_name.clone();
        if let Some(trust) = &args.relay_trust {
            client.through_channel = Some((identity.clone(), trust_policy(trust)?));
        }
        // Kept for the node's life: it ends when the node shuts down.
        relay_client::keep_registered(client, &node, &ws, url, |alias| println!("relay: {alias}"));
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
