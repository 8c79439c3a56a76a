//! `_native.FutureRecordMetadata`: one sent record's delivery outcome, as kafka-python's future.
//!
//! Owns the native half of the future `KafkaProducer.send` returns: it is created here, without
//! any Python code running, so a send costs one native object and no allocation of its own
//! beyond it. It holds the core's delivery future (read only when Python asks; a slot the
//! producer's completion task fills is made only once a callback or a blocking wait needs
//! one), the record's serialized sizes, and a lazily created `ferrokafka.future.Future` that
//! carries kafka-python's semantics (value, exception, callbacks). kafka-python's methods and
//! attributes are forwarded to the functions of `ferrokafka._future_impl`, which create and
//! settle that Python future on first use.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use ferrokafka_core::{DeliveryFuture, RecordMetadata};
use futures_util::FutureExt;
use pyo3::gc::PyVisit;
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::{PyDict, PyTuple};
use pyo3::PyTraverseError;
use tokio::sync::mpsc;

use crate::errors;
use crate::slot::{Completions, Slot};
use crate::wait::secs;

/// What the producer's completion task receives: a slot and the core future that fills it.
pub type Pending = (Arc<Slot<RecordMetadata>>, DeliveryFuture);

/// What the deliveries of one producer share: the channel to its completion task and the ids
/// of watched deliveries that completed.
pub struct Link {
    pub forward: mpsc::UnboundedSender<Pending>,
    pub completions: Completions,
}

/// Serialized sizes of a record's key, value and headers (-1 when absent), as kafka-python's
/// `RecordMetadata` reports them.
#[derive(Clone, Copy)]
pub struct Sizes {
    pub key: i64,
    pub value: i64,
    pub headers: i64,
}

/// Where a delivery's outcome is.
enum Outcome {
    /// In the core's future, not read yet.
    Pending(DeliveryFuture),
    /// Read from the core's future (at send, or when Python asked).
    Done(ferrokafka_core::Result<RecordMetadata>),
    /// In a slot the producer's completion task fills (a callback or a wait needed one).
    Slot(Arc<Slot<RecordMetadata>>),
}

/// One record's delivery outcome (kafka-python's `FutureRecordMetadata`).
#[pyclass(module = "ferrokafka._native", name = "FutureRecordMetadata", frozen)]
pub struct Delivery {
    outcome: Mutex<Outcome>,
    link: Arc<Link>,
    #[pyo3(get)]
    id: u64,
    /// The Python `KafkaProducer` that sent it (its callbacks run there), or `None`; kept
    /// alive by its futures as in kafka-python (the collector sees it: `__traverse__`).
    #[pyo3(get, name = "_producer")]
    owner: PyObject,
    sizes: Sizes,
    /// The `ferrokafka.future.Future` holding value, exception and callbacks, once needed.
    state: Mutex<Option<PyObject>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn dropped() -> ferrokafka_core::Error {
    ferrokafka_core::Error::new(
        ferrokafka_core::ErrorKind::Closed,
        "the producer was dropped before the record was delivered",
    )
}

/// `ferrokafka._future_impl`, imported once.
pub fn helpers(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static MODULE: GILOnceCell<PyObject> = GILOnceCell::new();
    MODULE
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(py.import("ferrokafka._future_impl")?.into_any().unbind())
        })
        .map(|m| m.bind(py))
}

impl Delivery {
    /// A delivery for the core's `fut`, and the core's error when it refused the record before
    /// queueing it (too large, the producer closed...): an outcome known at once is a refusal,
    /// as a queued record is never delivered that fast; the delivery keeps it.
    pub fn new(
        mut fut: DeliveryFuture,
        link: Arc<Link>,
        id: u64,
        owner: PyObject,
        sizes: Sizes,
    ) -> (Delivery, Option<ferrokafka_core::Error>) {
        let (outcome, refused) = match (&mut fut).now_or_never() {
            Some(r) => {
                let refused = r.as_ref().err().cloned();
                (Outcome::Done(r), refused)
            }
            None => (Outcome::Pending(fut), None),
        };
        let d = Delivery {
            outcome: Mutex::new(outcome),
            link,
            id,
            owner,
            sizes,
            state: Mutex::new(None),
        };
        (d, refused)
    }

    /// Moves a ready outcome from the core's future into this delivery; whether it is complete.
    fn poll_now(&self) -> bool {
        let mut o = lock(&self.outcome);
        match &mut *o {
            Outcome::Done(_) => true,
            Outcome::Slot(s) => s.is_done(),
            Outcome::Pending(f) => match f.now_or_never() {
                Some(r) => {
                    *o = Outcome::Done(r);
                    true
                }
                None => false,
            },
        }
    }

    /// The outcome, if complete.
    fn peek(&self) -> Option<ferrokafka_core::Result<RecordMetadata>> {
        self.poll_now();
        match &*lock(&self.outcome) {
            Outcome::Pending(_) => None,
            Outcome::Done(r) => Some(r.clone()),
            Outcome::Slot(s) => s.peek(),
        }
    }

    /// The slot holding the outcome: made on first need, the core's future then handed to the
    /// producer's completion task (which fills it).
    fn slot(&self) -> Arc<Slot<RecordMetadata>> {
        let mut o = lock(&self.outcome);
        if let Outcome::Slot(s) = &*o {
            return s.clone();
        }
        let slot = Slot::new();
        match std::mem::replace(&mut *o, Outcome::Slot(slot.clone())) {
            Outcome::Done(r) => slot.set(r),
            Outcome::Pending(f) => {
                if let Err(mpsc::error::SendError((s, _))) =
                    self.link.forward.send((slot.clone(), f))
                {
                    s.set(Err(dropped()));
                }
            }
            Outcome::Slot(_) => {}
        }
        slot
    }

