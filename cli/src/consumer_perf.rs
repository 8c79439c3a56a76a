//! `ferrokafka consumer-perf-test` / `kafka-consumer-perf-test` (ConsumerPerformance): consumes
//! --messages records in a group and prints Kafka's header and summary line
//! (`start.time, end.time, data.consumed.in.MB, MB.sec, ...`), with --show-detailed-stats
//! lines every --reporting-interval. A live progress line goes to stderr on a terminal only.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use ferrokafka_core::Consumer;

use crate::common::{
    block_on, check_reachable, client_config, load_properties, parse_pairs, usage, Props,
};
use crate::datetime::{format_ms, now_ms};

#[derive(Args, Debug)]
pub struct ConsumerPerfArgs {
    /// REQUIRED: The server(s) to connect to.
    #[arg(long = "bootstrap-server", alias = "broker-list")]
    bootstrap_server: Option<String>,
    /// REQUIRED: The topic to consume from.
    #[arg(long)]
    topic: String,
    /// REQUIRED: The number of messages to consume.
    #[arg(long)]
    messages: u64,
    /// The group id to consume on.
    #[arg(long, default_value_t = format!("perf-consumer-{}", std::process::id() % 100_000))]
    group: String,
    /// Number of processing threads (ignored, as in Kafka 3.x+: one consumer).
    #[arg(long, default_value_t = 1)]
    threads: u32,
    /// Number of fetcher threads (ignored).
    #[arg(long = "num-fetch-threads", default_value_t = 1)]
    num_fetch_threads: u32,
    /// The amount of data to fetch in a single request (max.partition.fetch.bytes).
    #[arg(long = "fetch-size", default_value_t = 1024 * 1024)]
    fetch_size: u64,
    /// If set, stats are reported for each reporting interval as configured by reporting-interval.
    #[arg(long = "show-detailed-stats")]
    show_detailed_stats: bool,
    /// Interval in milliseconds at which to print progress info.
    #[arg(long = "reporting-interval", default_value_t = 5000)]
    reporting_interval: u64,
    /// The maximum allowed time in milliseconds between returned records.
    #[arg(long, default_value_t = 10_000)]
    timeout: u64,
    /// If set, start from the latest offset instead of the earliest.
    #[arg(long = "from-latest")]
    from_latest: bool,
    /// Consumer config properties file.
    #[arg(long = "consumer.config")]
    consumer_config: Option<PathBuf>,
    /// Print out metrics at the end.
    #[arg(long = "print-metrics")]
    print_metrics: bool,
    /// If set, skips printing the header for the stats.
    #[arg(long = "hide-header")]
    hide_header: bool,
    /// Extra consumer properties key=value (ferrokafka extension, like --consumer-property).
    #[arg(long = "consumer-property", hide = true)]
    consumer_property: Vec<String>,
}

