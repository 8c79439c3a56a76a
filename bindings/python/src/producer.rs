//! `_native.NativeProducer` and `_native.Delivery`: the producer handle and one record's
//! delivery outcome.
//!
//! Owns turning Python tuples into `ProducerRecord`s (a batch per call when the Python layer
//! has many), one completion task per producer that fills each record's [`Slot`] as the core
//! delivers it, and GIL-free flush/close. Serializers, partition choice for a custom Python
//! partitioner and callbacks stay in Python; batching and retries stay in the core.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ferrokafka_core::{
    ClientConfig, DeliveryFuture, Producer, ProducerRecord, RecordHeader, RecordMetadata,
};
use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::FutureExt;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use tokio::sync::mpsc;

use crate::convert::opt_bytes;
use crate::errors;
use crate::slot::{CompletionQueue, Completions, Slot};
use crate::wait::{block_on, secs};

type Pending = (Arc<Slot<RecordMetadata>>, DeliveryFuture);

/// A producer over the core (`KafkaProducer` / `AIOKafkaProducer` wrap it).
#[pyclass(module = "ferrokafka._native", frozen)]
pub struct NativeProducer {
    producer: Producer,
    pending: mpsc::UnboundedSender<Pending>,
    completions: Completions,
    next_id: AtomicU64,
}

/// Fills each record's slot as its delivery completes (in any order).
async fn complete(mut rx: mpsc::UnboundedReceiver<Pending>) {
    let mut waiting: FuturesUnordered<_> = FuturesUnordered::new();
    let mut open = true;
    loop {
        tokio::select! {
            Some((slot, r)) = waiting.next(), if !waiting.is_empty() => {
                let (slot, r): (Arc<Slot<RecordMetadata>>, ferrokafka_core::Result<RecordMetadata>) = (slot, r);
                slot.set(r)
            }
            item = rx.recv(), if open => match item {
                Some((slot, fut)) => waiting.push(async move { (slot, fut.await) }),
                None => open = false,
            },
            else => break,
        }
    }
}

fn record(item: &Bound<'_, PyAny>) -> PyResult<ProducerRecord> {
    let t = item.downcast::<PyTuple>()?;
    let topic: String = t.get_item(0)?.extract()?;
    let partition: Option<i32> = t.get_item(1)?.extract()?;
    let key = opt_bytes(Some(&t.get_item(2)?), "key")?;
    let value = opt_bytes(Some(&t.get_item(3)?), "value")?;
    let headers_obj = t.get_item(4)?;
    let mut headers = Vec::new();
    if !headers_obj.is_none() {
        for h in headers_obj.try_iter()? {
            let h = h?;
            let (k, v): (String, Bound<'_, PyAny>) = h.extract()?;
            headers.push(RecordHeader {
                key: k,
                value: opt_bytes(Some(&v), "header value")?,
            });
        }
    }
    let timestamp: Option<i64> = t.get_item(5)?.extract()?;
    Ok(ProducerRecord {
        topic,
        partition,
        key,
        value,
        headers,
        timestamp,
    })
}

impl NativeProducer {
    fn enqueue(&self, py: Python<'_>, rec: ProducerRecord) -> PyResult<Py<Delivery>> {
        let mut fut = self.producer.send(rec);
        let slot = Slot::new();
        // A record refused before it was queued (too large, closed) is complete at once, so
        // the Python layer can raise it from `send` as kafka-python does. Otherwise the
        // future stays in the Delivery and is only read when Python asks (no per-record work
        // on another thread unless a callback watches it).
        let pending = match (&mut fut).now_or_never() {
            Some(r) => {
                slot.set(r);
                None
            }
            None => Some(fut),
        };
        Py::new(
            py,
            Delivery {
                slot,
                fut: Mutex::new(pending),
                forward: self.pending.clone(),
                completions: self.completions.clone(),
                id: self.next_id.fetch_add(1, Ordering::Relaxed),
            },
        )
    }
}

#[pymethods]
impl NativeProducer {
    /// `config`: Java property names to string values.
    #[new]
    fn new(py: Python<'_>, config: HashMap<String, String>) -> PyResult<NativeProducer> {
        let cfg = errors::check(py, ClientConfig::from_pairs(config))?;
        let producer = errors::check(py, Producer::new(cfg))?;
        let (tx, rx) = mpsc::unbounded_channel();
        ferrokafka_core::runtime().spawn(complete(rx));
        Ok(NativeProducer {
            producer,
            pending: tx,
            completions: Arc::new(CompletionQueue::default()),
            next_id: AtomicU64::new(0),
        })
    }

    /// Enqueues one record `(topic, partition, key, value, headers, timestamp_ms)`.
    fn send(&self, py: Python<'_>, item: &Bound<'_, PyAny>) -> PyResult<Py<Delivery>> {
        let rec = record(item)?;
        self.enqueue(py, rec)
    }

    /// Enqueues many records in order; one `Delivery` per record.
    fn send_batch(&self, py: Python<'_>, items: &Bound<'_, PyAny>) -> PyResult<Vec<Py<Delivery>>> {
        let mut out = Vec::new();
        for item in items.try_iter()? {
            let rec = record(&item?)?;
            out.push(self.enqueue(py, rec)?);
        }
        Ok(out)
    }

    /// Waits (GIL released) until every record sent so far is delivered or failed.
    #[pyo3(signature = (timeout=None))]
    fn flush(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<()> {
        let p = self.producer.clone();
        let limit = secs(timeout);
        block_on(py, async move {
            match limit {
                None => p.flush().await,
                Some(d) => tokio::time::timeout(d, p.flush()).await.unwrap_or_else(|_| {
                    Err(ferrokafka_core::Error::new(
                        ferrokafka_core::ErrorKind::Timeout,
                        format!(
                            "flush did not finish within {:.3} s; records are still being delivered",
                            d.as_secs_f64()
                        ),
                    ))
                }),
            }
        })
    }

    /// Delivers what is queued within `timeout` seconds (default: wait long), then closes.
    #[pyo3(signature = (timeout=None))]
    fn close(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<()> {
        let p = self.producer.clone();
        let d = secs(timeout).unwrap_or(Duration::from_secs(365 * 24 * 3600));
        block_on(py, async move { p.close(d).await })
    }

    /// Kafka-named producer metrics.
    fn metrics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in self.producer.metrics().to_pairs() {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    /// Bytes the producer holds (buffer.memory in use plus records waiting for it).
    fn buffered_bytes(&self) -> usize {
        self.producer.buffered_bytes()
    }

    /// Ids of watched deliveries that completed since the last call.
    fn take_completed<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.completions.drain())
    }

    /// Waits up to `timeout` seconds (GIL released) for watched deliveries to complete and
    /// returns their ids (possibly none); the asyncio layer's waker thread calls this.
    fn wait_completed<'py>(&self, py: Python<'py>, timeout: f64) -> PyResult<Bound<'py, PyList>> {
        let ids = self
            .completions
            .wait_drain(py, Duration::from_secs_f64(timeout.clamp(0.0, 3600.0)));
        PyList::new(py, ids)
    }
}

