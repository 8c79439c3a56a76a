//! Bad input gets a clear message and a non-zero exit, never a panic: unknown flags, missing
//! required flags, a missing topic or group, an unreachable broker, a malformed
//! --offset-json-file.

use crate::common;

use common::{run, run_as, TestBroker};

fn assert_clean_failure(out: &common::Out) {
    assert_ne!(out.code, 0, "expected failure: {out:?}");
    assert!(!out.stderr.contains("panicked"), "panic: {out:?}");
}

#[test]
fn unknown_flag_is_refused_with_usage() {
    let out = run(
        &[
            "topics",
            "--bootstrap-server",
            "127.0.0.1:9",
            "--list",
            "--no-such-flag",
        ],
        "",
    );
    assert_clean_failure(&out);
    assert!(out.stderr.contains("--no-such-flag"), "{out:?}");
    assert!(out.stderr.contains("Usage"), "{out:?}");
}

#[test]
fn missing_required_flags_are_named() {
    let out = run(&["topics", "--list"], "");
    assert_clean_failure(&out);
    assert!(out.stderr.contains("--bootstrap-server"), "{out:?}");

    let out = run(&["topics", "--bootstrap-server", "127.0.0.1:9"], "");
    assert_clean_failure(&out);
    assert!(
        out.stderr.contains("--create") && out.stderr.contains("--list"),
        "no action: {out:?}"
    );

    let out = run(
        &["topics", "--bootstrap-server", "127.0.0.1:9", "--create"],
        "",
    );
    assert_clean_failure(&out);
    assert!(
        out.stderr.contains("Missing required argument \"[topic]\""),
        "{out:?}"
    );

    let out = run(
        &[
            "consumer-groups",
            "--bootstrap-server",
            "127.0.0.1:9",
            "--reset-offsets",
            "--group",
            "g",
            "--topic",
            "t",
        ],
        "",
    );
    assert_clean_failure(&out);
    assert!(
        out.stderr.contains("takes exactly one of these options"),
        "{out:?}"
    );
}

#[test]
fn missing_topic_reads_like_kafka() {
    let b = TestBroker::start();
    let out = run_as(
        "kafka-topics.sh",
        &[
            "--bootstrap-server",
            &b.bootstrap(),
            "--describe",
            "--topic",
            "nope",
        ],
        "",
    );
    assert_clean_failure(&out);
    assert_eq!(
        out.stdout.trim(),
        "Error while executing topic command : Topic 'nope' does not exist as expected"
    );

    let out = run(
        &[
            "console-consumer",
            "--bootstrap-server",
            &b.bootstrap(),
            "--topic",
            "t",
            "--offset",
            "abc",
            "--partition",
            "0",
        ],
        "",
    );
    assert_clean_failure(&out);
    assert!(
        out.stderr
            .contains("The provided offset value 'abc' is incorrect"),
        "{out:?}"
    );

    let out = run(
        &[
            "configs",
            "--bootstrap-server",
            &b.bootstrap(),
            "--entity-type",
            "topics",
            "--entity-name",
            "nope",
            "--describe",
        ],
        "",
    );
    // Kafka 4.3.1's kafka-configs: a notice and exit 0 without --all, a failure with it.
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (
            0,
            "The topic 'nope' doesn't exist and doesn't have dynamic config.\n"
        ),
        "{out:?}"
    );
    let out = run(
        &[
            "configs",
            "--bootstrap-server",
            &b.bootstrap(),
            "--entity-type",
            "topics",
            "--entity-name",
            "nope",
            "--describe",
            "--all",
        ],
        "",
    );
    assert_clean_failure(&out);
    assert!(
        out.stderr.contains("The topic 'nope' does not exist"),
        "{out:?}"
    );
}

#[test]
fn missing_group_reads_like_kafka() {
    let b = TestBroker::start();
    let out = run(
        &[
            "consumer-groups",
            "--bootstrap-server",
            &b.bootstrap(),
            "--describe",
            "--group",
            "no-such-group",
        ],
        "",
    );
    assert_clean_failure(&out);
    assert!(
        out.stdout
            .contains("GroupIdNotFoundException: Group no-such-group not found."),
        "{out:?}"
    );
}

#[test]
fn unreachable_broker_names_the_address() {
    // Port 9 (discard) on loopback: nothing listens in the test environment.
    let out = run(
        &["topics", "--bootstrap-server", "127.0.0.1:9", "--list"],
        "",
    );
    assert_clean_failure(&out);
    assert!(
        out.stderr.contains("127.0.0.1:9") && out.stderr.contains("could not be established"),
        "{out:?}"
    );

    let out = run(
        &[
            "console-producer",
            "--bootstrap-server",
            "127.0.0.1:9",
            "--topic",
            "t",
        ],
        "x\n",
    );
    assert_clean_failure(&out);
    assert!(out.stderr.contains("127.0.0.1:9"), "{out:?}");
}

#[test]
fn malformed_offset_json_file_is_refused() {
    let b = TestBroker::start();
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in [
        ("truncated.json", "{\"partitions\": ["),
        (
            "no-offset.json",
            r#"{"partitions":[{"topic":"t","partition":0}],"version":1}"#,
        ),
        ("wrong-shape.json", r#"[1,2,3]"#),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        let out = run(
            &[
                "delete-records",
                "--bootstrap-server",
                &b.bootstrap(),
                "--offset-json-file",
                path.to_str().unwrap(),
            ],
            "",
        );
        assert_clean_failure(&out);
        assert!(out.stderr.contains("malformed"), "{name}: {out:?}");
    }
    let out = run(
        &[
            "delete-records",
            "--bootstrap-server",
            &b.bootstrap(),
            "--offset-json-file",
            "/no/such/file.json",
        ],
        "",
    );
    assert_clean_failure(&out);
    assert!(out.stderr.contains("Cannot read"), "{out:?}");
}

#[test]
fn console_producer_reports_a_line_without_key_separator() {
    let b = TestBroker::start();
    run(
        &[
            "topics",
            "--bootstrap-server",
            &b.bootstrap(),
            "--create",
            "--topic",
            "keyed",
            "--partitions",
            "1",
        ],
        "",
    )
    .ok();
    let out = run(
        &[
            "console-producer",
            "--bootstrap-server",
            &b.bootstrap(),
            "--topic",
            "keyed",
            "--property",
            "parse.key=true",
        ],
        "no separator here\n",
    );
    assert_clean_failure(&out);
    assert!(
        out.stderr
            .contains("No key separator found on line number 1"),
        "{out:?}"
    );
}
