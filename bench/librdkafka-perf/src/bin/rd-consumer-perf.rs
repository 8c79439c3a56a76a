//! `rd-consumer-perf`: Apache Kafka's ConsumerPerformance on librdkafka (the `rdkafka` crate's
//! `BaseConsumer`), the native peer of `fk-consumer-perf`.
//!
//! Same flags (`--bootstrap-server --topic --messages --group --fetch-size --timeout
//! --consumer.config --consumer-props k=v ... --json`) and the same output: the run subscribes in a
//! group from the earliest offset and polls until `--messages` records arrived;
//! `rebalance.time.ms` is subscribe -> first assignment, `fetch.*` excludes it. Bytes are key plus
//! value sizes, as Java counts them.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use librdkafka_perf::args::{read_properties, Args};
use librdkafka_perf::librdkafka_config;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext, Rebalance};
use rdkafka::message::Message;
use rdkafka::ClientContext;

const USAGE: &str = "usage: rd-consumer-perf --bootstrap-server HOST:PORT --topic TOPIC --messages N \
[--group ID] [--fetch-size BYTES] [--timeout MS] [--consumer.config FILE] [--consumer-props key=value ...] [--json]";

/// Notes when partitions were first assigned.
struct Assigned(Mutex<Option<Instant>>);

impl ClientContext for Assigned {}

impl ConsumerContext for Assigned {
    fn post_rebalance(&self, _c: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Assign(tpl) = rebalance {
            if tpl.count() > 0 {
                let mut at = self.0.lock().unwrap_or_else(|p| p.into_inner());
                at.get_or_insert_with(Instant::now);
            }
        }
    }
}

fn main() {
    if let Err(e) = run() {
        eprintln!("rd-consumer-perf: {e}\n{USAGE}");
        std::process::exit(1);
    }
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
    let cfg = librdkafka_config(&props)?;
    let consumer: BaseConsumer<Assigned> = cfg
        .create_with_context(Assigned(Mutex::new(None)))
        .map_err(|e| format!("creating the consumer: {e}"))?;
    let start = Instant::now();
    consumer
        .subscribe(&[topic.as_str()])
        .map_err(|e| format!("subscribe: {e}"))?;
    let mut records = 0u64;
    let mut bytes = 0u64;
    let mut last = Instant::now();
    while records < messages {
        match consumer.poll(Duration::from_millis(100)) {
            None => {
                if last.elapsed() > timeout {
                    break;
                }
            }
            Some(Err(e)) => return Err(format!("poll: {e}")),
            Some(Ok(m)) => {
                bytes += m.key().map_or(0, |k| k.len() as u64)
                    + m.payload().map_or(0, |v| v.len() as u64);
                records += 1;
                last = Instant::now();
            }
        }
    }
    let end = last;
    let assigned_at = consumer
        .context()
        .0
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .unwrap_or(start);
    drop(consumer);
    let total = end.duration_since(start);
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
            "{{\"tool\":\"rd-consumer-perf\",\"records\":{records},\"bytes\":{bytes},\"elapsed_s\":{:.6},\
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
