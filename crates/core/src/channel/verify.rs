//! Checking the peer's handshake payload: identity, channel key binding, credentials, trust.

use core::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use super::{PeerInfo, SecureChannelOptions};
use crate::error::{Error, Result};
use crate::identity::model::ChangeHistory;
use crate::identity::{
    CredentialAndPurposeKey, HistoryRelation, Identifier, IdentityAndCredentials, PurposePublicKey,
    VerifiedIdentity, verify_change_history, verify_credential, verify_purpose_key,
};
use crate::routing::{Address, Route};
use crate::runtime::Node;
use crate::vault::crypto::constant_time_eq;
use crate::vault::{CryptoProvider, X25519PublicKey};

/// The newest verified history of every identity this node has met, to detect forks and
/// replays of old histories (kept per node).
#[derive(Default)]
pub(crate) struct KnownIdentities(RefCell<HashMap<Identifier, VerifiedIdentity>>);

impl KnownIdentities {
    /// Records `presented`, refusing histories that conflict with or predate what is known.
    fn observe(&self, presented: &VerifiedIdentity) -> Result<()> {
        let mut known = self.0.borrow_mut();
        match known
            .get(&presented.identifier())
            .map(|k| k.compare(presented))
        {
            None | Some(HistoryRelation::OtherIsNewer) => {
                known.insert(presented.identifier(), presented.clone());
                Ok(())
            }
            Some(HistoryRelation::Same) => Ok(()),
            Some(HistoryRelation::OtherIsOlder) => Err(Error::InvalidIdentity(
                "older history than one already seen",
            )),
            Some(HistoryRelation::Conflict) => Err(Error::InvalidIdentity(
                "history conflicts with one already seen",
            )),
        }
    }
}

/// Verifies `credentials` for `subject` and returns the attributes, the issuers that
/// vouched, and the errors of those that failed.
fn check_credentials(
    crypto: &dyn CryptoProvider,
    subject: &Identifier,
    authorities: &[VerifiedIdentity],
    credentials: &[CredentialAndPurposeKey],
    now: u64,
) -> (BTreeMap<String, String>, Vec<Identifier>, Vec<Error>) {
    let mut attributes = BTreeMap::new();
    let mut issuers = Vec::new();
    let mut errors = Vec::new();
    for presented in credentials {
        match verify_credential(crypto, subject, authorities, presented, now) {
            Ok(credential) => {
                issuers.push(credential.issuer);
                for (name, value) in credential.attributes {
                    if let (Ok(name), Ok(value)) =
                        (String::from_utf8(name), String::from_utf8(value))
                    {
                        attributes.insert(name, value);
                    }
                }
            }
            Err(error) => errors.push(error),
        }
    }
    (attributes, issuers, errors)
}

/// Verifies a handshake payload from the peer whose Noise static key is `remote_static`.
pub(crate) fn verify_peer(
    node: &Node,
    options: &SecureChannelOptions,
    payload: &[u8],
    remote_static: &X25519PublicKey,
    channel: &Address,
) -> Result<PeerInfo> {
    let now = node.unix_time();
    let presented = IdentityAndCredentials::decode(payload)
        .map_err(|_| Error::Handshake("malformed identity payload"))?;
    let crypto = node.crypto();
    let identity = verify_change_history(crypto.as_ref(), presented.change_history)?;
    let attested = verify_purpose_key(
        crypto.as_ref(),
        &identity,
        &presented.purpose_key_attestation,
        now,
    )?;
    match attested.public_key {
        PurposePublicKey::SecureChannelStatic(key)
            if constant_time_eq(&key.0, &remote_static.0) => {}
        _ => {
            return Err(Error::InvalidPurposeKey(
                "attested key is not the channel's static key",
            ));
        }
    }
    node.extension::<KnownIdentities>().observe(&identity)?;
    let authorities = options.all_authorities();
    let (attributes, issuers, errors) = check_credentials(
        crypto.as_ref(),
        &identity.identifier(),
        &authorities,
        &presented.credentials,
        now,
    );
    let peer = PeerInfo {
        identifier: identity.identifier(),
        identity: identity.clone(),
        has_credential: !issuers.is_empty(),
        attributes,
        channel: channel.clone(),
        suite: options.suite,
        node_route: Route::new(),
    };
    options.trust.check(&peer, &issuers, &errors)?;
    Ok(peer)
}

/// Applies a `RefreshCredentials` message: same identity (same or newer history), new
/// attributes from credentials that verify.
pub(crate) fn verify_refresh(
    node: &Node,
    options: &SecureChannelOptions,
    peer: &PeerInfo,
    change_history: ChangeHistory,
    credentials: &[CredentialAndPurposeKey],
    now: u64,
) -> Result<PeerInfo> {
    let identity = verify_change_history(node.crypto().as_ref(), change_history)?;
    if identity.identifier() != peer.identifier {
        return Err(Error::IdentityMismatch);
    }
    node.extension::<KnownIdentities>().observe(&identity)?;
    let (attributes, issuers, _) = check_credentials(
        node.crypto().as_ref(),
        &peer.identifier,
        &options.all_authorities(),
        credentials,
        now,
    );
    Ok(PeerInfo {
        attributes,
        has_credential: !issuers.is_empty(),
        identity,
        ..peer.clone()
    })
}
