//! `razor`: run a Razor node or the demo.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use razor_core::services::{Echo, RELAY_SERVICE_ADDRESS, RelayService};
use razor_core::{Node, NodeConfig};
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
    /// Start a node with the echo service (at `echo`) and the relay service (at
    /// `forwarding_service`); runs until Ctrl-C.
    Node {
        /// Name of the node, shown in logs.
        #[arg(long, default_value = "razor")]
        name: String,
    },
    /// Two nodes on the in-memory transport: a message over a 3-hop route and its echo back
    /// by the return route, printing each hop.
    Demo,
}

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    let outcome = run_local(async move {
        match cli.command {
            Command::Node { name } => run_node(name).await,
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

async fn run_node(name: String) -> razor_core::Result<()> {
    let node = Node::new(TokioRuntime, NodeConfig::new(name));
    node.start_worker("echo", Echo)?;
    node.start_worker(RELAY_SERVICE_ADDRESS, RelayService::new())?;
    info!(
        node = node.name(),
        "running: echo at 0#echo, relay service at 0#{RELAY_SERVICE_ADDRESS}; Ctrl-C stops"
    );
    if let Err(error) = tokio::signal::ctrl_c().await {
        error!("cannot wait for Ctrl-C: {error}");
    }
    info!("shutting down");
    node.shutdown();
    Ok(())
}
