//! Evaluation of policy expressions against an environment of attributes.

use core::cmp::Ordering;
use std::collections::BTreeMap;

use thiserror::Error;

use super::Expr;

/// Deepest evaluation nesting (the parser already bounds nesting; this guards hand-built
/// expressions).
const MAX_EVAL_DEPTH: usize = 128;

/// Names bound to values, e.g. `subject.role` → `"admin"`.
pub type Env = BTreeMap<String, Expr>;

/// Why an expression could not be evaluated. A policy that fails to evaluate denies.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum EvalError {
    /// A name that the environment does not bind (e.g. a missing attribute).
    #[error("unbound name {0}")]
    Unbound(String),
    /// Two values of different types were compared.
    #[error("cannot compare {0} with {1}")]
    TypeMismatch(&'static str, &'static str),
    /// An operator got a value of the wrong type.
    #[error("{op} expects {expected}, got {found}")]
    InvalidType {
        /// The operator.
        op: &'static str,
        /// What it expects.
        expected: &'static str,
        /// What it got.
        found: &'static str,
    },
    /// An operator got the wrong number of arguments.
    #[error("{0}")]
    Malformed(&'static str),
    /// A list whose head is not a known operator.
    #[error("unknown operator {0}")]
    Unknown(String),
    /// Nested too deeply.
    #[error("expression nested too deeply")]
    TooDeep,
}

