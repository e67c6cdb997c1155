//! The policy parser: Ockam's s-expression syntax, with errors that say where and why.
//!
//! ```text
//! (and (= subject.role "admin") (member? subject.team ["red" "blue"]))
//! ```
//! Comments `;; to end of line` and `(; block ;)` are ignored. Several top-level values form
//! one implicit list (`and (= a 1) (= b 2)`). The result must be an operation.

use thiserror::Error;

use super::Expr;

/// Longest policy text accepted.
pub const MAX_POLICY_LEN: usize = 64 * 1024;
/// Deepest nesting of `(...)` and `[...]`.
pub const MAX_DEPTH: usize = 64;

/// The operators of the language.
pub const OPERATORS: [&str; 10] = [
    "and", "or", "not", "if", "<", ">", "=", "!=", "member?", "exists?",
];

/// Why a policy does not parse, and at which byte offset.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message} at offset {offset}")]
pub struct ParseError {
    /// What is wrong.
    pub message: String,
    /// Byte offset in the policy text.
    pub offset: usize,
}

fn error<T>(message: impl Into<String>, offset: usize) -> Result<T, ParseError> {
    Err(ParseError {
        message: message.into(),
        offset,
    })
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    OpenSeq,
    CloseSeq,
    Str(String),
    Atom(String),
}

