//! Fetch: serve stored record batches, long-polling until `min_bytes` are available or
//! `max_wait_ms` has passed, within `max_bytes` and each partition's `partition_max_bytes`
//! (the first batch is returned even when larger, KIP-74).
//!
//! Fetch sessions (KIP-227) are decided in `fetch_session.rs`: a full request may open one, an
//! incremental one is answered for all of its session's partitions and trimmed to those with
//! news. Record bytes stay in the segment files ([`FetchReply`]); the connection sends them
//! with `sendfile` or copies them. Reading stops at the high watermark, which on a single node
//! is the log end offset.

use std::time::Duration;

use bytes::Bytes;
use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::fetch_response::{FetchableTopicResponse, PartitionData};
use kafka_protocol::messages::{BrokerId, FetchRequest, FetchResponse};

use super::fetch_frame::FetchReply;
use super::fetch_session::{Plan, Wanted};
use crate::context::{Operation, RequestContext, Resource};
use crate::log::FileSlice;
use crate::partition::LEADER_EPOCH;
use crate::state::BrokerState;

const READ_COMMITTED: i8 = 1;

/// One partition's answer before it is grouped by topic.
struct Fetched {
    wanted: Wanted,
    data: PartitionData,
    records: Option<FileSlice>,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Answers a Fetch with the stored batches left in their segment files (see [`FetchReply`]).
pub async fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: FetchRequest,
) -> FetchReply {
    let version = ctx.api_version;
    let by_id = version >= 13;
    // Sessions exist from v7; older clients always fetch in full.
    let plan = if version >= 7 {
        state.fetch_sessions.plan(&req, by_id, now_ms())
    } else {
        Plan::Full {
            wanted: super::fetch_session::wanted_of(&req),
            create: false,
        }
    };
    let (wanted, after) = match plan {
        Plan::Error(code) => {
            return FetchReply {
                response: FetchResponse::default().with_error_code(code.code()),
                records: Vec::new(),
            }
        }
        Plan::Full { wanted, create } => (wanted, After::Full { create }),
        Plan::Incremental {
            session_id,
            epoch,
            wanted,
        } => (wanted, After::Incremental { session_id, epoch }),
    };
    let fetched = long_poll(state, ctx, &req, &wanted, by_id).await;
    let (session_id, fetched) = match after {
        After::Full { create: false } => (0, fetched),
        After::Full { create: true } => {
            let answered: Vec<_> = fetched
                .iter()
                .map(|f| {
                    (
                        f.wanted.clone(),
                        f.data.high_watermark,
                        f.data.log_start_offset,
                    )
                })
                .collect();
            let id = state.fetch_sessions.create(&answered, by_id, now_ms());
            (id, fetched)
        }
        After::Incremental { session_id, epoch } => {
            let results: Vec<_> = fetched
                .iter()
                .map(|f| {
                    (
                        f.wanted.clone(),
                        f.records.as_ref().map_or(0, FileSlice::len),
                        f.data.high_watermark,
                        f.data.log_start_offset,
                        f.data.error_code,
                    )
                })
                .collect();
            match state
                .fetch_sessions
                .select(session_id, epoch, by_id, &results)
            {
                Some(keep) => {
                    let kept = fetched
                        .into_iter()
                        .zip(keep)
                        .filter_map(|(f, k)| k.then_some(f))
                        .collect();
                    (session_id, kept)
                }
                None => {
                    return FetchReply {
                        response: FetchResponse::default()
                            .with_error_code(ErrorCode::InvalidFetchSessionEpoch.code())
                            .with_session_id(session_id),
                        records: Vec::new(),
                    }
                }
            }
        }
    };
    group(fetched, session_id)
}

/// What to do with the answers once read.
enum After {
    Full { create: bool },
    Incremental { session_id: i32, epoch: i32 },
}

/// Reads until `min_bytes` are available, a partition errs, or `max_wait_ms` passes.
async fn long_poll(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: &FetchRequest,
    wanted: &[Wanted],
    by_id: bool,
) -> Vec<Fetched> {
    let deadline =
        tokio::time::Instant::now() + Duration::from_millis(req.max_wait_ms.max(0) as u64);
    let mut appended = state.appended.subscribe();
    loop {
        // Mark the current append count as seen *before* reading, so an append that lands
        // during the read wakes the wait below.
        appended.borrow_and_update();
        let (fetched, bytes, errors) = read_once(state, ctx, req, wanted, by_id);
        if bytes >= req.min_bytes.max(0) as usize
            || errors
            || tokio::time::Instant::now() >= deadline
        {
            return fetched;
        }
        match tokio::time::timeout_at(deadline, appended.changed()).await {
            Ok(Ok(())) => continue,
            // Timed out, or the broker is shutting down: answer with what there is.
            _ => return read_once(state, ctx, req, wanted, by_id).0,
        }
    }
}

