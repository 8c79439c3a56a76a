//! JNI entry points of `FerroKafkaConsumer`'s lookups and position changes: position,
//! committed, current offsets and lag, seek*, pause/resume, offsetsForTimes, beginning/end
//! offsets, listTopics, metrics.
//!
//! Each is a shim over the core consumer; `timeout_ms < 0` means the core's default
//! (`default.api.timeout.ms`). Blocking ones are interruptible by `wakeup()`.

use std::time::Duration;

use ferrokafka_core::admin::PartitionInfo;
use ferrokafka_core::{OffsetAndMetadata, TopicPartition};
use jni::objects::{JByteArray, JClass, JString};
use jni::sys::{jbyteArray, jint, jlong};
use jni::JNIEnv;

use crate::codec::{Dec, Enc};
use crate::config::{java_bytes, null_bytes, string, vec};
use crate::consumer::{decode_tps, ConsumerHandle};
use crate::entry::{run, JResult};
use crate::handle::get;
use crate::listener::encode_tps;

fn timeout(ms: jlong) -> Option<Duration> {
    (ms >= 0).then(|| Duration::from_millis(ms as u64))
}

/// `[count][partition, leader(-1), replicas[], isr[]]...`
pub fn encode_partitions(e: &mut Enc, parts: &[PartitionInfo]) {
    e.i32(parts.len() as i32);
    for p in parts {
        e.i32(p.partition);
        e.opt_i32(p.leader);
        e.i32s(&p.replicas);
        e.i32s(&p.isr);
    }
}

fn tps(env: &mut JNIEnv, arr: &JByteArray) -> JResult<Vec<ferrokafka_core::TopicPartition>> {
    decode_tps(&vec(env, arr)?)
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerPosition<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    topic: JString<'l>,
    partition: jint,
    timeout_ms: jlong,
) -> jlong {
    run(&mut env, -1, |env| {
        let c = get::<ConsumerHandle>(h);
        let tp = ferrokafka_core::TopicPartition::new(string(env, &topic)?, partition);
        match timeout(timeout_ms) {
            Some(t) => c.wakeable_if_blocking(c.consumer.position_with_timeout(&tp, t)),
            None => c.wakeable_if_blocking(c.consumer.position(&tp)),
        }
    })
}

/// `[count][topic, partition, offset, leaderEpoch, metadata]...` of the committed offsets.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerCommitted<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    parts: JByteArray<'l>,
    timeout_ms: jlong,
) -> jbyteArray {
    run(&mut env, null_bytes(), |env| {
        let c = get::<ConsumerHandle>(h);
        let parts = tps(env, &parts)?;
        let found = match timeout(timeout_ms) {
            Some(t) => c.wakeable(c.consumer.committed_with_timeout(&parts, t))?,
            None => c.wakeable(c.consumer.committed(&parts))?,
        };
        java_bytes(env, &offsets_bytes(&found))
    })
}

/// `[count][topic, partition, offset, leaderEpoch, metadata]...`.
fn offsets_bytes<'a>(
    offsets: impl IntoIterator<Item = (&'a TopicPartition, &'a OffsetAndMetadata)>,
) -> Vec<u8> {
    let offsets: Vec<_> = offsets.into_iter().collect();
    let mut e = Enc::default();
    e.i32(offsets.len() as i32);
    for (tp, o) in offsets {
        e.str(&tp.topic);
        e.i32(tp.partition);
        e.i64(o.offset);
        e.opt_i32(o.leader_epoch);
        e.str(&o.metadata);
    }
    e.buf
}

/// The offsets `commitAsync()` without offsets commits (each position), in the committed
/// offsets' layout, so its callback can be handed them as Java's client does.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerCurrentOffsets<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
) -> jbyteArray {
    run(&mut env, null_bytes(), |env| {
        let offsets = get::<ConsumerHandle>(h).consumer.current_offsets();
        java_bytes(env, &offsets_bytes(&offsets))
    })
}

