//! `ferrokafka._native`: the private native module under the pure-Python `ferrokafka` package.
//!
//! Owns registering the native classes. Each class is a thin handle over `ferrokafka-core`
//! (or the embedded broker): it converts arguments, waits with the GIL released and maps
//! errors to `ferrokafka.errors` classes. Idiom (kafka-python / aiokafka shapes, config names,
//! serializers, callbacks) lives in the Python package, protocol and retries in the core.

mod admin;
mod broker;
mod consumer;
mod convert;
mod delivery;
mod errors;
mod fastcall;
mod producer;
mod records;
mod slot;
mod wait;

use pyo3::prelude::*;

/// The native module; `ferrokafka/__init__.py` and friends wrap these classes.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<producer::NativeProducer>()?;
    m.add_class::<delivery::Delivery>()?;
    m.add_class::<consumer::NativeConsumer>()?;
    m.add_class::<consumer::PendingCommit>()?;
    m.add_class::<admin::NativeAdmin>()?;
    m.add_class::<broker::NativeBroker>()?;
    m.add_function(wrap_pyfunction!(admin::decode_member_metadata, m)?)?;
    m.add_function(wrap_pyfunction!(admin::decode_member_assignment, m)?)?;
    m.add("CORE_VERSION", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