fn is_idchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-./:<=>?@\\^_|~`".contains(c)
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn peek(&self) -> Option<char> {
        self.text.get(self.pos..)?.chars().next()
    }

    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or_default()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn skip_trivia(&mut self) -> Result<(), ParseError> {
        loop {
            let rest = self.rest();
            if rest.starts_with(";;") {
                self.pos += rest.find('\n').unwrap_or(rest.len());
            } else if rest.starts_with("(;") {
                self.skip_block_comment()?;
            } else if self
                .peek()
                .is_some_and(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
            {
                self.pos += 1;
            } else {
                return Ok(());
            }
        }
    }

    fn skip_block_comment(&mut self) -> Result<(), ParseError> {
        let start = self.pos;
        let mut depth = 0usize;
        loop {
            let rest = self.rest();
            if rest.starts_with("(;") {
                depth += 1;
                self.pos += 2;
            } else if rest.starts_with(";)") {
                depth -= 1;
                self.pos += 2;
                if depth == 0 {
                    return Ok(());
                }
            } else if self.bump().is_none() {
                return error("unclosed block comment", start);
            }
        }
    }

    fn string(&mut self) -> Result<String, ParseError> {
        let start = self.pos;
        self.bump(); // opening quote
        let mut bytes = Vec::new();
        loop {
            let Some(c) = self.bump() else {
                return error("unclosed string", start);
            };
            match c {
                '"' => break,
                '\\' => {
                    let escape_at = self.pos;
                    match self.bump() {
                        Some('"') => bytes.push(b'"'),
                        Some('\'') => bytes.push(b'\''),
                        Some('\\') => bytes.push(b'\\'),
                        Some('t') => bytes.push(b'\t'),
                        Some('n') => bytes.push(b'\n'),
                        Some('r') => bytes.push(b'\r'),
                        Some('u') => {
                            let rest = self.rest();
                            let Some(body) = rest
                                .strip_prefix('{')
                                .and_then(|r| r.split_once('}'))
                                .map(|(h, _)| h)
                            else {
                                return error("expected \\u{hex}", escape_at);
                            };
                            let hex_digits = !body.is_empty()
                                && body.len() <= 6
                                && body.chars().all(|c| c.is_ascii_hexdigit());
                            let code = hex_digits
                                .then(|| u32::from_str_radix(body, 16).ok())
                                .flatten()
                                .and_then(char::from_u32);
                            let Some(ch) = code else {
                                return error("invalid unicode escape", escape_at);
                            };
                            self.pos += body.len() + 2;
                            let mut buf = [0u8; 4];
                            bytes.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        Some(h) if h.is_ascii_hexdigit() => {
                            let Some(l) = self.bump().filter(char::is_ascii_hexdigit) else {
                                return error("expected two hex digits", escape_at);
                            };
                            let (Some(h), Some(l)) = (h.to_digit(16), l.to_digit(16)) else {
                                return error("expected two hex digits", escape_at);
                            };
                            bytes.push((h * 16 + l) as u8);
                        }
                        _ => return error("unknown escape", escape_at),
                    }
                }
                c if c.is_control() => return error("control character in string", self.pos - 1),
                c => {
                    let mut buf = [0u8; 4];
                    bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
            }
        }
        String::from_utf8(bytes).or_else(|_| error("string is not valid UTF-8", start))
    }

    fn next(&mut self) -> Result<Option<(usize, Token)>, ParseError> {
        self.skip_trivia()?;
        let start = self.pos;
        let Some(c) = self.peek() else {
            return Ok(None);
        };
        let token = match c {
            '(' => {
                self.bump();
                Token::Open
            }
            ')' => {
                self.bump();
                Token::Close
            }
            '[' => {
                self.bump();
                Token::OpenSeq
            }
            ']' => {
                self.bump();
                Token::CloseSeq
            }
            '"' => Token::Str(self.string()?),
            c if is_idchar(c) => {
                while self.peek().is_some_and(is_idchar) {
                    self.bump();
                }
                if self.peek() == Some('"') {
                    return error("a string cannot be glued to a name", self.pos);
                }
                Token::Atom(
                    self.text
                        .get(start..self.pos)
                        .unwrap_or_default()
                        .to_owned(),
                )
            }
            other => return error(format!("unexpected character {other:?}"), start),
        };
        Ok(Some((start, token)))
    }
}

fn number(atom: &str) -> Option<Result<Expr, String>> {
    let (negative, digits) = match atom.as_bytes().first()? {
        b'-' => (true, atom.get(1..)?),
        b'+' => (false, atom.get(1..)?),
        _ => (false, atom),
    };
    match digits {
        "inf" => {
            return Some(Ok(Expr::Float(if negative {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            })));
        }
        "nan" => return Some(Ok(Expr::Float(f64::NAN))),
        _ => {}
    }
    if !digits.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if let Some(hex) = digits.strip_prefix("0x") {
        let clean: String = hex.chars().filter(|c| *c != '_').collect();
        if clean.is_empty() || !clean.chars().all(|c| c.is_ascii_hexdigit()) {
            return Some(Err(format!("invalid number {atom:?}")));
        }
        let value = i64::from_str_radix(&clean, 16).map(|v| if negative { -v } else { v });
        return Some(
            value
                .map(Expr::Int)
                .map_err(|_| format!("number too large: {atom}")),
        );
    }
    let is_float = digits.contains(['.', 'e', 'E']);
    if is_float {
        if digits.contains('_') {
            return Some(Err(format!("invalid float literal {atom:?}")));
        }
        return Some(
            atom.parse::<f64>()
                .map(Expr::Float)
                .map_err(|_| format!("invalid float literal {atom:?}")),
        );
    }
    let clean: String = atom.chars().filter(|c| *c != '_').collect();
    if !digits.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return Some(Err(format!("invalid number {atom:?}")));
    }
    Some(
        clean
            .parse::<i64>()
            .map(Expr::Int)
            .map_err(|_| format!("number too large: {atom}")),
    )
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || "!$%&*/<=>?~_^".contains(c));
    first_ok
        && chars.all(|c| {
            c.is_ascii_alphanumeric() || "!$%&*/<=>?~_^".contains(c) || ('+'..='@').contains(&c)
        })
}

fn atom(text: String, offset: usize) -> Result<Expr, ParseError> {
    if let Some(result) = number(&text) {
        return result.or_else(|message| error(message, offset));
    }
    match text.as_str() {
        "true" => return Ok(Expr::Bool(true)),
        "false" => return Ok(Expr::Bool(false)),
        _ => {}
    }
    if let Some(name) = text.strip_prefix('$') {
        return Ok(Expr::Ident(name.to_owned()));
    }
    if let Some(name) = text.strip_prefix('@')
        && is_identifier(name)
    {
        return Ok(Expr::Ident(name.to_owned()));
    }
    if is_identifier(&text) {
        Ok(Expr::Ident(text))
    } else {
        error(format!("invalid name {text:?}"), offset)
    }
}

fn same_type(a: &Expr, b: &Expr) -> bool {
    core::mem::discriminant(a) == core::mem::discriminant(b)
}

/// Parses a policy. See the module documentation for the syntax.
pub fn parse(text: &str) -> Result<Expr, ParseError> {
    if text.len() > MAX_POLICY_LEN {
        return error(format!("policy longer than {MAX_POLICY_LEN} bytes"), 0);
    }
    let mut lexer = Lexer { text, pos: 0 };
    // Each open frame: (offset, is_sequence, items).
    let mut stack: Vec<(usize, bool, Vec<Expr>)> = vec![(0, false, Vec::new())];
    while let Some((offset, token)) = lexer.next()? {
        let value = match token {
            Token::Open | Token::OpenSeq => {
                if stack.len() > MAX_DEPTH {
                    return error(format!("nested deeper than {MAX_DEPTH}"), offset);
                }
                stack.push((offset, token == Token::OpenSeq, Vec::new()));
                continue;
            }
            Token::Close | Token::CloseSeq => {
                let closing_seq = token == Token::CloseSeq;
                if stack.len() == 1 {
                    return error(
                        format!("unexpected '{}'", if closing_seq { ']' } else { ')' }),
                        offset,
                    );
                }
                let Some((open_at, is_seq, items)) = stack.pop() else {
                    return error("unbalanced brackets", offset);
                };
                if is_seq != closing_seq {
                    return error(
                        format!(
                            "'{}' closed by the wrong bracket",
                            if is_seq { '[' } else { '(' }
                        ),
                        open_at,
                    );
                }
                if is_seq {
                    let mismatch = items
                        .iter()
                        .zip(items.iter().skip(1))
                        .find(|(a, b)| !same_type(a, b));
                    if let Some((a, b)) = mismatch {
                        return error(format!("{a} and {b} are not of the same type"), open_at);
                    }
                    Expr::Seq(items)
                } else {
                    Expr::List(items)
                }
            }
            Token::Str(s) => Expr::Str(s),
            Token::Atom(text) => atom(text, offset)?,
        };
        if let Some((_, _, items)) = stack.last_mut() {
            items.push(value);
        }
    }
    if let Some((open_at, is_seq, _)) = stack.get(1) {
        return error(
            format!("unclosed '{}'", if *is_seq { '[' } else { '(' }),
            *open_at,
        );
    }
    let Some((_, _, mut top)) = stack.pop() else {
        return error("empty policy", 0);
    };
    let expr = match top.len() {
        0 => return error("empty policy", 0),
        1 => top.remove(0),
        _ => Expr::List(top),
    };
    if !is_operation(&expr) {
        return error(
            format!(
                "`{expr}` is not an operation; use one of: {}",
                OPERATORS.join(", ")
            ),
            0,
        );
    }
    Ok(expr)
}

fn is_operation(expr: &Expr) -> bool {
    match expr {
        Expr::Ident(name) => OPERATORS.contains(&name.as_str()),
        Expr::List(items) => items.first().is_some_and(is_operation),
        _ => false,
    }
}
