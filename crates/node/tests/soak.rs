//! The soak: a client opens 500 secure channels at a time to a `razor node` that it reaches
//! through a relay (another `razor node`), exchanges a message on each and closes them, cycle
//! after cycle, while the serving node and the relay are restarted now and then. Checked: no
//! message is lost without its sender being told (every request ends in its echo or a typed
//! error, and only around a restart), nothing is left behind (workers and connections back to
//! where they were), and each process's memory stays flat across its cycles.
//!
//! `#[ignore]`d in `cargo test`: run by `scripts/soak [SECONDS]` (default 60; scripts/test
//! runs the default, the documented long run is 600).

mod support;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use razor_core::channel::{SecureChannelOptions, TrustPolicy};
use razor_core::{Node, NodeConfig, Route};
use razor_node::transport::TcpTransport;
use razor_node::{TokioRuntime, run_local};
use tokio::process::Child;

/// Channels open at once in a cycle.
const CHANNELS: usize = 500;
/// Channels whose handshakes run at once.
const CONCURRENCY: usize = 50;
const PATIENT: Option<Duration> = Some(Duration::from_secs(10));

/// One `razor node` process, restartable on the same ports and identity.
struct Process {
    name: &'static str,
    args: Vec<String>,
    metrics_port: u16,
    child: Option<Child>,
    /// What it printed that the soak waits for (e.g. `relay: `).
    ready: &'static str,
}

impl Process {
    async fn start(&mut self) {
        let metrics = format!("127.0.0.1:{}", self.metrics_port);
        let mut args = vec![
            "--name",
            self.name,
            "--trust",
            "everyone",
            "--metrics",
            &metrics,
        ];
        args.extend(self.args.iter().map(String::as_str));
        let (child, mut lines) = support::spawn_node(&args, "error");
        loop {
            let line = lines
                .next_line()
                .await
                .unwrap()
                .expect("razor printed its state");
            if line.starts_with(self.ready) {
                break;
            }
        }
        support::drain(lines);
        self.child = Some(child);
    }

    async fn restart(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.unwrap();
        }
        self.start().await;
    }

    async fn metrics(&self) -> HashMap<String, u64> {
        support::scrape_metrics(([127, 0, 0, 1], self.metrics_port).into()).await
    }
}

/// What one cycle saw.
#[derive(Debug, Default)]
struct Cycle {
    echoed: usize,
    /// Typed errors, by code (opening the channel or the request).
    told: HashMap<&'static str, usize>,
}

/// Opens `CHANNELS` channels along `route`, one echo on each, then closes them all.
async fn cycle(node: &Node, identity: &razor_core::identity::Identity, route: &Route) -> Cycle {
    let mut seen = Cycle::default();
    let mut open = Vec::new();
    for batch in 0..CHANNELS / CONCURRENCY {
        let opening = (0..CONCURRENCY).map(|i| {
            let options = SecureChannelOptions::new(TrustPolicy::TrustEveryone)
                .with_timeout(Duration::from_secs(10));
            let route = route.clone();
            async move {
                let channel = node.create_secure_channel(identity, route, options).await?;
                let payload = format!("message {batch}.{i}").into_bytes();
                let reply = channel.request("echo", payload.clone(), PATIENT).await;
                let outcome = match reply {
                    Ok(reply) => {
                        assert_eq!(reply.payload, payload, "an echo is the message");
                        Ok(())
                    }
                    Err(error) => Err(error),
                };
                Ok::<_, razor_core::Error>((channel, outcome))
            }
        });
        for result in futures_util::future::join_all(opening).await {
            match result {
                Ok((channel, Ok(()))) => {
                    seen.echoed += 1;
                    open.push(channel);
                }
                Ok((channel, Err(error))) => {
                    *seen.told.entry(error.code()).or_default() += 1;
                    open.push(channel);
                }
                Err(error) => *seen.told.entry(error.code()).or_default() += 1,
            }
        }
    }
    for channel in &open {
        channel.close();
    }
    for channel in &open {
        let _ = tokio::time::timeout(Duration::from_secs(10), channel.closed()).await;
    }
    seen
}

