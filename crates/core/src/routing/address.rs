//! [`Address`]: a transport type and a value (`tcp#127.0.0.1:4000`, `echo` for local), cheap
//! to clone (its bytes are shared).

use core::fmt;
use core::str::FromStr;
use std::sync::Arc;

use thiserror::Error;

use super::TransportType;
use super::limits::MAX_ADDRESS_LEN;

/// Where a message goes next: a [`TransportType`] and an opaque value, such as a local worker
/// name (`0#echo`) or a socket address (`1#127.0.0.1:4000`).
///
/// The string form is `type#value`, where `type` is a number or an alias (`tcp`, `ws`, `wt`,
/// `mem`, `local`); a string without `#` is a local address. `From<&str>` takes the whole
/// string as a local address verbatim; use [`str::parse`] to read the `type#value` form.
///
/// Cheap to clone: the value is shared, so a message steps along its routes without copying
/// addresses.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    transport: TransportType,
    value: Arc<[u8]>,
}

/// Why an address or route string could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AddressParseError {
    /// The part before `#` is neither a number in 0..=255 nor a known alias.
    #[error("unknown transport type {0:?} (use a number 0-255 or tcp, ws, wt, mem, local)")]
    UnknownTransport(String),
    /// The address has nothing after its `#`, or a route has an empty hop.
    #[error("empty address in {0:?}")]
    Empty(String),
    /// More than one `#` in one address.
    #[error("more than one '#' in address {0:?}")]
    MultipleSeparators(String),
    /// The address is longer than the limit.
    #[error("address longer than {MAX_ADDRESS_LEN} bytes")]
    TooLong,
    /// The route has more hops than the limit.
    #[error("route longer than {max} hops")]
    RouteTooLong {
        /// The limit.
        max: usize,
    },
}

impl Address {
    /// An address of the given transport type.
    pub fn new(transport: TransportType, value: impl AsRef<[u8]>) -> Self {
        Self {
            transport,
            value: Arc::from(value.as_ref()),
        }
    }

    /// The address of a local worker.
    pub fn local(value: impl AsRef<[u8]>) -> Self {
        Self::new(TransportType::LOCAL, value)
    }

    /// A fresh, unguessable local address (128 random bits, hex).
    pub fn random_local() -> Self {
        Self::local(crate::base::random_hex(16))
    }

    /// The transport type.
    pub fn transport(&self) -> TransportType {
        self.transport
    }

    /// Whether this is a worker on the local node.
    pub fn is_local(&self) -> bool {
        self.transport.is_local()
    }

    /// The value bytes (a worker name, a socket address, ...).
    pub fn value(&self) -> &[u8] {
        &self.value
    }

    /// The value as text, if it is UTF-8.
    pub fn value_str(&self) -> Option<&str> {
        core::str::from_utf8(&self.value).ok()
    }
}

impl FromStr for Address {
    type Err = AddressParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (transport, value) = match s.split_once('#') {
            None => (TransportType::LOCAL, s),
            Some((_, rest)) if rest.contains('#') => {
                return Err(AddressParseError::MultipleSeparators(s.to_owned()));
            }
            Some((name, rest)) => {
                let transport = TransportType::from_name(name.trim())
                    .ok_or_else(|| AddressParseError::UnknownTransport(name.to_owned()))?;
                (transport, rest.trim())
            }
        };
        if value.is_empty() {
            return Err(AddressParseError::Empty(s.to_owned()));
        }
        if value.len() > MAX_ADDRESS_LEN {
            return Err(AddressParseError::TooLong);
        }
        Ok(Self::new(transport, value.as_bytes()))
    }
}

impl From<&str> for Address {
    /// A local address named `value`, taken verbatim (no `type#` parsing).
    fn from(value: &str) -> Self {
        Self::local(value.as_bytes())
    }
}

impl From<String> for Address {
    /// A local address named `value`, taken verbatim (no `type#` parsing).
    fn from(value: String) -> Self {
        Self::local(value)
    }
}

impl From<(TransportType, &str)> for Address {
    fn from((transport, value): (TransportType, &str)) -> Self {
        Self::new(transport, value.as_bytes())
    }
}

impl From<&Address> for Address {
    fn from(address: &Address) -> Self {
        address.clone()
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}#{}",
            self.transport,
            String::from_utf8_lossy(&self.value)
        )
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_numbers_aliases_and_bare_local_names() {
        let tcp: Address = "1#127.0.0.1:4000".parse().unwrap();
        assert_eq!(tcp, Address::new(TransportType::TCP, "127.0.0.1:4000"));
        assert_eq!("tcp#127.0.0.1:4000".parse::<Address>().unwrap(), tcp);
        assert_eq!(
            "ws#localhost:4000".parse::<Address>().unwrap().transport(),
            TransportType::WS
        );
        assert_eq!(
            "WT#h:1".parse::<Address>().unwrap().transport(),
            TransportType::WT
        );
        assert_eq!("echo".parse::<Address>().unwrap(), Address::local("echo"));
        assert_eq!("0#echo".parse::<Address>().unwrap(), Address::local("echo"));
        assert_eq!(tcp.to_string(), "1#127.0.0.1:4000");
    }

    #[test]
    fn rejects_bad_strings_with_reasons() {
        assert_eq!(
            "quic#x".parse::<Address>(),
            Err(AddressParseError::UnknownTransport("quic".into()))
        );
        assert_eq!(
            "256#x".parse::<Address>(),
            Err(AddressParseError::UnknownTransport("256".into()))
        );
        assert!(matches!(
            "1#".parse::<Address>(),
            Err(AddressParseError::Empty(_))
        ));
        assert!(matches!(
            "".parse::<Address>(),
            Err(AddressParseError::Empty(_))
        ));
        assert!(matches!(
            "1#a#b".parse::<Address>(),
            Err(AddressParseError::MultipleSeparators(_))
        ));
        let long = "x".repeat(MAX_ADDRESS_LEN + 1);
        assert_eq!(long.parse::<Address>(), Err(AddressParseError::TooLong));
    }

    #[test]
    fn random_addresses_differ() {
        assert_ne!(Address::random_local(), Address::random_local());
        assert_eq!(Address::random_local().value().len(), 32);
    }
}
