//! Core errors -> Python exceptions of `ferrokafka.errors`.
//!
//! Owns the one conversion: the core's `ErrorKind` name, Kafka error code, retriable flag and
//! message go to `ferrokafka.errors._from_native`, which picks kafka-python's class; the
//! broker's own message is kept as the exception's `broker_message` attribute. Nothing
//! here builds messages or decides classes by string matching.

use ferrokafka_core::Error;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

/// The exception instance for `e` (not raised).
pub fn exception(py: Python<'_>, e: &Error) -> PyObject {
    match build(py, e) {
        Ok(obj) => obj,
        // Only if the Python package is broken: still an exception, with the message.
        Err(err) => err.into_value(py).into_any(),
    }
}

fn build(py: Python<'_>, e: &Error) -> PyResult<PyObject> {
    let m = py.import("ferrokafka.errors")?;
    let kind = format!("{:?}", e.kind());
    let obj =
        m.getattr("_from_native")?
            .call1((kind, e.code(), e.is_retriable(), e.to_string()))?;
    // The broker's own error_message (aiokafka's admin results carry it verbatim).
    obj.setattr("broker_message", e.broker_message())?;
    Ok(obj.unbind())
}

/// The core error as a raisable `PyErr`.
pub fn to_py(py: Python<'_>, e: &Error) -> PyErr {
    let obj = exception(py, e);
    let bound = obj.into_bound(py);
    if bound.is_instance_of::<pyo3::exceptions::PyBaseException>() {
        PyErr::from_value(bound)
    } else {
        PyRuntimeError::new_err(e.to_string())
    }
}

/// A core `Result` as a `PyResult`.
pub fn check<T>(py: Python<'_>, r: ferrokafka_core::Result<T>) -> PyResult<T> {
    r.map_err(|e| to_py(py, &e))
}
