//! A request already on a connection's write queue, waiting for its response.
//!
//! Owns the split between queueing and waiting: [`Connection::send`](super::Connection::send)
//! encodes the frame, registers the waiter and queues the frame before it returns (so requests
//! reach the broker in call order, whatever happens to their futures later), and
//! [`InFlight::response`] awaits the answer under `request.timeout.ms`. Dropping an `InFlight`
//! forgets the waiter; the frame still goes out whole. It must not retry.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use kafka_protocol::protocol::Request;
use tokio::sync::oneshot;

use super::Shared;
use crate::error::{Error, ErrorKind, Result};
use crate::protocol::decode_response;

/// A queued request of type `R`; await [`response`](Self::response) for its answer.
#[must_use = "a queued request's response is lost unless awaited"]
pub struct InFlight<R: Request> {
    pub(super) shared: Arc<Shared>,
    pub(super) correlation_id: i32,
    pub(super) rx: oneshot::Receiver<Result<Bytes>>,
    pub(super) version: i16,
    pub(super) timeout: Duration,
    pub(super) _request: PhantomData<fn() -> R>,
}

impl<R: Request> InFlight<R> {
    /// Waits for the response; a timeout poisons the connection (every other waiter fails and
    /// the pool reconnects), as the response can no longer be matched safely.
    pub async fn response(mut self) -> Result<R::Response> {
        let frame = match tokio::time::timeout(self.timeout, &mut self.rx).await {
            Err(_) => {
                let timed_out = self.shared.lock().pending.remove(&self.correlation_id);
                if let Some(t) = timed_out.and_then(|p| p.timing) {
                    let event = t.event(&self.shared.addr, self.correlation_id, None);
                    self.shared.hooks.report(event);
                }
                let e = Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "request to {} got no response within {} ms (request.timeout.ms); the \
                         connection is closed and the request retried where safe",
                        self.shared.addr,
                        self.timeout.as_millis()
                    ),
                );
                self.shared.poison(e.clone());
                return Err(e);
            }
            Ok(Err(_)) => return Err(self.shared.closed_error()),
            Ok(Ok(res)) => res?,
        };
        decode_response::<R>(frame, self.version).map(|(_, body)| body)
    }
}

impl<R: Request> Drop for InFlight<R> {
    fn drop(&mut self) {
        // Answered or not, the waiter is no longer wanted (a no-op once the reader removed it).
        self.shared.lock().pending.remove(&self.correlation_id);
    }
}

/// A queued request the broker does not answer (Produce with `acks=0`).
#[must_use = "await it to learn whether the frame was written"]
pub struct Unanswered {
    pub(super) shared: Arc<Shared>,
    pub(super) rx: oneshot::Receiver<Result<()>>,
}

impl Unanswered {
    /// Resolves once the frame was written to the socket.
    pub async fn written(self) -> Result<()> {
        match self.rx.await {
            Ok(r) => r,
            Err(_) => Err(self.shared.closed_error()),
        }
    }
}
