//! The browser benchmark's reference: a WebSocket echo server with no Razor in it
//! (tokio-tungstenite, binary messages echoed as they come). Prints `listening ws#<addr>`.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::io::Result<()> {
    use futures_util::{SinkExt, StreamExt};
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&address).await?;
        println!("listening ws#{}", listener.local_addr()?);
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let Ok(socket) = tokio_tungstenite::accept_async(stream).await else {
                    return;
                };
                let (mut sink, mut source) = socket.split();
                while let Some(Ok(message)) = source.next().await {
                    if message.is_binary() && sink.send(message).await.is_err() {
                        break;
                    }
                }
            });
        }
    })
}

#[cfg(target_arch = "wasm32")]
fn main() {}
