//! Fetch requests and record decoding.
//!
//! Owns building one Fetch per leader (`fetch.min.bytes`, `fetch.max.bytes`,
//! `max.partition.fetch.bytes`, `fetch.max.wait.ms`, isolation level), sending it on a spawned
//! task so the next batch of records is on its way while the application processes the current
//! one (prefetch), through the broker's incremental fetch session (`fetch_session.rs`), and
//! decoding the returned record batches of every codec into
//! [`ConsumerRecord`]s: records below the fetch offset and control batches are skipped, a
//! trailing partial batch is ignored. A fetch task reports twice: [`FetchEvent::Answered`] as
//! soon as the response is in (per partition the offset after its last whole batch, from the
//! batch headers alone), so the consumer can send the next fetch while this task checks CRCs
//! and decodes, then [`FetchEvent::Decoded`] with the records. It must not move positions (the
//! consumer does, when it hands records out).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::protocol::{decode_each_record, BatchHeader};
use bytes::Bytes;
use ferrokafka_protocol::batch::compute_crc;
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic, ForgottenTopic};
use kafka_protocol::messages::{BrokerId, FetchRequest, TopicName};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::fetch_session::FetchSessions;
use super::group::sb;
use super::record::{ConsumerRecord, TimestampType};
use crate::cluster::Cluster;
use crate::config::{ConsumerConfig, IsolationLevel};
use crate::error::{Error, Result};
use crate::types::TopicPartition;

/// One partition to fetch.
#[derive(Debug, Clone)]
pub struct FetchTarget {
    pub tp: TopicPartition,
    pub offset: i64,
    pub leader_epoch: Option<i32>,
}

/// What the broker answered for one partition.
#[derive(Debug)]
pub struct PartitionFetch {
    pub tp: TopicPartition,
    pub fetch_offset: i64,
    pub result: Result<Answer>,
}

/// A partition's answer before decoding.
#[derive(Debug, Default, Clone, Copy)]
pub struct Answer {
    /// The offset after the last whole batch (control batches included); `None` when the
    /// response held no whole batch. Records in `[fetch_offset, next_offset)` follow in a
    /// [`FetchEvent::Decoded`] of the same fetch id.
    pub next_offset: Option<i64>,
    pub high_watermark: i64,
    /// Size of the partition's record bytes as they came.
    pub bytes: usize,
}

/// Decoded records of one partition.
#[derive(Debug, Default)]
pub struct Decoded {
    pub records: Vec<ConsumerRecord>,
    pub next_offset: Option<i64>,
}

/// The answer to one Fetch request to one broker.
#[derive(Debug)]
pub struct FetchResult {
    pub broker: i32,
    /// Unique per fetch in the process: ties the later [`DecodedFetch`] to this answer.
    pub id: u64,
    pub partitions: Vec<PartitionFetch>,
}

/// The records of the partitions of fetch `id` whose answer had whole batches.
#[derive(Debug)]
pub struct DecodedFetch {
    pub id: u64,
    pub partitions: Vec<(TopicPartition, Result<Vec<ConsumerRecord>>)>,
}

/// What a fetch task reports: `Answered` first, then `Decoded` when any partition had batches.
#[derive(Debug)]
pub enum FetchEvent {
    Answered(FetchResult),
    Decoded(DecodedFetch),
}

/// One partition's raw record bytes, to decode after the answer went out.
struct Raw {
    tp: TopicPartition,
    fetch_offset: i64,
    bytes: Bytes,
}

static NEXT_FETCH_ID: AtomicU64 = AtomicU64::new(1);

