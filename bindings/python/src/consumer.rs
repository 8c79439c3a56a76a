//! `_native.NativeConsumer` and `_native.PendingCommit`: the consumer handle.
//!
//! Owns converting the core's records to Python tuples a poll's batch at a time, waiting on
//! core calls with the GIL released, and forwarding rebalance callbacks to a Python listener
//! (they run inside `poll`/`close` on the calling Python thread). Deserializers, the
//! `{TopicPartition: [ConsumerRecord]}` shape and `max_records` buffering are in Python; group
//! logic and fetching are in the core.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ferrokafka_core::{ClientConfig, Consumer, RebalanceListener, TopicPartition};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::convert::{self, tp_list, tp_tuple, OffsetTuple};
use crate::errors;
use crate::records;
use crate::slot::Slot;
use crate::wait::{block_on, secs};

/// Calls a Python object's `on_partitions_assigned/revoked/lost(list[(topic, partition)])`.
struct PyListener(PyObject);

impl PyListener {
    fn call(&self, method: &str, parts: &[TopicPartition]) {
        Python::with_gil(|py| {
            let r = tp_list(py, parts).and_then(|l| self.0.call_method1(py, method, (l,)));
            if let Err(e) = r {
                // The Python adapter logs a listener's own exceptions; this is a last resort.
                e.write_unraisable(py, None);
            }
        });
    }
}

impl RebalanceListener for PyListener {
    fn on_partitions_assigned(&self, partitions: &[TopicPartition]) {
        self.call("on_partitions_assigned", partitions);
    }
    fn on_partitions_revoked(&self, partitions: &[TopicPartition]) {
        self.call("on_partitions_revoked", partitions);
    }
    fn on_partitions_lost(&self, partitions: &[TopicPartition]) {
        self.call("on_partitions_lost", partitions);
    }
}

/// A consumer over the core (`KafkaConsumer` / `AIOKafkaConsumer` wrap it).
#[pyclass(module = "ferrokafka._native", frozen)]
pub struct NativeConsumer {
    consumer: Consumer,
}

fn timeout_or_default(timeout: Option<f64>) -> Option<Duration> {
    secs(timeout)
}

#[pymethods]
impl NativeConsumer {
    /// `config`: Java property names to string values.
    #[new]
    fn new(py: Python<'_>, config: HashMap<String, String>) -> PyResult<NativeConsumer> {
        let cfg = errors::check(py, ClientConfig::from_pairs(config))?;
        let consumer = errors::check(py, Consumer::new(cfg))?;
        Ok(NativeConsumer { consumer })
    }

    #[pyo3(signature = (topics, listener=None))]
    fn subscribe(
        &self,
        py: Python<'_>,
        topics: Vec<String>,
        listener: Option<PyObject>,
    ) -> PyResult<()> {
        let names: Vec<&str> = topics.iter().map(String::as_str).collect();
        let r = match listener {
            Some(l) => self
                .consumer
                .subscribe_with_listener(&names, Arc::new(PyListener(l))),
            None => self.consumer.subscribe(&names),
        };
        errors::check(py, r)
    }

    #[pyo3(signature = (pattern, listener=None))]
    fn subscribe_pattern(
        &self,
        py: Python<'_>,
        pattern: &str,
        listener: Option<PyObject>,
    ) -> PyResult<()> {
        let r = match listener {
            Some(l) => self
                .consumer
                .subscribe_pattern_with_listener(pattern, Arc::new(PyListener(l))),
            None => self.consumer.subscribe_pattern(pattern),
        };
        errors::check(py, r)
    }

    fn unsubscribe(&self) {
        self.consumer.unsubscribe();
    }

    fn assign(&self, py: Python<'_>, partitions: Vec<(String, i32)>) -> PyResult<()> {
        errors::check(py, self.consumer.assign(convert::tps(partitions)))
    }

