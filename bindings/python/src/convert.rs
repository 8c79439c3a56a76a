//! Conversions between Python values and core types shared by the native classes.
//!
//! Owns bytes/headers/topic-partition/offset conversions. Python passes plain tuples and
//! `bytes`; the Python layer has already applied serializers and kafka-python's shapes.

use std::collections::BTreeMap;

use bytes::Bytes;
use ferrokafka_core::{OffsetAndMetadata, TopicPartition};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};

/// `None` or `bytes` as optional `Bytes`, borrowing the Python object's buffer (it stays
/// alive until the core has copied the record into its batch), so the only copy is the one
/// into the core's buffer.
pub fn opt_bytes(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<Bytes>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => match o.downcast::<PyBytes>() {
            Ok(b) => Ok(Some(Bytes::from_owner(PyBackedBytes::from(b.clone())))),
            Err(_) => Err(PyTypeError::new_err(format!(
                "{what} must be bytes or None after serialization, not {}; set a {what}_serializer",
                o.get_type().name()?
            ))),
        },
    }
}

/// Python `bytes` (or `None`) from optional core bytes.
pub fn py_bytes<'py>(py: Python<'py>, b: &Option<Bytes>) -> Bound<'py, PyAny> {
    match b {
        Some(b) => PyBytes::new(py, b).into_any(),
        None => py.None().into_bound(py),
    }
}

/// `[(topic, partition), ...]` as core topic-partitions.
pub fn tps(list: Vec<(String, i32)>) -> Vec<TopicPartition> {
    list.into_iter()
        .map(|(t, p)| TopicPartition::new(t, p))
        .collect()
}

/// A topic-partition as a Python `(topic, partition)` tuple.
pub fn tp_tuple<'py>(py: Python<'py>, tp: &TopicPartition) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(
        py,
        [
            tp.topic.as_ref().into_pyobject(py)?.into_any(),
            tp.partition.into_pyobject(py)?.into_any(),
        ],
    )
}

/// A list of topic-partitions as a Python list of tuples.
pub fn tp_list<'py>(py: Python<'py>, parts: &[TopicPartition]) -> PyResult<Bound<'py, PyList>> {
    let items: PyResult<Vec<_>> = parts.iter().map(|tp| tp_tuple(py, tp)).collect();
    PyList::new(py, items?)
}

/// One offset to commit: `(topic, partition, offset, metadata, leader_epoch)`.
pub type OffsetTuple = (String, i32, i64, Option<String>, Option<i32>);

/// Offsets from Python tuples.
pub fn offsets(list: Vec<OffsetTuple>) -> BTreeMap<TopicPartition, OffsetAndMetadata> {
    list.into_iter()
        .map(|(t, p, offset, metadata, epoch)| {
            (
                TopicPartition::new(t, p),
                OffsetAndMetadata {
                    offset,
                    metadata: metadata.unwrap_or_default(),
                    leader_epoch: epoch.filter(|e| *e >= 0),
                },
            )
        })
        .collect()
}

/// `{(topic, partition): (offset, metadata, leader_epoch)}` for Python.
pub fn offsets_dict<'py, 'a>(
    py: Python<'py>,
    it: impl IntoIterator<Item = (&'a TopicPartition, &'a OffsetAndMetadata)>,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (tp, om) in it {
        d.set_item(
            tp_tuple(py, tp)?,
            (
                om.offset,
                om.metadata.as_str(),
                om.leader_epoch.unwrap_or(-1),
            ),
        )?;
    }
    Ok(d)
}
