//! Whom a secure channel accepts as its peer. There is no default: every channel and listener
//! names its policy, and trusting everyone must be spelled [`TrustPolicy::TrustEveryone`].

use crate::abac::Policy;
use crate::error::{Error, Result};
use crate::identity::{Identifier, VerifiedIdentity};

use super::PeerInfo;

/// A rule the authenticated peer must satisfy before the channel is established.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum TrustPolicy {
    /// Any peer that proves an identity. Use for public services only.
    TrustEveryone,
    /// Exactly this identifier.
    TrustIdentifier(Identifier),
    /// One of these identifiers.
    TrustMultiIdentifiers(Vec<Identifier>),
    /// A peer presenting a valid, unexpired credential issued by this authority.
    TrustIssuer(VerifiedIdentity),
    /// A peer whose identifier and verified attributes satisfy this ABAC policy (credentials
    /// are checked against the channel's authorities).
    TrustPolicy(Policy),
    /// All of these.
    All(Vec<TrustPolicy>),
}

impl TrustPolicy {
    /// Authorities whose credentials this policy needs verified.
    pub(crate) fn authorities(&self) -> Vec<VerifiedIdentity> {
        match self {
            TrustPolicy::TrustIssuer(authority) => vec![authority.clone()],
            TrustPolicy::All(policies) => {
                policies.iter().flat_map(TrustPolicy::authorities).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Checks `peer`; `credential_errors` are why presented credentials failed, to report the
    /// most useful error when a credential was required.
    pub(crate) fn check(
        &self,
        peer: &PeerInfo,
        issuers: &[Identifier],
        credential_errors: &[Error],
    ) -> Result<()> {
        match self {
            TrustPolicy::TrustEveryone => Ok(()),
            TrustPolicy::TrustIdentifier(expected) => {
                if peer.identifier == *expected {
                    Ok(())
                } else {
                    Err(Error::IdentityMismatch)
                }
            }
            TrustPolicy::TrustMultiIdentifiers(allowed) => {
                if allowed.contains(&peer.identifier) {
                    Ok(())
                } else {
                    Err(Error::IdentityMismatch)
                }
            }
            TrustPolicy::TrustIssuer(authority) => {
                if issuers.contains(&authority.identifier()) {
                    return Ok(());
                }
                let preferred = [Error::CredentialExpired, Error::UntrustedIssuer];
                Err(preferred
                    .into_iter()
                    .find(|e| credential_errors.contains(e))
                    .or_else(|| credential_errors.first().cloned())
                    .unwrap_or(Error::InvalidCredential("no credential presented")))
            }
            TrustPolicy::TrustPolicy(policy) => {
                if policy.allows(&peer.subject()) {
                    Ok(())
                } else {
                    Err(Error::PolicyDenied)
                }
            }
            TrustPolicy::All(policies) => policies
                .iter()
                .try_for_each(|p| p.check(peer, issuers, credential_errors)),
        }
    }
}
