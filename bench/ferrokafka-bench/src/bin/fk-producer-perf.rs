//! `fk-producer-perf`: Apache Kafka's ProducerPerformance, with the ferrokafka core producer.
//!
//! Same flags (`--topic --num-records --record-size --throughput --producer-props
//! --producer.config`) and the same measurements: random upper-case payloads (1,024 of them used
//! in turn, as the librdkafka driver of bench/core does; Java draws a fresh one per record),
//! latency from just before `send` to the delivery result, elapsed time from the first send until
//! `close` returned. Like Java's `send`, the loop blocks while `buffer.memory` is full, so queueing
//! time counts in latency the same way. `--json` adds one JSON summary line for scripts.

use std::time::{Duration, Instant};

use bytes::Bytes;
use ferrokafka_bench::args::{read_properties, Args};
use ferrokafka_bench::payload::PayloadGen;
use ferrokafka_bench::stats::Latencies;
use ferrokafka_core::{ClientConfig, DeliveryFuture, Producer, ProducerRecord};
use futures_util::stream::{FuturesUnordered, StreamExt};
use tokio::sync::mpsc;

const USAGE: &str = "usage: fk-producer-perf --topic TOPIC --num-records N --record-size BYTES \
[--throughput RECORDS_PER_SEC|-1] [--producer-props key=value ...] [--producer.config FILE] [--json]";

fn main() {
    if let Err(e) = run() {
        eprintln!("fk-producer-perf: {e}");
        if e.starts_with("--") || e.contains("flag") {
            eprintln!("{USAGE}");
        }
        std::process::exit(1);
    }
}

/// Awaits delivery results as they complete, in any order, timing each against its send.
async fn collect(
    mut rx: mpsc::UnboundedReceiver<(Instant, DeliveryFuture)>,
    n: usize,
) -> (Latencies, Option<String>) {
    let mut lat = Latencies::with_capacity(n);
    let mut first_error = None;
    let mut pending = FuturesUnordered::new();
    let mut open = true;
    let mut buf = Vec::with_capacity(1024);
    loop {
        tokio::select! {
            biased;
            Some((sent, res)) = pending.next(), if !pending.is_empty() => {
                let res: ferrokafka_core::Result<ferrokafka_core::RecordMetadata> = res;
                let sent: Instant = sent;
                match res {
                    Ok(_) => lat.record(sent.elapsed()),
                    Err(e) => {
                        lat.error();
                        first_error.get_or_insert_with(|| format!("{:?}: {e}", e.kind()));
                    }
                }
            }
            got = rx.recv_many(&mut buf, 1024), if open => {
                if got == 0 {
                    open = false;
                }
                for (sent, fut) in buf.drain(..) {
                    pending.push(async move { (sent, fut.await) });
                }
            }
            else => break,
        }
    }
    (lat, first_error)
}

const PAYLOAD_POOL: usize = 1024;

fn run() -> Result<(), String> {
    let args = Args::parse(std::env::args().skip(1))?;
    let topic = args.required("topic")?.to_string();
    let num_records: u64 = args.number("num-records", 0)?;
    let record_size: usize = args.number("record-size", 0)?;
    let throughput: f64 = args.number("throughput", -1.0)?;
    if num_records == 0 || record_size == 0 {
        return Err("--num-records and --record-size must be positive".into());
    }
    let mut props = vec![("client.id".to_string(), "perf-producer-client".to_string())];
    if let Some(file) = args.get("producer.config") {
        props.extend(read_properties(file)?);
    }
    props.extend(args.properties("producer-props")?);
    let cfg = ClientConfig::from_pairs(props).map_err(|e| e.to_string())?;
    let buffer_memory = cfg.producer.buffer_memory;
    let producer = Producer::new(cfg).map_err(|e| e.to_string())?;
    let rt = ferrokafka_core::runtime();

    let (tx, rx) = mpsc::unbounded_channel();
    let collector = rt.spawn(collect(rx, num_records as usize));
    // 1,024 distinct random payloads, used in turn (as the librdkafka driver in
    // bench/core/producer_consumer.py does): batches see fresh random letters, and the run
    // measures the client rather than the payload generator.
    let mut gen = PayloadGen::new(record_size);
    let payloads: Vec<Bytes> = (0..PAYLOAD_POOL)
        .map(|_| Bytes::from(gen.payload()))
        .collect();
    let topic: std::sync::Arc<str> = topic.into();
    let start = Instant::now();
    for i in 0..num_records {
        let payload = payloads[i as usize % PAYLOAD_POOL].clone();
        // Java's send() blocks while buffer.memory is exhausted; do the same so queued records
        // wait here (counted in their latency) instead of in an unbounded intake queue.
        while producer.buffered_bytes() + record_size + 128 > buffer_memory {
            std::thread::sleep(Duration::from_micros(50));
        }
        let sent = Instant::now();
        let fut = producer.send(ProducerRecord::new(topic.clone(), payload));
        if tx.send((sent, fut)).is_err() {
            return Err("the delivery collector stopped".into());
        }
        if throughput > 0.0 {
            let due = start + Duration::from_secs_f64((i + 1) as f64 / throughput);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
    }
    drop(tx);
    rt.block_on(producer.close(Duration::from_secs(300)))
        .map_err(|e| format!("close: {e}"))?;
    let elapsed = start.elapsed();
    let (lat, first_error) = rt
        .block_on(collector)
        .map_err(|e| format!("collector: {e}"))?;
    let summary = lat.summary(num_records * record_size as u64, elapsed);
    println!("{}", summary.java_line());
    if summary.errors > 0 {
        eprintln!(
            "fk-producer-perf: {} records failed; the first: {}",
            summary.errors,
            first_error.unwrap_or_default()
        );
    }
    if args.has("json") {
        println!("{}", summary.json("fk-producer-perf"));
    }
    if summary.errors > 0 {
        return Err(format!(
            "{} of {num_records} records failed",
            summary.errors
        ));
    }
    Ok(())
}
