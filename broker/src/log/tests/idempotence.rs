//! Idempotent producers: duplicates answered with the original offsets, sequence gaps and
//! fenced epochs refused, state surviving clean and unclean restarts.

use super::*;
use crate::log::AppendError;
use ferrokafka_protocol::ErrorCode;

fn send(
    log: &mut PartitionLog,
    pid: i64,
    epoch: i16,
    seq: i32,
    n: usize,
) -> Result<crate::log::AppendOutcome, AppendError> {
    log.append(&Spec::records(n).producer(pid, epoch, seq).encode(), 0, NOW)
}

#[test]
fn a_retried_batch_gets_its_original_offsets_and_is_not_appended_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), LogConfig::default());
    let first = send(&mut log, 42, 0, 0, 3).unwrap();
    let second = send(&mut log, 42, 0, 3, 2).unwrap();
    assert_eq!((first.base_offset, second.base_offset), (0, 3));
    let retry = send(&mut log, 42, 0, 0, 3).unwrap();
    assert!(retry.duplicate);
    assert_eq!(
        (retry.base_offset, retry.last_offset, retry.record_count),
        (0, 2, 3)
    );
    assert_eq!(log.log_end_offset(), 5, "nothing appended for the retry");
    assert!(!first.duplicate);
}

#[test]
fn each_of_the_last_five_batches_is_recognised_but_not_the_sixth_oldest() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), LogConfig::default());
    for i in 0..6 {
        send(&mut log, 7, 1, i * 2, 2).unwrap();
    }
    for i in 1..6 {
        let retry = send(&mut log, 7, 1, i * 2, 2).unwrap();
        assert!(retry.duplicate, "batch {i}");
        assert_eq!(retry.base_offset, i64::from(i) * 2);
    }
    let too_old = send(&mut log, 7, 1, 0, 2).unwrap_err();
    assert_eq!(
        too_old.error_code(),
        ErrorCode::OutOfOrderSequenceNumber.code()
    );
}

#[test]
fn a_sequence_gap_is_out_of_order_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), LogConfig::default());
    send(&mut log, 9, 0, 0, 2).unwrap();
    let err = send(&mut log, 9, 0, 5, 1).unwrap_err();
    assert!(matches!(err, AppendError::OutOfOrderSequence(_)));
    assert_eq!(err.error_code(), 45);
    assert_eq!(log.log_end_offset(), 2);
    assert_eq!(send(&mut log, 9, 0, 2, 1).unwrap().base_offset, 2);
}

#[test]
fn an_older_epoch_is_fenced_and_a_newer_epoch_must_start_at_zero() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), LogConfig::default());
    send(&mut log, 11, 3, 0, 2).unwrap();
    let fenced = send(&mut log, 11, 2, 2, 1).unwrap_err();
    assert_eq!(fenced.error_code(), ErrorCode::InvalidProducerEpoch.code());
    let bad_start = send(&mut log, 11, 4, 5, 1).unwrap_err();
    assert_eq!(
        bad_start.error_code(),
        ErrorCode::OutOfOrderSequenceNumber.code()
    );
    assert_eq!(send(&mut log, 11, 4, 0, 1).unwrap().base_offset, 2);
    let old_epoch_now_fenced = send(&mut log, 11, 3, 2, 1).unwrap_err();
    assert_eq!(
        old_epoch_now_fenced.error_code(),
        ErrorCode::InvalidProducerEpoch.code()
    );
}

#[test]
fn an_unknown_producer_is_accepted_at_any_sequence_like_kafka_2_5_and_later() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), LogConfig::default());
    let outcome = send(&mut log, 77, 0, 1234, 2).unwrap();
    assert_eq!(outcome.base_offset, 0);
    assert_eq!(send(&mut log, 77, 0, 1236, 1).unwrap().base_offset, 2);
}

