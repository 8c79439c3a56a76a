//! Leader failover on a three-node Apache Kafka cluster (replication factor 3,
//! min.insync.replicas=2): an idempotent acks=all producer keeps going while the partition
//! leader is SIGKILLed; every record is acknowledged, the log holds each exactly once, in order,
//! and a consumer group reading (and committing) all along reads each exactly once, in order.

use crate::common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use ferrokafka_core::{ClientConfig, Cluster, Consumer, Producer, ProducerRecord};
use kafka_protocol::messages::create_topics_request::CreatableTopic;
use kafka_protocol::messages::{CreateTopicsRequest, TopicName};
use kafka_protocol::protocol::StrBytes;

struct ThreeNodes {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
    bootstrap: String,
}

impl ThreeNodes {
    fn start() -> ThreeNodes {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cluster_control.py");
        let mut child = Command::new("python3")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 available");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut me = ThreeNodes {
            child,
            stdin,
            lines: rx,
            bootstrap: String::new(),
        };
        let ready = me.next_line(Duration::from_secs(240));
        me.bootstrap = ready
            .strip_prefix("READY ")
            .expect("READY line")
            .trim()
            .to_string();
        me
    }

    fn next_line(&mut self, limit: Duration) -> String {
        match self.lines.recv_timeout(limit) {
            Ok(l) => l,
            Err(e) => {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("cluster control script gave no answer: {e}");
            }
        }
    }

    fn command(&mut self, cmd: &str) {
        writeln!(self.stdin, "{cmd}").expect("write command");
        self.stdin.flush().expect("flush");
        let answer = self.next_line(Duration::from_secs(120));
        assert_eq!(answer, "OK", "{cmd}");
    }
}

impl Drop for ThreeNodes {
    fn drop(&mut self) {
        // Closing stdin stops the cluster; wait so no JVM outlives the test.
        let _ = self.stdin.flush();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotent_producer_survives_leader_kill_without_loss_or_duplicates() {
    let mut nodes = tokio::task::spawn_blocking(ThreeNodes::start)
        .await
        .unwrap();
    let cfg = ClientConfig::from_pairs([
        ("bootstrap.servers", nodes.bootstrap.as_str()),
        ("acks", "all"),
        ("enable.idempotence", "true"),
        ("linger.ms", "5"),
        ("request.timeout.ms", "5000"),
        ("delivery.timeout.ms", "120000"),
        ("retry.backoff.ms", "100"),
    ])
    .unwrap();
    let cluster = Cluster::connect(cfg.clone()).await.unwrap();
    let topic = common::topic_name("failover");
    let req = CreateTopicsRequest::default()
        .with_topics(vec![CreatableTopic::default()
            .with_name(TopicName(StrBytes::from_string(topic.clone())))
            .with_num_partitions(1)
            .with_replication_factor(3)])
        .with_timeout_ms(30_000);
    let resp = cluster
        .any_broker()
        .await
        .unwrap()
        .request(&req)
        .await
        .unwrap();
    assert_eq!(resp.topics[0].error_code, 0);
    let t = cluster
        .topic(
            &topic,
            tokio::time::Instant::now() + Duration::from_secs(30),
        )
        .await
        .unwrap();
    assert_eq!(t.partitions[0].replicas.len(), 3);

    const TOTAL: usize = 3000;
    // A consumer group reads while the producer writes and the leader dies; it commits after
    // every poll, so a rejoin after the coordinator moves would not replay anything either.
    let group_cfg = ClientConfig::from_pairs([
        ("bootstrap.servers", nodes.bootstrap.as_str()),
        ("group.id", format!("{topic}-readers").as_str()),
        ("auto.offset.reset", "earliest"),
        ("enable.auto.commit", "false"),
        ("session.timeout.ms", "10000"),
        ("heartbeat.interval.ms", "1000"),
        ("request.timeout.ms", "5000"),
    ])
    .unwrap();
    let reader_topic = topic.clone();
    let reader =
        tokio::spawn(async move {
            let consumer = Consumer::new(group_cfg).unwrap();
            consumer.subscribe(&[reader_topic.as_str()]).unwrap();
            let deadline = tokio::time::Instant::now() + Duration::from_secs(180);
            let mut seen: Vec<String> = Vec::with_capacity(TOTAL);
            while seen.len() < TOTAL && tokio::time::Instant::now() < deadline {
                // A poll or commit may fail while the cluster elects new leaders: try again.
                let Ok(batch) = consumer.poll(Duration::from_millis(500)).await else {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                };
                seen.extend(batch.iter().map(|r| {
                    String::from_utf8(r.value.clone().unwrap_or_default().to_vec()).unwrap()
                }));
                while !batch.is_empty() && consumer.commit_sync(None).await.is_err() {
                    assert!(
                        tokio::time::Instant::now() < deadline,
                        "commits keep failing"
                    );
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
            let _ = consumer.close().await;
            seen
        });

    let producer = Producer::new(cfg).unwrap();
    let mut futures = Vec::with_capacity(TOTAL);
    let mut killed = None;
    for i in 0..TOTAL {
        futures.push(producer.send(ProducerRecord::new(&topic, format!("{i:06}"))));
        if i % 100 == 99 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if i == TOTAL / 3 {
            // Let some records land first, then crash the partition leader mid-stream.
            while producer.metrics().record_send_total < 500 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            cluster.refresh().await.unwrap();
            let leader = cluster.metadata().leader(&topic, 0).expect("leader");
            let cmd = format!("kill {leader}");
            nodes = tokio::task::spawn_blocking(move || {
                nodes.command(&cmd);
                nodes
            })
            .await
            .unwrap();
            killed = Some(leader);
        }
    }
    let mut last = -1;
    for (i, f) in futures.into_iter().enumerate() {
        let md = f
            .await
            .unwrap_or_else(|e| panic!("record {i} not acknowledged: {e}"));
        assert!(md.offset > last, "offsets grow in send order");
        last = md.offset;
    }
    producer.close(Duration::from_secs(30)).await.unwrap();

    cluster.refresh().await.unwrap();
    let new_leader = cluster.metadata().leader(&topic, 0).expect("a new leader");
    assert_ne!(Some(new_leader), killed, "leadership moved");
    let records = common::fetch(&cluster, &topic, 0, TOTAL).await;
    let values: Vec<String> = records
        .iter()
        .map(|r| String::from_utf8(common::bytes(&r.value).unwrap()).unwrap())
        .collect();
    let expected: Vec<String> = (0..TOTAL).map(|i| format!("{i:06}")).collect();
    assert_eq!(values.len(), TOTAL, "every record exactly once");
    assert_eq!(values, expected, "in order, no duplicates");
    let consumed = reader.await.unwrap();
    assert_eq!(
        consumed.len(),
        TOTAL,
        "the group read every record exactly once"
    );
    assert_eq!(consumed, expected, "the group read them in order");
    drop(nodes);
}
