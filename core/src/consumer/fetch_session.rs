//! The client side of incremental fetch sessions (KIP-227), one session per broker, as the
//! Java client's `FetchSessionHandler` keeps them: the first fetch to a broker is FULL (epoch
//! 0) and may get a session id back; later fetches send only partitions that are new or whose
//! fetch offset changed, list the ones no longer wanted as forgotten, and get back only
//! partitions with news. A session error (FETCH_SESSION_ID_NOT_FOUND,
//! INVALID_FETCH_SESSION_EPOCH) or a failed request drops the session: the next fetch is full.
//!
//! Owns only session bookkeeping; `fetcher.rs` builds and sends the request. Fetches to one
//! broker never overlap (the consumer keeps one in flight per broker), so a session is never
//! used by two requests at once.

use std::collections::HashMap;
use std::sync::Mutex;

use indexmap::IndexMap;

use crate::types::TopicPartition;

/// A partition as the broker's session holds it.
#[derive(Debug, Clone, Copy)]
struct Cached {
    fetch_offset: i64,
    high_watermark: i64,
}

#[derive(Debug, Default)]
struct Session {
    id: i32,
    epoch: i32,
    partitions: IndexMap<TopicPartition, Cached>,
}

/// What to put in the next request to one broker.
#[derive(Debug)]
pub struct Plan {
    pub session_id: i32,
    pub epoch: i32,
    /// Indexes into the targets: the partitions the request names.
    pub send: Vec<usize>,
    /// Partitions the session holds that are no longer wanted.
    pub forget: Vec<TopicPartition>,
    pub full: bool,
}

/// Sessions by broker id.
#[derive(Debug, Default)]
pub struct FetchSessions {
    by_broker: Mutex<HashMap<i32, Session>>,
}

/// Kafka's `FetchMetadata.nextEpoch`.
fn next_epoch(epoch: i32) -> i32 {
    if epoch < 0 {
        -1
    } else if epoch == i32::MAX {
        1
    } else {
        epoch + 1
    }
}

impl FetchSessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i32, Session>> {
        self.by_broker.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Plans the next fetch to `broker` for `targets` (partition, fetch offset).
    pub fn plan(&self, broker: i32, targets: &[(TopicPartition, i64)]) -> Plan {
        let sessions = self.lock();
        let Some(s) = sessions.get(&broker).filter(|s| s.id != 0) else {
            return Plan {
                session_id: 0,
                epoch: 0,
                send: (0..targets.len()).collect(),
                forget: Vec::new(),
                full: true,
            };
        };
        let send = targets
            .iter()
            .enumerate()
            .filter(|(_, (tp, offset))| {
                s.partitions
                    .get(tp)
                    .is_none_or(|c| c.fetch_offset != *offset)
            })
            .map(|(i, _)| i)
            .collect();
        let forget = s
            .partitions
            .keys()
            .filter(|tp| !targets.iter().any(|(t, _)| t == *tp))
            .cloned()
            .collect();
        Plan {
            session_id: s.id,
            epoch: s.epoch,
            send,
            forget,
            full: false,
        }
    }

    /// The request failed or the broker refused the session: start over with a full fetch.
    pub fn reset(&self, broker: i32) {
        self.lock().remove(&broker);
    }

    /// Records a successful response: `session_id` from it, the partitions sent with their
    /// offsets, and the high watermark of every partition it answered. Returns the last known
    /// high watermark of each target (for partitions the response left out).
    pub fn on_response(
        &self,
        broker: i32,
        plan: &Plan,
        session_id: i32,
        targets: &[(TopicPartition, i64)],
        answered: &[(TopicPartition, i64)],
    ) -> Vec<Option<i64>> {
        let mut sessions = self.lock();
        let s = sessions.entry(broker).or_default();
        if plan.full {
            s.partitions.clear();
            s.id = session_id;
            s.epoch = 1;
        } else {
            s.epoch = next_epoch(s.epoch);
            for tp in &plan.forget {
                s.partitions.shift_remove(tp);
            }
        }
        for &i in &plan.send {
            let (tp, offset) = &targets[i];
            let entry = s.partitions.entry(tp.clone()).or_insert(Cached {
                fetch_offset: *offset,
                high_watermark: -1,
            });
            entry.fetch_offset = *offset;
        }
        for (tp, hw) in answered {
            if let Some(c) = s.partitions.get_mut(tp) {
                c.high_watermark = *hw;
            }
        }
        let known = targets
            .iter()
            .map(|(tp, _)| s.partitions.get(tp).map(|c| c.high_watermark))
            .collect();
        if s.id == 0 {
            sessions.remove(&broker);
        }
        known
    }

    /// Whether a session with `broker` is open (tests and metrics).
    pub fn has_session(&self, broker: i32) -> bool {
        self.lock().get(&broker).is_some_and(|s| s.id != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp(p: i32) -> TopicPartition {
        TopicPartition::new("t", p)
    }

    #[test]
    fn full_then_incremental_sends_only_changes_and_forgets_the_rest() {
        let s = FetchSessions::default();
        let targets = vec![(tp(0), 5), (tp(1), 7)];
        let plan = s.plan(1, &targets);
        assert!(plan.full && plan.epoch == 0 && plan.send == vec![0, 1]);
        s.on_response(1, &plan, 42, &targets, &[(tp(0), 10), (tp(1), 7)]);
        assert!(s.has_session(1));

        let targets = vec![(tp(0), 10), (tp(1), 7)];
        let plan = s.plan(1, &targets);
        assert_eq!((plan.session_id, plan.epoch, plan.full), (42, 1, false));
        assert_eq!(plan.send, vec![0], "only the partition whose offset moved");
        let hw = s.on_response(1, &plan, 42, &targets, &[]);
        assert_eq!(
            hw,
            vec![Some(10), Some(7)],
            "left-out partitions keep their watermark"
        );

        let plan = s.plan(1, &[(tp(0), 10)]);
        assert_eq!(plan.epoch, 2);
        assert!(plan.send.is_empty());
        assert_eq!(plan.forget, vec![tp(1)]);

        s.reset(1);
        assert!(s.plan(1, &[(tp(0), 10)]).full);
    }

    #[test]
    fn no_session_id_back_means_full_fetches_go_on() {
        let s = FetchSessions::default();
        let targets = vec![(tp(0), 0)];
        let plan = s.plan(3, &targets);
        s.on_response(3, &plan, 0, &targets, &[(tp(0), 1)]);
        assert!(!s.has_session(3));
        assert!(s.plan(3, &targets).full);
    }
}
