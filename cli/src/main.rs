//! `ferrokafka`: the bundled broker and Apache Kafka's command-line tools with the same flags.
//! This file only picks the tool (a subcommand, or the name the binary was invoked by:
//! `kafka-topics`, `kafka-topics.sh`, ...), parses arguments and turns errors into exit codes.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod acls;
mod broker_api_versions;
mod broker_cmd;
mod common;
mod configs;
mod configs_quotas;
mod configs_users;
mod console_consumer;
mod console_producer;
mod consumer_groups;
mod consumer_perf;
mod datetime;
mod delete_records;
mod get_offsets;
mod group_delete;
mod log_dirs;
mod producer_perf;
mod reset_offsets;
mod topics;

#[derive(Parser)]
#[command(
    name = "ferrokafka",
    version,
    about = "A Kafka-compatible broker and Kafka's tools in one binary",
    infer_long_args = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the broker (like kafka-server-start): localhost:9092, data in ./data by default.
    Broker(broker_cmd::BrokerArgs),
    /// Create, delete, describe, alter or list topics (kafka-topics).
    #[command(infer_long_args = true)]
    Topics(topics::TopicsArgs),
    /// Read lines from stdin and send them to a topic (kafka-console-producer).
    #[command(name = "console-producer", infer_long_args = true)]
    ConsoleProducer(console_producer::ConsoleProducerArgs),
    /// Print records of topics to stdout (kafka-console-consumer).
    #[command(name = "console-consumer", infer_long_args = true)]
    ConsoleConsumer(console_consumer::ConsoleConsumerArgs),
    /// List, describe, delete consumer groups; reset and delete their offsets (kafka-consumer-groups).
    #[command(name = "consumer-groups", infer_long_args = true)]
    ConsumerGroups(consumer_groups::GroupsArgs),
    /// Add, remove and list ACLs (kafka-acls).
    #[command(infer_long_args = true)]
    Acls(acls::AclsArgs),
    /// Describe and alter topic and broker configs (kafka-configs).
    #[command(infer_long_args = true)]
    Configs(configs::ConfigsArgs),
    /// Partition offsets at a time: latest, earliest, max-timestamp or a timestamp (kafka-get-offsets).
    #[command(name = "get-offsets", infer_long_args = true)]
    GetOffsets(get_offsets::GetOffsetsArgs),
    /// Delete records before given offsets (kafka-delete-records).
    #[command(name = "delete-records", infer_long_args = true)]
    DeleteRecords(delete_records::DeleteRecordsArgs),
    /// Describe brokers' log directories and replica sizes (kafka-log-dirs).
    #[command(name = "log-dirs", infer_long_args = true)]
    LogDirs(log_dirs::LogDirsArgs),
    /// Each broker's API version ranges (kafka-broker-api-versions).
    #[command(name = "broker-api-versions", infer_long_args = true)]
    BrokerApiVersions(broker_api_versions::ApiVersionsArgs),
    /// Producer throughput and latency test (kafka-producer-perf-test).
    #[command(name = "producer-perf-test", infer_long_args = true)]
    ProducerPerfTest(producer_perf::ProducerPerfArgs),
    /// Consumer throughput test (kafka-consumer-perf-test).
    #[command(name = "consumer-perf-test", infer_long_args = true)]
    ConsumerPerfTest(consumer_perf::ConsumerPerfArgs),
}

/// Kafka's script names (without `.sh`) and the subcommand each maps to.
const ALIASES: &[(&str, &str)] = &[
    ("kafka-server-start", "broker"),
    ("kafka-topics", "topics"),
    ("kafka-console-producer", "console-producer"),
    ("kafka-console-consumer", "console-consumer"),
    ("kafka-consumer-groups", "consumer-groups"),
    ("kafka-configs", "configs"),
    ("kafka-acls", "acls"),
    ("kafka-get-offsets", "get-offsets"),
    ("kafka-delete-records", "delete-records"),
    ("kafka-log-dirs", "log-dirs"),
    ("kafka-broker-api-versions", "broker-api-versions"),
    ("kafka-producer-perf-test", "producer-perf-test"),
    ("kafka-consumer-perf-test", "consumer-perf-test"),
];

/// The arguments with the subcommand put first when invoked through a link named after a tool.
fn effective_args() -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let invoked = args
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .map(|n| n.to_string_lossy().trim_end_matches(".sh").to_string())
        .unwrap_or_default();
    if let Some((alias, sub)) = ALIASES.iter().find(|(a, _)| *a == invoked) {
        args[0] = (*alias).into();
        args.insert(1, (*sub).into());
    }
    args
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse_from(effective_args());
    let result = match cli.command {
        Command::Broker(args) => broker_cmd::run(args),
        Command::Topics(args) => topics::run(args),
        Command::ConsoleProducer(args) => console_producer::run(args),
        Command::ConsoleConsumer(args) => console_consumer::run(args),
        Command::ConsumerGroups(args) => consumer_groups::run(args),
        Command::Configs(args) => configs::run(args),
        Command::Acls(args) => acls::run(args),
        Command::GetOffsets(args) => get_offsets::run(args),
        Command::DeleteRecords(args) => delete_records::run(args),
        Command::LogDirs(args) => log_dirs::run(args),
        Command::BrokerApiVersions(args) => broker_api_versions::run(args),
        Command::ProducerPerfTest(args) => producer_perf::run(args),
        Command::ConsumerPerfTest(args) => consumer_perf::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => match e.downcast::<common::Printed>() {
            Ok(p) => {
                if p.message.is_empty() {
                } else if p.stdout {
                    println!("{}", p.message);
                } else {
                    eprintln!("{}", p.message);
                }
                ExitCode::from(p.code)
            }
            Err(e) => {
                eprintln!("Error: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}
