//! `KafkaProducer.send` as a vectorcall builtin (Python 3.10 and later).
//!
//! Owns the callable a producer without serializers or a custom partitioner installs as its
//! `send`. The abi3 wheel targets Python 3.9, whose stable ABI has only the tuple-and-dict
//! calling convention, so every PyO3 method call packs its arguments into a new tuple; from
//! 3.10 on the stable ABI also has `METH_FASTCALL`, where the interpreter hands over its
//! argument array. This module builds, at run time on 3.10 and later, a builtin function bound
//! to the `NativeProducer` with that convention, parses kafka-python's `send` arguments from the
//! array and calls [`NativeProducer::send_plain_args`]; on 3.9 it returns the bound
//! `send_plain`. Argument lists it does not recognise go to `send_plain`, which raises
//! Python's usual `TypeError`.

use std::ffi::c_int;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use pyo3::ffi;
use pyo3::intern;
use pyo3::panic::PanicException;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

use crate::producer::{NativeProducer, SendArgs};

/// CPython's `METH_FASTCALL` (0x0080, part of the stable ABI since 3.10; the `pyo3::ffi`
/// built for abi3-py39 leaves it out).
const METH_FASTCALL: c_int = 0x0080;

/// `PyCFunctionFastWithKeywords`: `(self, args, nargs, kwnames)`.
type FastWithKeywords = unsafe extern "C" fn(
    *mut ffi::PyObject,
    *const *mut ffi::PyObject,
    ffi::Py_ssize_t,
    *mut ffi::PyObject,
) -> *mut ffi::PyObject;

/// A method definition CPython reads for the lifetime of the process.
struct MethodDef(ffi::PyMethodDef);

// SAFETY: the definition is immutable and its pointers are to static data; CPython only reads it.
unsafe impl Sync for MethodDef {}

static SEND: MethodDef = MethodDef(ffi::PyMethodDef {
    ml_name: c"send".as_ptr(),
    ml_meth: ffi::PyMethodDefPointer {
        // SAFETY: CPython calls `ml_meth` with the signature its flags name (METH_FASTCALL |
        // METH_KEYWORDS: `PyCFunctionFastWithKeywords`); the union field only stores the
        // pointer, and both are `extern "C"` function pointers of the same size.
        PyCFunctionWithKeywords: unsafe {
            std::mem::transmute::<FastWithKeywords, ffi::PyCFunctionWithKeywords>(send_fast)
        },
    },
    ml_flags: METH_FASTCALL | ffi::METH_KEYWORDS,
    ml_doc: c"send($self, topic, value=None, key=None, headers=None, partition=None, timestamp_ms=None)\n--\n\nkafka-python's KafkaProducer.send: returns a FutureRecordMetadata.".as_ptr(),
});

/// The callable for `KafkaProducer.send` (see the module comment).
pub fn send_function(slf: &Bound<'_, NativeProducer>) -> PyResult<PyObject> {
    let py = slf.py();
    if py.version_info() < (3, 10) {
        return Ok(slf.getattr(intern!(py, "send_plain"))?.unbind());
    }
    // SAFETY: `SEND` is static and valid for METH_FASTCALL | METH_KEYWORDS (3.10+, checked
    // above); `slf` is a live object, which the new function holds a reference to (its
    // `__self__`). PyCFunction_NewEx returns a new reference or NULL with an exception set.
    unsafe {
        let f = ffi::PyCFunction_NewEx(
            ptr::addr_of!(SEND.0).cast_mut(),
            slf.as_ptr(),
            ptr::null_mut(),
        );
        Ok(Bound::from_owned_ptr_or_err(py, f)?.unbind())
    }
}

/// `send`'s parameters, in order.
const NAMES: [&str; 6] = [
    "topic",
    "value",
    "key",
    "headers",
    "partition",
    "timestamp_ms",
];

