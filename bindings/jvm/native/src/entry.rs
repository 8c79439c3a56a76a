//! The panic-safe wrapper every JNI entry point runs in, and error throwing.
//!
//! Owns [`JniError`] and [`run`]: the entry point's body returns a `Result`; an error becomes a
//! Java exception built by `NativeError.create(kind, code, message)` (the one mapping from the
//! core's `ErrorKind` + Kafka error code to `org.apache.kafka.common.errors` classes, kept in
//! Java), a panic becomes a `KafkaException` instead of aborting the JVM.

use std::panic::AssertUnwindSafe;

use ferrokafka_core::{Error, ErrorKind};
use jni::objects::{JObject, JThrowable, JValue};
use jni::JNIEnv;

/// Kind numbers shared with `NativeError.java` for conditions that are not core errors.
pub const KIND_WAKEUP: i32 = 100;
pub const KIND_ILLEGAL_STATE: i32 = 101;
pub const KIND_ILLEGAL_ARGUMENT: i32 = 102;
/// A metadata wait that timed out while the broker reported the topic unknown.
pub const KIND_TIMEOUT_UNKNOWN_TOPIC: i32 = 103;
const KIND_INTERNAL: i32 = 22;

/// Why a native call failed.
pub enum JniError {
    /// A core error (kind + Kafka code).
    Core(Error),
    /// `wakeup()` interrupted a blocking consumer call.
    Wakeup,
    /// A Java-side misuse (closed client, bad argument): kind number and message.
    Java(i32, String),
    /// A JNI call failed; a Java exception is usually pending already.
    Jni(jni::errors::Error),
}

impl From<Error> for JniError {
    fn from(e: Error) -> Self {
        JniError::Core(e)
    }
}

impl From<jni::errors::Error> for JniError {
    fn from(e: jni::errors::Error) -> Self {
        JniError::Jni(e)
    }
}

pub type JResult<T> = Result<T, JniError>;

/// The number `NativeError.java` knows a core error kind by.
pub fn kind_number(kind: ErrorKind) -> i32 {
    match kind {
        ErrorKind::Config => 0,
        ErrorKind::Network => 1,
        ErrorKind::Timeout => 2,
        ErrorKind::Protocol => 3,
        ErrorKind::UnsupportedVersion => 4,
        ErrorKind::Closed => 5,
        ErrorKind::BufferExhausted => 6,
        ErrorKind::RecordTooLarge => 7,
        ErrorKind::InvalidRecord => 8,
        ErrorKind::UnknownTopicOrPartition => 9,
        ErrorKind::InvalidTopic => 10,
        ErrorKind::TopicAlreadyExists => 11,
        ErrorKind::NotLeader => 12,
        ErrorKind::NotEnoughReplicas => 13,
        ErrorKind::OutOfOrderSequence => 14,
        ErrorKind::UnknownProducerId => 15,
        ErrorKind::ProducerFenced => 16,
        ErrorKind::Authorization => 17,
        ErrorKind::OffsetOutOfRange => 18,
        ErrorKind::Coordinator => 19,
        ErrorKind::Rebalance => 20,
        ErrorKind::Broker => 21,
        ErrorKind::Authentication => 23,
        _ => KIND_INTERNAL,
    }
}

/// Runs an entry point's body; on error or panic throws a Java exception and returns `default`.
pub fn run<'l, T>(
    env: &mut JNIEnv<'l>,
    default: T,
    body: impl FnOnce(&mut JNIEnv<'l>) -> JResult<T>,
) -> T {
    match std::panic::catch_unwind(AssertUnwindSafe(|| body(env))) {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            throw(env, e);
            default
        }
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            throw(
                env,
                JniError::Java(
                    KIND_INTERNAL,
                    format!("ferrokafka native code panicked: {msg}; please report this bug"),
                ),
            );
            default
        }
    }
}

/// The message Java's client gives the exception for `e`: for a broker's error code the
/// message the broker sent with it (`""` too), or None (null) when it sent none (`NativeError`
/// then uses kafka-clients' default message for the code, as `Errors.exception(null)` does);
/// the core's own description otherwise.
pub fn java_message(e: &Error) -> Option<String> {
    match (e.code(), e.broker_message()) {
        (Some(code), Some(m)) if code > 0 => Some(m.to_string()),
        (Some(code), None) if code > 0 => None,
        _ => Some(e.to_string()),
    }
}

fn throw(env: &mut JNIEnv, e: JniError) {
    let (kind, code, msg) = match e {
        JniError::Core(e) => (
            kind_number(e.kind()),
            e.code().map_or(-1, i32::from),
            java_message(&e),
        ),
        JniError::Wakeup => (
            KIND_WAKEUP,
            -1,
            Some("the call was interrupted by wakeup()".into()),
        ),
        JniError::Java(kind, msg) => (kind, -1, Some(msg)),
        JniError::Jni(e) => {
            if env.exception_check().unwrap_or(false) {
                return; // the Java exception that made the JNI call fail propagates
            }
            (KIND_INTERNAL, -1, Some(format!("JNI call failed: {e}")))
        }
    };
    if env.exception_check().unwrap_or(false) {
        return;
    }
    if throw_typed(env, kind, code, msg.as_deref()).is_err() {
        let _ = env.exception_clear();
        let _ = env.throw_new(
            "org/apache/kafka/common/KafkaException",
            msg.unwrap_or_else(|| format!("the broker returned error code {code}")),
        );
    }
}

fn throw_typed(
    env: &mut JNIEnv,
    kind: i32,
    code: i32,
    msg: Option<&str>,
) -> jni::errors::Result<()> {
    let jmsg = match msg {
        Some(m) => env.new_string(m)?.into(),
        None => JObject::null(),
    };
    let obj = env
        .call_static_method(
            "dev/ferrokafka/clients/internal/NativeError",
            "create",
            "(IILjava/lang/String;)Ljava/lang/RuntimeException;",
            &[JValue::Int(kind), JValue::Int(code), JValue::Object(&jmsg)],
        )?
        .l()?;
    env.throw(JThrowable::from(obj))
}

/// A Java-side misuse error.
pub fn illegal_state(msg: impl Into<String>) -> JniError {
    JniError::Java(KIND_ILLEGAL_STATE, msg.into())
}

/// A bad argument from Java.
pub fn illegal_argument(msg: impl Into<String>) -> JniError {
    JniError::Java(KIND_ILLEGAL_ARGUMENT, msg.into())
}
