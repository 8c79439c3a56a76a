//! Each tool's output format, line for line where Kafka's is fixed: topic describe lines,
//! console consumer columns, group tables, reset plans, GetOffsetShell lines, and the
//! console consumer's SIGINT summary.

use crate::common;

use common::{run, table, unique, TestBroker, BIN};

fn create(bs: &str, topic: &str, partitions: &str) {
    run(
        &[
            "topics",
            "--bootstrap-server",
            bs,
            "--create",
            "--topic",
            topic,
            "--partitions",
            partitions,
        ],
        "",
    )
    .ok();
}

#[test]
fn topic_describe_matches_topic_command_layout() {
    let b = TestBroker::start();
    let bs = b.bootstrap();
    let created = run(
        &[
            "topics",
            "--bootstrap-server",
            &bs,
            "--create",
            "--topic",
            "orders",
            "--partitions",
            "2",
            "--replication-factor",
            "1",
            "--config",
            "retention.ms=604800000",
        ],
        "",
    )
    .ok();
    assert_eq!(created.stdout, "Created topic orders.\n");
    let again = run(
        &[
            "topics",
            "--bootstrap-server",
            &bs,
            "--create",
            "--topic",
            "orders",
            "--if-not-exists",
        ],
        "",
    )
    .ok();
    assert_eq!(again.stdout, "");
    let d = run(
        &[
            "topics",
            "--bootstrap-server",
            &bs,
            "--describe",
            "--topic",
            "ord.*",
        ],
        "",
    )
    .ok();
    let lines = d.lines();
    assert_eq!(lines.len(), 3, "{d:?}");
    assert!(lines[0].starts_with("Topic: orders\tTopicId: "), "{d:?}");
    assert!(
        lines[0].ends_with(
            "\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: min.insync.replicas=1,retention.ms=604800000"
        ),
        "{d:?}"
    );
    assert_eq!(
        lines[1],
        "\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: \tLastKnownElr: "
    );
    assert_eq!(
        lines[2],
        "\tTopic: orders\tPartition: 1\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: \tLastKnownElr: "
    );
    let over = run(
        &[
            "topics",
            "--bootstrap-server",
            &bs,
            "--describe",
            "--topics-with-overrides",
        ],
        "",
    )
    .ok();
    assert_eq!(over.lines().len(), 1);
    let under = run(
        &[
            "topics",
            "--bootstrap-server",
            &bs,
            "--describe",
            "--under-replicated-partitions",
        ],
        "",
    )
    .ok();
    assert_eq!(under.stdout, "");
    run(
        &[
            "topics",
            "--bootstrap-server",
            &bs,
            "--alter",
            "--topic",
            "orders",
            "--partitions",
            "4",
        ],
        "",
    )
    .ok();
    let d = run(
        &[
            "topics",
            "--bootstrap-server",
            &bs,
            "--describe",
            "--topic",
            "orders",
        ],
        "",
    )
    .ok();
    assert!(d.stdout.contains("PartitionCount: 4"), "{d:?}");
    run(
        &[
            "topics",
            "--bootstrap-server",
            &bs,
            "--delete",
            "--topic",
            "orders",
        ],
        "",
    )
    .ok();
    let listed = run(&["topics", "--bootstrap-server", &bs, "--list"], "").ok();
    assert_eq!(
        listed.stdout, "\n",
        "Kafka prints one empty line for no topics"
    );
}

#[test]
fn console_round_trip_with_keys_headers_and_columns() {
    let b = TestBroker::start();
    let bs = b.bootstrap();
    create(&bs, "events", "1");
    let lines = "h1:v1,h2:v2\tk1:{\"a\":1}\nNULL\tk2:NULL\n";
    run(
        &[
            "console-producer",
            "--bootstrap-server",
            &bs,
            "--topic",
            "events",
            "--property",
            "parse.key=true",
            "--property",
            "key.separator=:",
            "--property",
            "parse.headers=true",
            "--property",
            "null.marker=NULL",
            "--sync",
        ],
        lines,
    )
    .ok();
    let out = run(
        &[
            "console-consumer",
            "--bootstrap-server",
            &bs,
            "--topic",
            "events",
            "--from-beginning",
            "--max-messages",
            "2",
            "--property",
            "print.key=true",
            "--property",
            "print.headers=true",
            "--property",
            "print.partition=true",
            "--property",
            "print.offset=true",
            "--property",
            "print.timestamp=true",
            "--property",
            "key.separator=|",
        ],
        "",
    )
    .ok();
    let got = out.lines();
    assert_eq!(got.len(), 2, "{out:?}");
    assert!(got[0].starts_with("CreateTime:"), "{out:?}");
    assert!(
        got[0].ends_with("|Partition:0|Offset:0|h1:v1,h2:v2|k1|{\"a\":1}"),
        "{out:?}"
    );
    assert!(
        got[1].ends_with("|Partition:0|Offset:1|NO_HEADERS|k2|null"),
        "{out:?}"
    );
    assert!(
        out.stderr.contains("Processed a total of 2 messages"),
        "{out:?}"
    );

    // A JSON line with no parsing passes through untouched.
    let json = "{\"userId\":\"u1\",\"tags\":{\"k\":\"v:w\"}}";
    run(
        &[
            "console-producer",
            "--bootstrap-server",
            &bs,
            "--topic",
            "events",
        ],
        &format!("{json}\n"),
    )
    .ok();
    let out = run(
        &[
            "console-consumer",
            "--bootstrap-server",
            &bs,
            "--topic",
            "events",
            "--partition",
            "0",
            "--offset",
            "2",
            "--max-messages",
            "1",
        ],
        "",
    )
    .ok();
    assert_eq!(out.stdout, format!("{json}\n"));
}

