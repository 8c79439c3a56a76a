//! `ferrokafka console-producer` / `kafka-console-producer`: reads lines from stdin and sends
//! each as a record, parsing keys and headers as Kafka's `LineMessageReader` does
//! (`parse.key`, `key.separator`, `parse.headers`, `headers.delimiter`, `headers.separator`,
//! `headers.key.separator`, `null.marker`, `ignore.error`). A line is otherwise sent untouched.

use std::io::BufRead;
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use clap::Args;
use ferrokafka_core::{Producer, ProducerRecord};

use crate::common::{
    block_on, check_reachable, client_config, load_properties, parse_pairs, usage, Printed, Props,
};

#[derive(Args, Debug)]
pub struct ConsoleProducerArgs {
    /// REQUIRED: The server(s) to connect to.
    #[arg(
        long = "bootstrap-server",
        alias = "broker-list",
        value_name = "HOST:PORT"
    )]
    bootstrap_server: Option<String>,
    /// REQUIRED: The topic id to produce messages to.
    #[arg(long)]
    topic: String,
    /// Properties for the line reader (parse.key, key.separator, parse.headers, ...).
    #[arg(long = "property", alias = "reader-property", value_name = "KEY=VALUE")]
    property: Vec<String>,
    /// A mechanism to pass user-defined properties in the form key=value to the producer.
    #[arg(long = "producer-property", value_name = "KEY=VALUE")]
    producer_property: Vec<String>,
    /// Producer config properties file. --producer-property takes precedence over it.
    #[arg(long = "producer.config", value_name = "FILE")]
    producer_config: Option<PathBuf>,
    /// none, gzip, snappy, lz4 or zstd; without a value, gzip.
    #[arg(long = "compression-codec", num_args = 0..=1, default_missing_value = "gzip")]
    compression_codec: Option<String>,
    /// If set, message send requests to the brokers are synchronous, one at a time as they arrive.
    #[arg(long)]
    sync: bool,
    /// The required acks of the producer requests.
    #[arg(long = "request-required-acks", default_value = "-1")]
    request_required_acks: String,
    /// If set and the producer is running in asynchronous mode, the max time a message waits (linger.ms).
    #[arg(long = "timeout", default_value_t = 1000)]
    timeout: u64,
    /// Number of messages to send in a single batch if they are not being sent synchronously (batch.size in bytes).
    #[arg(long = "batch-size")]
    batch_size: Option<u64>,
    /// The ack timeout of the producer requests.
    #[arg(long = "request-timeout-ms", default_value_t = 1500)]
    request_timeout_ms: u64,
    /// The max time that the producer will block for during a send request.
    #[arg(long = "max-block-ms", default_value_t = 60000)]
    max_block_ms: u64,
    /// Retries (the producer retries within delivery.timeout.ms).
    #[arg(long = "message-send-max-retries")]
    message_send_max_retries: Option<u32>,
    /// Backoff before each retry.
    #[arg(long = "retry-backoff-ms")]
    retry_backoff_ms: Option<u64>,
}

/// Line parsing settings (LineMessageReader's properties and defaults).
struct Reader {
    parse_key: bool,
    key_sep: String,
    parse_headers: bool,
    headers_delim: String,
    headers_sep: String,
    headers_key_sep: String,
    null_marker: Option<String>,
    ignore_error: bool,
}

impl Reader {
    fn from(props: &Props) -> anyhow::Result<Reader> {
        let flag = |k: &str| {
            props
                .get(k)
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
        };
        let get = |k: &str, d: &str| props.get(k).cloned().unwrap_or_else(|| d.to_string());
        let r = Reader {
            parse_key: flag("parse.key"),
            key_sep: get("key.separator", "\t"),
            parse_headers: flag("parse.headers"),
            headers_delim: get("headers.delimiter", "\t"),
            headers_sep: get("headers.separator", ","),
            headers_key_sep: get("headers.key.separator", ":"),
            null_marker: props.get("null.marker").cloned(),
            ignore_error: flag("ignore.error"),
        };
        let pairs = [
            (
                &r.headers_delim,
                &r.headers_sep,
                "headers.delimiter and headers.separator",
            ),
            (
                &r.headers_delim,
                &r.headers_key_sep,
                "headers.delimiter and headers.key.separator",
            ),
            (
                &r.headers_sep,
                &r.headers_key_sep,
                "headers.separator and headers.key.separator",
            ),
        ];
        for (a, b, what) in pairs {
            if a == b {
                return Err(usage(format!("{what} may not be equal")));
            }
        }
        if let Some(m) = &r.null_marker {
            for (v, name) in [
                (&r.key_sep, "key.separator"),
                (&r.headers_sep, "headers.separator"),
                (&r.headers_delim, "headers.delimiter"),
                (&r.headers_key_sep, "headers.key.separator"),
            ] {
                if v == m {
                    return Err(usage(format!("null.marker and {name} may not be equal")));
                }
            }
        }
        Ok(r)
    }

    fn is_null(&self, s: &str) -> bool {
        self.null_marker.as_deref() == Some(s)
    }

