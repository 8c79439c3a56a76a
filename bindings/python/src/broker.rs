//! `_native.NativeBroker`: the bundled ferrokafka broker, in-process, for tests.
//!
//! Owns starting `ferrokafka_broker::EmbeddedBroker` (its own runtime, no tokio types here)
//! with Kafka-named settings and stopping it; `ferrokafka.testing.LocalBroker` wraps it.

use std::collections::HashMap;

use ferrokafka_broker::{Broker, EmbeddedBroker};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

/// A running in-process broker.
#[pyclass(module = "ferrokafka._native", frozen)]
pub struct NativeBroker {
    broker: EmbeddedBroker,
}

#[pymethods]
impl NativeBroker {
    /// Starts a broker with its data in `data_dir`, listening on `listen` (`host:port`, port 0
    /// for a free one), with Kafka broker settings `config`.
    #[new]
    #[pyo3(signature = (data_dir, listen="127.0.0.1:0", config=None))]
    fn new(
        py: Python<'_>,
        data_dir: String,
        listen: &str,
        config: Option<HashMap<String, String>>,
    ) -> PyResult<NativeBroker> {
        let mut builder = Broker::builder().data_dir(&data_dir).listen(listen);
        for (k, v) in config.unwrap_or_default() {
            builder = builder.config(k, v);
        }
        let broker = py
            .allow_threads(|| EmbeddedBroker::start(builder))
            .map_err(|e| {
                PyRuntimeError::new_err(format!("the ferrokafka broker did not start: {e}"))
            })?;
        Ok(NativeBroker { broker })
    }

    #[getter]
    fn bootstrap_servers(&self) -> String {
        self.broker.bootstrap_servers().to_string()
    }

    #[getter]
    fn port(&self) -> u16 {
        self.broker.port()
    }

    #[getter]
    fn cluster_id(&self) -> String {
        self.broker.cluster_id().to_string()
    }

    fn is_running(&self) -> bool {
        self.broker.is_running()
    }

    /// Stops the broker (idempotent), waiting until its logs are closed.
    fn stop(&self, py: Python<'_>) {
        py.allow_threads(|| self.broker.stop());
    }
}
