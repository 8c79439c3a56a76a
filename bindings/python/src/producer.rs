//! `_native.NativeProducer`: the producer handle.
//!
//! Owns turning Python arguments into `ProducerRecord`s (one per `send`, or a batch per
//! `send_batch` when the Python layer has many), one completion task per producer that fills
//! each watched record's slot as the core delivers it, and GIL-free flush/close. Each send
//! returns a native `FutureRecordMetadata` ([`Delivery`]). Serializers, partition choice for a
//! custom Python partitioner and callbacks stay in Python; batching and retries stay in the
//! core.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use ferrokafka_core::{ClientConfig, Producer, ProducerRecord, RecordHeader, RecordMetadata};
use futures_util::stream::{FuturesUnordered, StreamExt};
use pyo3::gc::PyVisit;
use pyo3::prelude::*;
use pyo3::sync::GILProtected;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use pyo3::PyTraverseError;
use tokio::sync::mpsc;

use crate::convert::opt_bytes;
use crate::delivery::{helpers, Delivery, Link, Pending, Sizes};
use crate::errors;
use crate::slot::{CompletionQueue, Slot};
use crate::wait::{block_on, secs};

/// A producer over the core (`KafkaProducer` / `AIOKafkaProducer` wrap it).
#[pyclass(module = "ferrokafka._native", frozen)]
pub struct NativeProducer {
    producer: Producer,
    /// What its deliveries share (one reference count per send).
    link: Arc<Link>,
    next_id: AtomicU64,
    /// The Python `KafkaProducer` (set by `bind`; a reference cycle the collector sees through
    /// `__traverse__`, as `send_plain`, installed as its `send`, must keep it alive like a
    /// bound method); `send_plain` hands what it does not take natively to its
    /// `_send_checked`.
    owner: OnceLock<PyObject>,
    /// The topic `str` last sent through the checked path (which validated it), and its name
    /// (read and written with the GIL held, so no lock of its own).
    topic: GILProtected<RefCell<Option<CheckedTopic>>>,
    /// Set when the Python layer starts closing: `send_plain` then takes the checked path.
    closed: AtomicBool,
}

/// kafka-python's `send` arguments as given (`None` where not passed).
pub(crate) struct SendArgs<'a, 'py> {
    pub topic: &'a Bound<'py, PyAny>,
    pub value: Option<&'a Bound<'py, PyAny>>,
    pub key: Option<&'a Bound<'py, PyAny>>,
    pub headers: Option<&'a Bound<'py, PyAny>>,
    pub partition: Option<&'a Bound<'py, PyAny>>,
    pub timestamp_ms: Option<&'a Bound<'py, PyAny>>,
}

/// A topic `str` the Python layer validated, and its name.
type CheckedTopic = (Py<PyString>, Arc<str>);

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

fn len_or_absent(b: &Option<Bytes>) -> i64 {
    b.as_ref().map_or(-1, |b| b.len() as i64)
}