#[test]
fn group_describe_and_reset_tables() {
    let b = TestBroker::start();
    let bs = b.bootstrap();
    let topic = unique("clicks");
    create(&bs, &topic, "3");
    let input: String = (0..30).map(|i| format!("key-{i}:value-{i}\n")).collect();
    run(
        &[
            "console-producer",
            "--bootstrap-server",
            &bs,
            "--topic",
            &topic,
            "--property",
            "parse.key=true",
            "--property",
            "key.separator=:",
        ],
        &input,
    )
    .ok();
    run(
        &[
            "console-consumer",
            "--bootstrap-server",
            &bs,
            "--topic",
            &topic,
            "--group",
            "readers",
            "--from-beginning",
            "--max-messages",
            "30",
        ],
        "",
    )
    .ok();

    let listed = run(
        &["consumer-groups", "--bootstrap-server", &bs, "--list"],
        "",
    )
    .ok();
    assert_eq!(listed.stdout, "readers\n");
    let with_state = run(
        &[
            "consumer-groups",
            "--bootstrap-server",
            &bs,
            "--list",
            "--state",
        ],
        "",
    )
    .ok();
    assert_eq!(
        with_state.lines(),
        vec![
            format!("{:<25} {:<20}", "GROUP", "STATE"),
            format!("{:<25} {:<20}", "readers", "Empty")
        ]
    );

    let d = run(
        &[
            "consumer-groups",
            "--bootstrap-server",
            &bs,
            "--describe",
            "--group",
            "readers",
        ],
        "",
    )
    .ok();
    assert!(
        d.stdout.starts_with("\nGROUP "),
        "Kafka's table starts with an empty line: {d:?}"
    );
    assert!(
        d.stderr
            .contains("Consumer group 'readers' has no active members."),
        "{d:?}"
    );
    let rows = table(&d.stdout, "GROUP");
    assert_eq!(rows.len(), 3);
    for r in &rows {
        assert_eq!(r["CURRENT-OFFSET"], r["LOG-END-OFFSET"], "{d:?}");
        assert_eq!(r["LAG"], "0");
        assert_eq!(r["CONSUMER-ID"], "-");
    }

    let plan = run(
        &[
            "consumer-groups",
            "--bootstrap-server",
            &bs,
            "--group",
            "readers",
            "--reset-offsets",
            "--to-earliest",
            "--topic",
            &format!("{topic}:0,2"),
        ],
        "",
    )
    .ok();
    // Kafka 4.3: group and topic columns as wide as their values (at least 15).
    let tw = topic.len().max(15);
    let expected_header = format!(
        "{:<15} {:<tw$} {:<10} NEW-OFFSET",
        "GROUP", "TOPIC", "PARTITION"
    );
    assert_eq!(plan.lines()[1], expected_header);
    assert_eq!(
        plan.lines()[2],
        format!("{:<15} {:<tw$} {:<10} 0", "readers", topic, "0")
    );
    assert_eq!(plan.lines().len(), 4);
    // Dry run (the default) changed nothing.
    let d = run(
        &[
            "consumer-groups",
            "--bootstrap-server",
            &bs,
            "--describe",
            "--group",
            "readers",
        ],
        "",
    )
    .ok();
    assert!(table(&d.stdout, "GROUP").iter().all(|r| r["LAG"] == "0"));

    run(
        &[
            "consumer-groups",
            "--bootstrap-server",
            &bs,
            "--group",
            "readers",
            "--reset-offsets",
            "--shift-by",
            "-2",
            "--all-topics",
            "--execute",
        ],
        "",
    )
    .ok();
    let d = run(
        &[
            "consumer-groups",
            "--bootstrap-server",
            &bs,
            "--describe",
            "--group",
            "readers",
        ],
        "",
    )
    .ok();
    assert!(
        table(&d.stdout, "GROUP").iter().all(|r| r["LAG"] == "2"),
        "{d:?}"
    );

    let csv = run(
        &[
            "consumer-groups",
            "--bootstrap-server",
            &bs,
            "--group",
            "readers",
            "--reset-offsets",
            "--to-current",
            "--all-topics",
            "--export",
        ],
        "",
    )
    .ok();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plan.csv");
    std::fs::write(&file, csv.stdout.replace(",8\n", ",1\n")).unwrap();
    run(
        &[
            "consumer-groups",
            "--bootstrap-server",
            &bs,
            "--group",
            "readers",
            "--reset-offsets",
            "--from-file",
            file.to_str().unwrap(),
            "--execute",
        ],
        "",
    )
    .ok();

    let deleted = run(
        &[
            "consumer-groups",
            "--bootstrap-server",
            &bs,
            "--delete",
            "--group",
            "readers",
        ],
        "",
    )
    .ok();
    assert_eq!(
        deleted.stdout,
        "Deletion of requested consumer groups ('readers') was successful.\n"
    );
}