#[test]
fn sequences_wrap_from_i32_max_to_zero() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), LogConfig::default());
    send(&mut log, 5, 0, i32::MAX - 1, 2).unwrap();
    assert_eq!(send(&mut log, 5, 0, 0, 1).unwrap().base_offset, 2);
}

#[test]
fn a_refused_batch_in_a_multi_batch_append_leaves_state_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), LogConfig::default());
    send(&mut log, 3, 0, 0, 1).unwrap();
    let mut records = Spec::records(1).producer(3, 0, 1).encode();
    records.extend(Spec::records(1).producer(3, 0, 9).encode());
    assert!(log.append(&records, 0, NOW).is_err());
    assert_eq!(log.log_end_offset(), 1);
    assert_eq!(
        send(&mut log, 3, 0, 1, 1).unwrap().base_offset,
        1,
        "sequence 1 still expected"
    );
}

fn tiny_segments() -> LogConfig {
    LogConfig {
        segment_bytes: 512,
        ..small_segments()
    }
}

fn check_state_after_reopen(clean: bool) {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), tiny_segments());
    for i in 0..12 {
        send(&mut log, 100, 2, i * 3, 3).unwrap();
    }
    send(&mut log, 200, 0, 0, 1).unwrap();
    assert!(log.segment_count() > 2, "snapshots on roll are exercised");
    if clean {
        log.close().unwrap();
    } else {
        drop(log);
    }
    let mut log = open(dir.path(), tiny_segments());
    for i in 7..12 {
        let retry = send(&mut log, 100, 2, i * 3, 3).unwrap();
        assert!(retry.duplicate, "clean={clean}: batch {i}");
        assert_eq!(retry.base_offset, i64::from(i) * 3);
    }
    let gap = send(&mut log, 100, 2, 40, 1).unwrap_err();
    assert_eq!(gap.error_code(), ErrorCode::OutOfOrderSequenceNumber.code());
    assert_eq!(send(&mut log, 100, 2, 36, 1).unwrap().base_offset, 37);
    assert_eq!(send(&mut log, 200, 0, 1, 1).unwrap().base_offset, 38);
    assert_eq!(
        send(&mut log, 100, 1, 37, 1).unwrap_err().error_code(),
        ErrorCode::InvalidProducerEpoch.code()
    );
}

#[test]
fn producer_state_survives_a_clean_close() {
    check_state_after_reopen(true);
}

#[test]
fn producer_state_survives_a_crash_without_close() {
    check_state_after_reopen(false);
}

#[test]
fn producer_state_is_rebuilt_from_the_log_when_snapshots_are_lost() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), small_segments());
    for i in 0..10 {
        send(&mut log, 8, 0, i, 1).unwrap();
    }
    log.close().unwrap();
    for name in files_with_ext(dir.path(), "snapshot") {
        std::fs::remove_file(dir.path().join(name)).unwrap();
    }
    let mut log = open(dir.path(), small_segments());
    assert!(send(&mut log, 8, 0, 9, 1).unwrap().duplicate);
    assert_eq!(send(&mut log, 8, 0, 10, 1).unwrap().base_offset, 10);
}

#[test]
fn producers_below_the_log_start_are_forgotten() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), LogConfig::default());
    send(&mut log, 1, 0, 0, 2).unwrap();
    send(&mut log, 2, 0, 0, 2).unwrap();
    assert_eq!(log.producer_count(), 2);
    log.delete_records_before(2).unwrap();
    assert_eq!(log.producer_count(), 1);
    // Like Kafka, a producer with no state left is accepted at any sequence.
    assert_eq!(send(&mut log, 1, 0, 50, 1).unwrap().base_offset, 4);
}

#[test]
fn producer_ids_expire_after_producer_id_expiration_ms() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), LogConfig::default());
    send(&mut log, 1, 0, 0, 1).unwrap();
    log.housekeeping(NOW).unwrap();
    assert_eq!(log.producer_count(), 1);
    log.housekeeping(NOW + 86_400_000).unwrap();
    assert_eq!(log.producer_count(), 0);
}
