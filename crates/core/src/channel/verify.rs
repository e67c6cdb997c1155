//! Checking the peer's handshake payload: identity, channel key binding, credentials, trust.

use core::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use super::{PeerInfo, SecureChannelOptions};
use crate::error::{Error, Result};
use crate::identity::model::ChangeHistory;
use crate::identity::verify::{
    SignatureChecks, change_history_checks, credential_checks, purpose_key_checks,
};
use crate::identity::{
    CredentialAndPurposeKey, HistoryRelation, Identifier, IdentityAndCredentials, PurposePublicKey,
    VerifiedCredential, VerifiedIdentity,
};
use crate::routing::{Address, Route};
use crate::runtime::{Node, SecureChannelOrigin};
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

/// Credentials about one subject whose structure checked, with the signatures each still
/// needs, and the errors of those that did not.
struct PendingCredentials {
    checked: Vec<(VerifiedCredential, SignatureChecks)>,
    errors: Vec<Error>,
}

impl PendingCredentials {
    fn new(
        crypto: &dyn CryptoProvider,
        subject: &Identifier,
        authorities: &[VerifiedIdentity],
        credentials: &[CredentialAndPurposeKey],
        now: u64,
    ) -> Self {
        let mut pending = Self {
            checked: Vec::new(),
            errors: Vec::new(),
        };
        for presented in credentials {
            let mut checks = SignatureChecks::default();
            match credential_checks(crypto, subject, authorities, presented, now, &mut checks) {
                Ok(credential) => pending.checked.push((credential, checks)),
                Err(error) => pending.errors.push(error),
            }
        }
        pending
    }

    /// Runs `required` (which must hold) and every credential's signatures at once; returns
    /// the attributes, the issuers that vouched, and the errors of the credentials that
    /// failed.
    async fn verify(
        self,
        crypto: &dyn CryptoProvider,
        required: SignatureChecks,
    ) -> Result<(BTreeMap<String, String>, Vec<Identifier>, Vec<Error>)> {
        let (credentials, mut sets): (Vec<_>, Vec<_>) = self.checked.into_iter().unzip();
        sets.insert(0, required);
        let mut outcomes = SignatureChecks::run(crypto, sets).await.into_iter();
        outcomes
            .next()
            .unwrap_or(Err(Error::Crypto("no signature outcome")))?;
        let mut attributes = BTreeMap::new();
        let mut issuers = Vec::new();
        let mut errors = self.errors;
        for (credential, outcome) in credentials.into_iter().zip(outcomes) {
            if let Err(error) = outcome {
                errors.push(error);
                continue;
            }
            issuers.push(credential.issuer);
            for (name, value) in credential.attributes {
                if let (Ok(name), Ok(value)) = (String::from_utf8(name), String::from_utf8(value)) {
                    attributes.insert(name, value);
                }
            }
        }
        Ok((attributes, issuers, errors))
    }
}

/// Verifies a handshake payload from the peer whose Noise static key is `remote_static`: the
/// structure first, then every signature in it at once.
pub(crate) async fn verify_peer(
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
    let mut required = SignatureChecks::default();
    let identity = change_history_checks(crypto.as_ref(), presented.change_history, &mut required)?;
    let attested = purpose_key_checks(
        crypto.as_ref(),
        &identity,
        &presented.purpose_key_attestation,
        now,
        &mut required,
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
    let authorities = options.all_authorities();
    let credentials = PendingCredentials::new(
        crypto.as_ref(),
        &identity.identifier(),
        &authorities,
        &presented.credentials,
        now,
    );
    let (attributes, issuers, errors) = credentials.verify(crypto.as_ref(), required).await?;
    // Only a history whose signatures held may be remembered.
    node.extension::<KnownIdentities>().observe(&identity)?;
    let peer = PeerInfo {
        origin: Rc::new(SecureChannelOrigin {
            identifier: identity.identifier(),
            has_credential: !issuers.is_empty(),
            attributes,
            channel: channel.clone(),
            node_route: Route::new(),
        }),
        identity: identity.clone(),
        suite: options.suite,
    };
    options.trust.check(&peer, &issuers, &errors)?;
    Ok(peer)
}

/// Applies a `RefreshCredentials` message: same identity (same or newer history), new
/// attributes from credentials that verify.
pub(crate) async fn verify_refresh(
    node: &Node,
    options: &SecureChannelOptions,
    peer: &PeerInfo,
    change_history: ChangeHistory,
    credentials: &[CredentialAndPurposeKey],
    now: u64,
) -> Result<PeerInfo> {
    let crypto = node.crypto();
    let mut required = SignatureChecks::default();
    let identity = change_history_checks(crypto.as_ref(), change_history, &mut required)?;
    if identity.identifier() != peer.identifier {
        return Err(Error::IdentityMismatch);
    }
    let credentials = PendingCredentials::new(
        crypto.as_ref(),
        &peer.identifier,
        &options.all_authorities(),
        credentials,
        now,
    );
    let (attributes, issuers, _) = credentials.verify(crypto.as_ref(), required).await?;
    node.extension::<KnownIdentities>().observe(&identity)?;
    Ok(PeerInfo {
        origin: Rc::new(SecureChannelOrigin {
            attributes,
            has_credential: !issuers.is_empty(),
            ..(*peer.origin).clone()
        }),
        identity,
        suite: peer.suite,
    })
}
