//! `ferrokafka console-consumer` / `kafka-console-consumer`: prints records with Kafka's
//! `DefaultMessageFormatter` layout (print.timestamp/partition/offset/headers/key/value,
//! key.separator, line.separator, headers.separator, null.literal). On SIGINT/SIGTERM, on
//! --max-messages or on --timeout-ms it closes the consumer (committing in a group) and prints
//! "Processed a total of N messages" to stderr, exiting 0, as ConsoleConsumer does.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use ferrokafka_core::consumer::TimestampType;
use ferrokafka_core::{Consumer, ConsumerRecord, TopicPartition};

use crate::common::{
    block_on, check_reachable, client_config, load_properties, parse_pairs, usage, Props,
};

#[derive(Args, Debug)]
pub struct ConsoleConsumerArgs {
    /// REQUIRED: The server(s) to connect to.
    #[arg(long = "bootstrap-server", value_name = "HOST:PORT")]
    bootstrap_server: Option<String>,
    /// The topic to consume on.
    #[arg(long)]
    topic: Option<String>,
    /// Regular expression specifying list of topics to include for consumption.
    #[arg(long, alias = "whitelist")]
    include: Option<String>,
    /// The partition to consume from (consumption starts from the end unless --offset is given).
    #[arg(long)]
    partition: Option<i32>,
    /// The offset to consume from (a non-negative number), or 'earliest' or 'latest'.
    #[arg(long, default_value = "latest")]
    offset: String,
    /// Start with the earliest message present in the log rather than the latest.
    #[arg(long = "from-beginning")]
    from_beginning: bool,
    /// The consumer group id of the consumer.
    #[arg(long)]
    group: Option<String>,
    /// The maximum number of messages to consume before exiting.
    #[arg(long = "max-messages")]
    max_messages: Option<u64>,
    /// Exit if no message is available for consumption for this many milliseconds.
    #[arg(long = "timeout-ms")]
    timeout_ms: Option<u64>,
    /// Skip a message that cannot be processed instead of halting.
    #[arg(long = "skip-message-on-error")]
    skip_message_on_error: bool,
    /// A mechanism to pass user-defined properties in the form key=value to the consumer.
    #[arg(long = "consumer-property", value_name = "KEY=VALUE")]
    consumer_property: Vec<String>,
    /// Consumer config properties file. --consumer-property takes precedence over it.
    #[arg(long = "consumer.config", value_name = "FILE")]
    consumer_config: Option<PathBuf>,
    /// Formatter properties: print.timestamp, print.key, print.value, print.partition,
    /// print.offset, print.headers, key.separator, line.separator, headers.separator, null.literal.
    #[arg(
        long = "property",
        alias = "formatter-property",
        value_name = "KEY=VALUE"
    )]
    property: Vec<String>,
    /// Formatter config properties file. --property takes precedence over it.
    #[arg(long = "formatter-config", value_name = "FILE")]
    formatter_config: Option<PathBuf>,
    /// read_committed or read_uncommitted.
    #[arg(long = "isolation-level", default_value = "read_uncommitted")]
    isolation_level: String,
}

/// DefaultMessageFormatter's settings.
struct Formatter {
    timestamp: bool,
    partition: bool,
    offset: bool,
    headers: bool,
    key: bool,
    value: bool,
    key_sep: Vec<u8>,
    line_sep: Vec<u8>,
    headers_sep: Vec<u8>,
    null_literal: Vec<u8>,
}

impl Formatter {
    fn from(p: &Props) -> anyhow::Result<Formatter> {
        let flag = |k: &str, d: bool| -> anyhow::Result<bool> {
            match p.get(k).map(|v| v.trim().to_ascii_lowercase()) {
                None => Ok(d),
                Some(v) if v == "true" => Ok(true),
                Some(v) if v == "false" => Ok(false),
                Some(v) => Err(usage(format!(
                    "Invalid value '{v}' for {k}: expected true or false"
                ))),
            }
        };
        let bytes = |k: &str, d: &str| p.get(k).map_or(d, String::as_str).as_bytes().to_vec();
        Ok(Formatter {
            timestamp: flag("print.timestamp", false)?,
            partition: flag("print.partition", false)?,
            offset: flag("print.offset", false)?,
            headers: flag("print.headers", false)?,
            key: flag("print.key", false)?,
            value: flag("print.value", true)?,
            key_sep: bytes("key.separator", "\t"),
            line_sep: bytes("line.separator", "\n"),
            headers_sep: bytes("headers.separator", ","),
            null_literal: bytes("null.literal", "null"),
        })
    }

