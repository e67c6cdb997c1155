use core::fmt;
use core::str::FromStr;

use crate::error::{Error, Result};

/// An identity's stable name: the SHA-256 of its first change (`Change.data`), printed as
/// `I` followed by 64 lowercase hex digits. Rotations do not change it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Identifier(pub [u8; 32]);

/// The SHA-256 of one change's `data`; later changes name their predecessor by it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChangeHash(pub [u8; 32]);

use crate::codec::hex::encode as hex;

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "I{}", hex(&self.0))
    }
}

impl fmt::Debug for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl FromStr for Identifier {
    type Err = Error;

    /// Parses `I` + 64 hex digits (either case).
    fn from_str(s: &str) -> Result<Self> {
        let invalid = || Error::InvalidArgument(format!("not an identifier: {s:?}"));
        let digits = s.trim().strip_prefix('I').ok_or_else(invalid)?;
        crate::codec::hex::decode_array(digits)
            .map(Self)
            .map_err(|_| invalid())
    }
}

impl fmt::Display for ChangeHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex(&self.0))
    }
}

impl fmt::Debug for ChangeHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChangeHash({self})")
    }
}

impl From<ChangeHash> for Identifier {
    fn from(hash: ChangeHash) -> Self {
        Self(hash.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_junk() {
        let text = "I923829d0397a06fa862be5a87b7966959b8ef99ab6455b843ca9131a747b4819";
        let id: Identifier = text.parse().unwrap();
        assert_eq!(id.to_string(), text);
        let upper = format!("I{}", text[1..].to_uppercase());
        assert_eq!(upper.parse::<Identifier>().unwrap(), id);
        for bad in [
            "",
            "I",
            "923829d0",
            "Ixyz",
            &text[..64],
            &format!("{text}00"),
            "Iéééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé",
        ] {
            assert!(bad.parse::<Identifier>().is_err(), "{bad}");
        }
    }
}