/// `currentLag`: high watermark minus position, or `Long.MIN_VALUE` when not known.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerCurrentLag<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    topic: JString<'l>,
    partition: jint,
) -> jlong {
    run(&mut env, i64::MIN, |env| {
        let tp = TopicPartition::new(string(env, &topic)?, partition);
        Ok(get::<ConsumerHandle>(h)
            .consumer
            .current_lag(&tp)
            .unwrap_or(i64::MIN))
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerSeek<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    topic: JString<'l>,
    partition: jint,
    offset: jlong,
) {
    run(&mut env, (), |env| {
        let tp = ferrokafka_core::TopicPartition::new(string(env, &topic)?, partition);
        Ok(get::<ConsumerHandle>(h).consumer.seek(&tp, offset)?)
    })
}

/// Seeks to the log start (`end == false`) or end of each partition.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerSeekToEdge<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    parts: JByteArray<'l>,
    end: jni::sys::jboolean,
) {
    run(&mut env, (), |env| {
        let c = get::<ConsumerHandle>(h);
        let parts = tps(env, &parts)?;
        if end != 0 {
            c.wakeable(c.consumer.seek_to_end(&parts))
        } else {
            c.wakeable(c.consumer.seek_to_beginning(&parts))
        }
    })
}

/// Pauses (`pause == true`) or resumes the partitions.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerPause<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    parts: JByteArray<'l>,
    pause: jni::sys::jboolean,
) {
    run(&mut env, (), |env| {
        let c = get::<ConsumerHandle>(h);
        let parts = tps(env, &parts)?;
        if pause != 0 {
            c.consumer.pause(&parts);
        } else {
            c.consumer.resume(&parts);
        }
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerPaused<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
) -> jbyteArray {
    run(&mut env, null_bytes(), |env| {
        let mut e = Enc::default();
        encode_tps(&mut e, &get::<ConsumerHandle>(h).consumer.paused());
        java_bytes(env, &e.buf)
    })
}

/// `query` is `[count][topic, partition, timestamp]...`; the answer
/// `[count][topic, partition, found(0|1), offset, timestamp, leaderEpoch]...`.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerOffsetsForTimes<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    query: JByteArray<'l>,
    timeout_ms: jlong,
) -> jbyteArray {
    run(&mut env, null_bytes(), |env| {
        let c = get::<ConsumerHandle>(h);
        let q = Dec::new(&vec(env, &query)?).partition_values()?;
        let found = match timeout(timeout_ms) {
            Some(t) => c.wakeable(c.consumer.offsets_for_times_with_timeout(&q, t))?,
            None => c.wakeable(c.consumer.offsets_for_times(&q))?,
        };
        let mut e = Enc::default();
        e.i32(found.len() as i32);
        for (tp, o) in &found {
            e.str(&tp.topic);
            e.i32(tp.partition);
            match o {
                Some(o) => {
                    e.i8(1);
                    e.i64(o.offset);
                    e.i64(o.timestamp);
                    e.opt_i32(o.leader_epoch);
                }
                None => e.i8(0),
            }
        }
        java_bytes(env, &e.buf)
    })
}

/// Log start (`end == false`) or end offsets: `[count][topic, partition, offset]...`.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerEdgeOffsets<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    parts: JByteArray<'l>,
    end: jni::sys::jboolean,
    timeout_ms: jlong,
) -> jbyteArray {
    run(&mut env, null_bytes(), |env| {
        let c = get::<ConsumerHandle>(h);
        let parts = tps(env, &parts)?;
        let k = &c.consumer;
        let found = match (end != 0, timeout(timeout_ms)) {
            (true, Some(t)) => c.wakeable(k.end_offsets_with_timeout(&parts, t))?,
            (true, None) => c.wakeable(k.end_offsets(&parts))?,
            (false, Some(t)) => c.wakeable(k.beginning_offsets_with_timeout(&parts, t))?,
            (false, None) => c.wakeable(k.beginning_offsets(&parts))?,
        };
        let mut e = Enc::default();
        e.partition_values(found.iter());
        java_bytes(env, &e.buf)
    })
}

/// `[count][topic, partitions...]...` of every topic, internal ones included, as
/// `KafkaConsumer.listTopics()` lists them (and `partitionsFor` finds them).
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerListTopics<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    timeout_ms: jlong,
) -> jbyteArray {
    run(&mut env, null_bytes(), |env| {
        let c = get::<ConsumerHandle>(h);
        let topics = match timeout(timeout_ms) {
            Some(t) => c.wakeable(c.consumer.list_topics_with_timeout(true, t))?,
            None => c.wakeable(c.consumer.list_topics(true))?,
        };
        let mut e = Enc::default();
        e.i32(topics.len() as i32);
        for (name, parts) in &topics {
            e.str(name);
            encode_partitions(&mut e, parts);
        }
        java_bytes(env, &e.buf)
    })
}

/// `[count][name, value]...` of Kafka-named consumer metrics.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerMetrics<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
) -> jbyteArray {
    run(&mut env, null_bytes(), |env| {
        let pairs = get::<ConsumerHandle>(h).consumer.metrics().to_pairs();
        let mut e = Enc::default();
        e.i32(pairs.len() as i32);
        for (k, v) in pairs {
            e.str(k);
            e.f64(v);
        }
        java_bytes(env, &e.buf)
    })
}