/// Groups consecutive partitions of the same topic into topic responses, as Kafka does.
fn group(fetched: Vec<Fetched>, session_id: i32) -> FetchReply {
    let mut topics: Vec<FetchableTopicResponse> = Vec::new();
    let mut records = Vec::with_capacity(fetched.len());
    for f in fetched {
        let same = topics
            .last()
            .is_some_and(|t| t.topic == f.wanted.topic && t.topic_id == f.wanted.topic_id);
        if !same {
            topics.push(
                FetchableTopicResponse::default()
                    .with_topic(f.wanted.topic.clone())
                    .with_topic_id(f.wanted.topic_id),
            );
        }
        if let Some(t) = topics.last_mut() {
            t.partitions.push(f.data);
        }
        records.push(f.records);
    }
    FetchReply {
        response: FetchResponse::default()
            .with_error_code(0)
            .with_session_id(session_id)
            .with_responses(topics),
        records,
    }
}

/// One pass over the wanted partitions: (answers, record bytes, whether any partition erred).
fn read_once(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: &FetchRequest,
    wanted: &[Wanted],
    by_id: bool,
) -> (Vec<Fetched>, usize, bool) {
    let mut remaining = if req.max_bytes > 0 {
        req.max_bytes as usize
    } else {
        usize::MAX
    };
    let mut min_one = true;
    let mut total = 0usize;
    let mut errors = false;
    let mut out = Vec::with_capacity(wanted.len());
    let mut topic = None;
    for w in wanted {
        let cached = topic
            .as_ref()
            .is_some_and(|(n, id, _, _)| *n == w.topic && *id == w.topic_id);
        if !cached {
            let found = if by_id {
                state.topics.get_by_id(&w.topic_id)
            } else {
                state.topics.get(w.topic.0.as_str())
            };
            let name = found
                .as_ref()
                .map(|t| t.name.clone())
                .unwrap_or_else(|| w.topic.0.to_string());
            // An unknown topic id is answered as unknown, not as unauthorised.
            let allowed = (by_id && found.is_none())
                || ctx.authorize(Operation::Read, Resource::Topic(&name));
            topic = Some((w.topic.clone(), w.topic_id, found, allowed));
        }
        let found = topic.as_ref().and_then(|(_, _, t, _)| t.as_ref());
        let allowed = topic.as_ref().is_some_and(|(_, _, _, a)| *a);
        let data = PartitionData::default()
            .with_partition_index(w.partition)
            .with_high_watermark(-1)
            .with_last_stable_offset(-1)
            .with_log_start_offset(-1)
            .with_preferred_read_replica(BrokerId(-1))
            .with_aborted_transactions((req.isolation_level == READ_COMMITTED).then(Vec::new))
            .with_records(Some(Bytes::new()));
        let mut answer = |data: PartitionData, records: Option<FileSlice>| {
            out.push(Fetched {
                wanted: w.clone(),
                data,
                records,
            })
        };
        if !allowed {
            errors = true;
            answer(
                data.with_error_code(ErrorCode::TopicAuthorizationFailed.code()),
                None,
            );
            continue;
        }
        let partition = found.and_then(|t| {
            usize::try_from(w.partition)
                .ok()
                .and_then(|i| t.partitions.get(i))
        });
        let Some(partition) = partition else {
            errors = true;
            let code = if by_id && found.is_none() {
                ErrorCode::UnknownTopicId.code()
            } else {
                ErrorCode::UnknownTopicOrPartition.code()
            };
            answer(data.with_error_code(code), None);
            continue;
        };
        // The leader epoch never changes on a single node, so no client can be behind it;
        // one ahead of it saw metadata from elsewhere.
        if w.current_leader_epoch > LEADER_EPOCH {
            errors = true;
            answer(
                data.with_error_code(ErrorCode::UnknownLeaderEpoch.code()),
                None,
            );
            continue;
        }
        let limit = (w.partition_max_bytes.max(0) as usize).min(remaining);
        match partition.read_slice(w.fetch_offset, limit, min_one) {
            Ok(read) => {
                let n = read.len();
                if n > 0 {
                    min_one = false;
                    total += n;
                    remaining = remaining.saturating_sub(n);
                }
                answer(
                    data.with_error_code(0)
                        .with_high_watermark(read.high_watermark)
                        .with_last_stable_offset(read.high_watermark)
                        .with_log_start_offset(read.log_start_offset),
                    read.records,
                );
            }
            Err(e) => {
                errors = true;
                let (start, end) = partition.offsets().unwrap_or((-1, -1));
                answer(
                    data.with_error_code(e.code())
                        .with_high_watermark(end)
                        .with_last_stable_offset(end)
                        .with_log_start_offset(start),
                    None,
                );
            }
        }
    }
    (out, total, errors)
}
