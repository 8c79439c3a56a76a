//! Drives Apache Kafka's Java kafka-clients from the cross-client tests.
//!
//! Owns launching `tests/interop/java-core/CoreInterop.java` (compiled once with javac, JDK 17)
//! with the Kafka jars the harness fetched, feeding it records and reading its JSON lines. It
//! must not assert anything about the records: the tests compare.
#![allow(dead_code)]

use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{mpsc, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::Value;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// The directory holding Apache Kafka's jars (`FERROKAFKA_KAFKA_LIBS` or `scripts/fetch-kafka.sh`).
pub fn kafka_libs() -> String {
    if let Ok(dir) = std::env::var("FERROKAFKA_KAFKA_LIBS") {
        return dir;
    }
    let out = Command::new("bash")
        .arg(format!("{ROOT}/scripts/fetch-kafka.sh"))
        .stderr(Stdio::inherit())
        .output()
        .expect("scripts/fetch-kafka.sh must be runnable");
    assert!(out.status.success(), "scripts/fetch-kafka.sh failed");
    String::from_utf8(out.stdout)
        .expect("utf-8 path")
        .trim()
        .to_string()
}

/// The directory holding `CoreInterop.class`, compiled once per source text: a single-file
/// source launch would run javac in every JVM the tests start (about 3 s each).
fn interop_classes() -> &'static str {
    static CLASSES: OnceLock<String> = OnceLock::new();
    CLASSES.get_or_init(|| {
        let source = format!("{ROOT}/tests/interop/java-core/CoreInterop.java");
        let text = std::fs::read(&source).expect("CoreInterop.java is readable");
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (&text, kafka_libs()).hash(&mut hasher);
        let dir = format!(
            "{}/core-interop-{:016x}",
            env!("CARGO_TARGET_TMPDIR"),
            hasher.finish()
        );
        if !std::path::Path::new(&dir)
            .join("CoreInterop.class")
            .exists()
        {
            // Into a fresh directory, then renamed: a concurrent run never sees half the classes.
            let staging = format!("{dir}.{}", std::process::id());
            let status = Command::new("javac")
                .args([
                    "-d",
                    &staging,
                    "-cp",
                    &format!("{}/*", kafka_libs()),
                    &source,
                ])
                .status()
                .expect("javac (JDK 17) must be on PATH for the cross-client tests");
            assert!(status.success(), "javac {source} failed");
            if std::fs::rename(&staging, &dir).is_err() {
                // Another run got there first; its classes are the same.
                let _ = std::fs::remove_dir_all(&staging);
            }
        }
        dir
    })
}

fn java(args: &[&str]) -> Command {
    let mut cmd = Command::new(std::env::var("JAVA").unwrap_or_else(|_| "java".into()));
    cmd.arg("-Xmx256m")
        .arg("-XX:TieredStopAtLevel=1")
        .arg("-cp")
        .arg(format!("{}/*:{}", kafka_libs(), interop_classes()))
        // kafka-clients logs to stdout; off unless FERROKAFKA_JAVA_LOG=warn|info|debug asks.
        .arg(format!(
            "-Dlog4j2.level={}",
            std::env::var("FERROKAFKA_JAVA_LOG").unwrap_or_else(|_| "off".into())
        ))
        .arg("CoreInterop")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    cmd
}

/// Lower-case hex of some bytes.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Bytes from lower-case hex; `None` for JSON null.
pub fn unhex(v: &Value) -> Option<Vec<u8>> {
    let s = v.as_str()?;
    let digits = s.as_bytes();
    Some(
        digits
            .chunks(2)
            .map(|pair| {
                let s = std::str::from_utf8(pair).expect("ascii hex");
                u8::from_str_radix(s, 16).expect("hex digit")
            })
            .collect(),
    )
}

/// One record both sides agree to write: every field the wire format carries.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub partition: Option<i32>,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub timestamp: Option<i64>,
    pub headers: Vec<(String, Option<Vec<u8>>)>,
}

