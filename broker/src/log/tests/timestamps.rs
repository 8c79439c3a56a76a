//! ListOffsets by timestamp and MAX_TIMESTAMP, and LogAppendTime.

use super::*;
use crate::log::{BatchHeader, TimestampType};

fn log_with_out_of_order_timestamps(
    dir: &Path,
    codec: kafka_protocol::records::Compression,
) -> PartitionLog {
    let mut log = open(dir, LogConfig::default());
    let t = NOW - 10_000;
    for ts in [
        vec![t + 100, t + 200, t + 300],
        vec![t + 250, t + 500, t + 400],
        vec![t + 450],
    ] {
        log.append(&Spec::timestamps(&ts).codec(codec).encode(), 0, NOW)
            .unwrap();
    }
    log
}

#[test]
fn offset_for_timestamp_finds_the_first_record_at_or_after_the_time() {
    for codec in ALL_CODECS {
        let dir = tempfile::tempdir().unwrap();
        let log = log_with_out_of_order_timestamps(dir.path(), codec);
        let t = NOW - 10_000;
        assert_eq!(
            log.offset_for_timestamp(t).unwrap(),
            Some((0, t + 100)),
            "{codec:?}"
        );
        assert_eq!(
            log.offset_for_timestamp(t + 250).unwrap(),
            Some((2, t + 300)),
            "{codec:?}"
        );
        assert_eq!(
            log.offset_for_timestamp(t + 301).unwrap(),
            Some((4, t + 500)),
            "{codec:?}"
        );
        assert_eq!(
            log.offset_for_timestamp(t + 501).unwrap(),
            None,
            "{codec:?}"
        );
        assert_eq!(
            log.max_timestamp().unwrap(),
            Some((4, t + 500)),
            "{codec:?}"
        );
    }
}

#[test]
fn timestamp_lookups_across_segments_and_below_the_log_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), small_segments());
    for i in 0..50i64 {
        let ts = NOW - 100_000 + i * 10;
        log.append(
            &Spec::timestamps(&[ts, ts + 1]).value_len(80).encode(),
            0,
            NOW,
        )
        .unwrap();
    }
    assert!(log.segment_count() > 3);
    assert_eq!(
        log.offset_for_timestamp(NOW - 100_000 + 255).unwrap(),
        Some((52, NOW - 100_000 + 260))
    );
    assert_eq!(
        log.max_timestamp().unwrap(),
        Some((99, NOW - 100_000 + 491))
    );
    log.delete_records_before(61).unwrap();
    assert_eq!(
        log.offset_for_timestamp(0).unwrap(),
        Some((61, NOW - 100_000 + 301))
    );
    log.close().unwrap();
    let log = open(dir.path(), small_segments());
    assert_eq!(
        log.max_timestamp().unwrap(),
        Some((99, NOW - 100_000 + 491))
    );
    assert_eq!(
        log.offset_for_timestamp(NOW - 100_000 + 400).unwrap(),
        Some((80, NOW - 100_000 + 400))
    );
}

#[test]
fn an_empty_log_has_no_timestamps() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(dir.path(), LogConfig::default());
    assert_eq!(log.max_timestamp().unwrap(), None);
    assert_eq!(log.offset_for_timestamp(0).unwrap(), None);
}

#[test]
fn log_append_time_rewrites_the_batch_timestamp_with_a_valid_crc() {
    for codec in ALL_CODECS {
        let dir = tempfile::tempdir().unwrap();
        let config = LogConfig {
            message_timestamp_type: TimestampType::LogAppendTime,
            ..LogConfig::default()
        };
        let mut log = open(dir.path(), config);
        let produced = Spec::timestamps(&[5, 6, 7]).codec(codec).encode();
        let outcome = log.append(&produced, 0, NOW).unwrap();
        assert_eq!(outcome.log_append_time_ms, NOW);

        let read = log.read(0, 1 << 20, true).unwrap();
        let header = BatchHeader::parse(&read.records).unwrap();
        assert!(header.is_log_append_time());
        assert_eq!(header.max_timestamp, NOW);
        assert_eq!(crc32c::crc32c(&read.records[21..]), header.crc, "{codec:?}");
        let decoded = decode(&read.records);
        assert_eq!(
            decoded.len(),
            3,
            "kafka-protocol decodes the rewritten batch"
        );
        assert_eq!(log.offset_for_timestamp(NOW).unwrap(), Some((0, NOW)));
        assert_eq!(log.max_timestamp().unwrap(), Some((0, NOW)));
        // Old producer timestamps are not judged under LogAppendTime.
        assert!(log.append(&Spec::timestamps(&[1]).encode(), 0, NOW).is_ok());
    }
}

#[test]
fn a_wrong_max_timestamp_from_the_producer_is_corrected_with_a_new_crc() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), LogConfig::default());
    let mut batch = Spec::timestamps(&[NOW - 10, NOW - 5]).encode();
    batch[35..43].copy_from_slice(&(NOW - 100).to_be_bytes());
    let crc = crc32c::crc32c(&batch[21..]);
    batch[17..21].copy_from_slice(&crc.to_be_bytes());
    log.append(&batch, 0, NOW).unwrap();
    let read = log.read(0, 4096, true).unwrap();
    let header = BatchHeader::parse(&read.records).unwrap();
    assert_eq!(header.max_timestamp, NOW - 5);
    assert_eq!(crc32c::crc32c(&read.records[21..]), header.crc);
}
