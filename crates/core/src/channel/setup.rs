//! What a channel's worker is started with, by the initiator's call or by a listener: its side's
//! configuration, its two addresses, the life it shares with its handles, and where it reports
//! the handshake's outcome.

use std::rc::Rc;

use async_channel::Sender;

use super::{PeerInfo, SecureChannelOptions};
use crate::error::Result;
use crate::identity::{Identity, IdentityAndCredentials, SecureChannelKey};
use crate::routing::Address;
use crate::runtime::{Ending, TrafficCounter};
use crate::vault::CryptoProvider;

/// Everything a channel worker needs to know about its own side.
pub(crate) struct ChannelConfig {
    pub(crate) identity: Identity,
    pub(crate) options: SecureChannelOptions,
    pub(crate) key: SecureChannelKey,
    /// The node's crypto provider.
    pub(crate) crypto: Rc<dyn CryptoProvider>,
}

impl ChannelConfig {
    /// This side's handshake payload: its change history, key attestation and credentials.
    pub(crate) fn own_payload(&self) -> Vec<u8> {
        IdentityAndCredentials {
            change_history: self.identity.change_history(),
            purpose_key_attestation: self.key.attestation.clone(),
            credentials: self
                .options
                .credentials
                .clone()
                .unwrap_or_else(|| self.identity.credentials()),
        }
        .encode()
    }
}

/// The two addresses of a channel.
#[derive(Debug, Clone)]
pub(crate) struct ChannelAddresses {
    pub(crate) decryptor: Address,
    pub(crate) encryptor: Address,
}

impl ChannelAddresses {
    /// Two fresh random local addresses.
    pub(crate) fn random() -> Self {
        Self {
            decryptor: Address::random_local(),
            encryptor: Address::random_local(),
        }
    }
}

/// What a channel's handles share with its worker: how it ended, and its traffic.
#[derive(Clone, Default)]
pub(crate) struct ChannelLife {
    pub(crate) ending: Ending,
    pub(crate) traffic: TrafficCounter,
}

/// Reported once: the established peer or why the handshake failed.
pub(crate) type Outcome = Sender<Result<Rc<PeerInfo>>>;
