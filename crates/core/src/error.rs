//! Razor's errors: one [`Error`](enum@Error) with a stable [`code`](Error::code) per cause, the transport
//! errors it wraps, and the errors other nodes report ([`RemoteError`], from a notice).

use core::time::Duration;

use thiserror::Error;

use crate::codec::DecodeError;
use crate::routing::{Address, AddressParseError, Notice, TransportType};

/// Why a transport failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The connection could not be established.
    #[error("could not connect to {address}: {reason}")]
    ConnectFailed {
        /// Where to.
        address: String,
        /// What the platform said.
        reason: String,
    },
    /// A listener could not bind its address (in use, not permitted, not an address).
    #[error("could not listen on {address}: {reason}")]
    BindFailed {
        /// Where.
        address: String,
        /// What the platform said.
        reason: String,
    },
    /// The connection is closed (by either side).
    #[error("connection closed")]
    ConnectionClosed,
    /// A frame announced or had a size over the limit; the connection is closed.
    #[error("frame of {len} bytes exceeds the limit of {max}")]
    FrameTooLarge {
        /// The size announced or found.
        len: u64,
        /// The limit.
        max: u64,
    },
    /// A frame could not be decoded; the connection is closed.
    #[error("malformed frame: {0}")]
    MalformedFrame(DecodeError),
    /// The peer speaks a protocol version this transport does not.
    #[error("unsupported protocol version {0}")]
    UnsupportedVersion(u8),
    /// The server's certificate does not match the pinned hash.
    #[error("server certificate does not match the pinned hash")]
    CertificateMismatch,
    /// No peer of that name (in-memory transport).
    #[error("no peer named {0}")]
    UnknownPeer(String),
    /// Anything else the platform reported.
    #[error("{0}")]
    Other(String),
}

impl TransportError {
    /// A stable, machine-readable code, e.g. `"CONNECT_FAILED"`.
    pub fn code(&self) -> &'static str {
        match self {
            TransportError::ConnectFailed { .. } => "CONNECT_FAILED",
            TransportError::BindFailed { .. } => "BIND_FAILED",
            TransportError::ConnectionClosed => "CONNECTION_CLOSED",
            TransportError::FrameTooLarge { .. } => "FRAME_TOO_LARGE",
            TransportError::MalformedFrame(_) => "MALFORMED_FRAME",
            TransportError::UnsupportedVersion(_) => "UNSUPPORTED_VERSION",
            TransportError::CertificateMismatch => "CERTIFICATE_MISMATCH",
            TransportError::UnknownPeer(_) => "UNKNOWN_PEER",
            TransportError::Other(_) => "TRANSPORT",
        }
    }
}