/// The index in [`NAMES`] of a keyword argument's name, if it is one.
fn param_index(py: Python<'_>, name: &Bound<'_, PyAny>) -> Option<usize> {
    let interned = [
        intern!(py, "topic"),
        intern!(py, "value"),
        intern!(py, "key"),
        intern!(py, "headers"),
        intern!(py, "partition"),
        intern!(py, "timestamp_ms"),
    ];
    // Keyword names written in source are interned: a pointer comparison finds them.
    if let Some(i) = interned.iter().position(|n| n.is(name)) {
        return Some(i);
    }
    let name = name.downcast::<PyString>().ok()?.to_cow().ok()?;
    NAMES.iter().position(|n| *n == name)
}

/// The call itself, with the GIL held.
///
/// # Safety
/// `slf` is the `NativeProducer` the function was made for; `args` holds `nargs` positional
/// values followed by one value per name in `kwnames` (a tuple of `str`, or NULL), all
/// borrowed for the call, as CPython passes them to a METH_FASTCALL | METH_KEYWORDS function.
unsafe fn call(
    py: Python<'_>,
    slf: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> PyResult<PyObject> {
    let this = Borrowed::from_ptr(py, slf);
    let nkw = if kwnames.is_null() {
        0
    } else {
        ffi::PyTuple_Size(kwnames)
    };
    let (npos, nall) = (nargs.max(0) as usize, (nargs + nkw.max(0)).max(0) as usize);
    let values: &[*mut ffi::PyObject] = if nall == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(args, nall)
    };
    let mut params: [Option<Borrowed<'_, '_, PyAny>>; 6] = [None; 6];
    let mut plain = npos <= params.len();
    if plain {
        for (slot, v) in params.iter_mut().zip(&values[..npos]) {
            *slot = Some(Borrowed::from_ptr(py, *v));
        }
        for (j, v) in values[npos..].iter().enumerate() {
            let name = Borrowed::from_ptr(py, ffi::PyTuple_GetItem(kwnames, j as ffi::Py_ssize_t));
            match param_index(py, &name) {
                Some(i) if params[i].is_none() => params[i] = Some(Borrowed::from_ptr(py, *v)),
                _ => {
                    plain = false;
                    break;
                }
            }
        }
    }
    let Some(topic) = params[0].filter(|_| plain) else {
        // Too many, unknown, repeated or missing arguments: `send_plain` parses them the usual
        // way (and raises the TypeError Python raises for them).
        let pos = PyTuple::new(
            py,
            values[..npos].iter().map(|v| Borrowed::from_ptr(py, *v)),
        )?;
        let kwargs = PyDict::new(py);
        for (j, v) in values[npos..].iter().enumerate() {
            let name = Borrowed::from_ptr(py, ffi::PyTuple_GetItem(kwnames, j as ffi::Py_ssize_t));
            kwargs.set_item(name, Borrowed::from_ptr(py, *v))?;
        }
        return Ok(this
            .call_method(intern!(py, "send_plain"), pos, Some(&kwargs))?
            .unbind());
    };
    let producer = this.downcast_unchecked::<NativeProducer>().get();
    let p = |i: usize| params[i].as_deref();
    let args = SendArgs {
        topic: &topic,
        value: p(1),
        key: p(2),
        headers: p(3),
        partition: p(4),
        timestamp_ms: p(5),
    };
    producer.send_plain_args(py, args)
}

/// The METH_FASTCALL | METH_KEYWORDS entry point CPython calls for `send(...)`.
unsafe extern "C" fn send_fast(
    slf: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // CPython calls this with the GIL held (`with_gil` then only counts it, as PyO3's own
    // method wrappers do), so dropping Python references inside is immediate.
    Python::with_gil(|py| {
        // SAFETY: the arguments are as `call` requires: CPython passes them so to a function
        // made from `SEND` (METH_FASTCALL | METH_KEYWORDS), whose `self` is the producer.
        let r = catch_unwind(AssertUnwindSafe(|| unsafe {
            call(py, slf, args, nargs, kwnames)
        }))
        .unwrap_or_else(|_| {
            Err(PanicException::new_err(
                "ferrokafka: KafkaProducer.send panicked (a bug; please report it)",
            ))
        });
        match r {
            Ok(v) => v.into_ptr(),
            Err(e) => {
                e.restore(py);
                ptr::null_mut()
            }
        }
    })
}
