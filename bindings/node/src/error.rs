//! Maps a core [`ferrokafka_core::Error`] onto a JS error the TypeScript layer turns into a
//! kafkajs error class.
//!
//! The reason string is a marker followed by JSON (`kind`, Kafka `code`, `retriable`,
//! `message`), so the kind survives the boundary intact; `ts/errors.ts` parses it. Nothing here
//! decides which JS class an error becomes.

use std::future::Future;

use ferrokafka_core::Error as CoreError;
use napi::{Error, Status};

/// Prefix of every reason string produced here; `ts/errors.ts` matches on it.
pub const MARKER: &str = "FERROKAFKA_ERROR:";

/// A JS error carrying the core error's kind, code, retriable flag and message.
pub fn to_napi(e: CoreError) -> Error {
    let body = serde_json::json!({
        "kind": format!("{:?}", e.kind()),
        "code": e.code(),
        "retriable": e.is_retriable(),
        "message": e.to_string(),
    });
    Error::new(Status::GenericFailure, format!("{MARKER}{body}"))
}

/// A configuration error raised by the binding itself (bad argument from JS).
pub fn config(message: impl Into<String>) -> Error {
    to_napi(CoreError::config(message))
}

/// Runs `fut` on the core's runtime and maps its error; the caller's task (napi's executor)
/// only waits on the join handle, so no core work runs on another runtime.
pub async fn on_core<T, F>(fut: F) -> napi::Result<T>
where
    F: Future<Output = ferrokafka_core::Result<T>> + Send + 'static,
    T: Send + 'static,
{
    match ferrokafka_core::runtime().spawn(fut).await {
        Ok(r) => r.map_err(to_napi),
        Err(e) => Err(to_napi(CoreError::internal(format!(
            "the native task failed: {e}"
        )))),
    }
}