    fn assignment<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        tp_list(py, &self.consumer.assignment())
    }

    fn subscription(&self) -> Vec<String> {
        self.consumer.subscription()
    }

    /// Waits up to `timeout_ms` for records; returns them as a list of tuples in
    /// kafka-python's `ConsumerRecord` field order (see [`records::to_python`]), each passed
    /// through `make` when given.
    #[pyo3(signature = (timeout_ms, make=None))]
    fn poll<'py>(
        &self,
        py: Python<'py>,
        timeout_ms: u64,
        make: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let c = self.consumer.clone();
        let records = block_on(py, async move {
            c.poll(Duration::from_millis(timeout_ms)).await
        })?;
        records::to_python(py, &records, make)
    }

    /// Commits `offsets` (`[(topic, partition, offset, metadata, leader_epoch)]`), or every
    /// consumed position when `None`; waits with the GIL released.
    #[pyo3(signature = (offsets=None, timeout=None))]
    fn commit(
        &self,
        py: Python<'_>,
        offsets: Option<Vec<OffsetTuple>>,
        timeout: Option<f64>,
    ) -> PyResult<()> {
        let c = self.consumer.clone();
        let offsets = offsets.map(convert::offsets);
        let limit = timeout_or_default(timeout);
        block_on(py, async move {
            match limit {
                Some(d) => c.commit_sync_with_timeout(offsets, d).await,
                None => c.commit_sync(offsets).await,
            }
        })
    }

    /// Commits in the background; the returned handle completes with the outcome.
    #[pyo3(signature = (offsets=None))]
    fn commit_async(&self, offsets: Option<Vec<OffsetTuple>>) -> PendingCommit {
        let handle = self.consumer.commit_async(offsets.map(convert::offsets));
        let slot = Slot::new();
        let s = slot.clone();
        ferrokafka_core::runtime().spawn(async move {
            let r = handle.await.unwrap_or_else(|e| {
                Err(ferrokafka_core::Error::internal(format!(
                    "the commit task failed: {e}"
                )))
            });
            s.set(r);
        });
        PendingCommit { slot }
    }

    #[pyo3(signature = (partitions, timeout=None))]
    fn committed<'py>(
        &self,
        py: Python<'py>,
        partitions: Vec<(String, i32)>,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let c = self.consumer.clone();
        let parts = convert::tps(partitions);
        let limit = timeout_or_default(timeout);
        let found = block_on(py, async move {
            match limit {
                Some(d) => c.committed_with_timeout(&parts, d).await,
                None => c.committed(&parts).await,
            }
        })?;
        convert::offsets_dict(py, found.iter())
    }

    #[pyo3(signature = (topic, partition, timeout=None))]
    fn position(
        &self,
        py: Python<'_>,
        topic: String,
        partition: i32,
        timeout: Option<f64>,
    ) -> PyResult<i64> {
        let c = self.consumer.clone();
        let tp = TopicPartition::new(topic, partition);
        let limit = timeout_or_default(timeout);
        block_on(py, async move {
            match limit {
                Some(d) => c.position_with_timeout(&tp, d).await,
                None => c.position(&tp).await,
            }
        })
    }

    fn seek(&self, py: Python<'_>, topic: String, partition: i32, offset: i64) -> PyResult<()> {
        errors::check(
            py,
            self.consumer
                .seek(&TopicPartition::new(topic, partition), offset),
        )
    }

    fn seek_to_beginning(&self, py: Python<'_>, partitions: Vec<(String, i32)>) -> PyResult<()> {
        let c = self.consumer.clone();
        let parts = convert::tps(partitions);
        block_on(py, async move { c.seek_to_beginning(&parts).await })
    }

    fn seek_to_end(&self, py: Python<'_>, partitions: Vec<(String, i32)>) -> PyResult<()> {
        let c = self.consumer.clone();
        let parts = convert::tps(partitions);
        block_on(py, async move { c.seek_to_end(&parts).await })
    }

    /// The high watermark the last fetch of this partition reported (None before one).
    fn highwater(&self, topic: String, partition: i32) -> Option<i64> {
        self.consumer
            .high_watermark(&TopicPartition::new(topic, partition))
    }

    fn pause(&self, partitions: Vec<(String, i32)>) {
        self.consumer.pause(&convert::tps(partitions));
    }

    fn resume(&self, partitions: Vec<(String, i32)>) {
        self.consumer.resume(&convert::tps(partitions));
    }

    fn paused<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        tp_list(py, &self.consumer.paused())
    }

    /// `{(topic, partition): offset}` of the first (`end=False`) or next (`end=True`) offsets.
    #[pyo3(signature = (partitions, end, timeout=None))]
    fn list_offsets<'py>(
        &self,
        py: Python<'py>,
        partitions: Vec<(String, i32)>,
        end: bool,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let c = self.consumer.clone();
        let parts = convert::tps(partitions);
        let limit = timeout_or_default(timeout);
        let found = block_on(py, async move {
            match (end, limit) {
                (false, Some(d)) => c.beginning_offsets_with_timeout(&parts, d).await,
                (false, None) => c.beginning_offsets(&parts).await,
                (true, Some(d)) => c.end_offsets_with_timeout(&parts, d).await,
                (true, None) => c.end_offsets(&parts).await,
            }
        })?;
        let d = PyDict::new(py);
        for (tp, off) in &found {
            d.set_item(tp_tuple(py, tp)?, off)?;
        }
        Ok(d)
    }

    /// `{(topic, partition): (offset, timestamp, leader_epoch) | None}`.
    #[pyo3(signature = (timestamps, timeout=None))]
    fn offsets_for_times<'py>(
        &self,
        py: Python<'py>,
        timestamps: Vec<(String, i32, i64)>,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let c = self.consumer.clone();
        let query: BTreeMap<TopicPartition, i64> = timestamps
            .into_iter()
            .map(|(t, p, ts)| (TopicPartition::new(t, p), ts))
            .collect();
        let limit = timeout_or_default(timeout);
        let found = block_on(py, async move {
            match limit {
                Some(d) => c.offsets_for_times_with_timeout(&query, d).await,
                None => c.offsets_for_times(&query).await,
            }
        })?;
        let d = PyDict::new(py);
        for (tp, o) in &found {
            match o {
                Some(o) => d.set_item(
                    tp_tuple(py, tp)?,
                    (o.offset, o.timestamp, o.leader_epoch.unwrap_or(-1)),
                )?,
                None => d.set_item(tp_tuple(py, tp)?, py.None())?,
            }
        }
        Ok(d)
    }

    /// `{topic: [partition, ...]}` of every topic the cluster knows; internal ones only with
    /// `include_internal` (kafka-python's `topics()` leaves them out, its
    /// `partitions_for_topic` finds them).
    #[pyo3(signature = (timeout=None, include_internal=false))]
    fn list_topics<'py>(
        &self,
        py: Python<'py>,
        timeout: Option<f64>,
        include_internal: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        let c = self.consumer.clone();
        let limit = timeout_or_default(timeout);
        let found = block_on(py, async move {
            match limit {
                Some(d) => c.list_topics_with_timeout(include_internal, d).await,
                None => c.list_topics(include_internal).await,
            }
        })?;
        let d = PyDict::new(py);
        for (name, parts) in &found {
            let ps: Vec<i32> = parts.iter().map(|p| p.partition).collect();
            d.set_item(name, ps)?;
        }
        Ok(d)
    }

    fn metrics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in self.consumer.metrics().to_pairs() {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    fn member_id(&self) -> String {
        self.consumer.member_id()
    }

    fn generation(&self) -> i32 {
        self.consumer.generation()
    }

    /// Commits (with auto-commit), revokes, leaves the group and closes.
    #[pyo3(signature = (timeout=None))]
    fn close(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<()> {
        let c = self.consumer.clone();
        let limit = timeout_or_default(timeout);
        block_on(py, async move {
            match limit {
                Some(d) => c.close_with_timeout(d).await,
                None => c.close().await,
            }
        })
    }
}

/// The outcome of `commit_async`.
#[pyclass(module = "ferrokafka._native", frozen)]
pub struct PendingCommit {
    slot: Arc<Slot<()>>,
}

#[pymethods]
impl PendingCommit {
    fn is_done(&self) -> bool {
        self.slot.is_done()
    }

    #[pyo3(signature = (timeout=None))]
    fn wait(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<bool> {
        let deadline = secs(timeout).map(|d| Instant::now() + d);
        self.slot.wait(py, deadline)
    }

    /// `None` while pending, `(True, None)` or `(False, exception)` once complete.
    fn outcome(&self, py: Python<'_>) -> Option<(bool, PyObject)> {
        match self.slot.peek() {
            None => None,
            Some(Ok(())) => Some((true, py.None())),
            Some(Err(e)) => Some((false, errors::exception(py, &e))),
        }
    }
}
