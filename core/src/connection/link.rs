//! The request path of a connection: correlation ids, waiters and one of the writer's two
//! queues. A connection has one over the callers' queue and one over the priority queue that
//! its re-authentication task (`reauth`) uses. It must not read the socket or retry.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use kafka_protocol::protocol::Request;
use tokio::sync::{mpsc, oneshot};

use super::observer::Timing;
use super::{InFlight, Pending, Shared, WriteCmd};
use crate::error::Result;
use crate::protocol::encode_request;

/// The request path shared by a connection and its re-authentication task: correlation ids,
/// waiters, and one of the writer's two queues.
#[derive(Clone)]
pub(super) struct Link {
    pub(super) shared: Arc<Shared>,
    pub(super) writer: mpsc::UnboundedSender<WriteCmd>,
    pub(super) next_correlation: Arc<AtomicI32>,
    pub(super) client_id: String,
    pub(super) request_timeout: Duration,
}

impl Link {
    pub(super) fn addr(&self) -> &str {
        &self.shared.addr
    }

    pub(super) fn next_correlation(&self) -> i32 {
        self.next_correlation.fetch_add(1, Ordering::Relaxed) & i32::MAX
    }

    pub(super) fn send_raw<R: Request>(
        &self,
        req: &R,
        version: i16,
        timeout: Option<Duration>,
    ) -> Result<InFlight<R>> {
        let corr = self.next_correlation();
        let frame = encode_request(req, version, corr, &self.client_id)?;
        let (tx, rx) = oneshot::channel();
        let timing = self
            .shared
            .hooks
            .enabled()
            .then(|| Timing::new(R::KEY, version));
        {
            let mut st = self.shared.lock();
            if let Some(e) = &st.poison {
                return Err(e.clone());
            }
            st.pending.insert(corr, Pending { waiter: tx, timing });
        }
        let in_flight = InFlight {
            shared: self.shared.clone(),
            correlation_id: corr,
            rx,
            version,
            timeout: timeout.unwrap_or(self.request_timeout),
            _request: std::marker::PhantomData,
        };
        self.enqueue(frame, None, true)?;
        Ok(in_flight)
    }

    pub(super) async fn request_raw<R: Request>(
        &self,
        req: &R,
        version: i16,
        timeout: Option<Duration>,
    ) -> Result<R::Response> {
        self.send_raw(req, version, timeout)?.response().await
    }

    pub(super) fn enqueue(
        &self,
        frame: Bytes,
        written: Option<oneshot::Sender<Result<()>>>,
        answered: bool,
    ) -> Result<()> {
        self.writer
            .send(WriteCmd::Frame {
                frame,
                written,
                answered,
            })
            .map_err(|_| self.shared.closed_error())
    }
}
