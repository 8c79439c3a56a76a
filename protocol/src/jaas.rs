//! JAAS login-module configuration strings as Kafka reads them (`sasl.jaas.config` and the
//! broker's `listener.name.<listener>.<mechanism>.sasl.jaas.config`), parsed into the login
//! module's class name, control flag and options.
//!
//! The grammar is Kafka's `JaasConfig`: one or more entries, each
//! `<class> <flag> [key=value ...];`, where `flag` is `required`, `requisite`, `sufficient` or
//! `optional` and a value is a double-quoted string (with `\"` and `\\` escapes) or a bare word.
//! Both the client core (username/password of `PlainLoginModule` / `ScramLoginModule`) and the
//! broker (`user_<name>="<password>"` of `PlainLoginModule`) read it through this one parser.

use std::collections::BTreeMap;

/// The login module class for SASL/PLAIN.
pub const PLAIN_LOGIN_MODULE: &str = "org.apache.kafka.common.security.plain.PlainLoginModule";
/// The login module class for SASL/SCRAM.
pub const SCRAM_LOGIN_MODULE: &str = "org.apache.kafka.common.security.scram.ScramLoginModule";

/// One `<class> <flag> options;` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JaasEntry {
    /// The login module's fully qualified class name.
    pub login_module: String,
    /// `required`, `requisite`, `sufficient` or `optional` (lower case).
    pub control_flag: String,
    /// The options in the order-independent form Kafka gives the module.
    pub options: BTreeMap<String, String>,
}

impl JaasEntry {
    /// The option `key`, if set.
    pub fn option(&self, key: &str) -> Option<&str> {
        self.options.get(key).map(String::as_str)
    }

    /// `username` and `password`, the client credentials of PLAIN and SCRAM modules.
    pub fn credentials(&self) -> Option<(&str, &str)> {
        Some((self.option("username")?, self.option("password")?))
    }

    /// PLAIN users a broker accepts: every `user_<name>="<password>"` option.
    pub fn plain_users(&self) -> impl Iterator<Item = (&str, &str)> {
        self.options
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("user_")?, v.as_str())))
    }
}

/// A JAAS string that does not follow Kafka's grammar. The message names the offending part but
/// never echoes option values (they hold passwords).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid JAAS configuration: {0} (expected `<LoginModule class> required key=\"value\" ...;`)"
)]
pub struct JaasError(String);

/// Parses every entry of a JAAS configuration string.
pub fn parse(config: &str) -> Result<Vec<JaasEntry>, JaasError> {
    let mut tokens = Tokens::new(config);
    let mut entries = Vec::new();
    while let Some(tok) = tokens.next()? {
        let login_module = match tok {
            Token::Word(w) => w,
            other => {
                return Err(JaasError(format!(
                    "expected a login module class, found {other}"
                )))
            }
        };
        let control_flag = match tokens.next()? {
            Some(Token::Word(w)) => w.to_ascii_lowercase(),
            _ => {
                return Err(JaasError(format!(
                    "missing control flag after {login_module}"
                )))
            }
        };
        if !matches!(
            control_flag.as_str(),
            "required" | "requisite" | "sufficient" | "optional"
        ) {
            return Err(JaasError(format!(
                "control flag must be required, requisite, sufficient or optional, found `{control_flag}`"
            )));
        }
        let mut options = BTreeMap::new();
        loop {
            match tokens.next()? {
                Some(Token::Semicolon) => break,
                Some(Token::Word(key)) => {
                    if tokens.next()? != Some(Token::Equals) {
                        return Err(JaasError(format!("option `{key}` has no `=value`")));
                    }
                    match tokens.next()? {
                        Some(Token::Word(v)) | Some(Token::Quoted(v)) => {
                            options.insert(key, v);
                        }
                        _ => return Err(JaasError(format!("option `{key}` has no value"))),
                    }
                }
                Some(other) => return Err(JaasError(format!("unexpected {other} in options"))),
                None => return Err(JaasError("missing `;` at the end of the entry".into())),
            }
        }
        entries.push(JaasEntry {
            login_module,
            control_flag,
            options,
        });
    }
    if entries.is_empty() {
        return Err(JaasError("no login module entry".into()));
    }
    Ok(entries)
}

/// Parses a configuration that must hold exactly one entry, as Kafka requires of a client's
/// `sasl.jaas.config` and of each broker listener/mechanism.
pub fn parse_single(config: &str) -> Result<JaasEntry, JaasError> {
    let mut entries = parse(config)?;
    if entries.len() != 1 {
        return Err(JaasError(format!(
            "must contain exactly one login module entry, found {}",
            entries.len()
        )));
    }
    Ok(entries.remove(0))
}

#[derive(Debug, PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(String),
    Equals,
    Semicolon,
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Token::Word(w) => write!(f, "`{w}`"),
            Token::Quoted(_) => f.write_str("a quoted string"),
            Token::Equals => f.write_str("`=`"),
            Token::Semicolon => f.write_str("`;`"),
        }
    }
}

struct Tokens<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
}

impl<'a> Tokens<'a> {
    fn new(s: &'a str) -> Self {
        Tokens {
            chars: s.chars().peekable(),
        }
    }

    fn next(&mut self) -> Result<Option<Token>, JaasError> {
        while self.chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(c) = self.chars.next() else {
            return Ok(None);
        };
        Ok(Some(match c {
            '=' => Token::Equals,
            ';' => Token::Semicolon,
            '"' => {
                let mut s = String::new();
                loop {
                    match self.chars.next() {
                        Some('"') => break,
                        Some('\\') => match self.chars.next() {
                            Some(e) => s.push(e),
                            None => return Err(JaasError("unterminated quoted value".into())),
                        },
                        Some(ch) => s.push(ch),
                        None => return Err(JaasError("unterminated quoted value".into())),
                    }
                }
                Token::Quoted(s)
            }
            c => {
                let mut s = String::from(c);
                while let Some(ch) = self
                    .chars
                    .next_if(|ch| !ch.is_whitespace() && !matches!(ch, '=' | ';' | '"'))
                {
                    s.push(ch);
                }
                Token::Word(s)
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_scram_entry() {
        let e = parse_single(
            r#"org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="a\"b c";"#,
        )
        .unwrap();
        assert_eq!(e.login_module, SCRAM_LOGIN_MODULE);
        assert_eq!(e.control_flag, "required");
        assert_eq!(e.credentials(), Some(("alice", "a\"b c")));
    }

    #[test]
    fn broker_plain_users_and_bare_values() {
        let e = parse_single(
            "org.apache.kafka.common.security.plain.PlainLoginModule Required\n  username=admin password=\"admin-secret\"\n  user_admin=\"admin-secret\" user_alice=\"alice-secret\";",
        )
        .unwrap();
        assert_eq!(e.control_flag, "required");
        assert_eq!(e.option("username"), Some("admin"));
        let users: Vec<_> = e.plain_users().collect();
        assert_eq!(
            users,
            vec![("admin", "admin-secret"), ("alice", "alice-secret")]
        );
    }

    #[test]
    fn malformed_configs_are_errors_without_secrets() {
        for bad in [
            "",
            "Module;",
            "Module bogus;",
            "Module required username=\"x\"",
            "Module required username;",
            "Module required username=;",
            "Module required password=\"hunter2",
        ] {
            let err = parse_single(bad).unwrap_err().to_string();
            assert!(!err.contains("hunter2"), "{err}");
        }
        let two = "A required; B required;";
        assert_eq!(parse(two).unwrap().len(), 2);
        assert!(parse_single(two).is_err());
    }
}
