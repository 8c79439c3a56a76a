//! `ferrokafka broker [server.properties] [--override key=value]... [--add-scram spec]...` — the same shape as
//! `kafka-server-start.sh`. Runs until SIGINT or SIGTERM, then shuts down cleanly. The runtime
//! and signal handling belong to the broker crate's [`EmbeddedBroker`]; this file parses flags.

use std::path::PathBuf;

use clap::Args;
use ferrokafka_broker::{config::parse_override, Broker, EmbeddedBroker};

#[derive(Args)]
pub struct BrokerArgs {
    /// A server.properties file (Kafka's format and setting names).
    properties: Option<PathBuf>,
    /// Override one setting, e.g. --override listeners=PLAINTEXT://127.0.0.1:19092
    #[arg(long = "override", value_name = "KEY=VALUE")]
    overrides: Vec<String>,
    /// Create a SCRAM credential at start, as `kafka-storage format --add-scram` does, e.g.
    /// --add-scram 'SCRAM-SHA-512=[name=alice,password=alice-secret]' (stored salted and hashed)
    #[arg(
        long = "add-scram",
        short = 'S',
        value_name = "MECHANISM=[name=..,password=..]"
    )]
    add_scram: Vec<String>,
}

pub fn run(args: BrokerArgs) -> anyhow::Result<()> {
    let mut builder = Broker::builder();
    if let Some(p) = &args.properties {
        builder = builder.properties_file(p);
    }
    for o in &args.overrides {
        let (k, v) = parse_override(o)?;
        builder = builder.config(k, v);
    }
    for spec in &args.add_scram {
        builder = builder.add_scram(spec);
    }
    let broker = EmbeddedBroker::start(builder)?;
    println!(
        "ferrokafka broker listening on {} (bootstrap.servers={})",
        broker.local_addr(),
        broker.bootstrap_servers()
    );
    broker.run_until_signal();
    Ok(())
}
