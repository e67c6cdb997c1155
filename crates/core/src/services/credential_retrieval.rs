//! Ockam's credential retrieval, the member's side: over a secure channel to the project's
//! authority, `POST /` to its `credential_issuer` service answers a credential about the
//! channel's peer. This is what `ockam_identity`'s remote credential retriever sends and what
//! `ockam_api`'s credential issuer worker answers (ockam 0.150 / ockam_api 0.93).
//!
//! Both messages are a BARE `data` (a ULEB128 length) holding a CBOR header map, then the
//! body: the request `{1: id, 2: "/", 3: 1 (POST), 4: false}`, the response
//! `{1: id, 2: request id, 3: status, 4: has_body}` followed by the CBOR
//! `CredentialAndPurposeKey` when the status is 200.

use core::time::Duration;

use tracing::debug;

use crate::channel::{SecureChannelOptions, TrustPolicy};
use crate::codec::cbor::{self, CborReader};
use crate::codec::{DecodeError, Reader, write_bytes};
use crate::error::{Error, Result};
use crate::identity::{CredentialAndPurposeKey, Identifier, Identity, verify_credential};
use crate::routing::Route;
use crate::runtime::Node;

/// The issuer's service address on the authority's node.
pub const CREDENTIAL_ISSUER_ADDRESS: &str = "credential_issuer";

/// The most header fields read from a response.
const MAX_HEADER_FIELDS: usize = 16;

/// `POST /` with request id `id` and no body.
pub fn encode_issue_request(id: u32) -> Vec<u8> {
    let mut header = Vec::with_capacity(12);
    cbor::write_map(&mut header, 4);
    cbor::write_u64(&mut header, 1);
    cbor::write_u64(&mut header, u64::from(id));
    cbor::write_u64(&mut header, 2);
    cbor::write_text(&mut header, "/");
    cbor::write_u64(&mut header, 3);
    cbor::write_u64(&mut header, 1);
    cbor::write_u64(&mut header, 4);
    cbor::write_bool(&mut header, false);
    let mut out = Vec::with_capacity(header.len() + 1);
    write_bytes(&mut out, &header);
    out
}

/// What an issuer answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueResponse {
    /// Status 200 with a credential.
    Issued(CredentialAndPurposeKey),
    /// Any other status (401/403: not a member).
    Refused(u16),
}

/// Reads an issuer's response.
pub fn decode_issue_response(bytes: &[u8]) -> core::result::Result<IssueResponse, DecodeError> {
    let mut outer = Reader::new(bytes);
    let message = outer.bytes("issuer response", bytes.len())?;
    outer.finish()?;
    let mut reader = CborReader::new(message);
    let fields = reader.map("response header", MAX_HEADER_FIELDS)?;
    let (mut status, mut has_body) = (None, false);
    for _ in 0..fields {
        match reader.u64("response header key")? {
            3 => status = Some(reader.u64("status")?),
            4 => has_body = reader.bool("has_body")?,
            _ => reader.skip()?,
        }
    }
    let status = status.ok_or(DecodeError::Malformed("response without a status"))?;
    let status = u16::try_from(status).map_err(|_| DecodeError::InvalidTag {
        what: "status",
        value: status,
    })?;
    if status != 200 {
        return Ok(IssueResponse::Refused(status));
    }
    if !has_body {
        return Err(DecodeError::Malformed(
            "a 200 response without a credential",
        ));
    }
    Ok(IssueResponse::Issued(CredentialAndPurposeKey::decode(
        reader.rest(),
    )?))
}

/// Gets `identity` a credential from the issuer at `route` (the authority node's secure
/// channel listener, e.g. `tcp#host:port => secure`), which must be `issuer`: opens a channel
/// that trusts only it, asks, closes, and verifies the credential (about `identity`, signed
/// by `issuer`) before returning it. The caller presents it with `identity.add_credential`.
pub async fn retrieve_credential(
    node: &Node,
    identity: &Identity,
    route: Route,
    issuer: Identifier,
    timeout: Duration,
) -> Result<CredentialAndPurposeKey> {
    let options =
        SecureChannelOptions::new(TrustPolicy::TrustIdentifier(issuer)).with_timeout(timeout);
    let channel = node.create_secure_channel(identity, route, options).await?;
    let id = u32::from_le_bytes(*crate::vault::provider::random::<4>(
        node.crypto().as_ref(),
    )?);
    let reply = channel
        .request(
            CREDENTIAL_ISSUER_ADDRESS,
            encode_issue_request(id),
            Some(timeout),
        )
        .await;
    let authority = channel.peer().identity.clone();
    channel.close();
    let credential = match decode_issue_response(&reply?.payload)? {
        IssueResponse::Issued(credential) => credential,
        IssueResponse::Refused(status @ (401 | 403)) => {
            debug!(status, "the issuer refused: not a member");
            return Err(Error::PolicyDenied);
        }
        IssueResponse::Refused(status) => {
            debug!(status, "the issuer answered with an error");
            return Err(Error::InvalidCredential(
                "the issuer answered with an error status",
            ));
        }
    };
    verify_credential(
        node.crypto().as_ref(),
        &identity.identifier(),
        &[authority],
        &credential,
        node.unix_time(),
    )?;
    Ok(credential)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_is_what_ockam_sends() {
        // ockam_core 0.125's Request::build(Method::Post, "/") with id 0.
        assert_eq!(
            encode_issue_request(0),
            [
                0x0a, 0xa4, 0x01, 0x00, 0x02, 0x61, 0x2f, 0x03, 0x01, 0x04, 0xf4
            ]
        );
    }

    #[test]
    fn refusals_and_garbage_are_typed() {
        // {1: 7, 2: 9, 3: 403, 4: false}
        let mut header = vec![
            0xa4, 0x01, 0x07, 0x02, 0x09, 0x03, 0x19, 0x01, 0x93, 0x04, 0xf4,
        ];
        let mut message = Vec::new();
        write_bytes(&mut message, &header);
        assert_eq!(
            decode_issue_response(&message),
            Ok(IssueResponse::Refused(403))
        );
        header[7..9].copy_from_slice(&[0x00, 0xc8]); // 200, but no body
        let mut message = Vec::new();
        write_bytes(&mut message, &header);
        assert!(decode_issue_response(&message).is_err());
        assert!(decode_issue_response(&[]).is_err());
        assert!(decode_issue_response(&[0x05, 0xa4]).is_err());
    }
}
