//! Notices: Razor's typed "could not deliver" answer, in frames that Ockam nodes ignore.
//!
//! Ockam's routing protocol has no error message: a message that cannot be delivered is
//! dropped and its sender waits for a timeout. A Razor node that cannot deliver a message that
//! came from elsewhere (no worker at the address, access denied, the next connection failed)
//! answers with a [`Notice`] sent back along the message's return route, so that a Razor
//! sender fails at once with the remote's typed error instead of timing out.
//!
//! On the wire a notice is an ordinary `TransportMessage` (or secure channel payload) whose
//! **onward route is empty** — which Ockam treats as a heartbeat and ignores — whose return
//! route is the notice's destination, and whose payload is [`NOTICE_MAGIC`] followed by the
//! error code and a short detail as BARE strings:
//!
//! ```text
//! onward []  | return <destination>  | payload "razor/notice/1" | code str | detail str
//! ```
//!
//! Inside a node a notice is a [`LocalMessage`](super::LocalMessage) with
//! [`LocalInfo::notice`](super::LocalInfo) set, routed to its destination like any message. It is
//! delivered only to mailboxes that accept notices (clients, secure channels, connections,
//! hops); any other worker never sees it. A notice is never answered with a notice.

use crate::codec::{Reader, write_bytes};

/// The first bytes of a notice's payload.
pub const NOTICE_MAGIC: &[u8; 14] = b"razor/notice/1";
/// The longest error code a notice carries.
pub const MAX_CODE_LEN: usize = 32;
/// The longest detail a notice carries (longer ones are cut).
pub const MAX_DETAIL_LEN: usize = 256;

/// Why a message could not be delivered, as reported by the node where it stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    code: String,
    detail: String,
}

impl Notice {
    /// A notice with `code` (e.g. `"UNKNOWN_ADDRESS"`; `A`–`Z`, `0`–`9` and `_`, at most
    /// [`MAX_CODE_LEN`]) and a human-readable `detail` (cut to [`MAX_DETAIL_LEN`] bytes).
    pub fn new(code: &str, detail: &str) -> Self {
        let code = if is_code(code) { code } else { "REMOTE" };
        Self {
            code: code.to_owned(),
            detail: truncate(detail, MAX_DETAIL_LEN).to_owned(),
        }
    }

    /// The error code.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The remote's description.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The payload that carries this notice.
    pub fn encode(&self) -> Vec<u8> {
        let mut out =
            Vec::with_capacity(NOTICE_MAGIC.len() + self.code.len() + self.detail.len() + 4);
        out.extend_from_slice(NOTICE_MAGIC);
        write_bytes(&mut out, self.code.as_bytes());
        write_bytes(&mut out, self.detail.as_bytes());
        out
    }

    /// The notice in `payload`, or `None` if `payload` is not one (an Ockam heartbeat, or
    /// anything malformed: a bad notice is ignored like a heartbeat).
    pub fn decode(payload: &[u8]) -> Option<Self> {
        let body = payload.strip_prefix(NOTICE_MAGIC.as_slice())?;
        let mut reader = Reader::new(body);
        let code = reader.str("notice code", MAX_CODE_LEN).ok()?;
        let detail = reader.str("notice detail", MAX_DETAIL_LEN).ok()?;
        reader.finish().ok()?;
        is_code(code).then(|| Self {
            code: code.to_owned(),
            detail: detail.to_owned(),
        })
    }
}

fn is_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= MAX_CODE_LEN
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

/// At most `per_second` notices per wall-clock second: what a connection or a channel may
/// send, so that a flood of undeliverable messages cannot be turned into a flood of answers.
#[derive(Debug, Clone)]
pub struct NoticeBudget {
    per_second: u32,
    second: u64,
    spent: u32,
}

impl NoticeBudget {
    /// Notices sent per connection or channel per second, by default.
    pub const DEFAULT_PER_SECOND: u32 = 20;

    /// A budget of `per_second` notices.
    pub fn new(per_second: u32) -> Self {
        Self {
            per_second,
            second: 0,
            spent: 0,
        }
    }

    /// Spends one notice at Unix time `now` (seconds); `false` when the budget is used up.
    pub fn spend(&mut self, now: u64) -> bool {
        if now != self.second {
            self.second = now;
            self.spent = 0;
        }
        if self.spent >= self.per_second {
            return false;
        }
        self.spent += 1;
        true
    }
}

impl Default for NoticeBudget {
    fn default() -> Self {
        Self::new(Self::DEFAULT_PER_SECOND)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_notice_round_trips() {
        let notice = Notice::new("UNKNOWN_ADDRESS", "no worker at address 0#forward_to_bob");
        let decoded = Notice::decode(&notice.encode()).unwrap();
        assert_eq!(decoded, notice);
        assert_eq!(decoded.code(), "UNKNOWN_ADDRESS");
        assert!(decoded.detail().contains("forward_to_bob"));
    }

    #[test]
    fn heartbeats_and_junk_are_not_notices() {
        assert_eq!(Notice::decode(b""), None);
        assert_eq!(Notice::decode(b"hello"), None);
        let mut bad_code = NOTICE_MAGIC.to_vec();
        write_bytes(&mut bad_code, b"lower case");
        write_bytes(&mut bad_code, b"");
        assert_eq!(Notice::decode(&bad_code), None);
        let mut trailing = Notice::new("TIMEOUT", "").encode();
        trailing.push(0);
        assert_eq!(Notice::decode(&trailing), None);
    }

    #[test]
    fn codes_and_details_are_bounded() {
        let notice = Notice::new("not a code", &"é".repeat(500));
        assert_eq!(notice.code(), "REMOTE");
        assert!(notice.detail().len() <= MAX_DETAIL_LEN);
        assert!(Notice::decode(&notice.encode()).is_some());
    }

    #[test]
    fn the_budget_refills_each_second() {
        let mut budget = NoticeBudget::new(2);
        assert!(budget.spend(10) && budget.spend(10));
        assert!(!budget.spend(10));
        assert!(budget.spend(11));
    }

    proptest! {
        #[test]
        fn decoding_never_panics(junk: Vec<u8>) {
            let mut payload = NOTICE_MAGIC.to_vec();
            payload.extend_from_slice(&junk);
            let _ = Notice::decode(&payload);
            let _ = Notice::decode(&junk);
        }
    }
}
