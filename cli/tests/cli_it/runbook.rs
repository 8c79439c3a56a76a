//! The README runbook, verbatim: every line of the block between the runbook markers in
//! `cli/README.md` runs through `sh` (with Kafka-named links on PATH and `localhost:9092`
//! pointed at an in-process broker) and must exit 0; then the state it leaves is checked.

use crate::common;

use common::{run, run_shell, table, TestBroker};

fn runbook_lines() -> Vec<String> {
    let readme = include_str!("../../README.md");
    let start = readme
        .find("<!-- runbook:start -->")
        .expect("runbook start marker");
    let end = readme
        .find("<!-- runbook:end -->")
        .expect("runbook end marker");
    readme[start..end]
        .lines()
        .filter(|l| l.starts_with("kafka-") || l.starts_with("echo ") || l.starts_with("printf "))
        .map(str::to_string)
        .collect()
}

#[test]
fn readme_runbook_works_verbatim() {
    let b = TestBroker::start();
    let bs = b.bootstrap();
    let cwd = tempfile::tempdir().unwrap();
    let lines = runbook_lines();
    assert!(lines.len() >= 20, "the runbook block was not found");
    for line in &lines {
        let out = run_shell(&line.replace("localhost:9092", &bs), cwd.path());
        assert_eq!(out.code, 0, "runbook line failed: {line}\n{out:?}");
    }

    // The four seed topics exist with 3 partitions; notifications was deleted at the end.
    let listed = run(&["topics", "--bootstrap-server", &bs, "--list"], "").ok();
    assert_eq!(
        listed.lines(),
        vec!["error-logs", "system-metrics", "user-activities"]
    );
    let described = run(
        &[
            "topics",
            "--bootstrap-server",
            &bs,
            "--describe",
            "--topic",
            "system-metrics",
        ],
        "",
    )
    .ok();
    assert!(
        described
            .stdout
            .contains("PartitionCount: 3\tReplicationFactor: 1\tConfigs: min.insync.replicas=1,retention.ms=604800000"),
        "{described:?}"
    );

    // The altered retention is what configs describes.
    let configs = run(
        &[
            "configs",
            "--bootstrap-server",
            &bs,
            "--entity-type",
            "topics",
            "--entity-name",
            "user-activities",
            "--describe",
        ],
        "",
    )
    .ok();
    assert_eq!(
        configs.lines()[0],
        "Dynamic configs for topic user-activities are:"
    );
    assert!(
        configs
            .stdout
            .contains("  retention.ms=259200000 sensitive=false synonyms={"),
        "{configs:?}"
    );

    // The last reset (a datetime before every record) put the group back at the log start.
    let d = run(
        &[
            "consumer-groups",
            "--bootstrap-server",
            &bs,
            "--describe",
            "--group",
            "smg-kafka-group",
        ],
        "",
    )
    .ok();
    let rows = table(&d.stdout, "GROUP");
    assert_eq!(rows.len(), 3, "{d:?}");
    let lag: i64 = rows.iter().map(|r| r["LAG"].parse::<i64>().unwrap()).sum();
    assert_eq!(
        lag, 3,
        "three records on user-activities, all unread again: {d:?}"
    );

    // backup.json held the three user-activities records.
    let backup = std::fs::read_to_string(cwd.path().join("backup.json")).unwrap();
    assert_eq!(backup.lines().count(), 3);
}
