use super::*;

fn env() -> Env {
    let subject = Subject {
        identifier: Some(
            "I00000000000000000000000000000000000000000000000000000000000000ab"
                .parse()
                .unwrap(),
        ),
        attributes: [("role", "member"), ("a", "1")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        has_credential: true,
    };
    subject.env()
}

fn run(text: &str) -> Result<Expr, EvalError> {
    eval(
        &parse(text).unwrap_or_else(|e| panic!("{text}: {e}")),
        &env(),
    )
}

/// Results Ockam 0.150 gives for the same policies and attributes.
#[test]
fn evaluates_like_ockam() {
    let cases: &[(&str, Expr)] = &[
        ("(= subject.has_credential true)", Expr::Bool(true)),
        ("(= subject.role \"member\")", Expr::Bool(true)),
        (
            "(and (= subject.a \"1\") (member? subject.role [\"member\" \"admin\"]))",
            Expr::Bool(true),
        ),
        ("(exists? subject.role subject.zzz)", Expr::Bool(false)),
        ("(or)", Expr::Bool(false)),
        ("(and)", Expr::Bool(true)),
        ("(!= 1 1 2)", Expr::Bool(true)),
        ("(< 1 2 3)", Expr::Bool(true)),
        ("(< 1 3 2)", Expr::Bool(false)),
        ("(< \"a\" \"b\")", Expr::Bool(true)),
        ("(= [1 2] [1 2])", Expr::Bool(true)),
        ("(= [] [])", Expr::Bool(true)),
        ("(= () ())", Expr::Bool(true)),
        ("(< [1 2] [1 3])", Expr::Bool(true)),
        ("(= 0x10 16)", Expr::Bool(true)),
        ("(= -5 -5)", Expr::Bool(true)),
        ("(< 1_000 2)", Expr::Bool(false)),
        ("(= 1.5e3 1500.0)", Expr::Bool(true)),
        ("(= inf inf)", Expr::Bool(true)),
        ("(= $x 1)", Expr::Bool(true)),
        ("(= 1 1) ;; comment", Expr::Bool(true)),
        ("(; block ;) (= 1 1)", Expr::Bool(true)),
        ("(= \"\\u{41}\" \"A\")", Expr::Bool(true)),
        ("(= \"\\41\" \"A\")", Expr::Bool(true)),
        ("(= \"a\\\"b\" \"a\\\"b\")", Expr::Bool(true)),
        ("(if (= 1 1) \"yes\" \"no\")", Expr::Str("yes".into())),
        ("and (= 1 1) (= 2 2)", Expr::Bool(true)),
    ];
    let mut env = env();
    env.insert("x".into(), Expr::Int(1));
    for (text, expected) in cases {
        let result = eval(&parse(text).unwrap_or_else(|e| panic!("{text}: {e}")), &env);
        assert_eq!(result.as_ref(), Ok(expected), "{text}");
    }
}

#[test]
fn type_errors_and_unbound_names_are_errors() {
    assert_eq!(
        run("(= 1 \"1\")"),
        Err(EvalError::TypeMismatch("integer", "string"))
    );
    assert_eq!(
        run("(= 1.0 1)"),
        Err(EvalError::TypeMismatch("float", "integer"))
    );
    assert_eq!(
        run("(> 2 1.0)"),
        Err(EvalError::TypeMismatch("integer", "float"))
    );
    assert!(matches!(
        run("(member? 1 [\"a\"])"),
        Err(EvalError::TypeMismatch(..))
    ));
    assert!(matches!(run("(not 1)"), Err(EvalError::InvalidType { .. })));
    assert!(matches!(run("(= 1)"), Err(EvalError::Malformed(_))));
    assert!(matches!(
        run("((= 1 1))"),
        Err(EvalError::InvalidType { .. })
    ));
    assert_eq!(
        run("(= subject.missing \"x\")"),
        Err(EvalError::Unbound("subject.missing".into()))
    );
    // Stricter than Ockam: `and`/`or` want booleans everywhere.
    assert!(run("(and true 5)").is_err());
}

#[test]
fn parse_errors_say_what_and_where() {
    let cases = [
        ("true", "not an operation"),
        ("(foo 1)", "not an operation"),
        ("(= 1 1", "unclosed '('"),
        ("(= [1 \"a\"] [])", "not of the same type"),
        ("(= 9223372036854775808 1)", "number too large"),
        ("(= 1_0.0 10.0)", "invalid float literal"),
        ("(= \"abc)", "unclosed string"),
        ("(= 1 1))", "unexpected ')'"),
        ("(= [1 2) 1)", "wrong bracket"),
        ("(= {1} 1)", "unexpected character"),
        ("", "empty policy"),
        ("(= -x 1)", "invalid name"),
        ("(= \"\\u{+41}\" \"A\")", "invalid unicode escape"),
        ("(= \"\\u{d800}\" \"A\")", "invalid unicode escape"),
    ];
    for (text, expected) in cases {
        let error = parse(text).expect_err(text);
        assert!(error.message.contains(expected), "{text}: {error}");
    }
    assert_eq!(parse("(= 1 \"x").unwrap_err().offset, 5);
    let deep = "(not ".repeat(100) + "true" + &")".repeat(100);
    assert!(parse(&deep).unwrap_err().message.contains("nested deeper"));
}

#[test]
fn display_round_trips() {
    for text in [
        "(and (= subject.a \"1\") (member? subject.role [\"member\" \"admin\"]))",
        "(< 1.5 +inf)",
        "(= [] [])",
    ] {
        let expr = parse(text).unwrap();
        assert_eq!(parse(&expr.to_string()).unwrap(), expr);
    }
}

#[test]
fn policies_deny_unless_exactly_true_and_attributes_cannot_shadow_the_identifier() {
    let mut subject = Subject {
        identifier: None,
        attributes: Default::default(),
        has_credential: false,
    };
    subject
        .attributes
        .insert("identifier".into(), "Ifake".into());
    let only = Policy::parse("(= subject.identifier \"Ifake\")").unwrap();
    assert!(
        !only.allows(&subject),
        "an attribute named identifier must not impersonate"
    );
    assert!(
        !Policy::parse("(if true \"yes\" \"no\")")
            .unwrap()
            .allows(&subject)
    );
    assert!(
        !Policy::parse("(= subject.role \"admin\")")
            .unwrap()
            .allows(&subject)
    );
    subject.attributes.insert("role".into(), "admin".into());
    assert!(
        Policy::parse("(= subject.role \"admin\")")
            .unwrap()
            .allows(&subject)
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn parser_and_evaluator_never_panic(text in "[()\\[\\] a-z0-9=<>!?.\"_$;-]{0,80}") {
            if let Ok(expr) = parse(&text) {
                let _ = eval(&expr, &env());
            }
        }

        #[test]
        fn arbitrary_unicode_never_panics(text in "\\PC{0,60}") {
            let _ = parse(&text);
        }
    }
}
