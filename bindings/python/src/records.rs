//! A poll's records as Python objects, built a batch at a time.
//!
//! Owns the conversion of the core's `ConsumerRecord`s into kafka-python's `ConsumerRecord`
//! field order, with as few Python allocations as the shape allows: one `str` per topic per
//! batch, `int`s reused while consecutive records repeat a value (timestamps, sizes), and the
//! cyclic garbage collector paused while the batch is built (records hold no reference
//! cycles, and a batch of thousands of new tuples would otherwise trigger many collections
//! that each walk every record still buffered).

use std::collections::HashMap;

use ferrokafka_core::consumer::{ConsumerRecord, TimestampType};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};

use crate::convert::py_bytes;

/// Pauses Python's cyclic garbage collector while alive, if it was enabled; the GIL is held
/// throughout, so no other Python thread runs while it is paused.
struct GcPause<'py> {
    gc: Option<Bound<'py, PyModule>>,
}

impl<'py> GcPause<'py> {
    fn new(py: Python<'py>) -> PyResult<GcPause<'py>> {
        let gc = py.import("gc")?;
        if gc.call_method0("isenabled")?.is_truthy()? {
            gc.call_method0("disable")?;
            Ok(GcPause { gc: Some(gc) })
        } else {
            Ok(GcPause { gc: None })
        }
    }
}

impl Drop for GcPause<'_> {
    fn drop(&mut self) {
        if let Some(gc) = &self.gc {
            if let Err(e) = gc.call_method0("enable") {
                e.write_unraisable(gc.py(), None);
            }
        }
    }
}

/// The Python `int` of the last value converted, reused while the value repeats.
struct LastInt<'py> {
    last: Option<(i64, Bound<'py, PyAny>)>,
}

impl<'py> LastInt<'py> {
    fn new() -> LastInt<'py> {
        LastInt { last: None }
    }

    fn get(&mut self, py: Python<'py>, v: i64) -> PyResult<Bound<'py, PyAny>> {
        if let Some((prev, obj)) = &self.last {
            if *prev == v {
                return Ok(obj.clone());
            }
        }
        let obj = v.into_pyobject(py)?.into_any();
        self.last = Some((v, obj.clone()));
        Ok(obj)
    }
}

/// The records as a list, each `make(row)` when `make` is given (e.g. kafka-python's
/// `ConsumerRecord` constructor) or else the row itself: a tuple `(topic, partition,
/// leader_epoch, offset, timestamp, timestamp_type, key, value, headers, checksum, key_size,
/// value_size, headers_size)`.
pub fn to_python<'py>(
    py: Python<'py>,
    records: &[ConsumerRecord],
    make: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyList>> {
    let _pause = GcPause::new(py)?;
    let mut topics: HashMap<&str, Bound<'py, PyString>> = HashMap::new();
    let (mut timestamps, mut key_sizes, mut value_sizes) =
        (LastInt::new(), LastInt::new(), LastInt::new());
    let mut out = Vec::with_capacity(records.len());
    for r in records {
        let topic = topics
            .entry(&*r.topic)
            .or_insert_with(|| PyString::new(py, &r.topic))
            .clone();
        let headers: PyResult<Vec<Bound<'py, PyTuple>>> = r
            .headers
            .iter()
            .map(|(k, v)| PyTuple::new(py, [PyString::new(py, k).into_any(), py_bytes(py, v)]))
            .collect();
        let header_size: i64 = if r.headers.is_empty() {
            -1
        } else {
            r.headers
                .iter()
                .map(|(k, v)| (k.len() + v.as_ref().map_or(0, |v| v.len())) as i64)
                .sum()
        };
        let ts_type: i32 = match r.timestamp_type {
            TimestampType::CreateTime => 0,
            TimestampType::LogAppendTime => 1,
        };
        let epoch = match r.leader_epoch {
            Some(e) => e.into_pyobject(py)?.into_any(),
            None => py.None().into_bound(py),
        };
        let key_size = r.key.as_ref().map_or(-1, |k| k.len() as i64);
        let value_size = r.value.as_ref().map_or(-1, |v| v.len() as i64);
        let row = PyTuple::new(
            py,
            [
                topic.into_any(),
                r.partition.into_pyobject(py)?.into_any(),
                epoch,
                r.offset.into_pyobject(py)?.into_any(),
                timestamps.get(py, r.timestamp)?,
                ts_type.into_pyobject(py)?.into_any(),
                py_bytes(py, &r.key),
                py_bytes(py, &r.value),
                PyList::new(py, headers?)?.into_any(),
                py.None().into_bound(py),
                key_sizes.get(py, key_size)?,
                value_sizes.get(py, value_size)?,
                header_size.into_pyobject(py)?.into_any(),
            ],
        )?;
        out.push(match make {
            Some(f) => f.call1((row,))?,
            None => row.into_any(),
        });
    }
    PyList::new(py, out)
}
