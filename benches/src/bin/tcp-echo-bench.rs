//! Razor's side of the native benchmark against Ockam (scripts/bench ockam): the same cases as
//! `ockam-peer bench`, over TCP to a node that echoes at `echo` behind `secure` (a `razor node`,
//! or `ockam-peer bench-serve`), in the Ockam suite. Prints one JSON line per case.
//!
//! tcp-echo-bench ADDR CHANNELS SMALL LARGE   channel creations, then 64 B and 16 KiB echoes,
//!                                            one at a time and 16 in flight
//! tcp-echo-bench cold ADDR                   one channel, one 64 B echo, exit (a cold start)
//! tcp-echo-bench raw-serve ADDR              the floor's server: echoes length-prefixed frames
//!                                            over plain TCP (no routing, no channel)
//! tcp-echo-bench raw ADDR SMALL LARGE        the floor: the same echo cases against raw-serve

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let outcome = razor_node::run_local(async move {
        match args.get(1).map(String::as_str) {
            Some("cold") => native::cold(args.get(2).map(String::as_str).unwrap_or_default()).await,
            Some("raw-serve") => {
                native::raw_serve(args.get(2).map(String::as_str).unwrap_or("127.0.0.1:0")).await
            }
            Some("raw") => {
                let count = |i: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(100);
                native::raw(
                    args.get(2).map(String::as_str).unwrap_or_default(),
                    count(3),
                    count(4),
                )
                .await
            }
            Some(address) => {
                let count = |i: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(100);
                native::bench(address, count(2), count(3), count(4)).await
            }
            None => Err(razor_core::Error::InvalidArgument(
                "usage: see the file's header".into(),
            )),
        }
    });
    match outcome {
        Ok(Ok(())) => std::process::ExitCode::SUCCESS,
        Ok(Err(error)) => {
            eprintln!("tcp-echo-bench: {} {error}", error.code());
            std::process::ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("tcp-echo-bench: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::time::Instant;

    use razor_core::channel::{SecureChannel, SecureChannelOptions, TrustPolicy};
    use razor_core::identity::Identity;
    use razor_core::{Error, Node, NodeConfig, Result, Route};
    use razor_node::TokioRuntime;
    use razor_node::transport::TcpTransport;

    async fn setup() -> Result<(Node, Identity)> {
        let node = Node::new(TokioRuntime, NodeConfig::new("bench"));
        TcpTransport::create(&node)?;
        let identity = node.create_identity().await?;
        Ok((node, identity))
    }

    async fn open(node: &Node, identity: &Identity, address: &str) -> Result<SecureChannel> {
        let route: Route = format!("tcp#{address} => secure").parse()?;
        node.create_secure_channel(
            identity,
            route,
            SecureChannelOptions::new(TrustPolicy::TrustEveryone),
        )
        .await
    }

    /// Echoes `count` messages of `size` bytes, `window` in flight; returns seconds.
    async fn echo_run(
        node: &Node,
        channel: &SecureChannel,
        size: usize,
        count: usize,
        window: usize,
    ) -> Result<f64> {
        let client = node.client()?;
        let route = channel.route(razor_core::Address::from("echo"));
        let payload = vec![7u8; size];
        let started = Instant::now();
        let mut sent = 0;
        while sent < window.min(count) {
            client.send(route.clone(), payload.clone()).await?;
            sent += 1;
        }
        for _ in 0..count {
            let reply = client.receive().await?;
            if reply.payload.len() != size {
                return Err(Error::InvalidArgument("short echo".into()));
            }
            if sent < count {
                client.send(route.clone(), payload.clone()).await?;
                sent += 1;
            }
        }
        Ok(started.elapsed().as_secs_f64())
    }

    pub(crate) async fn bench(
        address: &str,
        channels: usize,
        small: usize,
        large: usize,
    ) -> Result<()> {
        let (node, identity) = setup().await?;
        let mut times = Vec::with_capacity(channels);
        for _ in 0..channels {
            let started = Instant::now();
            let channel = open(&node, &identity, address).await?;
            // Created means usable: one round trip through it, as the Ockam side does.
            channel.request("echo", vec![1u8], None).await?;
            times.push(started.elapsed().as_secs_f64());
            channel.close();
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let median = times.get(times.len() / 2).copied().unwrap_or_default();
        println!(
            r#"{{"case":"channel creation + first echo","impl":"razor","us":{}}}"#,
            median * 1e6
        );
        let channel = open(&node, &identity, address).await?;
        for (size, count) in [(64usize, small), (16384, large)] {
            for window in [1usize, 16] {
                let seconds = echo_run(&node, &channel, size, count, window).await?;
                println!(
                    r#"{{"case":"echo {size} B, {window} in flight","impl":"razor","msgs_per_s":{},"mb_per_s":{}}}"#,
                    count as f64 / seconds,
                    (count * size) as f64 / seconds / 1e6
                );
            }
        }
        node.shutdown();
        Ok(())
    }

    fn io(error: std::io::Error) -> Error {
        Error::InvalidArgument(error.to_string())
    }

    pub(crate) async fn raw_serve(address: &str) -> Result<()> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind(address).await.map_err(io)?;
        println!("listening tcp#{}", listener.local_addr().map_err(io)?);
        loop {
            let (mut stream, _) = listener.accept().await.map_err(io)?;
            let _ = stream.set_nodelay(true);
            tokio::task::spawn_local(async move {
                let mut frame = Vec::new();
                loop {
                    let mut length = [0u8; 4];
                    if stream.read_exact(&mut length).await.is_err() {
                        return;
                    }
                    frame.resize(u32::from_be_bytes(length) as usize, 0);
                    if stream.read_exact(&mut frame).await.is_err() {
                        return;
                    }
                    let mut out = Vec::with_capacity(4 + frame.len());
                    out.extend_from_slice(&length);
                    out.extend_from_slice(&frame);
                    if stream.write_all(&out).await.is_err() {
                        return;
                    }
                }
            });
        }
    }

    pub(crate) async fn raw(address: &str, small: usize, large: usize) -> Result<()> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let stream = tokio::net::TcpStream::connect(address).await.map_err(io)?;
        let _ = stream.set_nodelay(true);
        let (mut reader, mut writer) = stream.into_split();
        for (size, count) in [(64usize, small), (16384, large)] {
            for window in [1usize, 16] {
                let mut frame = (size as u32).to_be_bytes().to_vec();
                frame.resize(4 + size, 7);
                let started = Instant::now();
                let mut sent = 0;
                while sent < window.min(count) {
                    writer.write_all(&frame).await.map_err(io)?;
                    sent += 1;
                }
                let mut back = vec![0u8; 4 + size];
                for _ in 0..count {
                    reader.read_exact(&mut back).await.map_err(io)?;
                    if sent < count {
                        writer.write_all(&frame).await.map_err(io)?;
                        sent += 1;
                    }
                }
                let seconds = started.elapsed().as_secs_f64();
                println!(
                    r#"{{"case":"echo {size} B, {window} in flight","impl":"raw","msgs_per_s":{},"mb_per_s":{}}}"#,
                    count as f64 / seconds,
                    (count * size) as f64 / seconds / 1e6
                );
            }
        }
        Ok(())
    }

    pub(crate) async fn cold(address: &str) -> Result<()> {
        let (node, identity) = setup().await?;
        let channel = open(&node, &identity, address).await?;
        let reply = channel.request("echo", vec![7u8; 64], None).await?;
        println!("echoed {} bytes", reply.payload.len());
        node.shutdown();
        Ok(())
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}
