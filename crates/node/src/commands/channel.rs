//! `razor secure-channel` (one request through a channel) and `razor inlet` (a TCP inlet whose
//! connections travel through a channel to an outlet).

use std::time::Duration;

use razor_core::channel::{CipherSuite, SecureChannelOptions};
use razor_core::{Address, Error, Result, Route};
use razor_node::portal::serve_inlet;
use tracing::{error, info};

use super::{client_node, trust_policy};
use crate::{InletArgs, SecureChannelArgs};

/// Opens a channel, sends one message to a service behind it and prints the answer.
pub(crate) async fn run_secure_channel(args: SecureChannelArgs) -> Result<()> {
    let (node, identity) = client_node(args.state_dir.as_deref(), &args.credential).await?;
    let timeout = Duration::from_millis(args.timeout_ms);
    let options = channel_options(&args.trust, &args.suite, timeout)?;
    let route: Route = args.to.parse()?;
    let channel = node
        .create_secure_channel(&identity, route, options)
        .await?;
    println!("peer: {}", channel.their_identifier());
    let payload = match args.ockam_string {
        true => razor_core::codec::bare_string(&args.message),
        false => args.message.into_bytes(),
    };
    let reply = channel
        .request(args.service.as_str(), payload, Some(timeout))
        .await?;
    let text = match args.ockam_string {
        true => razor_core::codec::read_bare_string(&reply.payload)
            .map_err(Error::from)?
            .to_owned(),
        false => String::from_utf8_lossy(&reply.payload).into_owned(),
    };
    println!("reply: {text}");
    channel.close();
    node.shutdown();
    Ok(())
}

/// Opens a channel to an outlet's node and carries TCP connections to a local port through it.
pub(crate) async fn run_inlet(args: InletArgs) -> Result<()> {
    let (node, identity) = client_node(args.state_dir.as_deref(), &args.credential).await?;
    let timeout = Duration::from_millis(args.timeout_ms);
    let options = channel_options(&args.trust, &args.suite, timeout)?;
    let channel = node
        .create_secure_channel(&identity, args.to.parse::<Route>()?, options)
        .await?;
    println!("identifier: {}", identity.identifier());
    println!("peer: {}", channel.their_identifier());
    let outlet_route = Route::from_hops([
        channel.address().clone(),
        Address::from(args.outlet.as_str()),
    ]);
    let bound = serve_inlet(&node, &args.from, outlet_route, timeout).await?;
    println!("inlet: {bound}");
    info!("carrying connections to {bound} through the channel; Ctrl-C stops");
    tokio::select! {
        result = tokio::signal::ctrl_c() => {
            if let Err(error) = result {
                error!("cannot wait for Ctrl-C: {error}");
            }
        }
        cause = channel.closed() => {
            node.shutdown();
            error!(?cause, "the channel to the outlet closed");
            return Err(Error::ChannelClosed);
        }
    }
    node.shutdown();
    Ok(())
}

/// The options of a command's channel: whom to trust (`everyone` or an identifier), the suite
/// by name, and how long the handshake may take.
fn channel_options(trust: &str, suite: &str, timeout: Duration) -> Result<SecureChannelOptions> {
    let suite = CipherSuite::from_name(suite)
        .ok_or_else(|| Error::InvalidArgument(format!("unknown suite {suite:?}")))?;
    Ok(SecureChannelOptions::new(trust_policy(trust)?)
        .with_suite(suite)
        .with_timeout(timeout))
}
