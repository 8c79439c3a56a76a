//! Append and read round trips, segment rolls, batch boundaries, KIP-74, out of range.

use super::*;
use crate::log::{BatchHeader, ReadError};
use ferrokafka_protocol::ErrorCode;

#[test]
fn round_trip_across_several_segment_rolls_for_every_codec() {
    for codec in ALL_CODECS {
        let dir = tempfile::tempdir().unwrap();
        let mut log = open(dir.path(), small_segments());
        let spec = Spec::records(3).codec(codec).value_len(100);
        let bases = append_n(&mut log, 40, &spec);
        assert_eq!(
            bases,
            (0..40).map(|i| i * 3).collect::<Vec<i64>>(),
            "{codec:?}"
        );
        assert_eq!(log.log_end_offset(), 120);
        assert!(
            log.segment_count() >= 4,
            "{codec:?}: only {} segments",
            log.segment_count()
        );

        let records = read_all(&log, 0);
        assert_eq!(records.len(), 120, "{codec:?}");
        for (i, (offset, ts, len)) in records.iter().enumerate() {
            assert_eq!(*offset, i as i64);
            assert_eq!(*ts, NOW - 1000 + (i as i64 % 3));
            assert_eq!(*len, 100);
        }
        // Every offset is found, whichever segment holds it.
        for offset in 0..120 {
            let read = log.read(offset, 1 << 20, false).unwrap();
            let first = decode(&read.records);
            assert!(
                first.iter().any(|r| r.0 == offset),
                "{codec:?}: offset {offset}"
            );
            assert!(first[0].0 <= offset);
            assert_eq!(read.high_watermark, 120);
        }
        let logs = files_with_ext(dir.path(), "log");
        assert_eq!(logs[0], "00000000000000000000.log");
        assert_eq!(logs.len(), log.segment_count());
        assert_eq!(files_with_ext(dir.path(), "index").len(), logs.len());
        assert_eq!(files_with_ext(dir.path(), "timeindex").len(), logs.len());
    }
}

#[test]
fn stored_bytes_are_the_produced_batch_with_offset_and_epoch_patched() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), LogConfig::default());
    append_n(&mut log, 2, &Spec::records(2));
    let produced = Spec::records(4).encode();
    let outcome = log.append(&produced, 7, NOW).unwrap();
    assert_eq!(
        (
            outcome.base_offset,
            outcome.last_offset,
            outcome.record_count
        ),
        (4, 7, 4)
    );
    assert_eq!(outcome.log_append_time_ms, -1);
    let read = log.read(4, 1 << 20, false).unwrap();
    assert_eq!(read.records.len(), produced.len());
    assert_eq!(
        &read.records[16..],
        &produced[16..],
        "bytes after the epoch are verbatim"
    );
    let header = BatchHeader::parse(&read.records).unwrap();
    assert_eq!(header.base_offset, 4);
    assert_eq!(header.partition_leader_epoch, 7);
}

#[test]
fn read_from_the_middle_of_a_batch_returns_the_whole_batch() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), LogConfig::default());
    append_n(&mut log, 3, &Spec::records(5));
    let read = log.read(7, 1 << 20, false).unwrap();
    let records = decode(&read.records);
    assert_eq!(
        records.first().map(|r| r.0),
        Some(5),
        "starts at the batch holding 7"
    );
    assert_eq!(records.last().map(|r| r.0), Some(14));
}

#[test]
fn max_bytes_cuts_at_whole_batches_and_min_one_batch_returns_an_oversized_first_batch() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), LogConfig::default());
    let spec = Spec::records(2).value_len(300);
    let batch_size = spec.encode().len();
    append_n(&mut log, 5, &spec);

    let read = log.read(0, batch_size * 2 + batch_size / 2, false).unwrap();
    assert_eq!(
        read.records.len(),
        batch_size * 2,
        "two whole batches, no partial third"
    );

    let read = log.read(2, batch_size - 1, false).unwrap();
    assert!(
        read.records.is_empty(),
        "without min_one_batch nothing fits"
    );

    let read = log.read(2, 10, true).unwrap();
    assert_eq!(
        read.records.len(),
        batch_size,
        "KIP-74: one whole batch anyway"
    );
    assert_eq!(decode(&read.records)[0].0, 2);
}

#[test]
fn offsets_outside_the_log_are_out_of_range_and_the_log_end_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), LogConfig::default());
    append_n(&mut log, 2, &Spec::records(3));
    let at_end = log.read(6, 1024, true).unwrap();
    assert!(at_end.records.is_empty());
    assert_eq!(at_end.high_watermark, 6);
    match log.read(7, 1024, true) {
        Err(
            e @ ReadError::OffsetOutOfRange {
                requested: 7,
                log_start: 0,
                log_end: 6,
            },
        ) => {
            assert_eq!(e.error_code(), ErrorCode::OffsetOutOfRange.code())
        }
        other => panic!("expected out of range, got {other:?}"),
    }
    assert!(matches!(
        log.read(-1, 1024, true),
        Err(ReadError::OffsetOutOfRange { .. })
    ));
}

#[test]
fn an_empty_log_reads_empty_at_zero() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(dir.path(), LogConfig::default());
    assert_eq!(log.log_end_offset(), 0);
    assert!(log.read(0, 1024, true).unwrap().records.is_empty());
    assert_eq!(log.size_bytes(), 0);
}

#[test]
fn several_batches_in_one_append_get_consecutive_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), LogConfig::default());
    let mut records = Spec::records(2).encode();
    records.extend(
        Spec::records(3)
            .codec(kafka_protocol::records::Compression::Lz4)
            .encode(),
    );
    let outcome = log.append(&records, 0, NOW).unwrap();
    assert_eq!(
        (
            outcome.base_offset,
            outcome.last_offset,
            outcome.record_count
        ),
        (0, 4, 5)
    );
    let offsets: Vec<i64> = read_all(&log, 0).iter().map(|r| r.0).collect();
    assert_eq!(offsets, vec![0, 1, 2, 3, 4]);
}

