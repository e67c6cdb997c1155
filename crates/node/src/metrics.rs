//! A node's counters over HTTP, in Prometheus' text format (`razor node --metrics ADDR`,
//! then `GET http://ADDR/metrics`): what the listeners let in and kept out, handshakes in
//! progress, refused and expired, malformed frames, dropped replies, workers, and the
//! process's resident memory.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::Duration;

use razor_core::{Node, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tracing::{debug, info};

use crate::transport::{Admission, accept_loop, bind_tcp};

/// The counters of `node`, one `name{labels} value` line each, after a `# TYPE` line per name.
pub fn render(node: &Node) -> String {
    let admission = Admission::of(node);
    let connections = admission.metrics();
    let peers = node.peer_metrics();
    let mut samples: Vec<(&str, &str, &str, u64)> = vec![
        (
            "razor_connections_open",
            "gauge",
            "",
            connections.connections_open.get(),
        ),
        (
            "razor_connections_accepted_total",
            "counter",
            "",
            connections.connections_accepted.get(),
        ),
        (
            "razor_connections_refused_total",
            "counter",
            r#"{cap="total"}"#,
            connections.refused_total_cap.get(),
        ),
        (
            "razor_connections_refused_total",
            "counter",
            r#"{cap="source"}"#,
            connections.refused_source_cap.get(),
        ),
        (
            "razor_accept_errors_total",
            "counter",
            "",
            connections.accept_errors.get(),
        ),
        (
            "razor_frames_throttled_total",
            "counter",
            "",
            connections.throttled.get(),
        ),
        (
            "razor_malformed_frames_total",
            "counter",
            "",
            peers.malformed_frames.get(),
        ),
        (
            "razor_handshakes_in_progress",
            "gauge",
            "",
            peers.handshakes_in_progress.get(),
        ),
        (
            "razor_handshakes_refused_total",
            "counter",
            "",
            peers.handshakes_refused.get(),
        ),
        (
            "razor_channels_refused_total",
            "counter",
            "",
            peers.channels_refused.get(),
        ),
        (
            "razor_handshakes_expired_total",
            "counter",
            "",
            peers.handshakes_expired.get(),
        ),
        (
            "razor_handshakes_failed_total",
            "counter",
            "",
            peers.handshakes_failed.get(),
        ),
        (
            "razor_replies_dropped_total",
            "counter",
            "",
            peers.replies_dropped.get(),
        ),
        ("razor_workers", "gauge", "", node.worker_count() as u64),
    ];
    if let Some(bytes) = resident_bytes() {
        samples.push(("razor_process_resident_memory_bytes", "gauge", "", bytes));
    }
    let mut text = String::new();
    let mut typed = "";
    for (name, kind, labels, value) in samples {
        if name != typed {
            let _ = writeln!(text, "# TYPE {name} {kind}");
            typed = name;
        }
        let _ = writeln!(text, "{name}{labels} {value}");
    }
    text
}

/// The process's resident set size, where the platform tells (Linux: `VmRSS` in `/proc/self/status`).
fn resident_bytes() -> Option<u64> {
    // `VmRSS` is in kB whatever the page size (statm counts pages, whose size varies).
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Serves [`render`] at `http://address/metrics` until the node shuts down; returns the bound
/// address. One request per connection; requests are read up to 4 KiB for 5 s at most.
pub async fn serve_metrics(node: &Node, address: &str) -> Result<SocketAddr> {
    let (listener, bound) = bind_tcp(address).await?;
    info!(%bound, "metrics at http://{bound}/metrics");
    let serving = tokio::task::spawn_local({
        let node = node.clone();
        accept_loop(
            listener,
            Admission::of(&node),
            "metrics",
            move |mut stream, peer| {
                let node = node.clone();
                tokio::task::spawn_local(async move {
                    let mut request = [0u8; 4096];
                    let read =
                        tokio::time::timeout(Duration::from_secs(5), stream.read(&mut request));
                    let Ok(Ok(len)) = read.await else {
                        return;
                    };
                    let head = String::from_utf8_lossy(request.get(..len).unwrap_or_default());
                    let (status, body) = if head.starts_with("GET /metrics ") {
                        ("200 OK", render(&node))
                    } else {
                        ("404 Not Found", "GET /metrics\n".to_owned())
                    };
                    let response = format!(
                        "HTTP/1.1 {status}\r\ncontent-type: text/plain; version=0.0.4\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    if let Err(error) = stream.write_all(response.as_bytes()).await {
                        debug!(%peer, %error, "metrics request");
                    }
                    let _ = stream.shutdown().await;
                });
            },
        )
    });
    let watched = node.clone();
    node.spawn(async move {
        watched.closed().await;
        serving.abort();
    });
    Ok(bound)
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_os = "linux")]
    fn resident_memory_is_read_in_bytes_whatever_the_page_size() {
        let before = super::resident_bytes().expect("Linux reports VmRSS");
        // Touch 32 MiB: the resident size grows by about that, in bytes.
        let touched = vec![1u8; 32 << 20];
        let after = super::resident_bytes().unwrap();
        assert!(touched.iter().map(|&b| b as u64).sum::<u64>() == 32 << 20);
        assert!(before > 1 << 20, "{before}");
        assert!(after >= before + (24 << 20), "{before} -> {after}");
    }
}
