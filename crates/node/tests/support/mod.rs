//! What the tests that run `razor node` processes share: free ports, starting the binary with
//! its stdout read line by line, and reading its `--metrics` endpoint.
#![allow(dead_code)] // each test crate uses its part

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::net::TcpStream;
use tokio::process::{Child, ChildStdout, Command};

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `razor node <args>` (killed when dropped) with `RUST_LOG=log`, and its stdout's lines.
pub(crate) fn spawn_node(args: &[&str], log: &str) -> (Child, Lines<BufReader<ChildStdout>>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_razor"))
        .arg("node")
        .args(args)
        .env("RUST_LOG", log)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("razor starts");
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    (child, lines)
}

/// Keeps reading `lines` in the background, so that the node never blocks on a full pipe.
pub(crate) fn drain(mut lines: Lines<BufReader<ChildStdout>>) {
    tokio::task::spawn_local(async move { while let Ok(Some(_)) = lines.next_line().await {} });
}

/// The counters a node serves at `http://address/metrics`, by name (with labels).
pub(crate) async fn scrape_metrics(address: SocketAddr) -> HashMap<String, u64> {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nhost: test\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let (_, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
    body.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (name, value) = line.split_once(' ')?;
            Some((name.to_owned(), value.parse().ok()?))
        })
        .collect()
}