fn equals(a: &Expr, b: &Expr) -> Result<bool, EvalError> {
    match (a, b) {
        (Expr::Str(x), Expr::Str(y)) | (Expr::Ident(x), Expr::Ident(y)) => Ok(x == y),
        (Expr::Int(x), Expr::Int(y)) => Ok(x == y),
        (Expr::Float(x), Expr::Float(y)) => Ok(x == y),
        (Expr::Bool(x), Expr::Bool(y)) => Ok(x == y),
        (Expr::Seq(x), Expr::Seq(y)) | (Expr::List(x), Expr::List(y)) => {
            if x.len() != y.len() {
                return Ok(false);
            }
            for (a, b) in x.iter().zip(y) {
                if !equals(a, b)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        _ => Err(EvalError::TypeMismatch(a.kind(), b.kind())),
    }
}

fn compare(a: &Expr, b: &Expr) -> Result<Option<Ordering>, EvalError> {
    match (a, b) {
        (Expr::Str(x), Expr::Str(y)) | (Expr::Ident(x), Expr::Ident(y)) => Ok(Some(x.cmp(y))),
        (Expr::Int(x), Expr::Int(y)) => Ok(Some(x.cmp(y))),
        (Expr::Float(x), Expr::Float(y)) => Ok(x.partial_cmp(y)),
        (Expr::Bool(x), Expr::Bool(y)) => Ok(Some(x.cmp(y))),
        (Expr::Seq(x), Expr::Seq(y)) | (Expr::List(x), Expr::List(y)) => {
            if x.len() != y.len() {
                return Ok(Some(x.len().cmp(&y.len())));
            }
            for (a, b) in x.iter().zip(y) {
                match compare(a, b)? {
                    Some(Ordering::Equal) => continue,
                    other => return Ok(other),
                }
            }
            Ok(Some(Ordering::Equal))
        }
        _ => Err(EvalError::TypeMismatch(a.kind(), b.kind())),
    }
}

fn boolean(op: &'static str, value: Expr) -> Result<bool, EvalError> {
    match value {
        Expr::Bool(b) => Ok(b),
        other => Err(EvalError::InvalidType {
            op,
            expected: "a boolean",
            found: other.kind(),
        }),
    }
}

/// Evaluates `expr` in `env`.
///
/// Semantics follow Ockam's `ockam_abac`, made stricter where Ockam is lenient: every
/// argument of `and`/`or` must be a boolean, `!=` needs at least two arguments, and comparing
/// values of different types is an error.
pub fn eval(expr: &Expr, env: &Env) -> Result<Expr, EvalError> {
    eval_at(expr, env, 0)
}

fn eval_at(expr: &Expr, env: &Env, depth: usize) -> Result<Expr, EvalError> {
    if depth > MAX_EVAL_DEPTH {
        return Err(EvalError::TooDeep);
    }
    let next = depth + 1;
    match expr {
        Expr::Ident(name) => env
            .get(name)
            .cloned()
            .ok_or_else(|| EvalError::Unbound(name.clone())),
        Expr::Seq(items) => Ok(Expr::Seq(
            items
                .iter()
                .map(|e| eval_at(e, env, next))
                .collect::<Result<_, _>>()?,
        )),
        Expr::List(items) => {
            let Some((head, args)) = items.split_first() else {
                return Ok(Expr::List(Vec::new()));
            };
            let Expr::Ident(op) = head else {
                return Err(EvalError::InvalidType {
                    op: "(op ...)",
                    expected: "an operator",
                    found: head.kind(),
                });
            };
            let arg = |i: usize| args.get(i).map(|a| eval_at(a, env, next)).transpose();
            let values = || {
                args.iter()
                    .map(|a| eval_at(a, env, next))
                    .collect::<Result<Vec<_>, _>>()
            };
            match op.as_str() {
                "and" => {
                    for a in args {
                        if !boolean("and", eval_at(a, env, next)?)? {
                            return Ok(Expr::Bool(false));
                        }
                    }
                    Ok(Expr::Bool(true))
                }
                "or" => {
                    for a in args {
                        if boolean("or", eval_at(a, env, next)?)? {
                            return Ok(Expr::Bool(true));
                        }
                    }
                    Ok(Expr::Bool(false))
                }
                "not" => match (args.len(), arg(0)?) {
                    (1, Some(value)) => Ok(Expr::Bool(!boolean("not", value)?)),
                    _ => Err(EvalError::Malformed("'not' takes one argument")),
                },
                "if" => {
                    if args.len() != 3 {
                        return Err(EvalError::Malformed("'if' takes a test and two branches"));
                    }
                    let test = arg(0)?.ok_or(EvalError::Malformed("'if' needs a test"))?;
                    let branch = if boolean("if", test)? { 1 } else { 2 };
                    arg(branch)?.ok_or(EvalError::Malformed("'if' needs two branches"))
                }
                "=" | "!=" => {
                    if args.len() < 2 {
                        return Err(EvalError::Malformed(
                            "'=' and '!=' take at least two arguments",
                        ));
                    }
                    let values = values()?;
                    let mut all_equal = true;
                    for pair in values.windows(2) {
                        if let [a, b] = pair {
                            all_equal &= equals(a, b)?;
                        }
                    }
                    Ok(Expr::Bool(if op == "=" { all_equal } else { !all_equal }))
                }
                "<" | ">" => {
                    if args.len() < 2 {
                        return Err(EvalError::Malformed(
                            "'<' and '>' take at least two arguments",
                        ));
                    }
                    let wanted = if op == "<" {
                        Ordering::Less
                    } else {
                        Ordering::Greater
                    };
                    let values = values()?;
                    let mut holds = true;
                    for pair in values.windows(2) {
                        if let [a, b] = pair {
                            holds &= compare(a, b)? == Some(wanted);
                        }
                    }
                    Ok(Expr::Bool(holds))
                }
                "member?" => {
                    let (Some(needle), Some(haystack), 2) = (arg(0)?, arg(1)?, args.len()) else {
                        return Err(EvalError::Malformed(
                            "'member?' takes a value and a sequence",
                        ));
                    };
                    let Expr::Seq(items) = haystack else {
                        return Err(EvalError::InvalidType {
                            op: "member?",
                            expected: "a sequence",
                            found: haystack.kind(),
                        });
                    };
                    for item in &items {
                        if equals(&needle, item)? {
                            return Ok(Expr::Bool(true));
                        }
                    }
                    Ok(Expr::Bool(false))
                }
                "exists?" => {
                    for a in args {
                        let Expr::Ident(name) = a else {
                            return Err(EvalError::InvalidType {
                                op: "exists?",
                                expected: "names",
                                found: a.kind(),
                            });
                        };
                        if !env.contains_key(name) {
                            return Ok(Expr::Bool(false));
                        }
                    }
                    Ok(Expr::Bool(true))
                }
                other => Err(EvalError::Unknown(other.to_owned())),
            }
        }
        literal => Ok(literal.clone()),
    }
}
