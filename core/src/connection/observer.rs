//! Per-request observations for the bindings' instrumentation (kafkajs's
//! `*.network.request` and `*.network.request_timeout` events).
//!
//! Owns [`RequestHooks`], the slot one client's connections share (set it with
//! `set_request_observer` on a producer, consumer or admin client), the timing a connection
//! keeps per request while an observer is set (queued, written), and the [`RequestEvent`] the
//! reader or a timeout hands to the observer. With no observer set a connection records
//! nothing: one relaxed atomic load per request. It must not block: observers are called on
//! the connection's reader task and must hand the event on (a channel, a thread-safe function).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use kafka_protocol::messages::ApiKey;

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestOutcome {
    /// The broker answered with a response of `size` bytes (the frame without its length
    /// prefix), `duration_ms` after the request was written.
    Answered { size: usize, duration_ms: i64 },
    /// No answer within the request's timeout (the connection is closed).
    TimedOut,
}

/// One request a connection sent, as the bindings' instrumentation reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestEvent {
    /// `host:port` of the broker.
    pub broker: Arc<str>,
    pub api_key: i16,
    /// Kafka's name of the API (`Produce`, `FindCoordinator`, ...).
    pub api_name: String,
    pub api_version: i16,
    pub correlation_id: i32,
    /// When the request was queued on the connection, in ms since the epoch.
    pub created_at_ms: i64,
    /// When its frame was written to the socket (`created_at_ms` if that was not seen).
    pub sent_at_ms: i64,
    pub outcome: RequestOutcome,
}

impl RequestEvent {
    /// Time between queueing and writing, in ms.
    pub fn pending_duration_ms(&self) -> i64 {
        self.sent_at_ms - self.created_at_ms
    }
}

/// Called with every finished request of a client while set.
pub type RequestObserver = Arc<dyn Fn(RequestEvent) + Send + Sync>;

/// The observer slot shared by one client's connections.
#[derive(Default)]
pub struct RequestHooks {
    enabled: AtomicBool,
    observer: RwLock<Option<RequestObserver>>,
}

impl std::fmt::Debug for RequestHooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestHooks")
            .field("enabled", &self.enabled())
            .finish()
    }
}

impl RequestHooks {
    /// Sets (or with `None` removes) the observer; connections already open use it from their
    /// next request on.
    pub fn set(&self, observer: Option<RequestObserver>) {
        let on = observer.is_some();
        *self.observer.write().unwrap_or_else(|p| p.into_inner()) = observer;
        self.enabled.store(on, Ordering::Relaxed);
    }

    /// Whether an observer is set (connections record timings only then).
    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    /// Hands `event` to the observer, if one is still set.
    pub(super) fn report(&self, event: RequestEvent) {
        let observer = self
            .observer
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(observer) = observer {
            observer(event);
        }
    }
}

/// What a connection keeps per request while an observer is set.
#[derive(Debug, Clone, Copy)]
pub(super) struct Timing {
    pub api_key: i16,
    pub api_version: i16,
    pub created_at_ms: i64,
    pub sent_at_ms: Option<i64>,
}

impl Timing {
    pub fn new(api_key: i16, api_version: i16) -> Timing {
        Timing {
            api_key,
            api_version,
            created_at_ms: now_ms(),
            sent_at_ms: None,
        }
    }

    /// The event for this request's end.
    pub fn event(
        &self,
        broker: &Arc<str>,
        correlation_id: i32,
        answered: Option<usize>,
    ) -> RequestEvent {
        let sent_at_ms = self.sent_at_ms.unwrap_or(self.created_at_ms);
        RequestEvent {
            broker: broker.clone(),
            api_key: self.api_key,
            api_name: api_name(self.api_key),
            api_version: self.api_version,
            correlation_id,
            created_at_ms: self.created_at_ms,
            sent_at_ms,
            outcome: match answered {
                Some(size) => RequestOutcome::Answered {
                    size,
                    duration_ms: now_ms() - sent_at_ms,
                },
                None => RequestOutcome::TimedOut,
            },
        }
    }
}

/// Milliseconds since the epoch.
pub(super) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Kafka's name of an API key (`Unknown` for a key this build does not know).
fn api_name(key: i16) -> String {
    ApiKey::try_from(key).map_or_else(|_| "Unknown".to_string(), |k| format!("{k:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn names_timings_and_the_observer_slot() {
        assert_eq!(api_name(0), "Produce");
        assert_eq!(api_name(10), "FindCoordinator");
        assert_eq!(api_name(75), "DescribeTopicPartitions");
        assert_eq!(api_name(-3), "Unknown");

        let hooks = RequestHooks::default();
        assert!(!hooks.enabled());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        hooks.set(Some(Arc::new(move |e: RequestEvent| {
            s.lock().unwrap().push(e)
        })));
        assert!(hooks.enabled());

        let mut t = Timing::new(3, 12);
        t.sent_at_ms = Some(t.created_at_ms + 2);
        let broker: Arc<str> = Arc::from("localhost:9092");
        hooks.report(t.event(&broker, 7, Some(120)));
        hooks.report(Timing::new(1, 17).event(&broker, 8, None));
        hooks.set(None);
        assert!(!hooks.enabled());
        hooks.report(t.event(&broker, 9, Some(1)));

        let seen = seen.lock().unwrap();
        assert_eq!(
            seen.len(),
            2,
            "nothing is reported once the observer is removed"
        );
        assert_eq!(seen[0].api_name, "Metadata");
        assert_eq!(seen[0].correlation_id, 7);
        assert_eq!(seen[0].pending_duration_ms(), 2);
        assert!(
            matches!(seen[0].outcome, RequestOutcome::Answered { size: 120, duration_ms } if duration_ms >= -2)
        );
        assert_eq!(seen[1].outcome, RequestOutcome::TimedOut);
        assert_eq!(
            seen[1].sent_at_ms, seen[1].created_at_ms,
            "never written: sent = queued"
        );
    }
}
