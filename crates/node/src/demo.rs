//! The routing demo: two nodes on the in-memory transport, a message over a 3-hop route and
//! the echo back by the return route alone, printing each hop.

use core::time::Duration;

use razor_core::services::{Echo, Hop};
use razor_core::transport::memory::{MemoryNetwork, MemoryOptions, MemoryTransport};
use razor_core::{LocalMessage, Node, NodeConfig, Result, Route};

use crate::TokioRuntime;

/// Runs the demo, printing each hop to stdout; returns the echoed text.
pub async fn run_demo() -> Result<String> {
    let network = MemoryNetwork::new();
    let alice = Node::new(TokioRuntime, NodeConfig::new("alice"));
    let bob = Node::new(TokioRuntime, NodeConfig::new("bob"));
    MemoryTransport::attach(&alice, &network, "alice", MemoryOptions::default())?;
    MemoryTransport::attach(&bob, &network, "bob", MemoryOptions::default())?;

    let print_hop = |node: &str, message: &LocalMessage| {
        println!(
            "  hop on {node:<5}  onward: [{}]  return: [{}]",
            message.onward_route, message.return_route
        );
    };
    alice.start_worker("hop", Hop::observed(print_hop))?;
    bob.start_worker("hop", Hop::observed(print_hop))?;
    bob.start_worker("echo", Echo)?;

    let route: Route = "hop => mem#bob => hop => echo".parse()?;
    println!("alice sends \"hello\" along [{route}]");
    let reply = alice
        .request(route, b"hello".to_vec(), Some(Duration::from_secs(5)))
        .await?;
    let text = String::from_utf8_lossy(&reply.payload).into_owned();
    println!(
        "alice got {text:?} back; its return route was [{}]",
        reply.return_route
    );
    alice.shutdown();
    bob.shutdown();
    Ok(text)
}