/// A record from `send`'s arguments (key and value already serialized to `bytes` or `None`;
/// headers a list of `(str, bytes | None)` or `None`), with its serialized sizes.
fn record(
    topic: Arc<str>,
    partition: Option<i32>,
    key: &Bound<'_, PyAny>,
    value: &Bound<'_, PyAny>,
    headers: &Bound<'_, PyAny>,
    timestamp: Option<i64>,
) -> PyResult<(ProducerRecord, Sizes)> {
    let key = opt_bytes(Some(key), "key")?;
    let value = opt_bytes(Some(value), "value")?;
    let mut hs = Vec::new();
    if !headers.is_none() {
        for h in headers.try_iter()? {
            let h = h?;
            let (k, v): (String, Bound<'_, PyAny>) = h.extract()?;
            hs.push(RecordHeader {
                key: k,
                value: opt_bytes(Some(&v), "header value")?,
            });
        }
    }
    let sizes = Sizes {
        key: len_or_absent(&key),
        value: len_or_absent(&value),
        headers: if hs.is_empty() {
            -1
        } else {
            hs.iter()
                .map(|h| (h.key.len() + h.value.as_ref().map_or(0, |v| v.len())) as i64)
                .sum()
        },
    };
    let rec = ProducerRecord {
        topic,
        partition,
        key,
        value,
        headers: hs,
        timestamp,
    };
    Ok((rec, sizes))
}

/// A record from a `(topic, partition, key, value, headers, timestamp_ms)` tuple.
fn record_from_tuple(item: &Bound<'_, PyAny>) -> PyResult<(ProducerRecord, Sizes)> {
    let t = item.downcast::<PyTuple>()?;
    record(
        Arc::from(t.get_item(0)?.extract::<String>()?),
        t.get_item(1)?.extract()?,
        &t.get_item(2)?,
        &t.get_item(3)?,
        &t.get_item(4)?,
        t.get_item(5)?.extract()?,
    )
}

impl NativeProducer {
    /// Enqueues a record and wraps it as a future; a refusal kafka-python raises from `send`
    /// (too large, producer closed) is raised, any other is in the future.
    fn deliver(
        &self,
        py: Python<'_>,
        rec: ProducerRecord,
        sizes: Sizes,
        owner: PyObject,
    ) -> PyResult<Py<Delivery>> {
        let (d, refused) = self.enqueue(rec, sizes, owner);
        if let Some(e) = refused {
            let exc = errors::exception(py, &e).into_bound(py);
            let raised = helpers(py)?.getattr("RAISED_FROM_SEND")?;
            if exc.is_instance(&raised)? {
                return Err(PyErr::from_value(exc));
            }
        }
        Py::new(py, d)
    }

    /// kafka-python's `send` before it queues a record: waits (GIL released) up to
    /// `max_block_ms` for the topic's metadata when it is not known yet, raising
    /// `KafkaTimeoutError("Failed to update metadata after N secs.")` at the deadline; an
    /// explicit partition must then exist (`ValueError`, kafka-python's message). Any other
    /// metadata error (an unauthorized topic) is left to the core's send, which fails the
    /// record's future with it, as kafka-python returns a failed future for broker errors.
    fn wait_on_metadata(
        &self,
        py: Python<'_>,
        topic: &Arc<str>,
        partition: Option<i32>,
    ) -> PyResult<()> {
        let count = match self.producer.partition_count(topic) {
            Some(n) => Some(n),
            None => {
                let max_block = self.producer.config().producer.max_block;
                let deadline = tokio::time::Instant::now() + max_block;
                let (p, t) = (self.producer.clone(), topic.clone());
                match block_on(py, async move { Ok(p.wait_for_topic(&t, deadline).await) })? {
                    Ok(n) => Some(n),
                    Err(e) if e.kind() == ferrokafka_core::ErrorKind::Timeout => {
                        let msg = format!(
                            "Failed to update metadata after {:.1} secs.",
                            max_block.as_secs_f64()
                        );
                        let exc = py
                            .import("ferrokafka.errors")?
                            .getattr("KafkaTimeoutError")?
                            .call1((msg,))?;
                        return Err(PyErr::from_value(exc));
                    }
                    Err(_) => None,
                }
            }
        };
        match (partition, count) {
            (Some(p), _) if p < 0 => Err(pyo3::exceptions::PyValueError::new_err(
                "partition must be >= 0",
            )),
            (Some(p), Some(n)) if p as usize >= n => Err(pyo3::exceptions::PyValueError::new_err(
                format!("Unrecognized partition {p} for topic {topic}"),
            )),
            _ => Ok(()),
        }
    }

    /// The record's delivery, and the core's error when it refused the record at once.
    fn enqueue(
        &self,
        rec: ProducerRecord,
        sizes: Sizes,
        owner: PyObject,
    ) -> (Delivery, Option<ferrokafka_core::Error>) {
        // A record refused before it was queued (too large, closed) is complete at once.
        // Otherwise the core's future stays in the Delivery and is only read when Python asks
        // (no per-record work on another thread unless a callback or a wait needs it).
        Delivery::new(
            self.producer.send(rec),
            self.link.clone(),
            self.next_id.fetch_add(1, Ordering::Relaxed),
            owner,
            sizes,
        )
    }

    /// kafka-python's `send` for a producer without serializers or a custom partitioner,
    /// installed as `KafkaProducer.send`: a record of `bytes` (or `None`) to a topic already
    /// validated, with no headers and no completed callbacks to run, goes straight to the core
    /// (the checks it passes are those `KafkaProducer._send_checked` makes); anything else
    /// goes through `_send_checked`.
    pub(crate) fn send_plain_args<'py>(
        &self,
        py: Python<'py>,
        a: SendArgs<'_, 'py>,
    ) -> PyResult<PyObject> {
        let absent = |o: Option<&Bound<'_, PyAny>>| o.is_none_or(|o| o.is_none());
        let plain_bytes = |o: Option<&Bound<'_, PyAny>>| {
            o.is_none_or(|o| o.is_none() || o.is_exact_instance_of::<PyBytes>())
        };
        if !self.closed.load(Ordering::Acquire)
            && absent(a.headers)
            && !(absent(a.value) && absent(a.key))
            && plain_bytes(a.value)
            && plain_bytes(a.key)
            && self.link.completions.is_empty()
        {
            let name = self
                .topic
                .get(py)
                .borrow()
                .as_ref()
                .filter(|(t, _)| t.bind(py).is(a.topic))
                .map(|(_, name)| name.clone());
            let part: Option<Option<i32>> = a.partition.map_or(Some(None), |p| p.extract().ok());
            let ts: Option<Option<i64>> = a.timestamp_ms.map_or(Some(None), |t| t.extract().ok());
            // An explicit partition the topic lacks takes the checked path (its ValueError).
            let part = part.filter(|p| {
                p.is_none_or(|p| {
                    name.as_ref()
                        .and_then(|n| self.producer.partition_count(n))
                        .is_some_and(|n| p >= 0 && (p as usize) < n)
                })
            });
            if let (Some(name), Some(part), Some(ts)) = (name, part, ts) {
                let none = py.None().into_bound(py);
                let (rec, sizes) = record(
                    name,
                    part,
                    a.key.unwrap_or(&none),
                    a.value.unwrap_or(&none),
                    &none,
                    ts,
                )?;
                let owner = self
                    .owner
                    .get()
                    .map_or_else(|| py.None(), |o| o.clone_ref(py));
                return Ok(self.deliver(py, rec, sizes, owner)?.into_any());
            }
        }
        let Some(owner) = self.owner.get().map(|o| o.bind(py)) else {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(
                "this native producer has no KafkaProducer; create producers with KafkaProducer",
            ));
        };
        let none = py.None().into_bound(py);
        let arg = |o: Option<&Bound<'py, PyAny>>| o.cloned().unwrap_or_else(|| none.clone());
        Ok(owner
            .call_method1(
                "_send_checked",
                (
                    a.topic,
                    arg(a.value),
                    arg(a.key),
                    arg(a.headers),
                    arg(a.partition),
                    arg(a.timestamp_ms),
                ),
            )?
            .unbind())
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
            link: Arc::new(Link {
                forward: tx,
                completions: Arc::new(CompletionQueue::default()),
            }),
            next_id: AtomicU64::new(0),
            owner: OnceLock::new(),
            topic: GILProtected::new(RefCell::new(None)),
            closed: AtomicBool::new(false),
        })
    }

    /// The partition count of `topic` when its metadata is known now, else `None`.
    fn partition_count(&self, topic: &str) -> Option<usize> {
        self.producer.partition_count(topic)
    }

    /// Waits (GIL released) up to `timeout` seconds for `topic`'s metadata; returns its
    /// partition count. Raises the core's error mapped (`KafkaTimeoutError` at the deadline,
    /// `TopicAuthorizationFailedError` at once); for aiokafka's `send`, run in an executor.
    fn wait_for_topic(&self, py: Python<'_>, topic: String, timeout: f64) -> PyResult<usize> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(timeout.max(0.0));
        let p = self.producer.clone();
        block_on(py, async move { p.wait_for_topic(&topic, deadline).await })
    }

    /// Records `owner`, the Python `KafkaProducer` (once).
    fn bind(&self, owner: PyObject) {
        let _ = self.owner.set(owner);
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        if let Some(o) = self.owner.get() {
            visit.call(o)?;
        }
        Ok(())
    }

    /// From now on `send_plain` takes the checked path (which raises kafka-python's error).
    fn mark_closed(&self) {
        self.closed.store(true, Ordering::Release);
    }

    /// kafka-python's `send` for a producer without serializers or a custom partitioner:
    /// see [`NativeProducer::send_plain_args`] (`send_function` gives the fastest callable).
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (topic, value=None, key=None, headers=None, partition=None, timestamp_ms=None))]
    fn send_plain<'py>(
        &self,
        py: Python<'py>,
        topic: &Bound<'py, PyAny>,
        value: Option<&Bound<'py, PyAny>>,
        key: Option<&Bound<'py, PyAny>>,
        headers: Option<&Bound<'py, PyAny>>,
        partition: Option<&Bound<'py, PyAny>>,
        timestamp_ms: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<PyObject> {
        let args = SendArgs {
            topic,
            value,
            key,
            headers,
            partition,
            timestamp_ms,
        };
        self.send_plain_args(py, args)
    }

    /// The callable `KafkaProducer.send` becomes when it has no serializer or custom
    /// partitioner: on Python 3.10 and later (whose stable ABI has the vectorcall convention)
    /// a builtin that takes its arguments without a tuple ([`crate::fastcall`]); before, the
    /// bound `send_plain`.
    fn send_function(slf: &Bound<'_, Self>) -> PyResult<PyObject> {
        crate::fastcall::send_function(slf)
    }

    /// Enqueues one record for `owner` (the Python `KafkaProducer`, whose callbacks its future
    /// runs); returns its `FutureRecordMetadata`. A record refused before it was queued with an
    /// error kafka-python raises from `send` (too large, producer closed) raises it here; any
    /// other refusal is in the returned future.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (owner, topic, partition, key, value, headers, timestamp_ms))]
    fn send(
        &self,
        py: Python<'_>,
        owner: PyObject,
        topic: &Bound<'_, PyString>,
        partition: Option<i32>,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
        headers: &Bound<'_, PyAny>,
        timestamp_ms: Option<i64>,
    ) -> PyResult<Py<Delivery>> {
        let name: Arc<str> = Arc::from(&*topic.to_cow()?);
        // Before the topic becomes `send_plain`'s: that path skips this wait.
        self.wait_on_metadata(py, &name, partition)?;
        // The Python layer validated this topic: `send_plain` may take it natively now. The
        // topic it replaces is dropped after the borrow ends (a `str` subclass's `__del__`
        // could send).
        let replaced = {
            let mut last = self.topic.get(py).borrow_mut();
            if last.as_ref().is_some_and(|(t, _)| t.bind(py).is(topic)) {
                None
            } else {
                last.replace((topic.clone().unbind(), name.clone()))
            }
        };
        drop(replaced);
        let (rec, sizes) = record(name, partition, key, value, headers, timestamp_ms)?;
        self.deliver(py, rec, sizes, owner)
    }

    /// Enqueues many `(topic, partition, key, value, headers, timestamp_ms)` records in
    /// order; one future per record (refusals are in the futures, never raised).
    fn send_batch(&self, py: Python<'_>, items: &Bound<'_, PyAny>) -> PyResult<Vec<Py<Delivery>>> {
        let mut out = Vec::new();
        for item in items.try_iter()? {
            let (rec, sizes) = record_from_tuple(&item?)?;
            out.push(Py::new(py, self.enqueue(rec, sizes, py.None()).0)?);
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
        PyList::new(py, self.link.completions.drain())
    }

    /// Waits up to `timeout` seconds (GIL released) for watched deliveries to complete and
    /// returns their ids (possibly none); the asyncio layer's waker thread calls this.
    fn wait_completed<'py>(&self, py: Python<'py>, timeout: f64) -> PyResult<Bound<'py, PyList>> {
        let ids = self
            .link
            .completions
            .wait_drain(py, Duration::from_secs_f64(timeout.clamp(0.0, 3600.0)));
        PyList::new(py, ids)
    }
}