impl Spec {
    fn line(&self) -> String {
        let opt = |b: &Option<Vec<u8>>| b.as_ref().map_or("-".to_string(), |b| hex(b));
        let headers = if self.headers.is_empty() {
            "-".to_string()
        } else {
            self.headers
                .iter()
                .map(|(k, v)| format!("{k}={}", opt(v)))
                .collect::<Vec<_>>()
                .join(",")
        };
        format!(
            "{}\t{}\t{}\t{}\t{}\n",
            self.partition.map_or("-".into(), |p| p.to_string()),
            opt(&self.key),
            opt(&self.value),
            self.timestamp.map_or("-".into(), |t| t.to_string()),
            headers
        )
    }

    /// As a core producer record.
    pub fn to_record(&self, topic: &str) -> ferrokafka_core::ProducerRecord {
        let mut r = ferrokafka_core::ProducerRecord::new(topic, Bytes::new());
        r.value = self.value.clone().map(Bytes::from);
        r.key = self.key.clone().map(Bytes::from);
        r.partition = self.partition;
        r.timestamp = self.timestamp;
        for (k, v) in &self.headers {
            r = r.with_header(k.clone(), v.clone().map(Bytes::from));
        }
        r
    }
}

/// A record as the Java consumer reported it.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    pub partition: i32,
    pub offset: i64,
    pub timestamp: i64,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<(String, Option<Vec<u8>>)>,
}

fn json_lines(child: &mut Child) -> mpsc::Receiver<Value> {
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if !line.starts_with('{') {
                // Log output: pass it on so a failing test shows why.
                eprintln!("java: {line}");
                continue;
            }
            if let Ok(v) = serde_json::from_str::<Value>(&line) {
                if tx.send(v).is_err() {
                    break;
                }
            }
        }
    });
    rx
}

fn run_to_end(mut cmd: Command, input: String, limit: Duration) -> Vec<Value> {
    let mut child = cmd.spawn().expect("java must be on PATH (JDK 17+)");
    let rx = json_lines(&mut child);
    let mut stdin = child.stdin.take().expect("piped stdin");
    stdin.write_all(input.as_bytes()).expect("feed java");
    drop(stdin);
    let deadline = Instant::now() + limit;
    let mut out = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(v) => {
                let done = v.get("done").is_some();
                out.push(v);
                if done {
                    break;
                }
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the Java program stopped or timed out before reporting done: {out:?}");
            }
        }
    }
    let status = child.wait().expect("wait for java");
    assert!(status.success(), "java exited with {status}");
    out
}

/// Produces `specs` with Java producers (acks=all, idempotent), each record with the
/// compression type paired with it; returns (partition, offset) per record in input order.
pub fn java_produce(bootstrap: &str, topic: &str, specs: &[(&str, Spec)]) -> Vec<(i32, i64)> {
    let input: String = specs
        .iter()
        .map(|(codec, spec)| format!("{codec}\t{}", spec.line()))
        .collect();
    let lines = run_to_end(
        java(&["produce", bootstrap, topic]),
        input,
        Duration::from_secs(180),
    );
    let mut out = vec![(-1, -1); specs.len()];
    for v in &lines {
        if let (Some(i), Some(p), Some(o)) = (
            v["i"].as_u64(),
            v["partition"].as_i64(),
            v["offset"].as_i64(),
        ) {
            out[i as usize] = (p as i32, o);
        }
    }
    assert_eq!(
        lines.last().and_then(|v| v["done"].as_u64()),
        Some(specs.len() as u64),
        "java acknowledged every record"
    );
    out
}

