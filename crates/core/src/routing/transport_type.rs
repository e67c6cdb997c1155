use core::fmt;

/// The transport an [`Address`](super::Address) belongs to: one byte on the wire.
///
/// The numbers follow Ockam's registry so that Razor and Ockam nodes understand each other's
/// routes; Razor adds two of its own. This is the one place they are assigned:
///
/// | value | name | alias in route strings | defined by |
/// |---|---|---|---|
/// | 0 | local worker | `local` (or no prefix) | Ockam |
/// | 1 | TCP | `tcp` | Ockam |
/// | 2 | UDP | `udp` | Ockam |
/// | 3 | WebSocket | `ws` | Ockam |
/// | 4 | BLE | `ble` | Ockam |
/// | 5 | Unix domain socket | `uds` | Ockam |
/// | 7 | WebTransport | `wt` | Razor (6 is left free for Ockam's next transport) |
/// | 254 | in-memory (same process) | `mem` | Razor (never meaningful off the process) |
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransportType(u8);

impl TransportType {
    /// Local workers on this node.
    pub const LOCAL: Self = Self(0);
    /// TCP (Ockam framing).
    pub const TCP: Self = Self(1);
    /// UDP (Ockam).
    pub const UDP: Self = Self(2);
    /// WebSocket: one binary message per `TransportMessage`.
    pub const WS: Self = Self(3);
    /// Bluetooth Low Energy (Ockam).
    pub const BLE: Self = Self(4);
    /// Unix domain sockets (Ockam).
    pub const UDS: Self = Self(5);
    /// WebTransport (Razor).
    pub const WT: Self = Self(7);
    /// The in-memory transport between nodes of one process (Razor).
    pub const MEMORY: Self = Self(254);

    const NAMED: [(Self, &'static str); 8] = [
        (Self::LOCAL, "local"),
        (Self::TCP, "tcp"),
        (Self::UDP, "udp"),
        (Self::WS, "ws"),
        (Self::BLE, "ble"),
        (Self::UDS, "uds"),
        (Self::WT, "wt"),
        (Self::MEMORY, "mem"),
    ];

    /// The transport type with wire value `value`.
    pub const fn new(value: u8) -> Self {
        Self(value)
    }

    /// The wire value.
    pub const fn value(self) -> u8 {
        self.0
    }

    /// Whether this addresses a worker on the local node.
    pub const fn is_local(self) -> bool {
        self.0 == 0
    }

    /// The readable alias (`tcp`, `ws`, `wt`, ...) if this type has one.
    pub fn alias(self) -> Option<&'static str> {
        Self::NAMED
            .iter()
            .find(|(t, _)| *t == self)
            .map(|(_, name)| *name)
    }

    /// Parses a decimal number (`"1"`) or an alias (`"tcp"`, case-insensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        if let Ok(value) = name.parse::<u8>() {
            return Some(Self(value));
        }
        Self::NAMED
            .iter()
            .find(|(_, alias)| alias.eq_ignore_ascii_case(name))
            .map(|(t, _)| *t)
    }
}

impl fmt::Display for TransportType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Debug for TransportType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.alias() {
            Some(alias) => write!(f, "{}({alias})", self.0),
            None => write!(f, "{}", self.0),
        }
    }
}
