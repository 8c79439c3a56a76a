//! Produce-side validation: every refusal carries Kafka's error code and appends nothing.

use super::*;
use crate::log::AppendError;
use ferrokafka_protocol::ErrorCode;
use kafka_protocol::records::Compression;

fn refuse(config: LogConfig, records: &[u8]) -> AppendError {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), config);
    let err = log.append(records, 0, NOW).unwrap_err();
    assert_eq!(log.log_end_offset(), 0, "nothing appended for {err}");
    assert_eq!(log.size_bytes(), 0);
    err
}

fn recrc(batch: &mut [u8]) {
    let crc = crc32c::crc32c(&batch[21..]);
    batch[17..21].copy_from_slice(&crc.to_be_bytes());
}

#[test]
fn a_crc_mismatch_is_corrupt_message() {
    for codec in ALL_CODECS {
        let mut batch = Spec::records(3).codec(codec).encode();
        let last = batch.len() - 1;
        batch[last] ^= 0x55;
        let err = refuse(LogConfig::default(), &batch);
        assert_eq!(
            err.error_code(),
            ErrorCode::CorruptMessage.code(),
            "{codec:?}: {err}"
        );
    }
}

#[test]
fn a_truncated_batch_or_bad_length_is_corrupt_message() {
    let batch = Spec::records(3).encode();
    let err = refuse(LogConfig::default(), &batch[..batch.len() - 1]);
    assert_eq!(err.error_code(), ErrorCode::CorruptMessage.code());
    let err = refuse(LogConfig::default(), &batch[..10]);
    assert_eq!(err.error_code(), ErrorCode::CorruptMessage.code());
    let mut bad_len = batch.clone();
    bad_len[8..12].copy_from_slice(&10i32.to_be_bytes());
    assert_eq!(
        refuse(LogConfig::default(), &bad_len).error_code(),
        ErrorCode::CorruptMessage.code()
    );
    let mut huge_len = batch;
    huge_len[8..12].copy_from_slice(&i32::MAX.to_be_bytes());
    assert_eq!(
        refuse(LogConfig::default(), &huge_len).error_code(),
        ErrorCode::CorruptMessage.code()
    );
}

#[test]
fn a_batch_over_max_message_bytes_is_message_too_large() {
    let batch = Spec::records(2).value_len(600).encode();
    let config = LogConfig {
        max_message_bytes: 1000,
        ..LogConfig::default()
    };
    let err = refuse(config, &batch);
    assert!(matches!(
        err,
        AppendError::MessageTooLarge { max: 1000, .. }
    ));
    assert_eq!(err.error_code(), ErrorCode::MessageTooLarge.code());
}

#[test]
fn old_magic_is_unsupported_for_message_format() {
    let mut batch = Spec::records(1).encode();
    batch[16] = 1;
    assert_eq!(
        refuse(LogConfig::default(), &batch).error_code(),
        ErrorCode::UnsupportedForMessageFormat.code()
    );
}

#[test]
fn record_count_inconsistent_with_last_offset_delta_is_invalid_record() {
    let mut batch = Spec::records(3).encode();
    batch[57..61].copy_from_slice(&2i32.to_be_bytes());
    recrc(&mut batch);
    assert_eq!(
        refuse(LogConfig::default(), &batch).error_code(),
        ErrorCode::InvalidRecord.code()
    );
}

#[test]
fn records_that_disagree_with_the_header_are_invalid_record() {
    for codec in [Compression::None, Compression::Gzip] {
        // Claim two records (delta 1) while three are encoded: the walk finds trailing bytes.
        let mut batch = Spec::records(3).codec(codec).encode();
        batch[23..27].copy_from_slice(&1i32.to_be_bytes());
        batch[57..61].copy_from_slice(&2i32.to_be_bytes());
        recrc(&mut batch);
        assert_eq!(
            refuse(LogConfig::default(), &batch).error_code(),
            ErrorCode::InvalidRecord.code(),
            "{codec:?}"
        );
        // Claim four: the walk runs out of records.
        let mut batch = Spec::records(3).codec(codec).encode();
        batch[23..27].copy_from_slice(&3i32.to_be_bytes());
        batch[57..61].copy_from_slice(&4i32.to_be_bytes());
        recrc(&mut batch);
        assert_eq!(
            refuse(LogConfig::default(), &batch).error_code(),
            ErrorCode::InvalidRecord.code(),
            "{codec:?}"
        );
    }
}

#[test]
fn a_garbled_compressed_payload_is_corrupt_message() {
    for codec in [
        Compression::Gzip,
        Compression::Snappy,
        Compression::Lz4,
        Compression::Zstd,
    ] {
        let mut batch = Spec::records(20).codec(codec).encode();
        for b in &mut batch[70..] {
            *b = b.wrapping_mul(31).wrapping_add(7);
        }
        recrc(&mut batch);
        let err = refuse(LogConfig::default(), &batch);
        assert!(
            [
                ErrorCode::CorruptMessage.code(),
                ErrorCode::InvalidRecord.code()
            ]
            .contains(&err.error_code()),
            "{codec:?}: {err}"
        );
    }
}

#[test]
fn keyless_records_are_refused_on_compacted_topics_only() {
    let batch = Spec::records(2).keyless().encode();
    let config = LogConfig {
        compact: true,
        ..LogConfig::default()
    };
    assert_eq!(
        refuse(config, &batch).error_code(),
        ErrorCode::InvalidRecord.code()
    );
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), LogConfig::default());
    assert!(log.append(&batch, 0, NOW).is_ok());
}

#[test]
fn transactional_and_control_batches_are_invalid_record_for_now() {
    for bit in [0x10u8, 0x20] {
        let mut batch = Spec::records(1).producer(1, 0, 0).encode();
        batch[22] |= bit;
        recrc(&mut batch);
        assert_eq!(
            refuse(LogConfig::default(), &batch).error_code(),
            ErrorCode::InvalidRecord.code()
        );
    }
}

#[test]
fn timestamps_too_far_in_the_future_are_invalid_timestamp() {
    let batch = Spec::timestamps(&[NOW + 3_600_001]).encode();
    assert_eq!(
        refuse(LogConfig::default(), &batch).error_code(),
        ErrorCode::InvalidTimestamp.code()
    );
    let config = LogConfig {
        message_timestamp_before_max_ms: 1000,
        ..LogConfig::default()
    };
    let batch = Spec::timestamps(&[NOW - 1001, NOW]).encode();
    assert_eq!(
        refuse(config, &batch).error_code(),
        ErrorCode::InvalidTimestamp.code()
    );
}

#[test]
fn an_append_larger_than_a_segment_is_refused() {
    let config = LogConfig {
        segment_bytes: 500,
        ..LogConfig::default()
    };
    let err = refuse(config, &Spec::records(2).value_len(400).encode());
    assert_eq!(err.error_code(), ErrorCode::RecordListTooLarge.code());
}

#[test]
fn an_empty_request_is_invalid_and_a_bad_second_batch_rejects_the_first_too() {
    assert_eq!(
        refuse(LogConfig::default(), &[]).error_code(),
        ErrorCode::InvalidRecord.code()
    );
    let mut records = Spec::records(2).encode();
    let mut bad = Spec::records(2).encode();
    bad[65] ^= 1;
    records.extend(bad);
    assert_eq!(
        refuse(LogConfig::default(), &records).error_code(),
        ErrorCode::CorruptMessage.code()
    );
}