/// Reads `count` records of every partition of `topic` from the beginning with the Java consumer.
pub fn java_consume(bootstrap: &str, topic: &str, count: usize) -> Vec<Seen> {
    let lines = run_to_end(
        java(&["consume", bootstrap, topic, &count.to_string()]),
        String::new(),
        Duration::from_secs(180),
    );
    lines
        .iter()
        .filter(|v| v.get("partition").is_some())
        .map(|v| Seen {
            partition: v["partition"].as_i64().expect("partition") as i32,
            offset: v["offset"].as_i64().expect("offset"),
            timestamp: v["timestamp"].as_i64().expect("timestamp"),
            key: unhex(&v["key"]),
            value: unhex(&v["value"]),
            headers: v["headers"]
                .as_array()
                .expect("headers")
                .iter()
                .map(|h| {
                    (
                        h[0].as_str().expect("header name").to_string(),
                        unhex(&h[1]),
                    )
                })
                .collect(),
        })
        .collect()
}

/// What a Java group member reported.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupEvent {
    Assigned(Vec<i32>),
    Revoked(Vec<i32>),
    Lost(Vec<i32>),
    Record {
        partition: i32,
        offset: i64,
        value: Option<Vec<u8>>,
    },
    Closed,
}

/// A Java consumer running in a group until [`JavaMember::stop`].
pub struct JavaMember {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: mpsc::Receiver<Value>,
    /// Everything reported so far, in order.
    pub events: Vec<GroupEvent>,
}

impl JavaMember {
    /// Starts a Java consumer subscribed to `topic` in `group` with `assignor`.
    pub fn start(bootstrap: &str, topic: &str, group: &str, assignor: &str) -> JavaMember {
        let mut child = java(&["group", bootstrap, topic, group, assignor, "java-member"])
            .spawn()
            .expect("java must be on PATH (JDK 17+)");
        let rx = json_lines(&mut child);
        let stdin = child.stdin.take();
        JavaMember {
            child,
            stdin,
            rx,
            events: Vec::new(),
        }
    }

    /// Collects what arrived within `wait`.
    pub fn drain(&mut self, wait: Duration) {
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(v) => self.events.push(parse_event(&v)),
                Err(mpsc::RecvTimeoutError::Timeout) => return,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    std::thread::sleep(left);
                    return;
                }
            }
        }
    }

    /// The partitions the member holds now, from its assigned/revoked/lost callbacks
    /// (cooperative protocols report increments, eager ones the full set after a revoke-all).
    pub fn owned(&self) -> Vec<i32> {
        let mut owned: Vec<i32> = Vec::new();
        for e in &self.events {
            match e {
                GroupEvent::Assigned(ps) => owned.extend(ps),
                GroupEvent::Revoked(ps) | GroupEvent::Lost(ps) => owned.retain(|p| !ps.contains(p)),
                _ => {}
            }
        }
        owned.sort_unstable();
        owned.dedup();
        owned
    }

    /// Records reported so far: (partition, offset, value).
    pub fn records(&self) -> Vec<(i32, i64, Option<Vec<u8>>)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                GroupEvent::Record {
                    partition,
                    offset,
                    value,
                } => Some((*partition, *offset, value.clone())),
                _ => None,
            })
            .collect()
    }

    /// Tells the member to close (it commits nothing more and leaves the group); waits for it.
    pub fn stop(&mut self) {
        if let Some(mut stdin) = self.stdin.take() {
            let _ = stdin.write_all(b"stop\n");
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        while !self.events.contains(&GroupEvent::Closed) && Instant::now() < deadline {
            self.drain(Duration::from_millis(200));
        }
        let _ = self.child.wait();
    }
}

impl Drop for JavaMember {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn partitions(v: &Value) -> Vec<i32> {
    v["partitions"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p.as_i64())
                .map(|p| p as i32)
                .collect()
        })
        .unwrap_or_default()
}

fn parse_event(v: &Value) -> GroupEvent {
    match v["event"].as_str() {
        Some("assigned") => GroupEvent::Assigned(partitions(v)),
        Some("revoked") => GroupEvent::Revoked(partitions(v)),
        Some("lost") => GroupEvent::Lost(partitions(v)),
        Some("closed") => GroupEvent::Closed,
        _ => GroupEvent::Record {
            partition: v["partition"].as_i64().unwrap_or(-1) as i32,
            offset: v["offset"].as_i64().unwrap_or(-1),
            value: unhex(&v["value"]),
        },
    }
}
