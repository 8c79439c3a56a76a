//! `ferrokafka producer-perf-test` / `kafka-producer-perf-test` (ProducerPerformance): sends
//! --num-records records of --record-size random bytes (or lines of --payload-file) at up to
//! --throughput records/s and prints Kafka's window and summary lines. A live progress line is
//! drawn on stderr when it is a terminal, never when piped.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::Args;
use ferrokafka_core::{Producer, ProducerRecord};

use crate::common::{
    block_on, check_reachable, client_config, load_properties, parse_pairs, usage, Props,
};

#[derive(Args, Debug)]
pub struct ProducerPerfArgs {
    /// Produce messages to this topic.
    #[arg(long)]
    topic: String,
    /// Number of messages to produce.
    #[arg(long = "num-records")]
    num_records: u64,
    /// Message size in bytes. Either --record-size or --payload-file must be given.
    #[arg(long = "record-size")]
    record_size: Option<usize>,
    /// File to read the message payloads from (one per --payload-delimiter).
    #[arg(long = "payload-file")]
    payload_file: Option<PathBuf>,
    /// Delimiter of the payload file.
    #[arg(long = "payload-delimiter", default_value = "\\n")]
    payload_delimiter: String,
    /// Throttle maximum message throughput to *approximately* THROUGHPUT messages/sec; -1 for no limit.
    #[arg(long, allow_negative_numbers = true)]
    throughput: f64,
    /// Kafka producer related configuration properties like bootstrap.servers, client.id etc.
    #[arg(long = "producer-props", num_args = 1.., value_name = "PROP-NAME=PROP-VALUE")]
    producer_props: Vec<String>,
    /// Producer config properties file.
    #[arg(long = "producer.config")]
    producer_config: Option<PathBuf>,
    /// Print out metrics at the end of the test.
    #[arg(long = "print-metrics")]
    print_metrics: bool,
}

/// Latencies and counts of one reporting window or of the whole run.
#[derive(Default)]
struct Window {
    count: u64,
    bytes: u64,
    latency_sum: u128,
    latency_max: u64,
}

impl Window {
    fn record(&mut self, latency_ms: u64, bytes: usize) {
        self.count += 1;
        self.bytes += bytes as u64;
        self.latency_sum += latency_ms as u128;
        self.latency_max = self.latency_max.max(latency_ms);
    }
}

fn payloads(a: &ProducerPerfArgs) -> anyhow::Result<Vec<Bytes>> {
    match (&a.record_size, &a.payload_file) {
        (Some(_), Some(_)) | (None, None) => Err(usage(
            "Either --record-size or --payload-file must be specified but not both.",
        )),
        (Some(n), None) => {
            // Kafka's payload: random uppercase letters.
            let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ std::process::id() as u64;
            let p: Vec<u8> = (0..*n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    b'A' + (x % 26) as u8
                })
                .collect();
            Ok(vec![Bytes::from(p)])
        }
        (None, Some(f)) => {
            let text = std::fs::read_to_string(f)
                .map_err(|e| usage(format!("Cannot read payload file {}: {e}", f.display())))?;
            let delim = a
                .payload_delimiter
                .replace("\\n", "\n")
                .replace("\\t", "\t");
            let v: Vec<Bytes> = text
                .split(delim.as_str())
                .filter(|s| !s.is_empty())
                .map(|s| Bytes::copy_from_slice(s.as_bytes()))
                .collect();
            if v.is_empty() {
                return Err(usage(format!("File {} contains no payloads", f.display())));
            }
            println!("Reading payloads from: {}", f.display());
            println!("Number of messages read: {}", v.len());
            Ok(v)
        }
    }
}

