//! Shared helpers for the core's integration tests against a real broker.
//!
//! The broker comes from `FERROKAFKA_BOOTSTRAP` (an already running broker) or is started once
//! per test binary with `tests/harness/target.py`, which picks Apache Kafka or our broker from
//! `FERROKAFKA_TEST_TARGET=apache|ferrokafka` (default here: `apache`). The harness stops the
//! broker when this process exits (its stdin closes). Topics get random names.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use ferrokafka_core::{ClientConfig, Cluster, Producer, ProducerOptions, ProducerRecord};
use kafka_protocol::messages::create_topics_request::CreatableTopic;
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::{BrokerId, CreateTopicsRequest, FetchRequest, TopicName};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::records::{Record, RecordBatchDecoder};

struct Broker {
    bootstrap: String,
    _child: Option<Child>,
}

static BROKER: OnceLock<Mutex<Broker>> = OnceLock::new();

/// The target name in use.
pub fn target() -> String {
    std::env::var("FERROKAFKA_TEST_TARGET").unwrap_or_else(|_| "apache".into())
}

/// The bootstrap address of the broker under test (started on first use).
pub fn bootstrap() -> String {
    let b = BROKER.get_or_init(|| Mutex::new(start_broker()));
    b.lock().unwrap().bootstrap.clone()
}

fn start_broker() -> Broker {
    if let Ok(b) = std::env::var("FERROKAFKA_BOOTSTRAP") {
        return Broker {
            bootstrap: b,
            _child: None,
        };
    }
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut child = Command::new("python3")
        .arg(format!("{root}/tests/harness/target.py"))
        .env("FERROKAFKA_TEST_TARGET", target())
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 tests/harness/target.py must be runnable");
    let ready = child.stdout.take().and_then(|stdout| {
        let mut lines = BufReader::new(stdout).lines();
        for line in lines.by_ref() {
            let Ok(line) = line else { break };
            if let Some(addr) = line.strip_prefix("READY ") {
                let addr = addr.trim().to_string();
                // Keep draining stdout so the harness never blocks on a full pipe.
                std::thread::spawn(move || for _ in lines {});
                return Some(addr);
            }
        }
        None
    });
    match ready {
        Some(bootstrap) => Broker {
            bootstrap,
            _child: Some(child),
        },
        None => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the harness exited before printing READY (see its stderr)");
        }
    }
}