    /// The part of `line` from `start` up to `sep`, when `enabled`.
    fn part<'a>(
        &self,
        enabled: bool,
        line: &'a str,
        start: usize,
        sep: &str,
        what: &str,
        n: usize,
    ) -> anyhow::Result<Option<&'a str>> {
        if !enabled {
            return Ok(None);
        }
        match line[start..].find(sep) {
            Some(i) => Ok(Some(&line[start..start + i])),
            None if self.ignore_error => Ok(None),
            None => anyhow::bail!("No {what} found on line number {n}: '{line}'"),
        }
    }

    fn record(&self, topic: &str, line: &str, n: usize) -> anyhow::Result<ProducerRecord> {
        let headers = self.part(
            self.parse_headers,
            line,
            0,
            &self.headers_delim,
            "headers delimiter",
            n,
        )?;
        let hoff = headers.map_or(0, |h| h.len() + self.headers_delim.len());
        let key = self.part(
            self.parse_key,
            line,
            hoff,
            &self.key_sep,
            "key separator",
            n,
        )?;
        let koff = key.map_or(0, |k| k.len() + self.key_sep.len());
        let value = &line[hoff + koff..];
        let mut rec = if self.is_null(value) {
            ProducerRecord::new(topic, Bytes::new()).with_null_value()
        } else {
            ProducerRecord::new(topic, Bytes::copy_from_slice(value.as_bytes()))
        };
        if let Some(k) = key.filter(|k| !self.is_null(k)) {
            rec = rec.with_key(Bytes::copy_from_slice(k.as_bytes()));
        }
        if let Some(h) = headers.filter(|h| !self.is_null(h)) {
            for pair in h.split(self.headers_sep.as_str()) {
                match pair.find(self.headers_key_sep.as_str()) {
                    Some(i) => {
                        let (hk, hv) = (&pair[..i], &pair[i + self.headers_key_sep.len()..]);
                        if self.is_null(hk) {
                            anyhow::bail!("Header keys should not be equal to the null marker '{hk}' as they can't be null");
                        }
                        let v = (!self.is_null(hv)).then(|| Bytes::copy_from_slice(hv.as_bytes()));
                        rec = rec.with_header(hk, v);
                    }
                    None if self.ignore_error => rec = rec.with_header(pair, None),
                    None => anyhow::bail!(
                        "No header key separator found in pair '{pair}' on line number {n}"
                    ),
                }
            }
        }
        Ok(rec)
    }
}

/// The producer's properties: ConsoleProducer's defaults, then the file, then the flags.
fn producer_props(a: &ConsoleProducerArgs) -> anyhow::Result<Props> {
    let mut p = Props::new();
    p.insert("client.id".into(), "console-producer".into());
    p.insert("acks".into(), a.request_required_acks.clone());
    p.insert("linger.ms".into(), a.timeout.to_string());
    p.insert(
        "request.timeout.ms".into(),
        a.request_timeout_ms.to_string(),
    );
    p.insert("max.block.ms".into(), a.max_block_ms.to_string());
    if let Some(b) = a.batch_size {
        p.insert("batch.size".into(), b.to_string());
    }
    if let Some(r) = a.message_send_max_retries {
        p.insert("retries".into(), r.to_string());
    }
    if let Some(r) = a.retry_backoff_ms {
        p.insert("retry.backoff.ms".into(), r.to_string());
    }
    if let Some(c) = &a.compression_codec {
        p.insert("compression.type".into(), c.clone());
    }
    if let Some(f) = &a.producer_config {
        p.extend(load_properties(f)?);
    }
    p.extend(parse_pairs(&a.producer_property, "--producer-property")?);
    if let Some(b) = &a.bootstrap_server {
        p.insert("bootstrap.servers".into(), b.clone());
    }
    if !p.contains_key("bootstrap.servers") {
        return Err(usage("Missing required argument \"[bootstrap-server]\""));
    }
    Ok(p)
}

pub fn run(a: ConsoleProducerArgs) -> anyhow::Result<()> {
    let reader = Reader::from(&parse_pairs(&a.property, "--property")?)?;
    let cfg = client_config(producer_props(&a)?)?;
    check_reachable(&cfg)?;
    let producer = Producer::new(cfg)?;
    let result = block_on(produce_stdin(&producer, &reader, &a));
    let closed = block_on(producer.close(Duration::from_secs(30)));
    result?;
    closed?;
    Ok(())
}

async fn produce_stdin(
    producer: &Producer,
    reader: &Reader,
    a: &ConsoleProducerArgs,
) -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    let mut pending = Vec::new();
    let mut failed = false;
    for (i, line) in stdin.lock().lines().enumerate() {
        let line = line?;
        let rec = reader.record(&a.topic, &line, i + 1)?;
        let fut = producer.send(rec);
        if a.sync {
            if let Err(e) = fut.await {
                report(&a.topic, &e);
                failed = true;
            }
        } else {
            pending.push(fut);
            if pending.len() >= 10_000 {
                failed |= drain(&mut pending, &a.topic).await;
            }
        }
    }
    failed |= drain(&mut pending, &a.topic).await;
    if failed {
        return Err(
            Printed::new(1, "Some records could not be sent (see the errors above).").into(),
        );
    }
    Ok(())
}

async fn drain(pending: &mut Vec<ferrokafka_core::DeliveryFuture>, topic: &str) -> bool {
    let mut failed = false;
    for f in pending.drain(..) {
        if let Err(e) = f.await {
            report(topic, &e);
            failed = true;
        }
    }
    failed
}

fn report(topic: &str, e: &ferrokafka_core::Error) {
    eprintln!("ERROR Error when sending message to topic {topic}: {e}");
}