/// Sends one Fetch for `targets` to `broker` on a background task; what it learns goes to `tx`
/// (see [`FetchEvent`]).
pub fn spawn_fetch(
    cluster: Cluster,
    cfg: ConsumerConfig,
    broker: i32,
    targets: Vec<FetchTarget>,
    tx: mpsc::UnboundedSender<FetchEvent>,
    metrics: std::sync::Arc<super::metrics::Metrics>,
    sessions: std::sync::Arc<FetchSessions>,
) {
    let id = NEXT_FETCH_ID.fetch_add(1, Ordering::Relaxed);
    crate::runtime::spawn(async move {
        let started = Instant::now();
        let res = fetch(&cluster, &cfg, broker, &targets, &sessions, &metrics).await;
        if res.is_err() {
            sessions.reset(broker);
        }
        metrics.on_fetch(started.elapsed());
        let (partitions, raw) = match res {
            Ok(p) => p,
            Err(e) => {
                cluster.on_error(&e);
                let failed = targets
                    .into_iter()
                    .map(|t| PartitionFetch {
                        tp: t.tp,
                        fetch_offset: t.offset,
                        result: Err(e.clone()),
                    })
                    .collect();
                (failed, Vec::new())
            }
        };
        let _ = tx.send(FetchEvent::Answered(FetchResult {
            broker,
            id,
            partitions,
        }));
        if raw.is_empty() {
            return;
        }
        // The consumer may already be fetching the next records while these are decoded: the
        // network read and the decoding overlap.
        let decode = move || {
            let partitions = raw
                .into_iter()
                .map(|r| {
                    // CRCs were checked by `scan_batches`.
                    let records =
                        decode_partition(&r.tp, r.bytes, r.fetch_offset, false).map(|d| d.records);
                    (r.tp, records)
                })
                .collect();
            let _ = tx.send(FetchEvent::Decoded(DecodedFetch { id, partitions }));
        };
        // Runs to completion whether or not anyone waits for it: the outcome goes to `tx`.
        drop(tokio::task::spawn_blocking(decode));
    });
}

