use core::time::Duration;
use std::rc::Rc;

use super::{CipherSuite, TrustPolicy};
use crate::identity::{CredentialAndPurposeKey, Identifier, VerifiedIdentity};

/// Default time allowed for a whole handshake.
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// Default number of handshakes a listener has in progress at once; first messages beyond it
/// are dropped (each one in progress holds a few KiB until it finishes or times out).
pub const DEFAULT_MAX_HANDSHAKES: usize = 1024;

/// Default number of channels a listener holds at once, established or not; first messages
/// beyond it are dropped (an established channel lives until closed, so without a cap peers a
/// listener trusts could open channels until memory runs out).
pub const DEFAULT_MAX_CHANNELS: usize = 10_000;

/// What a secure channel reports while it is made, for UIs and logs
/// ([`SecureChannelOptions::with_observer`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChannelEvent {
    /// Handshake message `number` (1 to 3) went out, `bytes` long.
    HandshakeSent {
        /// 1: `e`; 2: `e, ee, s, es` and the responder's identity; 3: `s, se` and the
        /// initiator's identity.
        number: u8,
        /// Its size on the wire (before routing headers).
        bytes: usize,
    },
    /// Handshake message `number` came in, `bytes` long.
    HandshakeReceived {
        /// As in [`ChannelEvent::HandshakeSent`].
        number: u8,
        /// Its size.
        bytes: usize,
    },
    /// The peer proved its identity and satisfied the trust policy.
    PeerVerified {
        /// The verified identifier.
        identifier: Identifier,
    },
    /// The handshake failed; the channel is gone.
    Failed {
        /// Why ([`Error::code`](crate::error::Error::code)).
        code: &'static str,
    },
}

/// Called with each [`ChannelEvent`].
pub type ChannelObserver = Rc<dyn Fn(&ChannelEvent)>;

/// How a channel (or a listener's channels) is set up. Built from a [`TrustPolicy`]: there is
/// no default trust.
#[derive(Clone)]
pub struct SecureChannelOptions {
    /// Shared by the options' clones (each initiated channel keeps its options): a policy is
    /// ~200 bytes before what it holds.
    pub(crate) trust: Rc<TrustPolicy>,
    pub(crate) suite: CipherSuite,
    pub(crate) timeout: Duration,
    pub(crate) max_handshakes: usize,
    pub(crate) max_channels: usize,
    pub(crate) authorities: Vec<VerifiedIdentity>,
    pub(crate) credentials: Option<Vec<CredentialAndPurposeKey>>,
    pub(crate) observer: Option<ChannelObserver>,
}

impl core::fmt::Debug for SecureChannelOptions {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SecureChannelOptions")
            .field("trust", &self.trust)
            .field("suite", &self.suite)
            .field("timeout", &self.timeout)
            .field("max_handshakes", &self.max_handshakes)
            .field("max_channels", &self.max_channels)
            .field("authorities", &self.authorities.len())
            .field("observed", &self.observer.is_some())
            .finish_non_exhaustive()
    }
}

impl SecureChannelOptions {
    /// Options accepting peers that satisfy `trust`, with Ockam's cipher suite, a 30 s
    /// handshake timeout and, for a listener, [`DEFAULT_MAX_HANDSHAKES`] in progress and
    /// [`DEFAULT_MAX_CHANNELS`] held.
    pub fn new(trust: TrustPolicy) -> Self {
        Self {
            trust: Rc::new(trust),
            suite: CipherSuite::default(),
            timeout: DEFAULT_HANDSHAKE_TIMEOUT,
            max_handshakes: DEFAULT_MAX_HANDSHAKES,
            max_channels: DEFAULT_MAX_CHANNELS,
            authorities: Vec::new(),
            credentials: None,
            observer: None,
        }
    }

    /// Calls `observer` with each step of the handshake (see [`ChannelEvent`]).
    pub fn with_observer(mut self, observer: impl Fn(&ChannelEvent) + 'static) -> Self {
        self.observer = Some(Rc::new(observer));
        self
    }

    pub(crate) fn notify(&self, event: ChannelEvent) {
        if let Some(observer) = &self.observer {
            observer(&event);
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

    /// For a listener: lets at most `max` handshakes be in progress at once (at least one);
    /// first messages beyond that are dropped and counted
    /// ([`PeerMetrics::handshakes_refused`](crate::runtime::PeerMetrics)). With the timeout,
    /// this bounds what a flood of half-open handshakes can hold.
    pub fn with_max_handshakes(mut self, max: usize) -> Self {
        self.max_handshakes = max.max(1);
        self
    }

    /// For a listener: holds at most `max` channels at once (at least one), established or in
    /// their handshake; first messages beyond that are dropped and counted
    /// ([`PeerMetrics::channels_refused`](crate::runtime::PeerMetrics)) until one closes.
    pub fn with_max_channels(mut self, max: usize) -> Self {
        self.max_channels = max.max(1);
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
