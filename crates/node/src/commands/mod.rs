//! The `razor` subcommands that manage identities and credentials (no network).

pub(crate) mod credential;
pub(crate) mod identity;

use razor_core::codec::hex;
use razor_core::identity::model::ChangeHistory;
use razor_core::identity::{VerifiedIdentity, verify_change_history};
use razor_core::vault::crypto::RustCrypto;
use razor_core::{Error, Result};

/// Bytes from hex given on the command line.
pub(crate) fn from_hex(what: &str, text: &str) -> Result<Vec<u8>> {
    hex::decode(text.trim()).map_err(|_| Error::InvalidArgument(format!("{what}: not hex")))
}

/// A change history given in hex (as `razor identity show --full` or Ockam print it), verified.
pub(crate) fn verified_history(what: &str, text: &str) -> Result<VerifiedIdentity> {
    let history = ChangeHistory::decode(&from_hex(what, text)?).map_err(Error::from)?;
    verify_change_history(&RustCrypto, history)
}
