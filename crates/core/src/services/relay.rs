//! Ockam's relay ("forwarding") service: a peer that cannot accept connections registers an
//! alias on a node it can reach; messages sent to the alias are forwarded back to the peer
//! along the route its registration came by.
//!
//! Wire protocol (as Ockam 0.150): the peer sends a BARE string (`"register"` for a random
//! alias, or the alias it wants) to [`RELAY_SERVICE_ADDRESS`]. The service starts a relay worker
//! at that alias, which answers the registration with the alias as a BARE string and from then
//! on replaces itself in the onward route of every message by the route back to the peer
//! (the registration's return route without its last hop).

use core::time::Duration;

use tracing::info;

use crate::codec::{Reader, write_bytes};
use crate::routing::limits::MAX_ADDRESS_LEN;
use crate::runtime::{Context, Worker};
use crate::{Address, Error, LocalMessage, Node, Result, Route};

/// The address Ockam nodes use for the relay service.
pub const RELAY_SERVICE_ADDRESS: &str = "forwarding_service";

/// The relay service worker. Start it at [`RELAY_SERVICE_ADDRESS`].
#[derive(Debug, Clone, Default)]
pub struct RelayService {
    prefix: String,
}

impl RelayService {
    /// A service whose aliases are exactly the requested names.
    pub fn new() -> Self {
        Self::default()
    }

    /// A service that puts `prefix` in front of every alias (Ockam uses `"forward_to_"`).
    pub fn with_prefix(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
        }
    }
}

impl Worker for RelayService {
    async fn handle_message(&mut self, ctx: &mut Context, message: LocalMessage) -> Result<()> {
        let requested = decode_bare_string(&message.payload)?;
        let name = if requested == "register" {
            Address::random_local()
                .value_str()
                .unwrap_or_default()
                .to_owned()
        } else {
            requested.to_owned()
        };
        let alias = Address::local(format!("{}{name}", self.prefix));
        if alias.value().len() > MAX_ADDRESS_LEN || alias.value().is_empty() {
            return Err(Error::InvalidArgument(
                "relay name too long or empty".into(),
            ));
        }
        if ctx.node().stop_worker(&alias).is_ok() {
            info!(%alias, "replaced an existing relay");
        }
        info!(%alias, to = %message.return_route, "relay registered");
        ctx.start_worker(
            alias,
            Relay {
                route_back: message.return_route,
            },
        )
    }
}

/// One alias: forwards everything sent to it back to the registered peer.
struct Relay {
    route_back: Route,
}

impl Worker for Relay {
    async fn initialize(&mut self, ctx: &mut Context) -> Result<()> {
        let name = ctx.address().value_str().unwrap_or_default().to_owned();
        ctx.send(self.route_back.clone(), encode_bare_string(&name))
            .await?;
        self.route_back.pop_back();
        Ok(())
    }

    async fn handle_message(&mut self, ctx: &mut Context, mut message: LocalMessage) -> Result<()> {
        message.onward_route.step();
        message.onward_route.prepend(&self.route_back);
        ctx.forward(message).await
    }
}

/// Registers a relay named `name` (or a random one for `"register"`) through `route` (the
/// route to a node's relay service) and returns the alias that was created.
pub async fn register_relay(
    node: &Node,
    route: impl Into<Route>,
    name: &str,
    timeout: Option<Duration>,
) -> Result<String> {
    let answer = node
        .request(route, encode_bare_string(name), timeout)
        .await?;
    Ok(decode_bare_string(&answer.payload)?.to_owned())
}

/// A BARE string: ULEB128 length, then UTF-8 bytes.
pub(crate) fn encode_bare_string(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 2);
    write_bytes(&mut out, text.as_bytes());
    out
}

pub(crate) fn decode_bare_string(bytes: &[u8]) -> Result<&str> {
    let mut reader = Reader::new(bytes);
    let text = reader.str("string", MAX_ADDRESS_LEN)?;
    reader.finish()?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bare_strings_match_ockam() {
        assert_eq!(encode_bare_string("register"), b"\x08register");
        assert!(decode_bare_string(b"\x09register").is_err());
        assert!(decode_bare_string(b"\x02\xff\xfe").is_err());
    }

    proptest! {
        #[test]
        fn bare_strings_round_trip_and_never_panic(text in "\\PC{0,100}", junk: Vec<u8>) {
            let encoded = encode_bare_string(&text);
            prop_assert_eq!(decode_bare_string(&encoded)?, text.as_str());
            let _ = decode_bare_string(&junk);
        }
    }
}