/// Razor's result type.
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Everything that can go wrong in Razor, one variant per cause. [`Error::code`] gives a
/// stable string for each (the `code` of the JavaScript `Error`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Error {
    /// Bytes from the network could not be decoded.
    #[error("decode error: {0}")]
    Decode(#[from] DecodeError),
    /// An address or route string could not be parsed.
    #[error("invalid address: {0}")]
    AddressParse(#[from] AddressParseError),
    /// No worker is registered at this local address.
    #[error("no worker at address {0}")]
    UnknownAddress(Address),
    /// A worker is already registered at this address.
    #[error("address {0} is already in use")]
    AddressInUse(Address),
    /// The recipient's mailbox is full (only from the non-waiting `try_send`).
    #[error("mailbox of {0} is full")]
    MailboxFull(Address),
    /// The recipient was stopped before it could take the message.
    #[error("worker at {0} has stopped")]
    WorkerStopped(Address),
    /// A message had no onward route to follow.
    #[error("message has an empty onward route")]
    EmptyRoute,
    /// No transport is registered for the first hop's transport type.
    #[error("no transport registered for transport type {0}")]
    NoTransport(TransportType),
    /// The worker's access control refused the message.
    #[error("message to {0} denied by access control")]
    AccessDenied(Address),
    /// Nothing arrived in time.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// A transport failed: connection refused, closed, or broken; a bad frame.
    #[error("transport error: {0}")]
    Transport(#[from] TransportError),
    /// A message is larger than a limit allows.
    #[error("message too large: {len} bytes > {max}")]
    MessageTooLarge {
        /// Size of the message.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The node is shutting down.
    #[error("node is shut down")]
    NodeShutDown,
    /// An argument given to an API was invalid.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The vault has no key with this handle.
    #[error("no key {0} in the vault")]
    KeyNotFound(String),
    /// A cryptographic operation failed (bad key material, no randomness, ...).
    #[error("crypto error: {0}")]
    Crypto(&'static str),
    /// A message failed authentication: tampered, truncated or under the wrong key.
    #[error("message failed to decrypt")]
    Decrypt,
    /// A channel message carried a nonce that was already accepted.
    #[error("replayed message")]
    Replay,
    /// A channel message's nonce is too far behind or ahead of the ones accepted so far.
    #[error("message outside the replay window")]
    OutsideReplayWindow,
    /// A change history failed verification (signature, chain, version, timestamps, fork).
    #[error("invalid identity: {0}")]
    InvalidIdentity(&'static str),
    /// A purpose key attestation failed verification or does not match the channel key.
    #[error("invalid purpose key: {0}")]
    InvalidPurposeKey(&'static str),
    /// A credential failed verification.
    #[error("invalid credential: {0}")]
    InvalidCredential(&'static str),
    /// A credential (or its issuer's key) has expired.
    #[error("credential expired")]
    CredentialExpired,
    /// A credential was issued by an identity that is not a trusted authority.
    #[error("credential issuer is not trusted")]
    UntrustedIssuer,
    /// The peer is not the identity the trust policy expects.
    #[error("peer identity does not match the trust policy")]
    IdentityMismatch,
    /// An access policy denied the peer or the message.
    #[error("denied by policy")]
    PolicyDenied,
    /// A secure channel handshake message was malformed or failed authentication.
    #[error("handshake failed: {0}")]
    Handshake(&'static str),
    /// The secure channel is closed (by this side, by the peer, or because its connection
    /// closed).
    #[error("the secure channel is closed")]
    ChannelClosed,
    /// A relay name (or another name) belongs to someone else.
    #[error("the name {0:?} is taken by another identity")]
    NameTaken(String),
    /// A configured limit refused the request (names per connection, rate, size).
    #[error("limit exceeded: {0}")]
    LimitExceeded(&'static str),
    /// The caller gave up waiting (an abort signal, a dropped request).
    #[error("aborted: {0}")]
    Aborted(String),
    /// The worker that took a message failed to handle it (it answered with this instead of
    /// an answer).
    #[error("the worker at {0} failed to handle the message")]
    WorkerFailed(Address),
    /// Another node could not deliver a message this node sent, and said why (a
    /// [`Notice`]). [`Error::code`] is the remote's code.
    #[error("{0}")]
    Remote(RemoteError),
}

/// What another Razor node reported about a message it could not deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteError {
    code: &'static str,
    detail: String,
}

impl RemoteError {
    /// The remote's `code` (one of [`Error::CODES`], else `"REMOTE"`) and `detail`.
    pub fn new(code: &str, detail: &str) -> Self {
        let code = Error::CODES
            .iter()
            .find(|known| **known == code)
            .copied()
            .unwrap_or("REMOTE");
        Self {
            code,
            detail: detail.to_owned(),
        }
    }

    /// The remote's error code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The remote's description.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl core::fmt::Display for RemoteError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "a remote node reported: {}", self.detail)
    }
}

/// What kind of failure an error is: how a caller reacts to it (retry later, fix the
/// configuration, distrust the peer, fix the code). JavaScript error classes follow kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Nothing arrived in time.
    Timeout,
    /// A connection could not be made, broke, or carried something malformed at the framing
    /// level; a channel closed.
    Transport,
    /// The peer (or a credential, a policy) was not accepted.
    Trust,
    /// The peer broke the protocol: undecodable, unauthenticated or replayed data.
    Protocol,
    /// The caller passed something invalid.
    Argument,
    /// Routing or node state: no such worker, a full mailbox, a limit, a node shut down, a
    /// worker that failed.
    Routing,
    /// The caller aborted the operation.
    Aborted,
}

impl ErrorKind {
    /// A stable lowercase name, e.g. `"trust"`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Timeout => "timeout",
            ErrorKind::Transport => "transport",
            ErrorKind::Trust => "trust",
            ErrorKind::Protocol => "protocol",
            ErrorKind::Argument => "argument",
            ErrorKind::Routing => "routing",
            ErrorKind::Aborted => "aborted",
        }
    }

    /// The kind of the errors with `code`; `None` for a code not in [`Error::CODES`].
    pub fn of_code(code: &str) -> Option<Self> {
        Error::CODE_KINDS
            .iter()
            .find(|(known, _)| *known == code)
            .map(|(_, kind)| *kind)
    }
}

/// The one list of error codes, each with its kind: [`Error::CODES`] and [`ErrorKind::of_code`]
/// are made from it, and every code [`Error::code`] returns is in it (tested variant by
/// variant).
macro_rules! code_table {
    ($($code:literal => $kind:ident,)*) => {
        impl Error {
            /// Every code with the kind of its errors.
            pub const CODE_KINDS: &'static [(&'static str, ErrorKind)] =
                &[$(($code, ErrorKind::$kind)),*];

            /// Every code [`Error::code`] can return (the JavaScript error-code union is
            /// generated from this list).
            pub const CODES: &'static [&'static str] = &[$($code),*];
        }
    };
}

code_table! {
    "DECODE" => Protocol,
    "ADDRESS_PARSE" => Argument,
    "UNKNOWN_ADDRESS" => Routing,
    "ADDRESS_IN_USE" => Routing,
    "MAILBOX_FULL" => Routing,
    "WORKER_STOPPED" => Routing,
    "EMPTY_ROUTE" => Routing,
    "NO_TRANSPORT" => Transport,
    "ACCESS_DENIED" => Trust,
    "TIMEOUT" => Timeout,
    "CONNECT_FAILED" => Transport,
    "BIND_FAILED" => Transport,
    "CONNECTION_CLOSED" => Transport,
    "FRAME_TOO_LARGE" => Transport,
    "MALFORMED_FRAME" => Transport,
    "UNSUPPORTED_VERSION" => Transport,
    "CERTIFICATE_MISMATCH" => Transport,
    "UNKNOWN_PEER" => Transport,
    "TRANSPORT" => Transport,
    "MESSAGE_TOO_LARGE" => Protocol,
    "NODE_SHUT_DOWN" => Routing,
    "INVALID_ARGUMENT" => Argument,
    "KEY_NOT_FOUND" => Protocol,
    "CRYPTO" => Protocol,
    "DECRYPT" => Protocol,
    "HANDSHAKE" => Protocol,
    "REPLAY" => Protocol,
    "INVALID_IDENTITY" => Trust,
    "INVALID_PURPOSE_KEY" => Trust,
    "INVALID_CREDENTIAL" => Trust,
    "CREDENTIAL_EXPIRED" => Trust,
    "UNTRUSTED_ISSUER" => Trust,
    "IDENTITY_MISMATCH" => Trust,
    "POLICY_DENIED" => Trust,
    "OUTSIDE_REPLAY_WINDOW" => Protocol,
    "CHANNEL_CLOSED" => Transport,
    "NAME_TAKEN" => Trust,
    "LIMIT_EXCEEDED" => Routing,
    "ABORTED" => Aborted,
    "WORKER_FAILED" => Routing,
    "REMOTE" => Routing,
}

impl Error {
    /// What kind of failure this is (for a remote error: the remote's kind).
    pub fn kind(&self) -> ErrorKind {
        // Every code is in the table (the tests check each variant's).
        ErrorKind::of_code(self.code()).unwrap_or(ErrorKind::Routing)
    }

    /// The notice that tells another node about this error (see
    /// [`Notice`]).
    pub fn to_notice(&self) -> Notice {
        Notice::new(self.code(), &self.to_string())
    }

    /// The error a local caller gets for a notice another node sent: [`Error::Remote`].
    pub fn from_notice(notice: &Notice) -> Self {
        Error::Remote(RemoteError::new(notice.code(), notice.detail()))
    }

    /// A stable, machine-readable code for this error, e.g. `"UNKNOWN_ADDRESS"`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Decode(_) => "DECODE",
            Error::AddressParse(_) => "ADDRESS_PARSE",
            Error::UnknownAddress(_) => "UNKNOWN_ADDRESS",
            Error::AddressInUse(_) => "ADDRESS_IN_USE",
            Error::MailboxFull(_) => "MAILBOX_FULL",
            Error::WorkerStopped(_) => "WORKER_STOPPED",
            Error::EmptyRoute => "EMPTY_ROUTE",
            Error::NoTransport(_) => "NO_TRANSPORT",
            Error::AccessDenied(_) => "ACCESS_DENIED",
            Error::Timeout(_) => "TIMEOUT",
            Error::Transport(inner) => inner.code(),
            Error::MessageTooLarge { .. } => "MESSAGE_TOO_LARGE",
            Error::NodeShutDown => "NODE_SHUT_DOWN",
            Error::InvalidArgument(_) => "INVALID_ARGUMENT",
            Error::KeyNotFound(_) => "KEY_NOT_FOUND",
            Error::Crypto(_) => "CRYPTO",
            Error::Decrypt => "DECRYPT",
            Error::Handshake(_) => "HANDSHAKE",
            Error::Replay => "REPLAY",
            Error::InvalidIdentity(_) => "INVALID_IDENTITY",
            Error::InvalidPurposeKey(_) => "INVALID_PURPOSE_KEY",
            Error::InvalidCredential(_) => "INVALID_CREDENTIAL",
            Error::CredentialExpired => "CREDENTIAL_EXPIRED",
            Error::UntrustedIssuer => "UNTRUSTED_ISSUER",
            Error::IdentityMismatch => "IDENTITY_MISMATCH",
            Error::PolicyDenied => "POLICY_DENIED",
            Error::OutsideReplayWindow => "OUTSIDE_REPLAY_WINDOW",
            Error::ChannelClosed => "CHANNEL_CLOSED",
            Error::NameTaken(_) => "NAME_TAKEN",
            Error::LimitExceeded(_) => "LIMIT_EXCEEDED",
            Error::Aborted(_) => "ABORTED",
            Error::WorkerFailed(_) => "WORKER_FAILED",
            Error::Remote(remote) => remote.code(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_travels_as_a_notice_and_comes_back_remote() {
        let error = Error::UnknownAddress(Address::local("forward_to_bob"));
        let notice = Notice::decode(&error.to_notice().encode()).unwrap();
        let remote = Error::from_notice(&notice);
        assert_eq!(remote.code(), "UNKNOWN_ADDRESS");
        assert!(remote.to_string().contains("forward_to_bob"), "{remote}");
        let unknown = Error::from_notice(&Notice::new("SOMETHING_NEW", "later version"));
        assert_eq!(unknown.code(), "REMOTE");
    }

    #[test]
    fn kinds_group_the_codes() {
        assert_eq!(Error::Timeout(Duration::ZERO).kind(), ErrorKind::Timeout);
        assert_eq!(Error::PolicyDenied.kind(), ErrorKind::Trust);
        assert_eq!(Error::ChannelClosed.kind(), ErrorKind::Transport);
        assert_eq!(Error::Replay.kind(), ErrorKind::Protocol);
        assert_eq!(
            Error::InvalidArgument(String::new()).kind(),
            ErrorKind::Argument
        );
        assert_eq!(Error::NodeShutDown.kind(), ErrorKind::Routing);
        assert_eq!(
            Error::Remote(RemoteError::new("NAME_TAKEN", "")).kind(),
            ErrorKind::Trust
        );
    }

    /// One error of each variant, transport errors included. The match in `variant` has no
    /// wildcard: a new variant does not compile until it is sampled here.
    fn one_of_each() -> Vec<Error> {
        let at = || Address::local("x");
        let reason = || String::from("r");
        let transport = [
            TransportError::ConnectFailed {
                address: reason(),
                reason: reason(),
            },
            TransportError::BindFailed {
                address: reason(),
                reason: reason(),
            },
            TransportError::ConnectionClosed,
            TransportError::FrameTooLarge { len: 2, max: 1 },
            TransportError::MalformedFrame(DecodeError::BadVarint),
            TransportError::UnsupportedVersion(9),
            TransportError::CertificateMismatch,
            TransportError::UnknownPeer(reason()),
            TransportError::Other(reason()),
        ];
        let mut errors = vec![
            Error::Decode(DecodeError::BadVarint),
            Error::AddressParse(AddressParseError::Empty(reason())),
            Error::UnknownAddress(at()),
            Error::AddressInUse(at()),
            Error::MailboxFull(at()),
            Error::WorkerStopped(at()),
            Error::EmptyRoute,
            Error::NoTransport(TransportType::new(9)),
            Error::AccessDenied(at()),
            Error::Timeout(Duration::ZERO),
            Error::MessageTooLarge { len: 2, max: 1 },
            Error::NodeShutDown,
            Error::InvalidArgument(reason()),
            Error::KeyNotFound(reason()),
            Error::Crypto("c"),
            Error::Decrypt,
            Error::Replay,
            Error::OutsideReplayWindow,
            Error::InvalidIdentity("i"),
            Error::InvalidPurposeKey("p"),
            Error::InvalidCredential("c"),
            Error::CredentialExpired,
            Error::UntrustedIssuer,
            Error::IdentityMismatch,
            Error::PolicyDenied,
            Error::Handshake("h"),
            Error::ChannelClosed,
            Error::NameTaken(reason()),
            Error::LimitExceeded("l"),
            Error::Aborted(reason()),
            Error::WorkerFailed(at()),
            Error::Remote(RemoteError::new("SOMETHING_NEW", "")),
        ];
        errors.extend(transport.into_iter().map(Error::Transport));
        errors
    }

    /// Which variant `error` is (exhaustive: see `one_of_each`).
    fn variant(error: &Error) -> &'static str {
        match error {
            Error::Decode(_) => "Decode",
            Error::AddressParse(_) => "AddressParse",
            Error::UnknownAddress(_) => "UnknownAddress",
            Error::AddressInUse(_) => "AddressInUse",
            Error::MailboxFull(_) => "MailboxFull",
            Error::WorkerStopped(_) => "WorkerStopped",
            Error::EmptyRoute => "EmptyRoute",
            Error::NoTransport(_) => "NoTransport",
            Error::AccessDenied(_) => "AccessDenied",
            Error::Timeout(_) => "Timeout",
            Error::Transport(inner) => match inner {
                TransportError::ConnectFailed { .. } => "ConnectFailed",
                TransportError::BindFailed { .. } => "BindFailed",
                TransportError::ConnectionClosed => "ConnectionClosed",
                TransportError::FrameTooLarge { .. } => "FrameTooLarge",
                TransportError::MalformedFrame(_) => "MalformedFrame",
                TransportError::UnsupportedVersion(_) => "UnsupportedVersion",
                TransportError::CertificateMismatch => "CertificateMismatch",
                TransportError::UnknownPeer(_) => "UnknownPeer",
                TransportError::Other(_) => "Other",
            },
            Error::MessageTooLarge { .. } => "MessageTooLarge",
            Error::NodeShutDown => "NodeShutDown",
            Error::InvalidArgument(_) => "InvalidArgument",
            Error::KeyNotFound(_) => "KeyNotFound",
            Error::Crypto(_) => "Crypto",
            Error::Decrypt => "Decrypt",
            Error::Replay => "Replay",
            Error::OutsideReplayWindow => "OutsideReplayWindow",
            Error::InvalidIdentity(_) => "InvalidIdentity",
            Error::InvalidPurposeKey(_) => "InvalidPurposeKey",
            Error::InvalidCredential(_) => "InvalidCredential",
            Error::CredentialExpired => "CredentialExpired",
            Error::UntrustedIssuer => "UntrustedIssuer",
            Error::IdentityMismatch => "IdentityMismatch",
            Error::PolicyDenied => "PolicyDenied",
            Error::Handshake(_) => "Handshake",
            Error::ChannelClosed => "ChannelClosed",
            Error::NameTaken(_) => "NameTaken",
            Error::LimitExceeded(_) => "LimitExceeded",
            Error::Aborted(_) => "Aborted",
            Error::WorkerFailed(_) => "WorkerFailed",
            Error::Remote(_) => "Remote",
        }
    }

    #[test]
    fn every_variant_has_a_listed_code_with_a_kind_and_every_code_a_variant() {
        let errors = one_of_each();
        let variants: std::collections::BTreeSet<_> = errors.iter().map(variant).collect();
        assert_eq!(variants.len(), errors.len(), "one sample per variant");
        let codes: std::collections::BTreeSet<_> = errors.iter().map(Error::code).collect();
        for error in &errors {
            assert!(
                ErrorKind::of_code(error.code()).is_some(),
                "{} ({}) is not in the code table",
                error.code(),
                variant(error)
            );
        }
        for code in Error::CODES {
            assert!(codes.contains(code), "no variant has the code {code}");
        }
        assert_eq!(ErrorKind::of_code("SOMETHING_NEW"), None);
    }
}
