//! The browser benchmark's WebTransport reference: a WebTransport echo server with no Razor in
//! it (wtransport; each session's first bidirectional stream is echoed byte for byte, so a
//! client's length-prefixed frames come back as they went). Self-signed certificate; prints
//! `listening wt#<addr> certificate-sha256: <hex>`.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::io::Result<()> {
    use wtransport::{Endpoint, Identity, ServerConfig};
    let address: std::net::SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into())
        .parse()
        .map_err(std::io::Error::other)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // RAZOR_RAW_WT_LOCAL=1: sessions run as `spawn_local` tasks in a LocalSet, as a razor
    // node's connections do (to tell the scheduler's share of a node's latency).
    let local = std::env::var_os("RAZOR_RAW_WT_LOCAL").is_some();
    let set = tokio::task::LocalSet::new();
    set.block_on(&runtime, async move {
        let identity =
            Identity::self_signed(["localhost", "127.0.0.1"]).map_err(std::io::Error::other)?;
        let hash = identity
            .certificate_chain()
            .as_slice()
            .first()
            .map(|c| c.hash())
            .ok_or_else(|| std::io::Error::other("no certificate"))?;
        let config = ServerConfig::builder()
            .with_bind_address(address)
            .with_identity(identity)
            .build();
        let endpoint = Endpoint::server(config)?;
        let hex: String = hash.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        println!(
            "listening wt#{} certificate-sha256: {hex}",
            endpoint.local_addr()?
        );
        loop {
            let incoming = endpoint.accept().await;
            let session = async move {
                let Ok(request) = incoming.await else { return };
                let Ok(connection) = request.accept().await else {
                    return;
                };
                let Ok((mut send, mut recv)) = connection.accept_bi().await else {
                    return;
                };
                let mut buffer = vec![0u8; 64 * 1024];
                while let Ok(Some(n)) = recv.read(&mut buffer).await {
                    if send.write_all(&buffer[..n]).await.is_err() {
                        break;
                    }
                }
            };
            if local {
                tokio::task::spawn_local(session);
            } else {
                tokio::spawn(session);
            }
        }
    })
}

#[cfg(target_arch = "wasm32")]
fn main() {}
