//! `ferrokafka`: the bundled broker and (later) Apache Kafka's command-line tools with the same
//! flags. This file only parses arguments and wires subcommands to their modules.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod broker_cmd;

#[derive(Parser)]
#[command(
    name = "ferrokafka",
    version,
    about = "A Kafka-compatible broker and Kafka's tools in one binary"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the broker (like kafka-server-start): localhost:9092, data in ./data by default.
    Broker(broker_cmd::BrokerArgs),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Broker(args) => broker_cmd::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
