//! Request events for kafkajs's `*.network.request` and `*.network.request_timeout`
//! instrumentation: the core's [`RequestEvent`] as a JS object, delivered through a weak
//! thread-safe function (it never keeps Node's event loop alive, and the connection's reader
//! only queues the call). The TS layer turns them into kafkajs's payloads.

use std::sync::Arc;

use ferrokafka_core::{RequestEvent, RequestObserver, RequestOutcome};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;
use napi_derive::napi;

/// One finished request of a client (times in ms since the epoch).
#[napi(object)]
pub struct RequestEventJs {
    /// `host:port`.
    pub broker: String,
    pub api_key: i32,
    /// Kafka's name of the API.
    pub api_name: String,
    pub api_version: i32,
    pub correlation_id: i32,
    pub created_at: f64,
    pub sent_at: f64,
    pub pending_duration: f64,
    /// Response size in bytes; absent when the request timed out.
    pub size: Option<f64>,
    /// From write to response; absent when the request timed out.
    pub duration: Option<f64>,
    pub timed_out: bool,
}

impl From<RequestEvent> for RequestEventJs {
    fn from(e: RequestEvent) -> Self {
        let pending_duration = e.pending_duration_ms() as f64;
        let (size, duration, timed_out) = match e.outcome {
            RequestOutcome::Answered { size, duration_ms } => {
                (Some(size as f64), Some(duration_ms as f64), false)
            }
            RequestOutcome::TimedOut => (None, None, true),
        };
        RequestEventJs {
            broker: e.broker.to_string(),
            api_key: i32::from(e.api_key),
            api_name: e.api_name,
            api_version: i32::from(e.api_version),
            correlation_id: e.correlation_id,
            created_at: e.created_at_ms as f64,
            sent_at: e.sent_at_ms as f64,
            pending_duration,
            size,
            duration,
            timed_out,
        }
    }
}

/// The JS callback: called with the event only (no error argument), weak.
pub type RequestCallback =
    ThreadsafeFunction<RequestEventJs, (), RequestEventJs, Status, false, true>;

/// A core observer that queues each event to `callback` without waiting for JS.
pub fn observer(callback: RequestCallback) -> RequestObserver {
    let callback = Arc::new(callback);
    Arc::new(move |e: RequestEvent| {
        // A full or closing queue drops the event: instrumentation must never stall a reader.
        let _ = callback.call(e.into(), ThreadsafeFunctionCallMode::NonBlocking);
    })
}