#[test]
fn segment_ms_rolls_on_append_and_in_housekeeping() {
    let dir = tempfile::tempdir().unwrap();
    let config = LogConfig {
        segment_ms: 1000,
        ..LogConfig::default()
    };
    let mut log = open(dir.path(), config);
    log.append(&Spec::timestamps(&[NOW]).encode(), 0, NOW)
        .unwrap();
    log.append(&Spec::timestamps(&[NOW + 500]).encode(), 0, NOW + 500)
        .unwrap();
    assert_eq!(log.segment_count(), 1);
    log.append(&Spec::timestamps(&[NOW + 1500]).encode(), 0, NOW + 1500)
        .unwrap();
    assert_eq!(
        log.segment_count(),
        2,
        "a batch 1.5 s after the first one rolls"
    );
    log.housekeeping(NOW + 2000).unwrap();
    assert_eq!(log.segment_count(), 2, "not old enough yet");
    log.housekeeping(NOW + 2600).unwrap();
    assert_eq!(log.segment_count(), 3);
    assert_eq!(
        files_with_ext(dir.path(), "log").last().unwrap(),
        "00000000000000000003.log"
    );
}

#[test]
fn flush_messages_one_advances_the_recovery_point_on_every_append() {
    let dir = tempfile::tempdir().unwrap();
    let config = LogConfig {
        flush_messages: 1,
        ..LogConfig::default()
    };
    let mut log = open(dir.path(), config);
    append_n(&mut log, 2, &Spec::records(2));
    let text = std::fs::read_to_string(dir.path().join("recovery-point")).unwrap();
    assert_eq!(text, "0\n4\n");
}

#[test]
fn flush_ms_flushes_in_housekeeping() {
    let dir = tempfile::tempdir().unwrap();
    let config = LogConfig {
        flush_ms: 100,
        ..LogConfig::default()
    };
    let mut log = open(dir.path(), config);
    append_n(&mut log, 1, &Spec::records(3));
    log.housekeeping(NOW + 50).unwrap();
    let read = || std::fs::read_to_string(dir.path().join("recovery-point")).ok();
    assert_eq!(read(), None, "a new partition has flushed nothing yet");
    log.housekeeping(NOW + 100).unwrap();
    assert_eq!(read().as_deref(), Some("0\n3\n"));
}

#[test]
fn delete_removes_the_partition_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders-0");
    let mut log = open(&path, LogConfig::default());
    append_n(&mut log, 1, &Spec::records(1));
    log.delete().unwrap();
    assert!(!path.exists());
}

#[test]
fn a_full_index_rolls_the_segment() {
    let dir = tempfile::tempdir().unwrap();
    let config = LogConfig {
        segment_index_bytes: 24, // three offset entries, two time entries
        index_interval_bytes: 1,
        ..LogConfig::default()
    };
    let mut log = open(dir.path(), config);
    for i in 0..12 {
        log.append(&Spec::timestamps(&[NOW - 100 + i]).encode(), 0, NOW)
            .unwrap();
    }
    assert!(log.segment_count() >= 4, "{} segments", log.segment_count());
    for name in files_with_ext(dir.path(), "index") {
        assert!(std::fs::metadata(dir.path().join(name)).unwrap().len() <= 24);
    }
    assert_eq!(read_all(&log, 0).len(), 12);
}

#[test]
fn old_producer_timestamps_do_not_roll_in_housekeeping() {
    let dir = tempfile::tempdir().unwrap();
    let config = LogConfig {
        segment_ms: 1000,
        retention_ms: -1,
        ..LogConfig::default()
    };
    let mut log = open(dir.path(), config);
    let ten_days_ago = NOW - 10 * 86_400_000;
    log.append(&Spec::timestamps(&[ten_days_ago]).encode(), 0, NOW)
        .unwrap();
    log.housekeeping(NOW + 10).unwrap();
    assert_eq!(
        log.segment_count(),
        1,
        "the segment got its first batch 10 ms ago"
    );
    log.housekeeping(NOW + 1001).unwrap();
    assert_eq!(log.segment_count(), 2);
    assert_eq!(
        log.log_start_offset(),
        0,
        "retention.ms = -1 keeps everything"
    );
}

#[test]
fn a_prepared_append_validates_without_the_log_and_appends_like_append() {
    use crate::log::PreparedAppend;
    let dir = tempfile::tempdir().unwrap();
    let config = LogConfig {
        message_timestamp_type: crate::log::TimestampType::LogAppendTime,
        ..LogConfig::default()
    };
    let mut log = open(dir.path(), config.clone());
    let prepared = PreparedAppend::new(&Spec::records(4).encode(), &config, NOW).unwrap();
    assert_eq!(prepared.record_count(), 4);
    let outcome = log.append_prepared(prepared, 3, NOW + 5).unwrap();
    assert_eq!((outcome.base_offset, outcome.last_offset), (0, 3));
    assert_eq!(
        outcome.log_append_time_ms, NOW,
        "the time stamped into the batch"
    );
    let header = BatchHeader::parse(&log.read(0, 4096, true).unwrap().records).unwrap();
    assert_eq!(
        (header.max_timestamp, header.partition_leader_epoch),
        (NOW, 3)
    );

    let mut corrupt = Spec::records(1).encode();
    corrupt[70] ^= 1;
    let err = PreparedAppend::new(&corrupt, &config, NOW).unwrap_err();
    assert_eq!(err.error_code(), ErrorCode::CorruptMessage.code());
}