fn soak_seconds() -> u64 {
    std::env::var("RAZOR_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60)
}

#[test]
#[ignore = "long: run by scripts/soak"]
fn channels_open_exchange_and_close_across_restarts_with_flat_memory() {
    run_local(async {
        let state = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("soak-server");
        let _ = std::fs::remove_dir_all(&state);
        let relay_port = support::free_port();
        let mut relay = Process {
            name: "soak-relay",
            args: vec!["--tcp".into(), format!("127.0.0.1:{relay_port}")],
            metrics_port: support::free_port(),
            child: None,
            ready: "tcp: ",
        };
        let mut server = Process {
            name: "soak-server",
            args: vec![
                "--state-dir".into(),
                state.display().to_string(),
                "--relay".into(),
                format!("tcp://127.0.0.1:{relay_port}"),
                "--relay-name".into(),
                "soak".into(),
            ],
            metrics_port: support::free_port(),
            child: None,
            ready: "relay: ",
        };
        relay.start().await;
        server.start().await;
        let idle_workers = [
            relay.metrics().await["razor_workers"],
            server.metrics().await["razor_workers"],
        ];

        let client = Node::new(TokioRuntime, NodeConfig::new("soak-client"));
        let tcp = TcpTransport::create(&client).unwrap();
        let identity = client.create_identity().await.unwrap();
        let route: Route = format!("tcp#127.0.0.1:{relay_port} => soak => secure")
            .parse()
            .unwrap();

        let deadline = Instant::now() + Duration::from_secs(soak_seconds());
        let baseline_workers = client.worker_count();
        // Resident memory after each process's first cycle since it (re)started, and the
        // most seen since.
        let mut first_rss: HashMap<&str, u64> = HashMap::new();
        let mut growth: HashMap<&str, u64> = HashMap::new();
        let (mut cycles, mut echoed, mut restarts) = (0usize, 0usize, 0usize);
        let mut told: HashMap<&str, usize> = HashMap::new();
        let mut just_restarted = false;
        while Instant::now() < deadline || cycles < 3 {
            let seen = cycle(&client, &identity, &route).await;
            cycles += 1;
            echoed += seen.echoed;
            for (code, n) in &seen.told {
                *told.entry(code).or_default() += n;
            }
            assert!(
                seen.told.is_empty() || just_restarted,
                "cycle {cycles}: errors with no restart around: {seen:?}"
            );
            if !seen.told.is_empty() {
                eprintln!("cycle {cycles} (after a restart): {seen:?}");
            }
            // Nothing left behind on the client; each process's memory flat across its cycles.
            assert_eq!(client.worker_count(), baseline_workers + tcp.connection_count(), "cycle {cycles}");
            for process in [&relay, &server] {
                let metrics = process.metrics().await;
                let rss = metrics["razor_process_resident_memory_bytes"];
                if std::env::var_os("RAZOR_SOAK_TRACE").is_some() {
                    eprintln!("cycle {cycles}: {} {} KiB, workers {}", process.name, rss / 1024, metrics["razor_workers"]);
                }
                match first_rss.get(process.name) {
                    None if seen.told.is_empty() => {
                        first_rss.insert(process.name, rss);
                    }
                    None => {}
                    Some(first) => {
                        let grown = growth.entry(process.name).or_default();
                        *grown = (*grown).max(rss.saturating_sub(*first));
                    }
                }
                assert_eq!(
                    metrics["razor_handshakes_in_progress"], 0,
                    "{}: {metrics:?}",
                    process.name
                );
            }
            just_restarted = false;
            // Every tenth cycle restart the server; every seventh, the relay.
            if cycles % restart_every(10) == 0 {
                server.restart().await;
                first_rss.remove(server.name);
                restarts += 1;
                just_restarted = true;
            }
            if cycles % restart_every(7) == 0 {
                relay.restart().await;
                first_rss.remove(relay.name);
                restarts += 1;
                just_restarted = true;
            }
        }
        eprintln!(
            "soak: {cycles} cycles of {CHANNELS} channels, {echoed} echoed, {restarts} restarts, told: {told:?}, memory growth after the first cycle (KiB): {:?}",
            growth.iter().map(|(k, v)| (k, v / 1024)).collect::<Vec<_>>()
        );
        assert!(echoed >= (cycles - restarts) * CHANNELS, "echoes in cycles without restarts");
        for (name, grown) in growth {
            assert!(grown < 4 * 1024 * 1024, "{name} grew {} KiB over its cycles", grown / 1024);
        }
        // Once the last closes have arrived, both processes are back to what they ran idle.
        for (process, idle) in [&relay, &server].into_iter().zip(idle_workers) {
            let deadline = Instant::now() + Duration::from_secs(15);
            let workers = loop {
                let workers = process.metrics().await["razor_workers"];
                if workers <= idle + 1 || Instant::now() > deadline {
                    break workers;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            };
            // The relay holds the server's connection (one worker more than idle).
            assert!(workers <= idle + 1, "{} has {workers} workers, {idle} idle", process.name);
        }
        client.shutdown();
    })
    .unwrap();
}

/// How many cycles between restarts (`RAZOR_SOAK_NO_RESTARTS`: none, to watch memory).
fn restart_every(cycles: usize) -> usize {
    match std::env::var_os("RAZOR_SOAK_NO_RESTARTS") {
        Some(_) => usize::MAX,
        None => cycles,
    }
}
