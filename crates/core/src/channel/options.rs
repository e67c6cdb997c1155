use core::time::Duration;

use super::{CipherSuite, TrustPolicy};
use crate::identity::{CredentialAndPurposeKey, VerifiedIdentity};

/// Default time allowed for a whole handshake.
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// How a channel (or a listener's channels) is set up. Built from a [`TrustPolicy`]: there is
/// no default trust.
#[derive(Debug, Clone)]
pub struct SecureChannelOptions {
    pub(crate) trust: TrustPolicy,
    pub(crate) suite: CipherSuite,
    pub(crate) timeout: Duration,
    pub(crate) authorities: Vec<VerifiedIdentity>,
    pub(crate) credentials: Option<Vec<CredentialAndPurposeKey>>,
}

impl SecureChannelOptions {
    /// Options accepting peers that satisfy `trust`, with Ockam's cipher suite and a 30 s
    /// handshake timeout.
    pub fn new(trust: TrustPolicy) -> Self {
        Self {
            trust,
            suite: CipherSuite::default(),
            timeout: DEFAULT_HANDSHAKE_TIMEOUT,
            authorities: Vec::new(),
            credentials: None,
        }
    }

    /// Uses `suite` (both ends must agree; a listener speaks one suite).
    pub fn with_suite(mut self, suite: CipherSuite) -> Self {
        self.suite = suite;
        self
    }

    /// Fails the handshake if it takes longer than `timeout`.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Verifies the peer's credentials against `authority` too (their attributes become
    /// visible to policies).
    pub fn with_authority(mut self, authority: VerifiedIdentity) -> Self {
        self.authorities.push(authority);
        self
    }

    /// Presents these credentials instead of the identity's own.
    pub fn with_credentials(mut self, credentials: Vec<CredentialAndPurposeKey>) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The cipher suite.
    pub fn suite(&self) -> CipherSuite {
        self.suite
    }

    pub(crate) fn all_authorities(&self) -> Vec<VerifiedIdentity> {
        let mut all = self.authorities.clone();
        all.extend(self.trust.authorities());
        all
    }
}
