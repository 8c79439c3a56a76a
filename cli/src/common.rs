//! What every tool shares: `--bootstrap-server` / `--command-config` handling, Java-style
//! `.properties` files and `key=value` flags turned into the core's `ClientConfig`, a fast
//! reachability check that names the address tried, and the error type whose message is already
//! printed the way Kafka's tool prints it. It must not hold any tool's logic.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use ferrokafka_core::ClientConfig;

/// `--bootstrap-server` and `--command-config`, as every admin tool spells them.
#[derive(Args, Clone, Debug)]
pub struct Connect {
    /// REQUIRED: The Kafka server(s) to connect to, host:port[,host:port].
    #[arg(long = "bootstrap-server", value_name = "HOST:PORT")]
    pub bootstrap_server: String,
    /// Property file containing configs to be passed to the Admin Client.
    #[arg(long = "command-config", value_name = "FILE")]
    pub command_config: Option<PathBuf>,
}

impl Connect {
    /// The admin client's properties: the command-config file, then the bootstrap servers.
    pub fn properties(&self) -> anyhow::Result<Props> {
        let mut props = match &self.command_config {
            Some(p) => load_properties(p)?,
            None => Props::new(),
        };
        props.insert("bootstrap.servers".into(), self.bootstrap_server.clone());
        Ok(props)
    }

    /// An admin client, after checking a bootstrap server answers.
    pub fn admin(&self) -> anyhow::Result<ferrokafka_core::Admin> {
        let props = self.properties()?;
        admin_from(props)
    }
}

/// An admin client from properties, after checking a bootstrap server answers.
pub fn admin_from(props: Props) -> anyhow::Result<ferrokafka_core::Admin> {
    let cfg = client_config(props)?;
    check_reachable(&cfg)?;
    Ok(ferrokafka_core::Admin::new(cfg)?)
}

/// Ordered `key -> value` client properties.
pub type Props = BTreeMap<String, String>;

/// Keys Kafka's tools accept that name Java classes; our tools always handle raw bytes.
const JAVA_ONLY_KEYS: &[&str] = &[
    "key.serializer",
    "value.serializer",
    "key.deserializer",
    "value.deserializer",
];

/// Reads a Java `.properties` file (`key=value` or `key: value`, `#`/`!` comments).
pub fn load_properties(path: &Path) -> anyhow::Result<Props> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read properties file {}: {e}", path.display()))?;
    let mut out = Props::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
            continue;
        }
        let idx = line.find(['=', ':']).ok_or_else(|| {
            anyhow::anyhow!(
                "{}:{}: expected key=value, found {line:?}",
                path.display(),
                n + 1
            )
        })?;
        out.insert(
            line[..idx].trim().to_string(),
            line[idx + 1..].trim().to_string(),
        );
    }
    Ok(out)
}

/// Parses `key=value` flag values (`--producer-property`, `--config`, ...).
pub fn parse_pairs(values: &[String], flag: &str) -> anyhow::Result<Props> {
    let mut out = Props::new();
    for v in values {
        let (k, val) = v.split_once('=').ok_or_else(|| {
            usage(format!(
                "Invalid {flag} value {v:?}: expected the form key=value"
            ))
        })?;
        out.insert(k.trim().to_string(), val.to_string());
    }
    Ok(out)
}

/// The core's configuration from properties (serializer class names are dropped: the tools
/// read and write bytes).
pub fn client_config(props: Props) -> anyhow::Result<ClientConfig> {
    let pairs = props
        .into_iter()
        .filter(|(k, _)| !JAVA_ONLY_KEYS.contains(&k.as_str()));
    Ok(ClientConfig::from_pairs(pairs)?)
}

/// Fails at once, naming the addresses tried, when no bootstrap server accepts a connection
/// (Kafka's tools log "Connection to node -1 (...) could not be established" and then wait for
/// `default.api.timeout.ms`; an operator gains nothing from the wait).
pub fn check_reachable(cfg: &ClientConfig) -> anyhow::Result<()> {
    let servers = cfg.require_bootstrap()?;
    let timeout = cfg
        .common
        .socket_connection_setup_timeout
        .max(Duration::from_millis(100));
    let mut tried = Vec::new();
    for s in servers {
        match s.to_socket_addrs() {
            Ok(addrs) => {
                for a in addrs {
                    if TcpStream::connect_timeout(&a, timeout).is_ok() {
                        return Ok(());
                    }
                    let host = s.rsplit_once(':').map_or(s.as_str(), |(h, _)| h);
                    tried.push(format!("{host}/{a}"));
                }
            }
            Err(e) => tried.push(format!("{s} ({e})")),
        }
    }
    Err(Printed::new(
        1,
        format!(
            "Connection to node -1 ({}) could not be established. Node may not be available: \
             check --bootstrap-server and that the broker is running.",
            tried.join(", ")
        ),
    )
    .into())
}

/// Runs a future on the core's runtime.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    ferrokafka_core::runtime().block_on(f)
}

/// An error whose message is printed as-is (to stderr unless `stdout`), then exit `code`.
#[derive(Debug)]
pub struct Printed {
    pub code: u8,
    pub message: String,
    pub stdout: bool,
}

impl Printed {
    pub fn new(code: u8, message: impl Into<String>) -> Printed {
        Printed {
            code,
            message: message.into(),
            stdout: false,
        }
    }

    /// Kafka prints some command errors on stdout; keep that where the tool does.
    pub fn stdout(code: u8, message: impl Into<String>) -> Printed {
        Printed {
            code,
            message: message.into(),
            stdout: true,
        }
    }
}

impl fmt::Display for Printed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Printed {}

/// A bad flag combination: the message plus a pointer to `--help`, exit code 1 as Kafka's
/// `printUsageAndExit` does.
pub fn usage(message: impl fmt::Display) -> anyhow::Error {
    Printed::new(1, format!("{message}\nRun with --help for the options.")).into()
}

/// Kafka's internal topic names (`Topic.isInternal`).
pub fn is_internal_topic(name: &str) -> bool {
    name == "__consumer_offsets" || name == "__transaction_state" || name == "__share_group_state"
}

/// Java `IncludeList`: a regex (commas mean `|`, quotes and spaces stripped) matching the
/// whole topic name.
pub struct IncludeList(regex::Regex);

impl IncludeList {
    pub fn new(raw: &str) -> anyhow::Result<IncludeList> {
        let cleaned: String = raw.trim().replace(',', "|").replace(' ', "");
        let cleaned = cleaned.trim_matches(|c| c == '"' || c == '\'');
        let re = regex::Regex::new(&format!("^(?:{cleaned})$"))
            .map_err(|e| usage(format!("Invalid topic regex {raw:?}: {e}")))?;
        Ok(IncludeList(re))
    }

    pub fn matches(&self, topic: &str) -> bool {
        self.0.is_match(topic)
    }
}

/// Pads like Java's `%-Ns`.
pub fn pad(s: &str, width: usize) -> String {
    format!("{s:<width$}")
}
