//! Accumulator logic with paused time and no network.

use super::*;
use crate::config::CompressionType;
use crate::error::ErrorKind;
use bytes::Bytes;
use kafka_protocol::records::RecordBatchDecoder;

fn acc(batch_size: usize, linger_ms: u64, idempotent: bool) -> Accumulator {
    Accumulator::new(AccumulatorConfig {
        batch_size,
        linger: Duration::from_millis(linger_ms),
        compression: CompressionType::None.into(),
        max_request_size: 1 << 20,
        max_in_flight: 5,
        idempotent,
    })
}

fn tp(p: i32) -> TopicPartition {
    TopicPartition::new("t", p)
}

fn push(a: &Accumulator, p: i32, value: &[u8]) -> (AppendOutcome, DeliveryFuture) {
    let record = AppendRecord {
        timestamp: 1000,
        key: Some(b"k"),
        value: Some(value),
        headers: &[],
    };
    let (out, future) = a
        .append_with(&tp(p), &record, 10, None, || None, Instant::now)
        .unwrap();
    (out, future.expect("a direct append returns its future"))
}

/// Whether a record would go into `tp`'s open batch (false: it would start a new one).
fn fits_open_batch(a: &Accumulator, tp: &TopicPartition, key: Option<&[u8]>, value: &[u8]) -> bool {
    a.lock().queues.get(tp).is_some_and(|q| {
        q.batches
            .back()
            .is_some_and(|b| b.fits(1000, key, Some(value), &[], a.cfg.batch_size))
    })
}

/// Closes `tp`'s open batch, as `append_with` does when the sticky partitioner moves on.
fn close_open_batch(a: &Accumulator, tp: &TopicPartition) {
    if let Some(b) = a
        .lock()
        .queues
        .get_mut(tp)
        .and_then(|q| q.batches.back_mut())
    {
        b.closed = true;
    }
}

fn drain_all(a: &Accumulator, producer: Option<(i64, i16)>) -> Drain {
    a.drain(
        Instant::now(),
        false,
        |tp| Some(tp.partition % 2),
        |_| true,
        producer,
    )
    .unwrap()
}

/// Sends and acknowledges one single-record batch on partition `p` (the broker now knows the
/// producer id there); returns the next sequence.
fn acknowledge_first_batch(a: &Accumulator, p: i32, pid: Option<(i64, i16)>) -> i32 {
    let (_o, _rx) = push(a, p, b"first");
    let b = drain_all(a, pid)
        .per_broker
        .into_values()
        .flatten()
        .next()
        .unwrap();
    a.on_done(&b, true);
    b.record_count()
}

