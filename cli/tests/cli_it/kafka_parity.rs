//! Our tools against Apache Kafka's own tools (4.3.1, from the Maven Central jars), run on the
//! same broker state, once on our broker and once on a real Apache Kafka: the same stdout
//! lines, allowing only values that differ by nature (topic ids, member ids, hosts,
//! timestamps). Needs `java` and the jars `scripts/fetch-kafka.sh` fetches (or `KAFKA_LIBS`), so
//! it is `#[ignore]`d by default; the `cli-vs-kafka-tools` suite runs it with `--ignored`.

use crate::common;

use std::path::PathBuf;
use std::process::Command;

use common::{run, ApacheKafka, TestBroker};

/// Runs one of Kafka's tool classes (`tests/harness/kafka-tool.sh`: the jars
/// `scripts/fetch-kafka.sh` fetches, a shared class archive); returns stdout.
fn kafka(class: &str, args: &[&str], stdin: &str) -> String {
    use std::io::Write;
    let tool = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/harness/kafka-tool.sh");
    let mut child = Command::new("bash")
        .arg(tool)
        .arg("-Dlog4j2.level=ERROR")
        .arg(class)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("java");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Normalizes values that differ by nature, then sorts lines where Kafka's order comes from a
/// hash map.
fn norm(s: &str, sort: bool) -> Vec<String> {
    let re_id = regex::Regex::new(r"TopicId: \S+").unwrap();
    let mut v: Vec<String> = s
        .lines()
        .map(|l| re_id.replace_all(l, "TopicId: <id>").trim_end().to_string())
        .collect();
    if sort {
        v.sort();
    }
    v
}

fn same(what: &str, ours: &str, theirs: &str, sort: bool) {
    assert_eq!(
        norm(ours, sort),
        norm(theirs, sort),
        "{what}: ours vs Kafka's\n--- ours ---\n{ours}\n--- kafka ---\n{theirs}"
    );
}

#[test]
#[ignore = "needs java and the Apache Kafka jars (the cli-vs-kafka-tools suite runs it)"]
fn our_tools_print_what_kafkas_tools_print() {
    let b = TestBroker::start();
    same_output_on(&b.bootstrap());
}

#[test]
#[ignore = "needs java and the Apache Kafka jars (the cli-vs-kafka-tools suite runs it)"]
fn our_tools_print_what_kafkas_tools_print_on_apache_kafka() {
    let kafka = ApacheKafka::start();
    same_output_on(&kafka.bootstrap);
}

/// Builds the runbook's state on the broker at `bs` with our tools, then runs each of Kafka's
/// tools and ours on it and compares their output.
fn same_output_on(bs: &str) {
    let bs = bs.to_string();
    let bsa = ["--bootstrap-server", bs.as_str()];
    for t in ["user-activities", "system-metrics"] {
        run(
            &[
                "topics",
                "--bootstrap-server",
                &bs,
                "--create",
                "--topic",
                t,
                "--partitions",
                "3",
                "--replication-factor",
                "1",
                "--config",
                "retention.ms=604800000",
                // Two keys sharing a bucket of Kafka's HashMap: their printed order follows
                // the broker's answer order, which must be Kafka's.
                "--config",
                "segment.bytes=1048576",
                "--config",
                "max.message.bytes=1048000",
            ],
            "",
        )
        .ok();
    }
    let input: String = (0..12)
        .map(|i| format!("user-{}:{{\"n\":{i}}}\n", i % 4))
        .collect();
    run(
        &[
            "console-producer",
            "--bootstrap-server",
            &bs,
            "--topic",
            "user-activities",
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
            "user-activities",
            "--group",
            "smg-kafka-group",
            "--from-beginning",
            "--max-messages",
            "12",
        ],
        "",
    )
    .ok();
    run(
        &[
            "consumer-groups",
            "--bootstrap-server",
            &bs,
            "--group",
            "smg-kafka-group",
            "--reset-offsets",
            "--shift-by",
            "-1",
            "--all-topics",
            "--execute",
        ],
        "",
    )
    .ok();
    run(
        &[
            "configs",
            "--bootstrap-server",
            &bs,
            "--alter",
            "--entity-type",
            "groups",
            "--entity-name",
            "smg-kafka-group",
            "--add-config",
            "consumer.session.timeout.ms=50000,share.delivery.count.limit=3",
        ],
        "",
    )
    .ok();
    // Client quotas: a user, a client, a user's client and an ip.
    for (entity, config) in [
        (
            vec!["--entity-type", "users", "--entity-name", "bob"],
            "producer_byte_rate=1024,consumer_byte_rate=2048,request_percentage=12.5",
        ),
        (
            vec!["--entity-type", "clients", "--entity-name", "app"],
            "consumer_byte_rate=10000000",
        ),
        (
            vec![
                "--entity-type",
                "users",
                "--entity-name",
                "bob",
                "--entity-type",
                "clients",
                "--entity-name",
                "app",
            ],
            "producer_byte_rate=5",
        ),
        (
            vec!["--entity-type", "users", "--entity-default"],
            "producer_byte_rate=77",
        ),
        (
            vec!["--entity-type", "ips", "--entity-name", "10.0.0.1"],
            "connection_creation_rate=10",
        ),
    ] {
        let mut args = vec!["configs", "--bootstrap-server", &bs, "--alter"];
        args.extend(entity);
        args.extend(["--add-config", config]);
        run(&args, "").ok();
    }
    let quota_file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(quota_file.path(), "connection_creation_rate=20\n").expect("write");
    let quota_path = quota_file.path().to_str().expect("utf-8 path");
    run(
        &[
            "configs",
            "--bootstrap-server",
            &bs,
            "--alter",
            "--ip",
            "10.0.0.2",
            "--add-config-file",
            quota_path,
        ],
        "",
    )
    .ok();

    let cases: Vec<(&str, &str, Vec<&str>, bool)> = vec![
        (
            "topics --list",
            "org.apache.kafka.tools.TopicCommand",
            vec!["--list"],
            false,
        ),
        (
            "topics --describe",
            "org.apache.kafka.tools.TopicCommand",
            vec!["--describe", "--topic", "user-activities"],
            false,
        ),
        (
            "topics --describe regex",
            "org.apache.kafka.tools.TopicCommand",
            vec!["--describe", "--topic", ".*-.*"],
            false,
        ),
        (
            "consumer-groups --list",
            "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
            vec!["--list"],
            false,
        ),
        (
            "consumer-groups --list --state",
            "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
            vec!["--list", "--state"],
            false,
        ),
        (
            "consumer-groups --describe",
            "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
            vec!["--describe", "--group", "smg-kafka-group"],
            true,
        ),
        (
            "consumer-groups --reset-offsets dry run",
            "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
            vec![
                "--group",
                "smg-kafka-group",
                "--reset-offsets",
                "--to-earliest",
                "--topic",
                "user-activities",
                "--dry-run",
            ],
            true,
        ),
        (
            "consumer-groups --reset-offsets export",
            "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
            vec![
                "--group",
                "smg-kafka-group",
                "--reset-offsets",
                "--to-latest",
                "--all-topics",
                "--export",
            ],
            true,
        ),
        (
            "consumer-groups --describe --members",
            "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
            vec!["--describe", "--group", "smg-kafka-group", "--members"],
            false,
        ),
        (
            "consumer-groups --describe --state",
            "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
            vec!["--describe", "--group", "smg-kafka-group", "--state"],
            false,
        ),
        (
            "get-offsets latest",
            "org.apache.kafka.tools.GetOffsetShell",
            vec!["--topic", "user-activities"],
            false,
        ),
        (
            "get-offsets earliest",
            "org.apache.kafka.tools.GetOffsetShell",
            vec!["--topic", ".*", "--time", "-2"],
            false,
        ),
        (
            "configs --describe topic",
            "kafka.admin.ConfigCommand",
            vec![
                "--entity-type",
                "topics",
                "--entity-name",
                "user-activities",
                "--describe",
            ],
            false,
        ),
        (
            "configs --describe --all topic",
            "kafka.admin.ConfigCommand",
            vec![
                "--entity-type",
                "topics",
                "--entity-name",
                "user-activities",
                "--describe",
                "--all",
            ],
            false,
        ),
        (
            "configs --describe missing topic",
            "kafka.admin.ConfigCommand",
            vec![
                "--entity-type",
                "topics",
                "--entity-name",
                "no-such-topic",
                "--describe",
            ],
            false,
        ),
        (
            "configs --describe group",
            "kafka.admin.ConfigCommand",
            vec![
                "--entity-type",
                "groups",
                "--entity-name",
                "smg-kafka-group",
                "--describe",
            ],
            false,
        ),
        (
            "configs --describe --all group",
            "kafka.admin.ConfigCommand",
            vec!["--group", "smg-kafka-group", "--describe", "--all"],
            false,
        ),
        (
            "configs --describe missing group",
            "kafka.admin.ConfigCommand",
            vec![
                "--entity-type",
                "groups",
                "--entity-name",
                "no-such-group",
                "--describe",
            ],
            false,
        ),
        (
            "configs --describe every group",
            "kafka.admin.ConfigCommand",
            vec!["--entity-type", "groups", "--describe"],
            true,
        ),
        (
            "configs --describe user quotas",
            "kafka.admin.ConfigCommand",
            vec![
                "--entity-type",
                "users",
                "--entity-name",
                "bob",
                "--describe",
            ],
            false,
        ),
        (
            "configs --describe every user",
            "kafka.admin.ConfigCommand",
            vec!["--entity-type", "users", "--describe"],
            false,
        ),
        (
            "configs --describe a user's client",
            "kafka.admin.ConfigCommand",
            vec![
                "--entity-type",
                "users",
                "--entity-name",
                "bob",
                "--entity-type",
                "clients",
                "--entity-name",
                "app",
                "--describe",
            ],
            false,
        ),
        (
            "configs --describe every client",
            "kafka.admin.ConfigCommand",
            vec!["--entity-type", "clients", "--describe"],
            false,
        ),
        (
            "configs --describe default user",
            "kafka.admin.ConfigCommand",
            vec!["--entity-type", "users", "--entity-default", "--describe"],
            false,
        ),
        (
            "configs --describe --user --client",
            "kafka.admin.ConfigCommand",
            vec!["--user", "bob", "--client", "app", "--describe"],
            false,
        ),
        (
            "configs --describe ip from --add-config-file",
            "kafka.admin.ConfigCommand",
            vec!["--ip", "10.0.0.2", "--describe"],
            false,
        ),
        (
            "configs --describe ip",
            "kafka.admin.ConfigCommand",
            vec![
                "--entity-type",
                "ips",
                "--entity-name",
                "10.0.0.1",
                "--describe",
            ],
            false,
        ),
        (
            "configs --describe broker",
            "kafka.admin.ConfigCommand",
            vec![
                "--entity-type",
                "brokers",
                "--entity-name",
                "1",
                "--describe",
            ],
            false,
        ),
    ];
    let sub = |class: &str| match class {
        c if c.ends_with("TopicCommand") => "topics",
        c if c.ends_with("ConsumerGroupCommand") => "consumer-groups",
        c if c.ends_with("GetOffsetShell") => "get-offsets",
        _ => "configs",
    };
    for (what, class, args, sort) in &cases {
        let mut ours_args = vec![sub(class)];
        ours_args.extend_from_slice(&bsa);
        ours_args.extend(args.iter().copied());
        let ours = run(&ours_args, "").ok().stdout;
        let mut theirs_args = bsa.to_vec();
        theirs_args.extend(args.iter().copied());
        let theirs = kafka(class, &theirs_args, "");
        same(what, &ours, &theirs, *sort);
    }

    // kafka-log-dirs: the same JSON once partition order (a Java HashMap's) is normalised.
    let ours = run(
        &["log-dirs", "--bootstrap-server", bs.as_str(), "--describe"],
        "",
    )
    .ok()
    .stdout;
    let theirs = kafka(
        "org.apache.kafka.tools.LogDirsCommand",
        &["--bootstrap-server", bs.as_str(), "--describe"],
        "",
    );
    assert_eq!(
        log_dirs_json(&ours),
        log_dirs_json(&theirs),
        "log-dirs\n--- ours ---\n{ours}\n--- kafka ---\n{theirs}"
    );
    assert_eq!(
        ours.lines().take(2).collect::<Vec<_>>(),
        theirs.lines().take(2).collect::<Vec<_>>()
    );

    // kafka-broker-api-versions: the same broker ranges; "usable" is each tool's own client.
    let usable = regex::Regex::new(r"\[usable: [^\]]*\]").unwrap();
    let ours = run(
        &["broker-api-versions", "--bootstrap-server", bs.as_str()],
        "",
    )
    .ok()
    .stdout;
    let theirs = kafka(
        "org.apache.kafka.tools.BrokerApiVersionsCommand",
        &["--bootstrap-server", bs.as_str()],
        "",
    );
    same(
        "broker-api-versions",
        &usable.replace_all(&ours, "[usable: n]"),
        &usable.replace_all(&theirs, "[usable: n]"),
        false,
    );

    // The console consumer's columns, read from one partition at a fixed offset.
    let fmt = [
        "--partition",
        "1",
        "--offset",
        "0",
        "--max-messages",
        "3",
        "--formatter-property",
        "print.key=true",
        "--formatter-property",
        "print.partition=true",
        "--formatter-property",
        "print.offset=true",
        "--formatter-property",
        "print.headers=true",
    ];
    let mut ours_args = vec![
        "console-consumer",
        "--bootstrap-server",
        bs.as_str(),
        "--topic",
        "user-activities",
    ];
    ours_args.extend(fmt);
    let ours = run(&ours_args, "").ok().stdout;
    let mut theirs_args = vec![
        "--bootstrap-server",
        bs.as_str(),
        "--topic",
        "user-activities",
    ];
    theirs_args.extend(fmt);
    let theirs = kafka(
        "org.apache.kafka.tools.consumer.ConsoleConsumer",
        &theirs_args,
        "",
    );
    same("console-consumer columns", &ours, &theirs, false);
}

/// The log-dirs JSON line with each partition list sorted.
fn log_dirs_json(out: &str) -> serde_json::Value {
    let line = out
        .lines()
        .find(|l| l.starts_with('{'))
        .expect("a JSON line");
    let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
    for b in v["brokers"].as_array_mut().unwrap() {
        for d in b["logDirs"].as_array_mut().unwrap() {
            d["partitions"]
                .as_array_mut()
                .unwrap()
                .sort_by_key(|p| p["partition"].as_str().unwrap().to_string());
        }
    }
    v
}