#[test]
fn get_offsets_lines() {
    let b = TestBroker::start();
    let bs = b.bootstrap();
    create(&bs, "gs", "2");
    run(
        &[
            "console-producer",
            "--bootstrap-server",
            &bs,
            "--topic",
            "gs",
            "--property",
            "parse.key=true",
            "--property",
            "key.separator=:",
        ],
        "a:1\nb:2\nc:3\n",
    )
    .ok();
    let latest = run(
        &["get-offsets", "--bootstrap-server", &bs, "--topic", "gs"],
        "",
    )
    .ok();
    let total: i64 = latest
        .lines()
        .iter()
        .map(|l| l.rsplit(':').next().unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(total, 3);
    let earliest = run(
        &[
            "get-offsets",
            "--bootstrap-server",
            &bs,
            "--topic",
            "gs",
            "--time",
            "-2",
        ],
        "",
    )
    .ok();
    assert_eq!(earliest.lines(), vec!["gs:0:0", "gs:1:0"]);
    let one = run(
        &[
            "get-offsets",
            "--bootstrap-server",
            &bs,
            "--topic-partitions",
            "gs:1",
            "--time",
            "earliest",
        ],
        "",
    )
    .ok();
    assert_eq!(one.lines(), vec!["gs:1:0"]);
}

#[test]
fn console_consumer_sigint_prints_the_total_and_exits_zero() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let b = TestBroker::start();
    let bs = b.bootstrap();
    create(&bs, "live", "1");
    run(
        &[
            "console-producer",
            "--bootstrap-server",
            &bs,
            "--topic",
            "live",
        ],
        "one\ntwo\n",
    )
    .ok();
    let mut child = Command::new(BIN)
        .args([
            "console-consumer",
            "--bootstrap-server",
            &bs,
            "--topic",
            "live",
            "--from-beginning",
            "--group",
            "live-g",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        seen.push(line.trim_end().to_string());
    }
    assert_eq!(seen, vec!["one", "two"]);
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Processed a total of 2 messages"),
        "{stderr}"
    );
    // The group committed what was printed.
    let d = run(
        &[
            "consumer-groups",
            "--bootstrap-server",
            &bs,
            "--describe",
            "--group",
            "live-g",
        ],
        "",
    )
    .ok();
    let rows = table(&d.stdout, "GROUP");
    assert_eq!(rows[0]["CURRENT-OFFSET"], "2", "{d:?}");
}

#[test]
fn perf_tools_print_kafka_summaries() {
    let b = TestBroker::start();
    let bs = b.bootstrap();
    create(&bs, "perf", "3");
    let p = run(
        &[
            "producer-perf-test",
            "--topic",
            "perf",
            "--num-records",
            "2000",
            "--record-size",
            "100",
            "--throughput",
            "-1",
            "--producer-props",
            &format!("bootstrap.servers={bs}"),
            "acks=1",
        ],
        "",
    )
    .ok();
    let last = p.lines().last().copied().unwrap_or_default().to_string();
    assert!(
        last.starts_with("2000 records sent, ") && last.contains(" ms 99.9th."),
        "{p:?}"
    );
    assert!(!p.stderr.contains('\r'), "no progress line when piped");
    let c = run(
        &[
            "consumer-perf-test",
            "--bootstrap-server",
            &bs,
            "--topic",
            "perf",
            "--messages",
            "2000",
        ],
        "",
    )
    .ok();
    assert_eq!(c.lines()[0], "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec");
    let fields: Vec<&str> = c.lines()[1].split(", ").collect();
    assert_eq!(fields.len(), 10, "{c:?}");
    assert_eq!(fields[4], "2000");
}