async fn fetch(
    cluster: &Cluster,
    cfg: &ConsumerConfig,
    broker: i32,
    targets: &[FetchTarget],
    sessions: &FetchSessions,
    metrics: &super::metrics::Metrics,
) -> Result<(Vec<PartitionFetch>, Vec<Raw>)> {
    let conn = cluster.broker(broker).await?;
    let wanted: Vec<(TopicPartition, i64)> =
        targets.iter().map(|t| (t.tp.clone(), t.offset)).collect();
    let plan = sessions.plan(broker, &wanted);
    let mut topics: Vec<FetchTopic> = Vec::new();
    for t in plan.send.iter().map(|&i| &targets[i]) {
        let part = FetchPartition::default()
            .with_partition(t.tp.partition)
            .with_current_leader_epoch(t.leader_epoch.unwrap_or(-1))
            .with_fetch_offset(t.offset)
            .with_last_fetched_epoch(-1)
            .with_log_start_offset(-1)
            .with_partition_max_bytes(cfg.max_partition_fetch_bytes);
        match topics
            .iter_mut()
            .find(|f| f.topic.0.as_str() == &*t.tp.topic)
        {
            Some(f) => f.partitions.push(part),
            None => topics.push(
                FetchTopic::default()
                    .with_topic(TopicName(sb(&t.tp.topic)))
                    .with_partitions(vec![part]),
            ),
        }
    }
    let mut forgotten: Vec<ForgottenTopic> = Vec::new();
    for tp in &plan.forget {
        match forgotten
            .iter_mut()
            .find(|f| f.topic.0.as_str() == &*tp.topic)
        {
            Some(f) => f.partitions.push(tp.partition),
            None => forgotten.push(
                ForgottenTopic::default()
                    .with_topic(TopicName(sb(&tp.topic)))
                    .with_partitions(vec![tp.partition]),
            ),
        }
    }
    let req = FetchRequest::default()
        .with_replica_id(BrokerId(-1))
        .with_max_wait_ms(cfg.fetch_max_wait.as_millis() as i32)
        .with_min_bytes(cfg.fetch_min_bytes)
        .with_max_bytes(cfg.fetch_max_bytes)
        .with_isolation_level(match cfg.isolation_level {
            IsolationLevel::ReadUncommitted => 0,
            IsolationLevel::ReadCommitted => 1,
        })
        .with_session_id(plan.session_id)
        .with_session_epoch(plan.epoch)
        .with_topics(topics)
        .with_forgotten_topics_data(forgotten);
    let timeout =
        cluster.config().common.request_timeout + cfg.fetch_max_wait + Duration::from_secs(1);
    let resp = conn.request_with_timeout(&req, timeout).await?;
    if resp.error_code != 0 {
        // FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH and the like: the caller
        // drops the session, so the next fetch is full.
        return Err(Error::from_code(
            resp.error_code,
            format!("fetch from broker {broker}"),
        ));
    }
    let answered: Vec<(TopicPartition, i64)> = resp
        .responses
        .iter()
        .flat_map(|t| {
            t.partitions.iter().map(move |p| {
                (
                    TopicPartition::new(t.topic.0.as_str(), p.partition_index),
                    p.high_watermark,
                )
            })
        })
        .collect();
    metrics.on_fetch_answered(!plan.full);
    let known = sessions.on_response(broker, &plan, resp.session_id, &wanted, &answered);
    let mut out = Vec::new();
    let mut raw = Vec::new();
    for t in resp.responses {
        for p in t.partitions {
            let tp = TopicPartition::new(t.topic.0.as_str(), p.partition_index);
            let Some(target) = targets.iter().find(|x| x.tp == tp) else {
                continue;
            };
            let result = if p.error_code != 0 {
                let e = Error::from_code(p.error_code, format!("fetching {tp}"));
                if p.current_leader.leader_id.0 >= 0 {
                    cluster.update_leader(
                        &tp.topic,
                        tp.partition,
                        p.current_leader.leader_id.0,
                        p.current_leader.leader_epoch,
                    );
                }
                cluster.on_error(&e);
                Err(e)
            } else {
                let bytes = p.records.unwrap_or_default();
                scan_batches(&tp, &bytes, cfg.check_crcs).map(|next_offset| {
                    let answer = Answer {
                        next_offset,
                        high_watermark: p.high_watermark,
                        bytes: bytes.len(),
                    };
                    if next_offset.is_some_and(|n| n > target.offset) {
                        raw.push(Raw {
                            tp: tp.clone(),
                            fetch_offset: target.offset,
                            bytes,
                        });
                    }
                    answer
                })
            };
            out.push(PartitionFetch {
                tp,
                fetch_offset: target.offset,
                result,
            });
        }
    }
    // An incremental response leaves out partitions with no news: they are answered empty,
    // at their last known high watermark, so the consumer fetches them again.
    for (target, hw) in targets.iter().zip(known) {
        if out.iter().any(|p| p.tp == target.tp) {
            continue;
        }
        out.push(PartitionFetch {
            tp: target.tp.clone(),
            fetch_offset: target.offset,
            result: Ok(Answer {
                high_watermark: hw.unwrap_or(-1),
                ..Answer::default()
            }),
        });
    }
    Ok((out, raw))
}

/// Walks the whole batches of one partition's answer by their headers and returns the offset
/// after the last one (what [`decode_partition`] reports as `next_offset` when every batch
/// decodes). With `check_crcs` it verifies each v2 batch's CRC-32C here, on the thread that
/// has just read the bytes and while they are still in its cache: checked later on another
/// thread, 100 KB records were read 17 % slower. A corrupt batch, or a negative length where
/// the first batch should be, is an error: the partition is fetched again from `fetch_offset`.
pub fn scan_batches(tp: &TopicPartition, all: &[u8], check_crcs: bool) -> Result<Option<i64>> {
    let mut bytes = all;
    let mut next = None;
    while let Some(h) = BatchHeader::parse(bytes) {
        if h.batch_length < 0 {
            if next.is_none() {
                return Err(Error::protocol(format!("negative batch length in {tp}")));
            }
            break; // decoding reports it after the whole batches before it
        }
        let size = h.total_size();
        if size > bytes.len() {
            break;
        }
        if check_crcs && h.magic == 2 && compute_crc(&bytes[..size]) != h.crc {
            return Err(Error::protocol(format!(
                "{tp} at offset {}: corrupt record batch: CRC-32C mismatch",
                h.base_offset
            )));
        }
        next = Some(h.last_offset() + 1);
        bytes = &bytes[size..];
    }
    Ok(next)
}

