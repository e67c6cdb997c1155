//! A listener whose process is out of file descriptors waits between failed accepts instead of
//! spinning, and takes connections again once descriptors are free. A test binary of its own:
//! it lowers its process's file limit (with util-linux's `prlimit`) and fills the table.

use std::fs::File;
use std::process::Command;
use std::time::Duration;

use razor_core::{Node, NodeConfig};
use razor_node::transport::{Admission, TcpTransport};
use razor_node::{TokioRuntime, run_local};
use tokio::net::TcpStream;

/// Descriptors this process has open now.
fn open_descriptors() -> usize {
    // The listing holds one itself while it reads.
    std::fs::read_dir("/proc/self/fd").unwrap().count() - 1
}

fn set_file_limit(limit: usize) {
    let status = Command::new("prlimit")
        .args(["--pid", &std::process::id().to_string()])
        .arg(format!("--nofile={limit}:{limit}"))
        .status()
        .expect("prlimit (util-linux) runs");
    assert!(status.success(), "prlimit failed");
}

#[test]
fn an_exhausted_file_table_makes_the_listener_back_off_then_recover() {
    run_local(async {
        let node = Node::new(TokioRuntime, NodeConfig::new("listener"));
        let tcp = TcpTransport::create(&node).unwrap();
        let bound = tcp.listen("127.0.0.1:0").await.unwrap();
        let metrics = Admission::of(&node);
        // Room for a few more descriptors, then none: filled with /dev/null.
        set_file_limit(open_descriptors() + 16);
        let mut filler = Vec::new();
        while let Ok(file) = File::open("/dev/null") {
            filler.push(file);
        }
        assert!(!filler.is_empty());
        // One free descriptor: the client's socket takes it, so the listener cannot accept
        // the connection, which stays queued and makes every accept fail at once.
        filler.pop();
        let client = TcpStream::connect(bound).await.unwrap();
        tokio::time::sleep(Duration::from_millis(600)).await;
        let failures = metrics.metrics().accept_errors.get();
        assert!(failures >= 1, "the listener did not run out of descriptors");
        // Backing off (10 ms doubling): 7 tries in 600 ms; a spinning loop makes thousands.
        assert!(
            failures <= 12,
            "{failures} failed accepts in 600 ms: the listener spins"
        );
        assert_eq!(metrics.metrics().connections_accepted.get(), 0);

        // Descriptors free again: the queued connection is taken within the backoff (≤ 1 s).
        filler.clear();
        let accepted = async {
            while metrics.metrics().connections_accepted.get() == 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(5), accepted)
            .await
            .expect("the listener took the queued connection once it could");
        drop(client);
        node.shutdown();
    })
    .unwrap();
}