pub fn run(a: ProducerPerfArgs) -> anyhow::Result<()> {
    let payloads = payloads(&a)?;
    let mut props = Props::new();
    if let Some(f) = &a.producer_config {
        props.extend(load_properties(f)?);
    }
    props.extend(parse_pairs(&a.producer_props, "--producer-props")?);
    if !props.contains_key("bootstrap.servers") {
        return Err(usage("Either --producer-props or --producer.config must be specified (with bootstrap.servers)."));
    }
    let cfg = client_config(props)?;
    check_reachable(&cfg)?;
    let producer = Producer::new(cfg)?;
    let summary = block_on(produce(&producer, &a, &payloads));
    block_on(producer.close(Duration::from_secs(30)))?;
    let (total, lat) = summary?;
    let secs = total.1.as_secs_f64().max(1e-9);
    let n = total.0.count;
    let pct = |p: f64| -> u64 {
        if lat.is_empty() {
            0
        } else {
            lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)]
        }
    };
    println!(
        "{} records sent, {:.6} records/sec ({:.2} MB/sec), {:.2} ms avg latency, {:.2} ms max latency, {} ms 50th, {} ms 95th, {} ms 99th, {} ms 99.9th.",
        n,
        n as f64 / secs,
        total.0.bytes as f64 / 1024.0 / 1024.0 / secs,
        if n == 0 { 0.0 } else { total.0.latency_sum as f64 / n as f64 },
        total.0.latency_max as f64,
        pct(0.5),
        pct(0.95),
        pct(0.99),
        pct(0.999)
    );
    if a.print_metrics {
        println!("{:#?}", producer.metrics());
    }
    Ok(())
}

type Summary = ((Window, Duration), Vec<u64>);

async fn produce(
    producer: &Producer,
    a: &ProducerPerfArgs,
    payloads: &[Bytes],
) -> anyhow::Result<Summary> {
    let (tx, mut rx) =
        tokio::sync::mpsc::channel::<(Instant, usize, ferrokafka_core::DeliveryFuture)>(100_000);
    let tty = std::io::stderr().is_terminal();
    let total_records = a.num_records;
    let collector = tokio::spawn(async move {
        let start = Instant::now();
        let mut total = Window::default();
        let mut window = Window::default();
        let mut window_start = Instant::now();
        let mut latencies = Vec::with_capacity(total_records.min(10_000_000) as usize);
        let mut last_draw = Instant::now();
        let mut first_error: Option<ferrokafka_core::Error> = None;
        while let Some((sent, size, fut)) = rx.recv().await {
            match fut.await {
                Ok(_) => {
                    let l = sent.elapsed().as_millis() as u64;
                    total.record(l, size);
                    window.record(l, size);
                    latencies.push(l);
                }
                Err(e) => {
                    if first_error.is_none() {
                        eprintln!("ERROR sending a record: {e}");
                        first_error = Some(e);
                    }
                }
            }
            if window_start.elapsed() >= Duration::from_secs(5) {
                let s = window_start.elapsed().as_secs_f64();
                if tty {
                    eprint!("\r\x1b[2K");
                }
                println!(
                    "{} records sent, {:.1} records/sec ({:.2} MB/sec), {:.1} ms avg latency, {:.1} ms max latency.",
                    window.count,
                    window.count as f64 / s,
                    window.bytes as f64 / 1024.0 / 1024.0 / s,
                    if window.count == 0 { 0.0 } else { window.latency_sum as f64 / window.count as f64 },
                    window.latency_max as f64
                );
                window = Window::default();
                window_start = Instant::now();
            }
            if tty && last_draw.elapsed() >= Duration::from_millis(200) {
                eprint!(
                    "\r\x1b[2K{} / {} records ({:.0}%)",
                    total.count,
                    total_records,
                    total.count as f64 * 100.0 / total_records.max(1) as f64
                );
                last_draw = Instant::now();
            }
        }
        if tty {
            eprint!("\r\x1b[2K");
        }
        latencies.sort_unstable();
        ((total, start.elapsed()), latencies, first_error)
    });
    // One shared name: each record clones a pointer instead of copying the string.
    let topic: std::sync::Arc<str> = a.topic.as_str().into();
    let start = Instant::now();
    for i in 0..a.num_records {
        if a.throughput > 0.0 {
            let due = start + Duration::from_secs_f64(i as f64 / a.throughput);
            let now = Instant::now();
            if due > now {
                tokio::time::sleep(due - now).await;
            }
        }
        let payload = payloads[(i as usize) % payloads.len()].clone();
        let size = payload.len();
        let t0 = Instant::now();
        let fut = producer.send(ProducerRecord::new(topic.clone(), payload));
        if tx.send((t0, size, fut)).await.is_err() {
            break;
        }
    }
    drop(tx);
    let (total, lat, err) = collector.await?;
    if let Some(e) = err {
        if total.0.count == 0 {
            return Err(e.into());
        }
    }
    Ok((total, lat))
}