/// How many records the complete batches in `bytes` say they hold, bounded by the bytes
/// (a record takes at least 7), so one allocation usually holds a partition's records.
fn record_count_hint(all: &[u8]) -> usize {
    let mut bytes = all;
    let mut count = 0usize;
    while let Some(h) = BatchHeader::parse(bytes) {
        let size = h.total_size();
        if h.batch_length < 0 || size > bytes.len() {
            break;
        }
        count = count.saturating_add(usize::try_from(h.record_count).unwrap_or(0));
        bytes = &bytes[size..];
    }
    count.min(all.len() / 7 + 1)
}

/// Decodes the record batches of one partition, keeping records at or after `fetch_offset`;
/// `check_crcs` verifies each batch's CRC-32C first (`check.crcs`).
pub fn decode_partition(
    tp: &TopicPartition,
    mut bytes: Bytes,
    fetch_offset: i64,
    check_crcs: bool,
) -> Result<Decoded> {
    let mut out = Decoded {
        records: Vec::with_capacity(record_count_hint(&bytes)),
        ..Decoded::default()
    };
    while let Some(header) = BatchHeader::parse(&bytes) {
        let base = header.base_offset;
        if header.batch_length < 0 {
            return Err(Error::protocol(format!("negative batch length in {tp}")));
        }
        if bytes.len() < header.total_size() {
            break; // a partial batch at the end of the response: fetched again next time
        }
        if header.magic != 2 {
            return Err(Error::protocol(format!(
                "{tp}: record batch magic {} is not supported (only v2)",
                header.magic
            )));
        }
        let batch = bytes.split_to(header.total_size());
        out.next_offset = Some(header.last_offset() + 1);
        if header.is_control() {
            continue; // control batch (transaction markers)
        }
        let records = &mut out.records;
        let context = Arc::new(header);
        decode_each_record(batch, check_crcs, |r| {
            if r.offset < fetch_offset {
                return;
            }
            records.push(ConsumerRecord {
                // One shared name per partition: no allocation per record.
                topic: Arc::clone(&tp.topic),
                partition: tp.partition,
                offset: r.offset,
                timestamp: r.timestamp,
                timestamp_type: if r.log_append_time {
                    TimestampType::LogAppendTime
                } else {
                    TimestampType::CreateTime
                },
                key: r.key,
                value: r.value,
                headers: r.headers,
                leader_epoch: r.leader_epoch,
                batch: Arc::clone(&context),
            });
        })
        .map_err(|e| Error::protocol(format!("{tp} at offset {base}: {e}")))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CompressionType;
    use crate::protocol::BatchBuilder;

    #[test]
    fn truncated_and_garbage_input_never_panics() {
        let tp = TopicPartition::new("t", 0);
        assert!(
            decode_partition(&tp, Bytes::from_static(&[1, 2, 3]), 0, true)
                .unwrap()
                .records
                .is_empty()
        );
        let mut junk = vec![0u8; 80];
        junk[11] = 68; // length 68 -> whole batch present, magic 0
        assert!(decode_partition(&tp, Bytes::from(junk), 0, true).is_err());
        let mut neg = vec![0xffu8; 80];
        neg[16] = 2;
        assert!(decode_partition(&tp, Bytes::from(neg), 0, true).is_err());
    }

    #[test]
    fn skips_records_below_fetch_offset_for_every_codec() {
        for codec in CompressionType::ALL {
            let mut b = BatchBuilder::new(1024);
            for i in 0..5 {
                b.append(1000 + i, Some(format!("k{i}").as_bytes()), Some(b"v"), &[])
                    .unwrap();
            }
            let bytes = b
                .finish(codec, -1, -1, -1)
                .unwrap_or_else(|e| panic!("{codec:?}: {e}"))
                .bytes;
            let tp = TopicPartition::new("t", 0);
            let d = decode_partition(&tp, bytes, 2, true).unwrap();
            let offsets: Vec<i64> = d.records.iter().map(|r| r.offset).collect();
            assert_eq!(offsets, vec![2, 3, 4], "{codec:?}");
            assert_eq!(d.next_offset, Some(5));
            assert_eq!(d.records[0].key.as_deref(), Some(&b"k2"[..]));
        }
    }

    fn batch(base: i64, count: i64) -> Vec<u8> {
        let mut b = BatchBuilder::new(1024);
        for i in 0..count {
            b.append(1000 + i, None, Some(b"v"), &[]).unwrap();
        }
        let mut bytes = b
            .finish(CompressionType::None, -1, -1, -1)
            .unwrap()
            .bytes
            .to_vec();
        bytes[..8].copy_from_slice(&base.to_be_bytes());
        bytes
    }

    #[test]
    fn scan_finds_the_end_of_whole_batches_and_checks_their_crcs() {
        let tp = TopicPartition::new("t", 0);
        let mut all = batch(0, 3);
        all.extend(batch(3, 4));
        let partial = batch(7, 2);
        all.extend(&partial[..partial.len() - 1]);
        assert_eq!(scan_batches(&tp, &all, true).unwrap(), Some(7));
        assert_eq!(scan_batches(&tp, &all[..10], true).unwrap(), None);
        // The base offset is outside the CRC: flip a record byte of the second batch instead.
        let first = batch(0, 3).len();
        all[first + 70] ^= 0xff;
        let e = scan_batches(&tp, &all, true).unwrap_err();
        assert!(e.to_string().contains("CRC-32C mismatch"), "{e}");
        assert!(e.to_string().contains("offset 3"), "{e}");
        assert_eq!(
            scan_batches(&tp, &all, false).unwrap(),
            Some(7),
            "check.crcs=false"
        );
        let mut negative = batch(0, 1);
        negative[8..12].copy_from_slice(&(-5i32).to_be_bytes());
        assert!(scan_batches(&tp, &negative, true).is_err());
    }

    #[test]
    fn records_share_their_batchs_header() {
        let tp = TopicPartition::new("t", 0);
        let mut b = BatchBuilder::new(1024);
        for i in 0..3 {
            b.append(1000 + i, None, Some(b"v"), &[]).unwrap();
        }
        let mut all = b
            .finish(CompressionType::Lz4, 42, 3, 7)
            .unwrap()
            .bytes
            .to_vec();
        all[..8].copy_from_slice(&10i64.to_be_bytes());
        all.extend(batch(13, 2));
        let d = decode_partition(&tp, Bytes::from(all), 11, true).unwrap();
        let offsets: Vec<i64> = d.records.iter().map(|r| r.offset).collect();
        assert_eq!(offsets, vec![11, 12, 13, 14]);
        let first = &d.records[0].batch;
        assert!(Arc::ptr_eq(first, &d.records[1].batch));
        assert!(!Arc::ptr_eq(first, &d.records[2].batch));
        assert_eq!(
            (
                first.base_offset,
                first.last_offset_delta,
                first.base_timestamp
            ),
            (10, 2, 1000)
        );
        assert_eq!(
            (first.producer_id, first.producer_epoch, first.base_sequence),
            (42, 3, 7)
        );
        assert_eq!(first.compression(), 3);
        assert_eq!(d.records[2].batch.base_offset, 13);
        assert_eq!(d.records[2].batch.producer_id, -1);
    }
}