    fn write(&self, r: &ConsumerRecord, out: &mut Vec<u8>) {
        // Each column is followed by the key separator when another column follows, else by
        // the line separator (DefaultMessageFormatter.writeSeparator).
        let cols = [
            self.timestamp,
            self.partition,
            self.offset,
            self.headers,
            self.key,
            self.value,
        ];
        let sep = |out: &mut Vec<u8>, i: usize| {
            if cols[i + 1..].iter().any(|c| *c) {
                out.extend_from_slice(&self.key_sep);
            } else {
                out.extend_from_slice(&self.line_sep);
            }
        };
        if self.timestamp {
            let kind = match r.timestamp_type {
                TimestampType::CreateTime => "CreateTime",
                TimestampType::LogAppendTime => "LogAppendTime",
            };
            if r.timestamp < 0 {
                out.extend_from_slice(b"NO_TIMESTAMP");
            } else {
                out.extend_from_slice(format!("{kind}:{}", r.timestamp).as_bytes());
            }
            sep(out, 0);
        }
        if self.partition {
            out.extend_from_slice(format!("Partition:{}", r.partition).as_bytes());
            sep(out, 1);
        }
        if self.offset {
            out.extend_from_slice(format!("Offset:{}", r.offset).as_bytes());
            sep(out, 2);
        }
        if self.headers {
            if r.headers.is_empty() {
                out.extend_from_slice(b"NO_HEADERS");
            }
            for (i, (k, v)) in r.headers.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(&self.headers_sep);
                }
                out.extend_from_slice(k.as_bytes());
                out.push(b':');
                out.extend_from_slice(v.as_deref().unwrap_or(&self.null_literal));
            }
            sep(out, 3);
        }
        if self.key {
            out.extend_from_slice(r.key.as_deref().unwrap_or(&self.null_literal));
            sep(out, 4);
        }
        if self.value {
            out.extend_from_slice(r.value.as_deref().unwrap_or(&self.null_literal));
            out.extend_from_slice(&self.line_sep);
        }
    }
}

/// How the consumer finds its partitions.
enum Source {
    Topics(String),
    Pattern(String),
    Partition(TopicPartition, Option<i64>),
}

fn consumer_props(a: &ConsoleConsumerArgs) -> anyhow::Result<(Props, Source)> {
    let source = match (&a.topic, &a.include, a.partition) {
        (Some(_), Some(_), _) | (None, None, _) => {
            return Err(usage("Exactly one of --include/--topic is required. "))
        }
        (None, Some(_), Some(_)) => {
            return Err(usage("The topic is required when partition is specified."))
        }
        (None, Some(re), None) => Source::Pattern(re.clone()),
        (Some(t), None, None) => Source::Topics(t.clone()),
        (Some(t), None, Some(p)) => {
            let seek = match a.offset.as_str() {
                "earliest" | "latest" => None,
                n => Some(n.parse::<i64>().ok().filter(|o| *o >= 0).ok_or_else(|| {
                    usage(format!(
                        "The provided offset value '{n}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long."
                    ))
                })?),
            };
            Source::Partition(TopicPartition::new(t.as_str(), p), seek)
        }
    };
    let offset_given = a.offset != "latest";
    if a.from_beginning && offset_given {
        return Err(usage(
            "Options from-beginning and offset cannot be specified together.",
        ));
    }
    if offset_given && a.partition.is_none() {
        return Err(usage("The partition is required when offset is specified."));
    }
    let mut p = Props::new();
    if let Some(f) = &a.consumer_config {
        p.extend(load_properties(f)?);
    }
    p.extend(parse_pairs(&a.consumer_property, "--consumer-property")?);
    if let Some(g) = &a.group {
        if p.get("group.id").is_some_and(|x| x != g) {
            return Err(usage(
                "The group ids provided in different places (directly using '--group', using '--consumer-property', or using '--consumer.config') do not match.",
            ));
        }
        p.insert("group.id".into(), g.clone());
    }
    if p.contains_key("group.id") && a.partition.is_some() {
        return Err(usage(
            "Options group and partition cannot be specified together.",
        ));
    }
    p.entry("client.id".into())
        .or_insert_with(|| "console-consumer".into());
    if !p.contains_key("group.id") && a.partition.is_none() {
        // Like Kafka: a throwaway group that commits nothing.
        let n = std::process::id() % 100_000;
        p.insert("group.id".into(), format!("console-consumer-{n}"));
        p.entry("enable.auto.commit".into())
            .or_insert_with(|| "false".into());
    }
    let reset = if a.from_beginning || a.offset == "earliest" {
        "earliest"
    } else {
        "latest"
    };
    if !p.contains_key("auto.offset.reset") || a.from_beginning {
        p.insert("auto.offset.reset".into(), reset.into());
    }
    p.insert("isolation.level".into(), a.isolation_level.clone());
    if let Some(m) = a.max_messages {
        // Poll no more than will be printed, so the positions committed on close are exactly
        // the records printed.
        let cap: u64 = p
            .get("max.poll.records")
            .and_then(|v| v.parse().ok())
            .unwrap_or(500);
        p.insert("max.poll.records".into(), cap.min(m.max(1)).to_string());
    }
    if let Some(b) = &a.bootstrap_server {
        p.insert("bootstrap.servers".into(), b.clone());
    }
    if !p.contains_key("bootstrap.servers") {
        return Err(usage("Missing required argument \"[bootstrap-server]\""));
    }
    Ok((p, source))
}

