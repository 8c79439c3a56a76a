//! The SASL_SSL broker of the security tests: OUR broker or Apache Kafka as
//! `FERROKAFKA_TEST_TARGET` says (`cargo test` runs ours, CI's `core-vs-apache` run Apache),
//! started once per test binary with `tests/harness/secure_kafka.py` (Python with the
//! `cryptography` package: the CI venv's interpreter when present, else `python3`), stopped when
//! this process exits (its stdin closes). Hands out client configurations for its users.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use ferrokafka_core::ClientConfig;

/// What the harness printed on its `SECURE` line.
pub struct SecureBroker {
    /// `ferrokafka` or `apache`.
    pub target: String,
    pub bootstrap: String,
    pub internal_bootstrap: String,
    pub ca: String,
    pub untrusted_ca: String,
    pub client_cert: String,
    pub client_key: String,
    /// Our broker's log file (empty for Apache Kafka).
    pub broker_log: String,
    users: serde_json::Map<String, serde_json::Value>,
    _child: Child,
}

static BROKER: OnceLock<SecureBroker> = OnceLock::new();

/// The broker (started on first use).
pub fn broker() -> &'static SecureBroker {
    BROKER.get_or_init(|| start_with(&[], &[]))
}

fn python() -> PathBuf {
    if let Ok(p) = std::env::var("FERROKAFKA_PYTHON") {
        return p.into();
    }
    let cache = std::env::var("FERROKAFKA_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/ferrokafka")
        });
    let venv = cache.join("venv/bin/python");
    if venv.exists() {
        venv
    } else {
        "python3".into()
    }
}

/// A broker of its own: `args` for secure_kafka.py (e.g. `--target ferrokafka`, `--property
/// k=v`), `env` for the harness and the broker it starts (e.g. `RUST_LOG`). Stopped on drop.
pub fn start_with(args: &[&str], env: &[(&str, &str)]) -> SecureBroker {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut child = Command::new(python())
        .arg(format!("{root}/tests/harness/secure_kafka.py"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("tests/harness/secure_kafka.py must be runnable");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut info = None;
    for line in lines.by_ref() {
        let Ok(line) = line else { break };
        if let Some(json) = line.strip_prefix("SECURE ") {
            info = Some(serde_json::from_str::<serde_json::Value>(json).expect("SECURE json"));
        }
        if line.starts_with("READY ") {
            break;
        }
    }
    // Keep draining stdout so the harness never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    let Some(info) = info else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("secure_kafka.py exited before printing SECURE/READY (see its stderr)");
    };
    let s = |k: &str| info[k].as_str().expect(k).to_string();
    SecureBroker {
        target: s("target"),
        bootstrap: s("bootstrap"),
        internal_bootstrap: s("internal_bootstrap"),
        ca: s("ca"),
        untrusted_ca: s("untrusted_ca"),
        client_cert: s("client_cert"),
        client_key: s("client_key"),
        broker_log: s("broker_log"),
        users: info["users"].as_object().expect("users").clone(),
        _child: child,
    }
}

impl SecureBroker {
    /// The password of a harness user.
    pub fn password(&self, user: &str) -> String {
        self.users[user].as_str().expect("known user").to_string()
    }

    /// SASL_SSL settings for `user` (its own password unless `password` is given).
    pub fn pairs(
        &self,
        user: &str,
        password: Option<&str>,
        mechanism: &str,
    ) -> Vec<(String, String)> {
        let password = password
            .map(str::to_string)
            .unwrap_or_else(|| self.password(user));
        self.pairs_for(user, &password, mechanism)
    }

    fn pairs_for(&self, user: &str, password: &str, mechanism: &str) -> Vec<(String, String)> {
        [
            ("bootstrap.servers", self.bootstrap.as_str()),
            ("security.protocol", "SASL_SSL"),
            ("ssl.ca.location", self.ca.as_str()),
            ("sasl.mechanism", mechanism),
            ("sasl.username", user),
            ("sasl.password", password),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    /// A client configuration for `user` plus `extra` keys.
    pub fn config(
        &self,
        user: &str,
        password: Option<&str>,
        mechanism: &str,
        extra: &[(&str, &str)],
    ) -> ClientConfig {
        let mut pairs = self.pairs(user, password, mechanism);
        pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        ClientConfig::from_pairs(pairs).expect("valid security config")
    }

    /// A client configuration for a user the harness may not know.
    pub fn config_for_user(
        &self,
        user: &str,
        password: &str,
        mechanism: &str,
        extra: &[(&str, &str)],
    ) -> ClientConfig {
        let mut pairs = self.pairs_for(user, password, mechanism);
        pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        ClientConfig::from_pairs(pairs).expect("valid security config")
    }
}
