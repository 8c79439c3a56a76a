//! A Java `ConsumerRebalanceListener` seen by the core as a [`RebalanceListener`].
//!
//! Owns [`JavaListener`]: holds a global reference to the Java `RebalanceBridge` and calls its
//! `onAssigned` / `onRevoked` / `onLost(byte[])` with the partitions encoded as a batch. The
//! core calls listeners on the task that polls, which is the Java thread inside `poll` (already
//! attached, so attaching is free); the bridge catches the user's exceptions and `poll`
//! rethrows them, so nothing is left pending here.

use ferrokafka_core::{RebalanceListener, TopicPartition};
use jni::objects::{GlobalRef, JValue};
use jni::JavaVM;

use crate::codec::Enc;

pub struct JavaListener {
    pub vm: JavaVM,
    pub bridge: GlobalRef,
}

/// `[count][topic, partition]...`
pub fn encode_tps(e: &mut Enc, parts: &[TopicPartition]) {
    e.i32(parts.len() as i32);
    for tp in parts {
        e.str(&tp.topic);
        e.i32(tp.partition);
    }
}

impl JavaListener {
    fn call(&self, method: &str, parts: &[TopicPartition]) {
        let Ok(mut env) = self.vm.attach_current_thread() else {
            return;
        };
        let mut e = Enc::default();
        encode_tps(&mut e, parts);
        let Ok(arr) = env.byte_array_from_slice(&e.buf) else {
            let _ = env.exception_clear();
            return;
        };
        let r = env.call_method(
            self.bridge.as_obj(),
            method,
            "([B)V",
            &[JValue::Object(&arr)],
        );
        if r.is_err() {
            // The bridge records the user's exception itself; this is a JNI-level failure.
            let _ = env.exception_clear();
        }
        let _ = env.delete_local_ref(arr);
    }
}

impl RebalanceListener for JavaListener {
    fn on_partitions_assigned(&self, partitions: &[TopicPartition]) {
        self.call("onAssigned", partitions);
    }
    fn on_partitions_revoked(&self, partitions: &[TopicPartition]) {
        self.call("onRevoked", partitions);
    }
    fn on_partitions_lost(&self, partitions: &[TopicPartition]) {
        self.call("onLost", partitions);
    }
}
