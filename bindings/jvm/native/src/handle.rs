//! Native objects handed to Java as a `long`.
//!
//! Owns the conversion between an `Arc<T>` and the `long` a Java `NativeHandle` subclass holds.
//! Java guarantees a handle is freed once, after its last use (its `close()` flips a flag
//! before freeing, and every method checks the flag first).

use std::sync::Arc;

use jni::sys::jlong;

/// Moves `value` to the heap and returns its address for Java.
pub fn into_handle<T>(value: T) -> jlong {
    Arc::into_raw(Arc::new(value)) as jlong
}

/// A new reference to the object behind `h`, kept alive for the duration of the call.
pub fn get<T>(h: jlong) -> Arc<T> {
    let ptr = h as *const T;
    // SAFETY: `h` came from `into_handle::<T>` and Java has not freed it yet (see the module
    // docs); taking one more strong count keeps the object alive while this call uses it.
    unsafe {
        Arc::increment_strong_count(ptr);
        Arc::from_raw(ptr)
    }
}

/// Drops Java's reference to the object behind `h`.
pub fn free<T>(h: jlong) {
    if h != 0 {
        // SAFETY: `h` came from `into_handle::<T>`, and Java frees each handle exactly once.
        unsafe { drop(Arc::from_raw(h as *const T)) }
    }
}