/// A unique topic name.
pub fn topic_name(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

/// A client config for the broker under test plus `extra` settings.
pub fn config(extra: &[(&str, &str)]) -> ClientConfig {
    let bootstrap = bootstrap();
    let mut pairs: Vec<(String, String)> = vec![
        ("bootstrap.servers".into(), bootstrap),
        ("client.id".into(), "core-tests".into()),
    ];
    pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    ClientConfig::from_pairs(pairs).expect("valid test config")
}

/// Connects a cluster handle.
pub async fn cluster() -> Cluster {
    Cluster::connect(config(&[]))
        .await
        .expect("cluster connect")
}

/// Creates a topic and waits until every partition has a leader.
pub async fn create_topic(cluster: &Cluster, name: &str, partitions: i32) {
    let req = CreateTopicsRequest::default()
        .with_topics(vec![CreatableTopic::default()
            .with_name(TopicName(StrBytes::from_string(name.to_string())))
            .with_num_partitions(partitions)
            .with_replication_factor(1)])
        .with_timeout_ms(30_000);
    let conn = cluster.any_broker().await.expect("broker");
    let resp = conn.request(&req).await.expect("CreateTopics");
    for t in &resp.topics {
        assert!(
            t.error_code == 0 || t.error_code == 36,
            "create {name}: error {}",
            t.error_code
        );
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let t = cluster.topic(name, deadline).await.expect("topic metadata");
        if t.partition_count() == partitions
            && t.available_partitions().len() == partitions as usize
        {
            let mut ready = true;
            for p in 0..partitions {
                ready &= partition_serves(cluster, name, p).await;
            }
            // Metadata can name a leader a moment before that broker serves the partition
            // (Apache Kafka answers NOT_LEADER_OR_FOLLOWER meanwhile, and drops acks=0 writes).
            if ready {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        cluster.refresh().await.expect("refresh");
    }
}

/// Whether the leader metadata names for `topic`-`partition` answers a fetch without error.
async fn partition_serves(cluster: &Cluster, topic: &str, partition: i32) -> bool {
    let Some(leader) = cluster.metadata().leader(topic, partition) else {
        return false;
    };
    let Ok(conn) = cluster.broker(leader).await else {
        return false;
    };
    let req = FetchRequest::default()
        .with_replica_id(BrokerId(-1))
        .with_max_wait_ms(0)
        .with_min_bytes(0)
        .with_max_bytes(1024)
        .with_session_epoch(-1)
        .with_topics(vec![FetchTopic::default()
            .with_topic(TopicName(StrBytes::from_string(topic.to_string())))
            .with_partitions(vec![FetchPartition::default()
                .with_partition(partition)
                .with_fetch_offset(0)
                .with_partition_max_bytes(1024)])]);
    match conn.request(&req).await {
        Ok(resp) => {
            resp.error_code == 0
                && resp
                    .responses
                    .iter()
                    .flat_map(|t| t.partitions.iter())
                    .all(|p| p.error_code == 0)
        }
        Err(_) => false,
    }
}

/// Fetches records of one partition from offset 0 until `count` arrived (or 30 s passed).
pub async fn fetch(cluster: &Cluster, topic: &str, partition: i32, count: usize) -> Vec<Record> {
    fetch_within(cluster, topic, partition, count, Duration::from_secs(30)).await
}

/// Like [`fetch`] with a custom time limit.
pub async fn fetch_within(
    cluster: &Cluster,
    topic: &str,
    partition: i32,
    count: usize,
    limit: Duration,
) -> Vec<Record> {
    let deadline = tokio::time::Instant::now() + limit;
    let mut out: Vec<Record> = Vec::new();
    let mut offset = 0i64;
    while out.len() < count && tokio::time::Instant::now() < deadline {
        cluster.refresh().await.ok();
        let Some(leader) = cluster.metadata().leader(topic, partition) else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let conn = cluster.broker(leader).await.expect("leader connection");
        let req = FetchRequest::default()
            .with_replica_id(BrokerId(-1))
            .with_max_wait_ms(200)
            .with_min_bytes(1)
            .with_max_bytes(50 << 20)
            .with_session_epoch(-1)
            .with_topics(vec![FetchTopic::default()
                .with_topic(TopicName(StrBytes::from_string(topic.to_string())))
                .with_partitions(vec![FetchPartition::default()
                    .with_partition(partition)
                    .with_fetch_offset(offset)
                    .with_partition_max_bytes(10 << 20)])]);
        let resp = conn.request(&req).await.expect("fetch");
        for t in resp.responses {
            for p in t.partitions {
                assert_eq!(p.error_code, 0, "fetch {topic}-{partition} error");
                let Some(mut records) = p.records else {
                    continue;
                };
                // Batch header: base offset (8 bytes), then the length of the rest (4 bytes).
                // A broker may end a response with a partial batch: fetched again next round.
                while records.len() >= 12 {
                    let rest =
                        i32::from_be_bytes([records[8], records[9], records[10], records[11]]);
                    if records.len() < 12 + rest.max(0) as usize {
                        break;
                    }
                    let set = RecordBatchDecoder::decode(&mut records).expect("decodable batch");
                    for r in set.records {
                        if r.offset >= offset {
                            offset = r.offset + 1;
                            out.push(r);
                        }
                    }
                }
            }
        }
    }
    out
}

/// The raw bytes of a record value as a Vec, for comparisons.
pub fn bytes(b: &Option<Bytes>) -> Option<Vec<u8>> {
    b.as_ref().map(|b| b.to_vec())
}

/// A connector whose streams can be told to lose the response to a Produce request (`faults`:
/// each fault is taken by the next stream that writes a Produce request, and fails that
/// stream's next read that returns data, so it never lands on a metadata or other response) or
/// to stop delivering responses (`stall`): fault injection on the client side.
/// Requests still reach the broker while stalled; [`FaultyConnector::resume`] delivers the
/// held responses.
#[derive(Default)]
pub struct FaultyConnector {
    pub faults: Arc<std::sync::atomic::AtomicUsize>,
    pub stall: Arc<std::sync::atomic::AtomicBool>,
    /// Readers parked while stalled, woken by `resume`.
    pub parked: Arc<Mutex<Vec<std::task::Waker>>>,
}

impl FaultyConnector {
    /// Stops delivering responses on every stream (existing and new).
    pub fn pause(&self) {
        self.stall.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Delivers responses again, waking every parked reader.
    pub fn resume(&self) {
        self.stall.store(false, std::sync::atomic::Ordering::SeqCst);
        let parked = std::mem::take(&mut *self.parked.lock().unwrap());
        for w in parked {
            w.wake();
        }
    }
}

/// A producer with a tiny `buffer.memory` whose connections can be stalled, warmed up (topic
/// metadata and producer id loaded) on a fresh one-partition topic.
pub async fn stalled_producer(max_block_ms: &str) -> (Producer, Arc<FaultyConnector>, String) {
    let cluster = cluster().await;
    let topic = topic_name("blocking");
    create_topic(&cluster, &topic, 1).await;
    let connector = Arc::new(FaultyConnector::default());
    let producer = Producer::with_options(
        config(&[
            ("buffer.memory", "8000"),
            ("max.block.ms", max_block_ms),
            ("batch.size", "1000"),
        ]),
        ProducerOptions {
            connector: Some(connector.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    producer
        .send(ProducerRecord::new(&topic, "warm"))
        .await
        .unwrap();
    // The broker's answers stop arriving: memory is not returned until `resume`.
    connector.pause();
    (producer, connector, topic)
}

/// A TCP listener that accepts connections and never answers: a hung broker.
pub async fn silent_broker() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s); // keep it open, read nothing, answer nothing
        }
    });
    addr
}

pub mod faulty {
    use std::pin::Pin;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::task::{Context, Poll, Waker};
    use std::time::Duration;

    use ferrokafka_core::ConnectFuture;
    use ferrokafka_core::{BoxTransport, Connector, TcpConnector};
    use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
    use tokio::net::TcpStream;

    pub struct FaultyStream {
        inner: TcpStream,
        faults: Arc<AtomicUsize>,
        /// This stream took a fault with a Produce request: its next read with data fails.
        armed: bool,
        stall: Arc<AtomicBool>,
        parked: Arc<Mutex<Vec<Waker>>>,
    }

    impl AsyncRead for FaultyStream {
        fn poll_read(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            if self.stall.load(Ordering::SeqCst) {
                self.parked.lock().unwrap().push(cx.waker().clone());
                // Re-check: a resume between the load and the push must not be missed.
                if self.stall.load(Ordering::SeqCst) {
                    return Poll::Pending;
                }
            }
            let before = buf.filled().len();
            let res = Pin::new(&mut self.inner).poll_read(cx, buf);
            if let Poll::Ready(Ok(())) = res {
                if buf.filled().len() > before && self.armed {
                    self.armed = false;
                    return Poll::Ready(Err(std::io::ErrorKind::ConnectionReset.into()));
                }
            }
            res
        }
    }

    impl AsyncWrite for FaultyStream {
        fn poll_write(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<std::io::Result<usize>> {
            let res = Pin::new(&mut self.inner).poll_write(cx, buf);
            // A write that starts a request frame: 4-byte size, then the api key (Produce = 0).
            if let Poll::Ready(Ok(n)) = res {
                if n >= 6
                    && buf[4..6] == [0, 0]
                    && !self.armed
                    && self
                        .faults
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok()
                {
                    self.armed = true;
                }
            }
            res
        }
        fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Pin::new(&mut self.inner).poll_flush(cx)
        }
        fn poll_shutdown(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<std::io::Result<()>> {
            Pin::new(&mut self.inner).poll_shutdown(cx)
        }
    }

    impl Connector for super::FaultyConnector {
        fn connect<'a>(&'a self, addr: &'a str, timeout: Duration) -> ConnectFuture<'a> {
            Box::pin(async move {
                let _ = TcpConnector;
                let inner = tokio::time::timeout(timeout, TcpStream::connect(addr))
                    .await
                    .map_err(|_| {
                        ferrokafka_core::Error::new(ferrokafka_core::ErrorKind::Timeout, "connect")
                    })?
                    .map_err(|e| ferrokafka_core::Error::network("connect", e))?;
                inner.set_nodelay(true).ok();
                Ok(Box::new(FaultyStream {
                    inner,
                    faults: self.faults.clone(),
                    armed: false,
                    stall: self.stall.clone(),
                    parked: self.parked.clone(),
                }) as BoxTransport)
            })
        }
    }
}