/// One record's delivery outcome.
#[pyclass(module = "ferrokafka._native", frozen)]
pub struct Delivery {
    slot: Arc<Slot<RecordMetadata>>,
    /// The core's future until its outcome is read or it is handed to the completion task.
    fut: Mutex<Option<DeliveryFuture>>,
    forward: mpsc::UnboundedSender<Pending>,
    completions: Completions,
    #[pyo3(get)]
    id: u64,
}

impl Delivery {
    /// Moves a ready outcome from the core's future into the slot; whether it is complete.
    fn poll_now(&self) -> bool {
        if self.slot.is_done() {
            return true;
        }
        let mut guard = self.fut.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(f) = guard.as_mut() {
            if let Some(r) = f.now_or_never() {
                *guard = None;
                self.slot.set(r);
                return true;
            }
        }
        false
    }

    /// Hands the core's future to the producer's completion task (which fills the slot).
    fn forward(&self) {
        let taken = self.fut.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(f) = taken {
            if let Err(mpsc::error::SendError((slot, _))) =
                self.forward.send((self.slot.clone(), f))
            {
                slot.set(Err(ferrokafka_core::Error::new(
                    ferrokafka_core::ErrorKind::Closed,
                    "the producer was dropped before the record was delivered",
                )));
            }
        }
    }
}

#[pymethods]
impl Delivery {
    fn is_done(&self) -> bool {
        self.poll_now()
    }

    /// Waits up to `timeout` seconds (`None`: no limit); returns whether it completed.
    #[pyo3(signature = (timeout=None))]
    fn wait(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<bool> {
        if self.poll_now() {
            return Ok(true);
        }
        self.forward();
        let deadline = secs(timeout).map(|d| Instant::now() + d);
        self.slot.wait(py, deadline)
    }

    /// `None` while pending; `(True, (topic, partition, offset, timestamp))` or
    /// `(False, exception)` once complete.
    fn outcome(&self, py: Python<'_>) -> PyResult<Option<(bool, PyObject)>> {
        self.poll_now();
        Ok(match self.slot.peek() {
            None => None,
            Some(Ok(md)) => Some((
                true,
                (md.topic.as_ref(), md.partition, md.offset, md.timestamp)
                    .into_pyobject(py)?
                    .into_any()
                    .unbind(),
            )),
            Some(Err(e)) => Some((false, errors::exception(py, &e))),
        })
    }

    /// Reports this delivery's id through the producer's `take_completed` once it completes.
    fn watch(&self) {
        self.slot.watch(self.id, &self.completions);
        if !self.poll_now() {
            self.forward();
        }
    }
}
