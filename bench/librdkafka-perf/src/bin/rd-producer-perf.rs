//! `rd-producer-perf`: Apache Kafka's ProducerPerformance on librdkafka (the `rdkafka` crate's
//! `ThreadedProducer`), the native peer of `fk-producer-perf`.
//!
//! Same flags (`--topic --num-records --record-size --throughput --producer-props
//! --producer.config --json`), same payloads (1,024 random upper-case payloads used in turn) and
//! the same measurements and output lines (ferrokafka-bench's stats.rs): latency from just before
//! `send` to the delivery report, elapsed time from the first send until `flush` returned. When
//! librdkafka's queue is full (`queue.buffering.max.kbytes`, from `buffer.memory`) the loop waits,
//! as Java's `send` blocks, so queueing time counts in latency the same way. Delivery reports are
//! served by the ThreadedProducer's own poll thread, so the sending loop never stops to poll.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use librdkafka_perf::args::{read_properties, Args};
use librdkafka_perf::librdkafka_config;
use librdkafka_perf::payload::PayloadGen;
use librdkafka_perf::stats::Latencies;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{BaseRecord, DeliveryResult, Producer, ProducerContext, ThreadedProducer};
use rdkafka::ClientContext;

const USAGE: &str = "usage: rd-producer-perf --topic TOPIC --num-records N --record-size BYTES \
[--throughput RECORDS_PER_SEC|-1] [--producer-props key=value ...] [--producer.config FILE] [--json]";

const PAYLOAD_POOL: usize = 1024;

/// Collects (record index, completion time in ns since the start) from the delivery callback.
struct Reports {
    start: Instant,
    done: Mutex<Vec<(u32, u64)>>,
    errors: AtomicU64,
    first_error: Mutex<Option<String>>,
}

impl ClientContext for Reports {}

impl ProducerContext for Reports {
    type DeliveryOpaque = usize;

    fn delivery(&self, result: &DeliveryResult<'_>, index: usize) {
        let at = self.start.elapsed().as_nanos() as u64;
        match result {
            Ok(_) => self
                .done
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((index as u32, at)),
            Err((e, _)) => {
                self.errors.fetch_add(1, Ordering::Relaxed);
                self.first_error
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get_or_insert_with(|| e.to_string());
            }
        }
    }
}

fn main() {
    if let Err(e) = run() {
        eprintln!("rd-producer-perf: {e}");
        if e.starts_with("--") {
            eprintln!("{USAGE}");
        }
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let args = Args::parse(std::env::args().skip(1))?;
    let topic = args.required("topic")?.to_string();
    let num_records: u64 = args.number("num-records", 0)?;
    let record_size: usize = args.number("record-size", 0)?;
    let throughput: f64 = args.number("throughput", -1.0)?;
    if num_records == 0 || record_size == 0 || num_records > u64::from(u32::MAX) {
        return Err("--num-records and --record-size must be positive".into());
    }
    let mut props = vec![("client.id".to_string(), "perf-producer-client".to_string())];
    if let Some(file) = args.get("producer.config") {
        props.extend(read_properties(file)?);
    }
    props.extend(args.properties("producer-props")?);
    let cfg = librdkafka_config(&props)?;
    let reports = Reports {
        start: Instant::now(),
        done: Mutex::new(Vec::with_capacity(num_records as usize)),
        errors: AtomicU64::new(0),
        first_error: Mutex::new(None),
    };
    let producer: ThreadedProducer<Reports> = cfg
        .create_with_context(reports)
        .map_err(|e| format!("creating the producer: {e}"))?;
    // Metadata first, as fk-producer-perf and Java learn it before their first batch.
    producer
        .client()
        .fetch_metadata(Some(&topic), Duration::from_secs(10))
        .map_err(|e| format!("metadata for {topic}: {e}"))?;

    let mut gen = PayloadGen::new(record_size);
    let payloads: Vec<Vec<u8>> = (0..PAYLOAD_POOL).map(|_| gen.payload()).collect();
    let mut sent_ns: Vec<u64> = vec![0; num_records as usize];
    let ctx_start = producer.context().start;

    let start = Instant::now();
    for i in 0..num_records as usize {
        let payload = &payloads[i % PAYLOAD_POOL];
        sent_ns[i] = ctx_start.elapsed().as_nanos() as u64;
        let mut record = BaseRecord::<(), [u8], usize>::with_opaque_to(&topic, i).payload(payload);
        loop {
            match producer.send(record) {
                Ok(()) => break,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), r)) => {
                    record = r;
                    std::thread::sleep(Duration::from_micros(50));
                }
                Err((e, _)) => return Err(format!("send: {e}")),
            }
        }
        if throughput > 0.0 {
            let due = start + Duration::from_secs_f64((i + 1) as f64 / throughput);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
    }
    producer
        .flush(Duration::from_secs(300))
        .map_err(|e| format!("flush: {e}"))?;
    let elapsed = start.elapsed();

    let ctx = producer.context();
    let done = std::mem::take(&mut *ctx.done.lock().unwrap_or_else(|p| p.into_inner()));
    let mut lat = Latencies::with_capacity(done.len());
    for (index, at) in done {
        lat.record(Duration::from_nanos(
            at.saturating_sub(sent_ns[index as usize]),
        ));
    }
    let errors = ctx.errors.load(Ordering::Relaxed);
    for _ in 0..errors {
        lat.error();
    }
    let summary = lat.summary(num_records * record_size as u64, elapsed);
    println!("{}", summary.java_line());
    if args.has("json") {
        println!("{}", summary.json("rd-producer-perf"));
    }
    if summary.errors > 0 || summary.records < num_records {
        let first = ctx
            .first_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .unwrap_or_default();
        return Err(format!(
            "{} of {num_records} records delivered, {} failed; the first error: {first}",
            summary.records, summary.errors
        ));
    }
    Ok(())
}