    /// Calls `ferrokafka._future_impl.<name>(self, *args, **kwargs)`.
    fn call_helper<'py>(
        slf: &Bound<'py, Self>,
        name: &str,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(slf.clone().into_any());
        all.extend(args.iter());
        helpers(py)?
            .getattr(name)?
            .call(PyTuple::new(py, all)?, kwargs)
    }
}

#[pymethods]
impl Delivery {
    // ---- the primitives `ferrokafka._future_impl` and the asyncio layer build on ----------

    /// Whether the outcome is known (the core has delivered or failed the record).
    fn is_complete(&self) -> bool {
        self.poll_now()
    }

    /// Waits up to `timeout` seconds (`None`: no limit), GIL released; whether it completed.
    #[pyo3(signature = (timeout=None))]
    fn wait(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<bool> {
        if self.poll_now() {
            return Ok(true);
        }
        let deadline = secs(timeout).map(|d| Instant::now() + d);
        self.slot().wait(py, deadline)
    }

    /// `None` while pending; `(True, (topic, partition, offset, timestamp, log_append_time,
    /// log_start_offset))` (-1: not given) or `(False, exception)` once complete.
    fn outcome(&self, py: Python<'_>) -> PyResult<Option<(bool, PyObject)>> {
        Ok(match self.peek() {
            None => None,
            Some(Ok(md)) => Some((
                true,
                (
                    md.topic.as_ref(),
                    md.partition,
                    md.offset,
                    md.timestamp,
                    md.log_append_time,
                    md.log_start_offset,
                )
                    .into_pyobject(py)?
                    .into_any()
                    .unbind(),
            )),
            Some(Err(e)) => Some((false, errors::exception(py, &e))),
        })
    }

    /// Reports this delivery's id through the producer's `take_completed` once it completes.
    fn watch(&self) {
        self.poll_now();
        self.slot().watch(self.id, &self.link.completions);
    }

    /// Its producer, and the Python future whose callbacks may refer back to this future.
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.owner)?;
        if let Ok(state) = self.state.try_lock() {
            if let Some(s) = state.as_ref() {
                visit.call(s)?;
            }
        }
        Ok(())
    }

    fn __clear__(&self) {
        let taken = lock(&self.state).take();
        drop(taken);
    }

    /// `(serialized_key_size, serialized_value_size, serialized_header_size)`.
    #[getter]
    fn _sizes(&self) -> (i64, i64, i64) {
        (self.sizes.key, self.sizes.value, self.sizes.headers)
    }

    /// The Python future holding value, exception and callbacks (`None` until needed).
    #[getter(_state)]
    fn get_state(&self, py: Python<'_>) -> PyObject {
        lock(&self.state)
            .as_ref()
            .map_or_else(|| py.None(), |s| s.clone_ref(py))
    }

    #[setter(_state)]
    fn set_state(&self, state: PyObject) {
        *lock(&self.state) = Some(state);
    }

    // ---- kafka-python's Future API (forwarded to ferrokafka._future_impl) -----------------

    #[getter]
    fn is_done(slf: &Bound<'_, Self>) -> PyResult<bool> {
        if slf.get().poll_now() {
            return Ok(true);
        }
        // Completed through a Python `success`/`failure` call (kafka-python allows them).
        let st = slf.get().get_state(slf.py());
        if st.is_none(slf.py()) {
            return Ok(false);
        }
        st.bind(slf.py()).getattr("is_done")?.extract()
    }

    #[getter]
    fn value<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::call_helper(slf, "value", &PyTuple::empty(slf.py()), None)
    }

    #[getter]
    fn exception<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::call_helper(slf, "exception", &PyTuple::empty(slf.py()), None)
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn get<'py>(
        slf: &Bound<'py, Self>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::call_helper(slf, "get", args, kwargs)
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn add_callback<'py>(
        slf: &Bound<'py, Self>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::call_helper(slf, "add_callback", args, kwargs)
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn add_errback<'py>(
        slf: &Bound<'py, Self>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::call_helper(slf, "add_errback", args, kwargs)
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn add_both<'py>(
        slf: &Bound<'py, Self>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::call_helper(slf, "add_both", args, kwargs)
    }

    fn chain<'py>(
        slf: &Bound<'py, Self>,
        future: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::call_helper(slf, "chain", &PyTuple::new(slf.py(), [future])?, None)
    }

    fn succeeded<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::call_helper(slf, "succeeded", &PyTuple::empty(slf.py()), None)
    }

    fn failed<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::call_helper(slf, "failed", &PyTuple::empty(slf.py()), None)
    }

    fn retriable<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Self::call_helper(slf, "retriable", &PyTuple::empty(slf.py()), None)
    }

    fn success<'py>(
        slf: &Bound<'py, Self>,
        value: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Self::call_helper(slf, "success", &PyTuple::new(slf.py(), [value])?, None)
    }

    fn failure<'py>(slf: &Bound<'py, Self>, e: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        Self::call_helper(slf, "failure", &PyTuple::new(slf.py(), [e])?, None)
    }

    fn __repr__(&self) -> String {
        let state = match self.peek() {
            None => "pending",
            Some(Ok(_)) => "succeeded",
            Some(Err(_)) => "failed",
        };
        format!("<FutureRecordMetadata id={} {state}>", self.id)
    }
}
