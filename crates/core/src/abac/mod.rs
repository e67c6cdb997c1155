//! Attribute-based access control with Ockam's policy language.
//!
//! A [`Policy`] is an s-expression over the attributes of the *subject* (the authenticated
//! peer of a secure channel): `subject.identifier`, `subject.has_credential` and
//! `subject.<name>` for each attribute of its verified credentials (values are strings).
//! Anything other than a clean `true` — an unbound attribute, a type error — denies.
//!
//! ```text
//! (and (= subject.role "admin") (member? subject.team ["red" "blue"]))
//! ```

mod eval;
mod expr;
mod parser;

use core::fmt;
use std::collections::BTreeMap;

pub use eval::{Env, EvalError, eval};
pub use expr::Expr;
pub use parser::{MAX_DEPTH, MAX_POLICY_LEN, OPERATORS, ParseError, parse};

use crate::error::Error;
use crate::identity::Identifier;
use crate::routing::Address;
use crate::runtime::LocalMessage;
use crate::runtime::{IncomingAccessControl, SecureChannelOrigin};

/// Who is asking: an authenticated identifier and its verified attributes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subject {
    /// The peer's identifier.
    pub identifier: Option<Identifier>,
    /// Attributes from verified credentials, by name.
    pub attributes: BTreeMap<String, String>,
    /// Whether the peer presented a credential that verified.
    pub has_credential: bool,
}

impl Subject {
    /// The peer of the secure channel a message came out of.
    pub fn of(origin: &SecureChannelOrigin) -> Self {
        Self {
            identifier: Some(origin.identifier),
            attributes: origin.attributes.clone(),
            has_credential: origin.has_credential,
        }
    }

    /// The evaluation environment: `subject.identifier`, `subject.has_credential`, and
    /// `subject.<name>` per attribute. Attributes cannot shadow the first two.
    pub fn env(&self) -> Env {
        let mut env = Env::new();
        let reserved = ["identifier", "has_credential"];
        for (name, value) in self
            .attributes
            .iter()
            .filter(|(name, _)| !reserved.contains(&name.as_str()))
        {
            env.insert(format!("subject.{name}"), Expr::Str(value.clone()));
        }
        if let Some(identifier) = &self.identifier {
            env.insert(
                "subject.identifier".into(),
                Expr::Str(identifier.to_string()),
            );
        }
        env.insert(
            "subject.has_credential".into(),
            Expr::Bool(self.has_credential),
        );
        env
    }
}

/// A parsed policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    expr: Expr,
}

impl Policy {
    /// Parses `text`.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        Ok(Self { expr: parse(text)? })
    }

    /// The expression.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// Whether the policy evaluates to exactly `true` for `subject`.
    pub fn allows(&self, subject: &Subject) -> bool {
        matches!(eval(&self.expr, &subject.env()), Ok(Expr::Bool(true)))
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expr)
    }
}

impl core::str::FromStr for Policy {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s)
    }
}

/// Guards a worker with a policy over the secure channel peer of each message. Messages that
/// did not come through a secure channel are denied.
impl IncomingAccessControl for Policy {
    fn is_authorized(&self, message: &LocalMessage) -> bool {
        message
            .local_info
            .secure_channel
            .as_ref()
            .is_some_and(|origin| self.allows(&Subject::of(origin)))
    }

    fn denial(&self, _address: &Address) -> Error {
        Error::PolicyDenied
    }
}

#[cfg(test)]
mod tests;
