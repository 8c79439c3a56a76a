//! The one tokio runtime per process that the core owns.
//!
//! Owns [`runtime()`] (created on first use, multi-threaded, shared by every client in the
//! process; bindings call into it from foreign threads) and [`spawn`], which puts background
//! tasks on the caller's runtime when there is one (so tests with paused time see them) and on
//! the core runtime otherwise. It must not block.

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::{Handle, Runtime};
use tokio::task::JoinHandle;

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// The core's shared runtime.
pub fn runtime() -> &'static Runtime {
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("ferrokafka")
            .build()
            // Without a runtime nothing in the client can work; this only fails when the OS
            // refuses threads or an event fd.
            .unwrap_or_else(|e| panic!("ferrokafka: cannot start the tokio runtime: {e}"))
    })
}

/// A handle to the runtime background tasks should use.
pub fn handle() -> Handle {
    Handle::try_current().unwrap_or_else(|_| runtime().handle().clone())
}

/// Spawns a background task on the current runtime, or the core runtime outside one.
pub fn spawn<F>(fut: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    handle().spawn(fut)
}

#[cfg(test)]
mod tests {
    #[test]
    fn spawn_outside_a_runtime_uses_the_core_runtime() {
        let h = super::spawn(async { 40 + 2 });
        assert_eq!(super::runtime().block_on(h).unwrap(), 42);
    }
}
