//! Retention by time and size, DeleteRecords, and the durable log start offset.

use super::*;
use crate::log::ReadError;
use ferrokafka_protocol::ErrorCode;

fn spec_at(ts: i64) -> Spec {
    Spec::timestamps(&[ts, ts]).value_len(200)
}

#[test]
fn retention_ms_deletes_old_segments_and_advances_the_log_start_offset() {
    let dir = tempfile::tempdir().unwrap();
    let config = LogConfig {
        retention_ms: 60_000,
        ..small_segments()
    };
    let mut log = open(dir.path(), config.clone());
    let old = NOW - 120_000;
    for _ in 0..12 {
        log.append(&spec_at(old).encode(), 0, NOW).unwrap();
    }
    let boundary = log.log_end_offset();
    for _ in 0..12 {
        log.append(&spec_at(NOW).encode(), 0, NOW).unwrap();
    }
    let before = log.segment_count();
    log.housekeeping(NOW).unwrap();
    assert!(log.segment_count() < before);
    let start = log.log_start_offset();
    assert!(
        start > 0 && start <= boundary,
        "start {start}, boundary {boundary}"
    );
    assert!(matches!(
        log.read(0, 1024, true),
        Err(ReadError::OffsetOutOfRange { .. })
    ));
    let records = read_all(&log, start);
    assert!(records.iter().all(|r| r.0 >= start));
    assert!(records.iter().filter(|r| r.1 == NOW).count() == 24);

    // The new log start survives a restart.
    drop(log);
    let log = open(dir.path(), config);
    assert_eq!(log.log_start_offset(), start);
}

#[test]
fn retention_ms_also_removes_an_expired_active_segment() {
    let dir = tempfile::tempdir().unwrap();
    let config = LogConfig {
        retention_ms: 1000,
        ..LogConfig::default()
    };
    let mut log = open(dir.path(), config);
    log.append(&spec_at(NOW).encode(), 0, NOW).unwrap();
    log.housekeeping(NOW + 5000).unwrap();
    assert_eq!(log.log_start_offset(), 2);
    assert_eq!(log.log_end_offset(), 2);
    assert_eq!(log.size_bytes(), 0);
    assert_eq!(
        files_with_ext(dir.path(), "log"),
        vec!["00000000000000000002.log"]
    );
    assert_eq!(
        log.append(&spec_at(NOW + 5000).encode(), 0, NOW + 5000)
            .unwrap()
            .base_offset,
        2
    );
}

#[test]
fn retention_bytes_keeps_the_log_under_the_limit_by_whole_segments() {
    let dir = tempfile::tempdir().unwrap();
    let config = LogConfig {
        retention_bytes: 5000,
        ..small_segments()
    };
    let mut log = open(dir.path(), config);
    for _ in 0..40 {
        log.append(&spec_at(NOW).encode(), 0, NOW).unwrap();
    }
    assert!(log.size_bytes() > 5000);
    log.housekeeping(NOW).unwrap();
    // Like Kafka: delete oldest segments while the rest still holds retention.bytes, so the
    // log ends between the limit and the limit plus one segment.
    assert!(log.size_bytes() >= 5000, "size {}", log.size_bytes());
    assert!(log.size_bytes() < 5000 + 2048, "size {}", log.size_bytes());
    assert!(log.log_start_offset() > 0);
    assert_eq!(
        read_all(&log, log.log_start_offset()).len() as i64,
        log.log_end_offset() - log.log_start_offset()
    );
}

#[test]
fn delete_records_moves_the_low_watermark_durably() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), small_segments());
    append_n(&mut log, 30, &Spec::records(3).value_len(60));
    assert_eq!(log.delete_records_before(40).unwrap(), 40);
    assert!(matches!(
        log.read(39, 1024, true),
        Err(ReadError::OffsetOutOfRange { .. })
    ));
    let read = log.read(40, 1 << 20, true).unwrap();
    assert_eq!(read.log_start_offset, 40);
    assert!(
        decode(&read.records).iter().any(|r| r.0 == 40),
        "the batch holding 40 is served whole"
    );
    assert!(
        files_with_ext(dir.path(), "log")[0] != "00000000000000000000.log",
        "segments below 40 are gone"
    );
    assert_eq!(
        log.delete_records_before(10).unwrap(),
        40,
        "moving backwards is a no-op"
    );
    let err = log.delete_records_before(91).unwrap_err();
    assert_eq!(err.error_code(), ErrorCode::OffsetOutOfRange.code());

    drop(log);
    let mut log = open(dir.path(), small_segments());
    assert_eq!(log.log_start_offset(), 40);
    assert_eq!(
        log.delete_records_before(-1).unwrap(),
        90,
        "-1 means the high watermark"
    );
    log.close().unwrap();
    let log = open(dir.path(), small_segments());
    assert_eq!((log.log_start_offset(), log.log_end_offset()), (90, 90));
    assert!(log.read(90, 1024, true).unwrap().records.is_empty());
}
