//! Java arguments to Rust values: client configurations, strings, byte arrays.
//!
//! Owns [`client_config`] (the Java side passes only the properties the core understands, as
//! strings; the core validates them and names a bad key or value) and the small conversions
//! every entry point shares. It must not interpret configuration itself.

use bytes::Bytes;
use ferrokafka_core::ClientConfig;
use jni::objects::{JByteArray, JObject, JObjectArray, JString};
use jni::sys::jbyteArray;
use jni::JNIEnv;

use crate::entry::JResult;

/// A Java `String` (non-null) as a Rust `String`.
pub fn string(env: &mut JNIEnv, s: &JString) -> JResult<String> {
    Ok(env.get_string(s)?.into())
}

/// A Java `String[]` as Rust strings (nulls become empty strings).
pub fn strings(env: &mut JNIEnv, arr: &JObjectArray) -> JResult<Vec<String>> {
    if arr.is_null() {
        return Ok(Vec::new());
    }
    let n = env.get_array_length(arr)?;
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..n {
        let o = env.get_object_array_element(arr, i)?;
        if o.is_null() {
            out.push(String::new());
        } else {
            let s = JString::from(o);
            out.push(env.get_string(&s)?.into());
            env.delete_local_ref(s)?;
        }
    }
    Ok(out)
}

/// A Java `byte[]` (possibly null) as bytes.
pub fn opt_bytes(env: &mut JNIEnv, arr: &JByteArray) -> JResult<Option<Bytes>> {
    if arr.is_null() {
        return Ok(None);
    }
    Ok(Some(Bytes::from(env.convert_byte_array(arr)?)))
}

/// A Java `byte[]` (non-null) as a `Vec`.
pub fn vec(env: &mut JNIEnv, arr: &JByteArray) -> JResult<Vec<u8>> {
    if arr.is_null() {
        return Ok(Vec::new());
    }
    Ok(env.convert_byte_array(arr)?)
}

/// Rust bytes as a new Java `byte[]`.
pub fn java_bytes(env: &mut JNIEnv, b: &[u8]) -> JResult<jbyteArray> {
    Ok(env.byte_array_from_slice(b)?.into_raw())
}

/// The configuration from parallel `keys` / `values` arrays of Java property names.
pub fn client_config(
    env: &mut JNIEnv,
    keys: &JObjectArray,
    values: &JObjectArray,
) -> JResult<ClientConfig> {
    let k = strings(env, keys)?;
    let v = strings(env, values)?;
    Ok(ClientConfig::from_pairs(k.into_iter().zip(v))?)
}

/// A null `jbyteArray`, for entry points that return nothing after throwing.
pub fn null_bytes() -> jbyteArray {
    JObject::null().into_raw()
}
