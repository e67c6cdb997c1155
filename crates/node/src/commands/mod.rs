//! The `razor` subcommands, one module each: `node` (and `relay create`), `channel`
//! (`secure-channel`, `inlet`), `identity` and `credential` (no network); and what they share.

pub(crate) mod channel;
pub(crate) mod credential;
pub(crate) mod identity;
pub(crate) mod node;

use std::path::Path;

use razor_core::channel::TrustPolicy;
use razor_core::codec::hex;
use razor_core::identity::model::ChangeHistory;
use razor_core::identity::{
    CredentialAndPurposeKey, Identifier, Identity, VerifiedIdentity, verify_change_history,
};
use razor_core::runtime::Runtime;
use razor_core::vault::crypto::RustCrypto;
use razor_core::{Error, Node, NodeConfig, Result};
use razor_node::TokioRuntime;
use razor_node::transport::{TcpTransport, WebSocketTransport, WebTransportTransport};

/// Bytes from hex given on the command line.
pub(crate) fn from_hex(what: &str, text: &str) -> Result<Vec<u8>> {
    hex::decode(text.trim()).map_err(|_| Error::InvalidArgument(format!("{what}: not hex")))
}

/// A change history given in hex (as `razor identity show --full` or Ockam print it), verified.
pub(crate) fn verified_history(what: &str, text: &str) -> Result<VerifiedIdentity> {
    let history = ChangeHistory::decode(&from_hex(what, text)?).map_err(Error::from)?;
    verify_change_history(&RustCrypto, history)
}

/// Whom to trust, as the commands take it: `everyone` or an identifier.
pub(crate) fn trust_policy(trust: &str) -> Result<TrustPolicy> {
    if trust == "everyone" {
        return Ok(TrustPolicy::TrustEveryone);
    }
    Ok(TrustPolicy::TrustIdentifier(trust.parse::<Identifier>()?))
}

/// A node named `name` and its identity: the one kept in `state_dir` (created there first when
/// `create_state`, else it must exist), or a new one held only in memory; presenting
/// `credentials` (hex).
pub(crate) async fn node_with_identity(
    name: &str,
    state_dir: Option<&Path>,
    create_state: bool,
    credentials: &[String],
) -> Result<(Node, Identity)> {
    let config = NodeConfig::new(name);
    let (node, identity) = match state_dir {
        Some(dir) => {
            let (vault, identity) = match create_state {
                true => razor_node::state::load_or_create(dir, TokioRuntime.unix_time()).await?,
                false => razor_node::state::load(dir).await?,
            };
            (Node::with_vault(TokioRuntime, config, vault), identity)
        }
        None => {
            let node = Node::new(TokioRuntime, config);
            let identity = node.create_identity().await?;
            (node, identity)
        }
    };
    for credential in credentials {
        let bytes = from_hex("--credential", credential)?;
        identity.add_credential(CredentialAndPurposeKey::decode(&bytes).map_err(Error::from)?);
    }
    Ok((node, identity))
}

/// A node for one-shot commands, with every transport able to dial, and its identity (the one
/// in `state_dir`, which must exist, or a new one), presenting `credentials` (hex).
pub(crate) async fn client_node(
    state_dir: Option<&Path>,
    credentials: &[String],
) -> Result<(Node, Identity)> {
    let (node, identity) =
        node_with_identity("razor-client", state_dir, false, credentials).await?;
    WebSocketTransport::create(&node)?;
    WebTransportTransport::create(&node)?;
    TcpTransport::create(&node)?;
    Ok((node, identity))
}