#[tokio::test(start_paused = true)]
async fn batches_wait_for_linger_then_drain() {
    let a = acc(16384, 5, false);
    let (o, _rx) = push(&a, 0, b"v1");
    assert!(o.new_batch);
    let (o, _rx2) = push(&a, 0, b"v2");
    assert!(!o.new_batch);
    let d = drain_all(&a, None);
    assert!(d.per_broker.is_empty());
    let wake = d.next_wakeup.expect("linger deadline");
    assert_eq!(wake, Instant::now() + Duration::from_millis(5));
    tokio::time::advance(Duration::from_millis(5)).await;
    let d = drain_all(&a, None);
    let batches = &d.per_broker[&0];
    assert_eq!(batches.len(), 1);
    assert_eq!(batches[0].record_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn full_batches_are_ready_immediately_and_roll_over() {
    let a = acc(200, 10_000, false);
    let mut rxs = Vec::new();
    let mut new_batches = 0;
    for _ in 0..6 {
        let (o, rx) = push(&a, 1, &[7u8; 50]);
        new_batches += usize::from(o.new_batch);
        rxs.push(rx);
    }
    assert!(new_batches >= 2, "batch.size forces a second batch");
    let d = drain_all(&a, None);
    // Only the head of a partition goes per drain; it is ready because a batch follows it.
    assert_eq!(d.per_broker[&1].len(), 1);
    assert!(d.per_broker[&1][0].size() <= 200);
}

#[tokio::test(start_paused = true)]
async fn flush_and_close_make_everything_ready() {
    let a = acc(16384, 60_000, false);
    let (_o, _rx) = push(&a, 0, b"v");
    assert!(drain_all(&a, None).per_broker.is_empty());
    a.lock().flushing += 1;
    assert_eq!(drain_all(&a, None).per_broker[&0].len(), 1);
}

#[tokio::test(start_paused = true)]
async fn idempotent_sequences_are_assigned_in_order_and_kept_on_retry() {
    let a = acc(100, 0, true);
    let pid = Some((42, 0));
    let first = acknowledge_first_batch(&a, 0, pid);
    let mut rxs = Vec::new();
    for _ in 0..3 {
        for _ in 0..2 {
            rxs.push(push(&a, 0, &[1u8; 30]).1);
        }
    }
    // Three drains put three batches in flight with consecutive sequences.
    let mut in_flight = Vec::new();
    for _ in 0..3 {
        let mut d = drain_all(&a, pid);
        in_flight.extend(d.per_broker.remove(&0).unwrap_or_default());
    }
    let seqs: Vec<i32> = in_flight.iter().map(|b| b.stamp.unwrap().2).collect();
    let counts: Vec<i32> = in_flight.iter().map(|b| b.record_count()).collect();
    assert_eq!(seqs[0], first);
    assert_eq!(seqs[1], first + counts[0]);
    assert_eq!(seqs[2], first + counts[0] + counts[1]);
    // The bytes carry the stamp.
    let mut bytes = in_flight[1].finished().unwrap().bytes.clone();
    let set = RecordBatchDecoder::decode(&mut bytes).unwrap();
    assert_eq!(set.records[0].producer_id, 42);
    assert_eq!(set.records[0].sequence, seqs[1]);

    // Batch 2 and 3 fail; batch 1 is acked. The retried ones come back in order, one after
    // the other, with unchanged sequences.
    let mut it = in_flight.into_iter();
    let b1 = it.next().unwrap();
    let b2 = it.next().unwrap();
    let b3 = it.next().unwrap();
    let now = Instant::now();
    a.reenqueue(b3, now);
    a.reenqueue(b2, now);
    a.on_done(&b1, true);
    assert_eq!(a.last_acked(&tp(0)), first + counts[0] - 1);
    b1.complete(100, -1, -1);
    let mut d = drain_all(&a, pid);
    let again = d.per_broker.remove(&0).unwrap();
    assert_eq!(again[0].stamp.unwrap().2, seqs[1]);
    let mut d = drain_all(&a, pid);
    let again3 = d.per_broker.remove(&0).unwrap();
    assert_eq!(again3[0].stamp.unwrap().2, seqs[2]);
    let _ = rxs;
}

#[tokio::test(start_paused = true)]
async fn retried_batch_waits_for_earlier_in_flight() {
    let a = acc(50, 0, true);
    let pid = Some((1, 0));
    let first = acknowledge_first_batch(&a, 0, pid);
    let _r: Vec<_> = (0..3).map(|_| push(&a, 0, &[1u8; 30]).1).collect();
    let b1 = drain_all(&a, pid).per_broker.remove(&0).unwrap().remove(0);
    let b2 = drain_all(&a, pid).per_broker.remove(&0).unwrap().remove(0);
    // b2 fails while b1 is still in flight: it must not overtake b1's outcome.
    a.reenqueue(b2, Instant::now());
    let d = drain_all(&a, pid);
    assert!(
        d.per_broker.is_empty(),
        "retry waits while an earlier batch is in flight"
    );
    a.on_done(&b1, true);
    let d = drain_all(&a, pid);
    assert_eq!(d.per_broker[&0][0].stamp.unwrap().2, first + 1);
}

#[tokio::test(start_paused = true)]
async fn retry_backoff_and_expiry() {
    let a = acc(16384, 0, false);
    let (_o, rx) = push(&a, 0, b"v");
    let b = drain_all(&a, None).per_broker.remove(&0).unwrap().remove(0);
    a.reenqueue(b, Instant::now() + Duration::from_millis(100));
    let d = drain_all(&a, None);
    assert!(d.per_broker.is_empty());
    assert_eq!(
        d.next_wakeup,
        Some(Instant::now() + Duration::from_millis(100))
    );
    tokio::time::advance(Duration::from_secs(120)).await;
    let (expired, _) = a.expire(Instant::now(), Duration::from_secs(120));
    assert_eq!(expired.len(), 1);
    let err = crate::Error::new(ErrorKind::Timeout, "expired");
    for b in expired {
        b.fail(&err);
    }
    assert_eq!(rx.await.unwrap_err().kind(), ErrorKind::Timeout);
    assert_eq!(a.incomplete_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn max_request_size_splits_requests() {
    let a = Accumulator::new(AccumulatorConfig {
        batch_size: 16384,
        linger: Duration::ZERO,
        compression: CompressionType::None.into(),
        max_request_size: 1500,
        max_in_flight: 5,
        idempotent: false,
    });
    // Two partitions on broker 0, each with ~1000 bytes.
    let _a = push(&a, 0, &[0u8; 1000]);
    let _b = push(&a, 2, &[0u8; 1000]);
    let d = drain_all(&a, None);
    assert_eq!(d.per_broker[&0].len(), 1);
    assert!(d.more);
    let d = drain_all(&a, None);
    assert_eq!(d.per_broker[&0].len(), 1);
}

#[tokio::test(start_paused = true)]
async fn completion_offsets_follow_the_batch() {
    let a = acc(16384, 0, false);
    let (_o, rx1) = push(&a, 0, b"a");
    let (_o, rx2) = push(&a, 0, b"b");
    let b = drain_all(&a, None).per_broker.remove(&0).unwrap().remove(0);
    a.on_done(&b, true);
    b.complete(500, -1, -1);
    let m1 = rx1.await.unwrap();
    let m2 = rx2.await.unwrap();
    assert_eq!((m1.offset, m2.offset), (500, 501));
    assert_eq!(m1.timestamp, 1000);
    assert!(a.flushed_below(u64::MAX));
}

#[tokio::test(start_paused = true)]
async fn forwarded_and_direct_records_share_the_batch_outcome() {
    let a = acc(16384, 0, false);
    let (_o, direct) = push(&a, 0, b"a");
    let (tx, forwarded) = tokio::sync::oneshot::channel();
    let record = AppendRecord {
        timestamp: 2000,
        key: None,
        value: Some(b"b"),
        headers: &[],
    };
    let (_o, none) = a
        .append_with(&tp(0), &record, 10, Some(tx), || None, Instant::now)
        .unwrap();
    assert!(
        none.is_none(),
        "a forwarded record's result goes to its channel"
    );
    // Polled before the batch completes: the waiter is woken by the completion.
    let waiting = tokio::spawn(direct);
    tokio::task::yield_now().await;
    let b = drain_all(&a, None).per_broker.remove(&0).unwrap().remove(0);
    a.on_done(&b, true);
    b.complete(70, 5555, -1);
    let m1 = waiting.await.unwrap().unwrap();
    let m2 = forwarded.await.unwrap().unwrap();
    assert_eq!((m1.offset, m2.offset), (70, 71));
    assert_eq!(
        (m1.timestamp, m2.timestamp),
        (5555, 5555),
        "LogAppendTime wins"
    );
    assert_eq!((&*m1.topic, m1.partition), ("t", 0));
}

#[tokio::test(start_paused = true)]
async fn a_dropped_batch_fails_its_records_as_closed() {
    let a = acc(16384, 0, false);
    let (_o, rx) = push(&a, 0, b"a");
    let waiting = tokio::spawn(rx);
    tokio::task::yield_now().await;
    drop(a.take_all());
    let err = waiting.await.unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Closed);
}

#[test]
fn sequences_wrap_like_kafka() {
    assert_eq!(increment_sequence(5, 3), 8);
    assert_eq!(increment_sequence(i32::MAX, 1), 0);
    assert_eq!(increment_sequence(i32::MAX - 1, 3), 1);
    let _ = Bytes::new();
}

#[test]
fn sequence_order_wraps_like_kafka() {
    assert!(sequence_after(8, 5));
    assert!(!sequence_after(5, 8));
    assert!(!sequence_after(5, 5));
    assert!(sequence_after(0, i32::MAX), "0 follows i32::MAX");
    assert!(sequence_after(3, i32::MAX - 2));
    assert!(!sequence_after(i32::MAX, 0));
    assert!(
        sequence_after(0, -1),
        "anything follows 'nothing acknowledged'"
    );
}

#[tokio::test(start_paused = true)]
async fn first_batch_goes_alone_and_last_acked_never_moves_back() {
    let a = acc(50, 0, true);
    let pid = Some((1, 0));
    let _r: Vec<_> = (0..3).map(|_| push(&a, 0, &[1u8; 30]).1).collect();
    let d = drain_all(&a, pid);
    assert!(d.more, "batches left behind the drained head are reported");
    let b1 = d.per_broker.into_values().next().unwrap().remove(0);
    // Until the broker acknowledged something of this producer here, one batch at a time: it
    // would accept a later batch as the first and leave a gap before it.
    assert!(drain_all(&a, pid).per_broker.is_empty());
    a.on_done(&b1, true);
    let b2 = drain_all(&a, pid).per_broker.remove(&0).unwrap().remove(0);
    let b3 = drain_all(&a, pid).per_broker.remove(&0).unwrap().remove(0);
    assert_eq!((b2.stamp.unwrap().2, b3.stamp.unwrap().2), (1, 2));
    // The third response is settled first (concurrent tasks): the second must not undo it.
    a.on_done(&b3, true);
    a.on_done(&b2, true);
    assert_eq!(a.last_acked(&tp(0)), 2);
}

#[tokio::test(start_paused = true)]
async fn a_closed_open_batch_drains_before_linger_and_takes_no_more_records() {
    let a = acc(16384, 10_000, false);
    let (_o, _rx) = push(&a, 0, b"v1");
    assert!(fits_open_batch(&a, &tp(0), Some(b"k"), b"v2"));
    assert!(drain_all(&a, None).per_broker.is_empty(), "lingers");
    close_open_batch(&a, &tp(0));
    assert!(!fits_open_batch(&a, &tp(0), Some(b"k"), b"v2"));
    let d = drain_all(&a, None);
    let sent: Vec<_> = d.per_broker.into_values().flatten().collect();
    assert_eq!(sent.len(), 1, "sent without waiting 10 s of linger");
    assert_eq!(sent[0].record_count(), 1);
    assert!(!fits_open_batch(&a, &tp(1), None, b"x"), "no batch yet");
}

#[tokio::test(start_paused = true)]
async fn append_with_asks_to_switch_only_when_the_record_would_start_a_batch() {
    // Room for a few 100-byte records per batch.
    let a = acc(400, 10_000, false);
    let value = [b'x'; 100];
    let record = AppendRecord {
        timestamp: 1000,
        key: None,
        value: Some(&value),
        headers: &[],
    };
    let asked = std::cell::Cell::new(0);
    let append = |switch_to: Option<i32>| {
        let (out, rx) = a
            .append_with(
                &tp(0),
                &record,
                10,
                None,
                || {
                    asked.set(asked.get() + 1);
                    switch_to
                },
                Instant::now,
            )
            .unwrap();
        (out, rx.unwrap())
    };
    // No batch yet: the switch is asked; keeping partition 0 starts its batch there.
    let (first, _r1) = append(None);
    assert!(first.new_batch && !first.switched && first.partition == 0);
    let (second, _r2) = append(Some(2));
    assert!(
        !second.new_batch && second.partition == 0,
        "fits: stays on 0"
    );
    assert_eq!(
        asked.get(),
        1,
        "not asked while the record fits the open batch"
    );
    let (mut out, mut rxs) = (second, vec![]);
    while out.partition == 0 {
        let (o, rx) = append(Some(2));
        out = o;
        rxs.push(rx);
    }
    // The record that did not fit partition 0's batch went to 2, and 0's batch was closed.
    assert!(out.switched && out.new_batch);
    assert_eq!(asked.get(), 2);
    let st = a.lock();
    assert!(st.queues[&tp(0)].batches.back().unwrap().closed);
    assert_eq!(st.queues[&tp(2)].batches.back().unwrap().record_count(), 1);
}
