//! `fk-consumer-perf`: Apache Kafka's ConsumerPerformance, with the ferrokafka core consumer.
//!
//! Same flags (`--bootstrap-server --topic --messages --group --fetch-size --timeout
//! --consumer.config`, plus `--consumer-props k=v ...`) and the same output columns: the run
//! subscribes in a group from the earliest offset and polls until `--messages` records arrived;
//! `rebalance.time.ms` is subscribe → first assignment, `fetch.*` excludes it. Bytes are key plus
//! value sizes, as Java counts them. `--json` adds one JSON summary line for scripts.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ferrokafka_bench::args::{read_properties, Args};
use ferrokafka_core::consumer::{Consumer, RebalanceListener};
use ferrokafka_core::{ClientConfig, TopicPartition};

const USAGE: &str = "usage: fk-consumer-perf --bootstrap-server HOST:PORT --topic TOPIC --messages N \
[--group ID] [--fetch-size BYTES] [--timeout MS] [--consumer.config FILE] [--consumer-props key=value ...] [--json]";

fn main() {
    if let Err(e) = run() {
        eprintln!("fk-consumer-perf: {e}\n{USAGE}");
        std::process::exit(1);
    }
}

/// Notes when partitions were first assigned.
struct Assigned(Mutex<Option<Instant>>);

impl RebalanceListener for Assigned {
    fn on_partitions_assigned(&self, partitions: &[TopicPartition]) {
        if !partitions.is_empty() {
            let mut at = self.0.lock().unwrap_or_else(|p| p.into_inner());
            at.get_or_insert_with(Instant::now);
        }
    }
    fn on_partitions_revoked(&self, _partitions: &[TopicPartition]) {}
}

fn run() -> Result<(), String> {
    let args = Args::parse(std::env::args().skip(1))?;
    let topic = args.required("topic")?.to_string();
    let messages: u64 = args.number("messages", 0)?;
    let timeout = Duration::from_millis(args.number("timeout", 10_000u64)?);
    if messages == 0 {
        return Err("--messages must be positive".into());
    }
    let group = args.get("group").map_or_else(
        || {
            let n = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            format!("perf-consumer-{n}")
        },
        str::to_string,
    );
    let mut props = vec![
        ("client.id".to_string(), "perf-consumer-client".to_string()),
        ("group.id".to_string(), group),
        ("auto.offset.reset".to_string(), "earliest".to_string()),
        ("enable.auto.commit".to_string(), "false".to_string()),
    ];
    if let Some(b) = args.get("bootstrap-server") {
        props.push(("bootstrap.servers".to_string(), b.to_string()));
    }
    if let Some(f) = args.get("fetch-size") {
        props.push(("max.partition.fetch.bytes".to_string(), f.to_string()));
    }
    if let Some(file) = args.get("consumer.config") {
        props.extend(read_properties(file)?);
    }
    props.extend(args.properties("consumer-props")?);
    let cfg = ClientConfig::from_pairs(props).map_err(|e| e.to_string())?;
    let rt = ferrokafka_core::runtime();
    let consumer = Consumer::new(cfg).map_err(|e| e.to_string())?;
    let assigned = Arc::new(Assigned(Mutex::new(None)));

    let start = Instant::now();
    consumer
        .subscribe_with_listener(&[topic.as_str()], assigned.clone())
        .map_err(|e| e.to_string())?;
    let (records, bytes, last) = rt
        .block_on(async {
            let mut records = 0u64;
            let mut bytes = 0u64;
            let mut last = Instant::now();
            while records < messages {
                let batch = consumer.poll(Duration::from_millis(100)).await?;
                if batch.is_empty() {
                    if last.elapsed() > timeout {
                        break;
                    }
                    continue;
                }
                for r in &batch {
                    bytes += r.key.as_ref().map_or(0, |k| k.len() as u64)
                        + r.value.as_ref().map_or(0, |v| v.len() as u64);
                }
                records += batch.len() as u64;
                last = Instant::now();
            }
            Ok::<_, ferrokafka_core::Error>((records, bytes, last))
        })
        .map_err(|e| format!("poll: {e}"))?;
    let end = last;
    let _ = rt.block_on(consumer.close());
    let total = end.duration_since(start);
    let assigned_at = assigned
        .0
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .unwrap_or(start);
    let rebalance = assigned_at.saturating_duration_since(start);
    let fetch = end
        .saturating_duration_since(assigned_at)
        .max(Duration::from_micros(1));
    let mb = bytes as f64 / (1024.0 * 1024.0);
    let secs = total.as_secs_f64().max(1e-9);
    let fsecs = fetch.as_secs_f64();
    println!("start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec");
    println!(
        "-, -, {mb:.4}, {:.4}, {records}, {:.4}, {}, {}, {:.4}, {:.4}",
        mb / secs,
        records as f64 / secs,
        rebalance.as_millis(),
        fetch.as_millis(),
        mb / fsecs,
        records as f64 / fsecs
    );
    if args.has("json") {
        println!(
            "{{\"tool\":\"fk-consumer-perf\",\"records\":{records},\"bytes\":{bytes},\"elapsed_s\":{:.6},\
             \"rebalance_s\":{:.6},\"fetch_s\":{fsecs:.6},\"records_per_sec\":{:.3},\"mb_per_sec\":{:.4}}}",
            secs,
            rebalance.as_secs_f64(),
            records as f64 / fsecs,
            mb / fsecs
        );
    }
    if records < messages {
        return Err(format!(
            "only {records} of {messages} records arrived before --timeout"
        ));
    }
    Ok(())
}
