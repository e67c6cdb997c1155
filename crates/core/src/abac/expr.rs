use core::fmt;

/// A policy expression (Ockam's ABAC language): literals, identifiers, `[sequences]` and
/// `(lists)`, where a list whose head is an operator is an operation.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `"text"`
    Str(String),
    /// `42`, `-7`, `0x10`, `1_000`
    Int(i64),
    /// `1.5`, `1e3`, `inf`, `nan`
    Float(f64),
    /// `true`, `false`
    Bool(bool),
    /// A name, such as `subject.role` or an operator like `=`.
    Ident(String),
    /// `[a b c]`: a value list (elements of one type).
    Seq(Vec<Expr>),
    /// `(op a b)`: an operation.
    List(Vec<Expr>),
}

impl Expr {
    /// The kind of value, for type errors.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Expr::Str(_) => "string",
            Expr::Int(_) => "integer",
            Expr::Float(_) => "float",
            Expr::Bool(_) => "boolean",
            Expr::Ident(_) => "identifier",
            Expr::Seq(_) => "sequence",
            Expr::List(_) => "list",
        }
    }
}

fn join(f: &mut fmt::Formatter<'_>, items: &[Expr]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(" ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Str(s) => write!(f, "{s:?}"),
            Expr::Int(i) => write!(f, "{i}"),
            Expr::Float(x) if x.is_nan() => f.write_str("nan"),
            Expr::Float(x) if x.is_infinite() => {
                f.write_str(if *x > 0.0 { "+inf" } else { "-inf" })
            }
            Expr::Float(x) => write!(f, "{x:?}"),
            Expr::Bool(b) => write!(f, "{b}"),
            Expr::Ident(name) => f.write_str(name),
            Expr::Seq(items) => {
                f.write_str("[")?;
                join(f, items)?;
                f.write_str("]")
            }
            Expr::List(items) => {
                f.write_str("(")?;
                join(f, items)?;
                f.write_str(")")
            }
        }
    }
}