pub fn run(a: ConsumerPerfArgs) -> anyhow::Result<()> {
    let mut props = Props::new();
    if let Some(f) = &a.consumer_config {
        props.extend(load_properties(f)?);
    }
    props.extend(parse_pairs(&a.consumer_property, "--consumer-property")?);
    if let Some(b) = &a.bootstrap_server {
        props.insert("bootstrap.servers".into(), b.clone());
    }
    if !props.contains_key("bootstrap.servers") {
        return Err(usage("Missing required argument \"[bootstrap-server]\""));
    }
    props
        .entry("group.id".into())
        .or_insert_with(|| a.group.clone());
    props.insert("max.partition.fetch.bytes".into(), a.fetch_size.to_string());
    props.insert(
        "auto.offset.reset".into(),
        if a.from_latest { "latest" } else { "earliest" }.into(),
    );
    props
        .entry("enable.auto.commit".into())
        .or_insert_with(|| "false".into());
    props
        .entry("client.id".into())
        .or_insert_with(|| "perf-consumer-client".into());
    let cfg = client_config(props)?;
    check_reachable(&cfg)?;
    let consumer = Consumer::new(cfg)?;
    consumer.subscribe(&[a.topic.as_str()])?;
    if !a.hide_header {
        if a.show_detailed_stats {
            println!("time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec");
        } else {
            println!("start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec");
        }
    }
    let start_ms = now_ms();
    let start = Instant::now();
    let result = block_on(consume(&consumer, &a));
    let _ = block_on(consumer.close());
    let (msgs, bytes, rebalance_ms, last_consumed) = result?;
    let end_ms = now_ms();
    let elapsed = start.elapsed().as_secs_f64().max(1e-9);
    let mb = bytes as f64 / 1024.0 / 1024.0;
    let fetch_ms = (elapsed * 1000.0 - rebalance_ms as f64).max(0.0);
    let fetch_s = (fetch_ms / 1000.0).max(1e-9);
    let _ = last_consumed;
    if !a.show_detailed_stats {
        println!(
            "{}, {}, {:.4}, {:.4}, {}, {:.4}, {}, {}, {:.4}, {:.4}",
            format_ms(start_ms),
            format_ms(end_ms),
            mb,
            mb / elapsed,
            msgs,
            msgs as f64 / elapsed,
            rebalance_ms,
            fetch_ms as u64,
            mb / fetch_s,
            msgs as f64 / fetch_s
        );
    }
    if a.print_metrics {
        println!("{:#?}", consumer.metrics());
    }
    Ok(())
}

/// Consumes until --messages or --timeout without records; (messages, bytes, rebalance ms, last record time).
async fn consume(
    consumer: &Consumer,
    a: &ConsumerPerfArgs,
) -> anyhow::Result<(u64, u64, u64, Instant)> {
    let tty = std::io::stderr().is_terminal();
    let start = Instant::now();
    let mut rebalance_ms: Option<u64> = None;
    let (mut msgs, mut bytes) = (0u64, 0u64);
    let mut last = Instant::now();
    let mut last_report = Instant::now();
    let (mut report_msgs, mut report_bytes) = (0u64, 0u64);
    let mut last_draw = Instant::now();
    while msgs < a.messages {
        let recs = consumer.poll(Duration::from_millis(100)).await?;
        if rebalance_ms.is_none() && !consumer.assignment().is_empty() {
            rebalance_ms = Some(start.elapsed().as_millis() as u64);
        }
        if recs.is_empty() {
            if last.elapsed() >= Duration::from_millis(a.timeout) {
                println!("WARNING: Exiting before consuming the expected number of messages: timeout ({} ms) exceeded. You can use the --timeout option to increase the timeout.", a.timeout);
                break;
            }
            continue;
        }
        last = Instant::now();
        for r in &recs {
            msgs += 1;
            bytes += r.value.as_ref().map_or(0, |v| v.len()) as u64
                + r.key.as_ref().map_or(0, |k| k.len()) as u64;
        }
        if a.show_detailed_stats
            && last_report.elapsed() >= Duration::from_millis(a.reporting_interval)
        {
            let s = last_report.elapsed().as_secs_f64();
            let mb = bytes as f64 / 1024.0 / 1024.0;
            let dmb = (bytes - report_bytes) as f64 / 1024.0 / 1024.0;
            println!(
                "{}, 0, {:.4}, {:.4}, {}, {:.4}, {}, {}, {:.4}, {:.4}",
                format_ms(now_ms()),
                mb,
                dmb / s,
                msgs,
                (msgs - report_msgs) as f64 / s,
                rebalance_ms.unwrap_or(0),
                (s * 1000.0) as u64,
                dmb / s,
                (msgs - report_msgs) as f64 / s
            );
            report_msgs = msgs;
            report_bytes = bytes;
            last_report = Instant::now();
        }
        if tty && last_draw.elapsed() >= Duration::from_millis(200) {
            eprint!("\r\x1b[2K{msgs} / {} messages", a.messages);
            last_draw = Instant::now();
        }
    }
    if tty {
        eprint!("\r\x1b[2K");
    }
    Ok((msgs, bytes, rebalance_ms.unwrap_or(0), last))
}