pub fn run(a: ConsoleConsumerArgs) -> anyhow::Result<()> {
    let mut fprops = match &a.formatter_config {
        Some(f) => load_properties(f)?,
        None => Props::new(),
    };
    fprops.extend(parse_pairs(&a.property, "--property")?);
    let formatter = Formatter::from(&fprops)?;
    let (props, source) = consumer_props(&a)?;
    let cfg = client_config(props)?;
    check_reachable(&cfg)?;
    let consumer = Consumer::new(cfg)?;
    match &source {
        Source::Topics(t) => consumer.subscribe(&[t.as_str()])?,
        Source::Pattern(re) => consumer.subscribe_pattern(re)?,
        Source::Partition(tp, _) => consumer.assign(vec![tp.clone()])?,
    }
    if let Source::Partition(tp, Some(off)) = &source {
        consumer.seek(tp, *off)?;
    }
    let mut count: u64 = 0;
    let outcome = block_on(async {
        tokio::select! {
            r = consume(&consumer, &formatter, &a, &mut count) => r,
            _ = shutdown_signal() => Ok(()),
        }
    });
    let closed = block_on(consumer.close());
    eprintln!("Processed a total of {count} messages");
    outcome?;
    if let Err(e) = closed {
        eprintln!("WARN closing the consumer: {e}");
    }
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn consume(
    consumer: &Consumer,
    f: &Formatter,
    a: &ConsoleConsumerArgs,
    count: &mut u64,
) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut last = tokio::time::Instant::now();
    loop {
        if a.max_messages.is_some_and(|m| *count >= m) {
            return Ok(());
        }
        let records = match consumer.poll(Duration::from_millis(200)).await {
            Ok(r) => r,
            Err(e)
                if a.skip_message_on_error
                    && e.kind() == ferrokafka_core::ErrorKind::InvalidRecord =>
            {
                eprintln!("ERROR Error processing message, skipping this message: {e}");
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        if records.is_empty() {
            if a.timeout_ms
                .is_some_and(|t| last.elapsed() >= Duration::from_millis(t))
            {
                eprintln!("ERROR Error processing message, terminating consumer process: org.apache.kafka.common.errors.TimeoutException");
                return Ok(());
            }
            continue;
        }
        last = tokio::time::Instant::now();
        buf.clear();
        for r in &records {
            if a.max_messages.is_some_and(|m| *count >= m) {
                break;
            }
            f.write(r, &mut buf);
            *count += 1;
        }
        let mut out = stdout.lock();
        if out.write_all(&buf).and_then(|_| out.flush()).is_err() {
            // A closed pipe (`| head`): stop quietly, as a Unix tool does.
            return Ok(());
        }
    }
}
