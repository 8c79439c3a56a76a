//! Configuration parsing: Java names and defaults, validation messages.

use super::*;
use crate::error::ErrorKind;

fn cfg(pairs: &[(&str, &str)]) -> Result<ClientConfig> {
    ClientConfig::from_pairs(pairs.iter().copied())
}

#[test]
fn defaults_match_java() {
    let c = cfg(&[("bootstrap.servers", "localhost:9092")]).unwrap();
    assert_eq!(c.producer.batch_size, 16384);
    assert_eq!(c.producer.linger, Duration::from_millis(5));
    assert_eq!(c.producer.buffer_memory, 33_554_432);
    assert_eq!(c.producer.max_block, Duration::from_millis(60_000));
    assert_eq!(c.producer.max_request_size, 1_048_576);
    assert_eq!(c.producer.delivery_timeout, Duration::from_millis(120_000));
    assert_eq!(c.producer.max_in_flight, 5);
    assert_eq!(c.producer.acks, Acks::All);
    assert!(c.producer.enable_idempotence);
    assert_eq!(c.consumer.session_timeout, Duration::from_millis(45_000));
    assert_eq!(c.consumer.max_poll_records, 500);
    assert!(c.consumer.check_crcs);
    assert!(!cfg(&[("check.crcs", "false")]).unwrap().consumer.check_crcs);
    assert!(cfg(&[("check.crcs", "maybe")]).is_err());
    assert_eq!(c.common.bootstrap_servers, vec!["localhost:9092"]);
    assert_eq!(c.common.default_api_timeout, Duration::from_millis(60_000));
    assert_eq!(c.common.metrics_samples, 2);
    assert_eq!(
        c.common.metrics_sample_window,
        Duration::from_millis(30_000)
    );
}

#[test]
fn api_timeout_and_metric_window_keys() {
    let c = cfg(&[
        ("default.api.timeout.ms", "1500"),
        ("metrics.num.samples", "3"),
        ("metrics.sample.window.ms", "10000"),
    ])
    .unwrap();
    assert_eq!(c.common.default_api_timeout, Duration::from_millis(1500));
    assert_eq!(c.metric_samples().samples, 3);
    assert_eq!(c.metric_samples().window, Duration::from_millis(10_000));
    let e = cfg(&[("default.api.timeout.ms", "-1")]).unwrap_err();
    assert!(e.to_string().contains("default.api.timeout.ms"), "{e}");
    let e = cfg(&[("metrics.num.samples", "0")]).unwrap_err();
    assert!(e.to_string().contains("metrics.num.samples"), "{e}");
    let e = cfg(&[("metrics.sample.window.ms", "soon")]).unwrap_err();
    assert!(e.to_string().contains("metrics.sample.window.ms"), "{e}");
}

#[test]
fn unknown_key_names_the_key() {
    let e = cfg(&[("linger.mss", "5")]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.to_string().contains("linger.mss"), "{e}");
}

#[test]
fn bad_values_name_key_and_accepted_values() {
    let e = cfg(&[("compression.type", "brotli")]).unwrap_err();
    assert!(e.to_string().contains("compression.type"));
    assert!(e.to_string().contains("zstd"));
    let e = cfg(&[("acks", "2")]).unwrap_err();
    assert!(e.to_string().contains("`acks`"));
    let e = cfg(&[("batch.size", "-1")]).unwrap_err();
    assert!(e.to_string().contains("batch.size"));
    let e = cfg(&[("bootstrap.servers", "nohostport")]).unwrap_err();
    assert!(e.to_string().contains("bootstrap.servers"));
    let e = cfg(&[("enable.auto.commit", "yes")]).unwrap_err();
    assert!(e.to_string().contains("true, false"));
}

#[test]
fn compression_levels_follow_java_ranges() {
    let c = cfg(&[]).unwrap();
    assert_eq!(c.producer.compression_levels, CompressionLevels::default());
    let c = cfg(&[
        ("compression.gzip.level", "9"),
        ("compression.lz4.level", "17"),
        ("compression.zstd.level", "-5"),
    ])
    .unwrap();
    let l = c.producer.compression_levels;
    assert_eq!((l.gzip, l.lz4, l.zstd), (9, 17, -5));
    for (k, v) in [
        ("compression.gzip.level", "0"),
        ("compression.gzip.level", "10"),
        ("compression.lz4.level", "0"),
        ("compression.lz4.level", "18"),
        ("compression.zstd.level", "23"),
    ] {
        let e = cfg(&[(k, v)]).unwrap_err();
        assert!(e.to_string().contains(k), "{k}={v}: {e}");
    }
}

#[test]
fn explicit_idempotence_conflicts_are_errors() {
    let e = cfg(&[("enable.idempotence", "true"), ("acks", "1")]).unwrap_err();
    assert!(e.to_string().contains("acks=all"), "{e}");
    let e = cfg(&[
        ("enable.idempotence", "true"),
        ("max.in.flight.requests.per.connection", "6"),
    ])
    .unwrap_err();
    assert!(e.to_string().contains("max.in.flight"), "{e}");
    let e = cfg(&[("enable.idempotence", "true"), ("retries", "0")]).unwrap_err();
    assert!(e.to_string().contains("retries"), "{e}");
}

#[test]
fn implicit_idempotence_yields_to_conflicts() {
    let c = cfg(&[("acks", "1")]).unwrap();
    assert!(!c.producer.enable_idempotence);
    let c = cfg(&[("acks", "-1")]).unwrap();
    assert!(c.producer.enable_idempotence);
    assert_eq!(c.producer.acks, Acks::All);
}

#[test]
fn delivery_timeout_bound() {
    let e = cfg(&[("delivery.timeout.ms", "1000")]).unwrap_err();
    assert!(e.to_string().contains("delivery.timeout.ms"));
    let c = cfg(&[("request.timeout.ms", "200000")]).unwrap();
    assert_eq!(c.producer.delivery_timeout, Duration::from_millis(200_005));
}

#[test]
fn assignors_accept_java_class_names() {
    let c = cfg(&[(
        "partition.assignment.strategy",
        "org.apache.kafka.clients.consumer.RoundRobinAssignor, range",
    )])
    .unwrap();
    assert_eq!(
        c.consumer.partition_assignment_strategy,
        vec!["roundrobin", "range"]
    );
    assert!(cfg(&[("partition.assignment.strategy", "magic")]).is_err());
}
