//! JNI entry points of `FerroKafkaConsumer`: lifecycle, subscription, poll, commits, wakeup.
//!
//! Owns [`ConsumerHandle`]: the core consumer, the `wakeup()` flag that makes a blocking call
//! (or the next one) fail with `WakeupException`, and the finished `commitAsync` results that
//! Java's poll thread collects to run the callbacks (as Java runs them inside poll). Lookups
//! (positions, offsets, topics) live in [`crate::consumer_lookups`].

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ferrokafka_core::consumer::TimestampType;
use ferrokafka_core::{CloseMembership, Consumer, OffsetAndMetadata, TopicPartition};
use jni::objects::{JByteArray, JClass, JObject, JObjectArray, JString};
use jni::sys::{jbyteArray, jint, jlong, jobjectArray};
use jni::JNIEnv;
use tokio::sync::Notify;

use crate::block::block;
use crate::codec::{Dec, Enc};
use crate::config::{client_config, java_bytes, null_bytes, string, strings, vec};
use crate::entry::{java_message, kind_number, run, JResult, JniError};
use crate::handle::{free, get, into_handle};
use crate::listener::{encode_tps, JavaListener};

type CommitResult = (i64, ferrokafka_core::Result<()>);

/// A consumer as Java holds it.
pub struct ConsumerHandle {
    pub consumer: Consumer,
    woken: AtomicBool,
    wake: Notify,
    commits: Arc<Mutex<Vec<CommitResult>>>,
}

impl ConsumerHandle {
    /// Runs a blocking core call that `wakeup()` interrupts (a pending wakeup fails it at once).
    pub fn wakeable<T, F>(&self, fut: F) -> JResult<T>
    where
        F: Future<Output = ferrokafka_core::Result<T>>,
    {
        block(async {
            let notified = self.wake.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.woken.swap(false, Ordering::AcqRel) {
                return Err(JniError::Wakeup);
            }
            tokio::select! {
                r = fut => r.map_err(JniError::from),
                _ = notified => {
                    self.woken.store(false, Ordering::Release);
                    Err(JniError::Wakeup)
                }
            }
        })
    }
}

impl ConsumerHandle {
    /// As [`wakeable`](Self::wakeable), but a call that completes without waiting (a position
    /// already known) returns its result and leaves a pending wakeup for the next blocking call,
    /// as KafkaConsumer only throws WakeupException where it waits on the network.
    pub fn wakeable_if_blocking<T, F>(&self, fut: F) -> JResult<T>
    where
        F: Future<Output = ferrokafka_core::Result<T>>,
    {
        let mut fut = std::pin::pin!(fut);
        let ready = block(std::future::poll_fn(|cx| {
            std::task::Poll::Ready(fut.as_mut().poll(cx))
        }));
        match ready {
            std::task::Poll::Ready(r) => r.map_err(JniError::from),
            std::task::Poll::Pending => self.wakeable(fut),
        }
    }
}

/// Reads `[count][topic, partition]...`.
pub fn decode_tps(raw: &[u8]) -> JResult<Vec<TopicPartition>> {
    let mut d = Dec::new(raw);
    let n = d.i32()?;
    let mut out = Vec::with_capacity(n.max(0) as usize);
    for _ in 0..n {
        let topic = d.string()?;
        out.push(TopicPartition::new(topic, d.i32()?));
    }
    Ok(out)
}

/// Reads `[count][topic, partition, offset, leaderEpoch(-1), metadata]...`.
fn decode_offsets(raw: &[u8]) -> JResult<BTreeMap<TopicPartition, OffsetAndMetadata>> {
    let mut d = Dec::new(raw);
    let n = d.i32()?;
    let mut out = BTreeMap::new();
    for _ in 0..n {
        let topic = d.string()?;
        let partition = d.i32()?;
        let offset = d.i64()?;
        let epoch = d.i32()?;
        let metadata = d.string()?;
        out.insert(
            TopicPartition::new(topic, partition),
            OffsetAndMetadata {
                offset,
                metadata,
                leader_epoch: (epoch >= 0).then_some(epoch),
            },
        );
    }
    Ok(out)
}

fn opt_offsets(
    env: &mut JNIEnv,
    arr: &JByteArray,
) -> JResult<Option<BTreeMap<TopicPartition, OffsetAndMetadata>>> {
    if arr.is_null() {
        return Ok(None);
    }
    decode_offsets(&vec(env, arr)?).map(Some)
}

fn listener(env: &mut JNIEnv, bridge: &JObject) -> JResult<Option<Arc<JavaListener>>> {
    if bridge.is_null() {
        return Ok(None);
    }
    Ok(Some(Arc::new(JavaListener {
        vm: env.get_java_vm()?,
        bridge: env.new_global_ref(bridge)?,
    })))
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerNew<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    keys: JObjectArray<'l>,
    values: JObjectArray<'l>,
) -> jlong {
    run(&mut env, 0, |env| {
        let cfg = client_config(env, &keys, &values)?;
        let _rt = ferrokafka_core::runtime().enter();
        Ok(into_handle(ConsumerHandle {
            consumer: Consumer::new(cfg)?,
            woken: AtomicBool::new(false),
            wake: Notify::new(),
            commits: Arc::new(Mutex::new(Vec::new())),
        }))
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerSubscribe<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    topics: JObjectArray<'l>,
    bridge: JObject<'l>,
) {
    run(&mut env, (), |env| {
        let c = get::<ConsumerHandle>(h);
        let topics = strings(env, &topics)?;
        let refs: Vec<&str> = topics.iter().map(String::as_str).collect();
        match listener(env, &bridge)? {
            Some(l) => c.consumer.subscribe_with_listener(&refs, l)?,
            None => c.consumer.subscribe(&refs)?,
        }
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerSubscribePattern<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    pattern: JString<'l>,
    bridge: JObject<'l>,
) {
    run(&mut env, (), |env| {
        let c = get::<ConsumerHandle>(h);
        let pattern = string(env, &pattern)?;
        match listener(env, &bridge)? {
            Some(l) => c.consumer.subscribe_pattern_with_listener(&pattern, l)?,
            None => c.consumer.subscribe_pattern(&pattern)?,
        }
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerUnsubscribe<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
) {
    run(&mut env, (), |_| {
        get::<ConsumerHandle>(h).consumer.unsubscribe();
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerAssign<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    tps: JByteArray<'l>,
) {
    run(&mut env, (), |env| {
        let parts = decode_tps(&vec(env, &tps)?)?;
        Ok(get::<ConsumerHandle>(h).consumer.assign(parts)?)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerAssignment<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
) -> jbyteArray {
    run(&mut env, null_bytes(), |env| {
        let mut e = Enc::default();
        encode_tps(&mut e, &get::<ConsumerHandle>(h).consumer.assignment());
        java_bytes(env, &e.buf)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerSubscription<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
) -> jobjectArray {
    run(&mut env, JObject::null().into_raw(), |env| {
        let topics = get::<ConsumerHandle>(h).consumer.subscription();
        let arr = env.new_object_array(topics.len() as i32, "java/lang/String", JObject::null())?;
        for (i, t) in topics.iter().enumerate() {
            let s = env.new_string(t)?;
            env.set_object_array_element(&arr, i as i32, &s)?;
            env.delete_local_ref(s)?;
        }
        Ok(arr.into_raw())
    })
}

/// Polls up to `timeout_ms`; the records as one batch:
/// `[count][topic, partition, offset, timestamp, timestampType, leaderEpoch, key, value,
/// headerCount, (key, value)...]...`.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerPoll<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    timeout_ms: jlong,
) -> jbyteArray {
    run(&mut env, null_bytes(), |env| {
        let c = get::<ConsumerHandle>(h);
        let timeout = Duration::from_millis(timeout_ms.max(0) as u64);
        let records = c.wakeable(c.consumer.poll(timeout))?;
        let size: usize = records
            .iter()
            .map(|r| {
                64 + r.topic.len()
                    + r.key.as_ref().map_or(0, |k| k.len())
                    + r.value.as_ref().map_or(0, |v| v.len())
            })
            .sum();
        let mut e = Enc::with_capacity(size + 4);
        e.i32(records.len() as i32);
        for r in &records {
            e.str(&r.topic);
            e.i32(r.partition);
            e.i64(r.offset);
            e.i64(r.timestamp);
            e.i8(match r.timestamp_type {
                TimestampType::CreateTime => 0,
                TimestampType::LogAppendTime => 1,
            });
            e.opt_i32(r.leader_epoch);
            e.bytes(r.key.as_deref());
            e.bytes(r.value.as_deref());
            e.i32(r.headers.len() as i32);
            for (k, v) in &r.headers {
                e.str(k);
                e.bytes(v.as_deref());
            }
        }
        java_bytes(env, &e.buf)
    })
}

/// Commits `offsets` (a batch, or null for the current positions); `timeout_ms < 0` uses
/// `default.api.timeout.ms`.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerCommitSync<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    offsets: JByteArray<'l>,
    timeout_ms: jlong,
) {
    run(&mut env, (), |env| {
        let c = get::<ConsumerHandle>(h);
        let offsets = opt_offsets(env, &offsets)?;
        if timeout_ms < 0 {
            c.wakeable(c.consumer.commit_sync(offsets))
        } else {
            let t = Duration::from_millis(timeout_ms as u64);
            c.wakeable(c.consumer.commit_sync_with_timeout(offsets, t))
        }
    })
}

/// Starts a commit in the background; its result is collected later under `id`.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerCommitAsync<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    offsets: JByteArray<'l>,
    id: jlong,
) {
    run(&mut env, (), |env| {
        let c = get::<ConsumerHandle>(h);
        let offsets = opt_offsets(env, &offsets)?;
        let _rt = ferrokafka_core::runtime().enter();
        let task = c.consumer.commit_async(offsets);
        let done = c.commits.clone();
        ferrokafka_core::runtime().spawn(async move {
            let res = task.await.unwrap_or_else(|e| {
                Err(ferrokafka_core::Error::internal(format!(
                    "the commit task failed: {e}"
                )))
            });
            done.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((id, res));
        });
        Ok(())
    })
}

/// The finished async commits: `[count][id, ok(0)|error(1, kind, code, message)]...`.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerCommitResults<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
) -> jbyteArray {
    run(&mut env, null_bytes(), |env| {
        let c = get::<ConsumerHandle>(h);
        let done = std::mem::take(&mut *c.commits.lock().unwrap_or_else(|e| e.into_inner()));
        let mut e = Enc::default();
        e.i32(done.len() as i32);
        for (id, res) in &done {
            e.i64(*id);
            match res {
                Ok(()) => e.i8(0),
                Err(err) => {
                    e.i8(1);
                    e.i32(kind_number(err.kind()));
                    e.i32(err.code().map_or(-1, i32::from));
                    e.bytes(java_message(err).as_deref().map(str::as_bytes));
                }
            }
        }
        java_bytes(env, &e.buf)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerWakeup<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
) {
    run(&mut env, (), |_| {
        let c = get::<ConsumerHandle>(h);
        c.woken.store(true, Ordering::Release);
        c.wake.notify_waiters();
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerEnforceRebalance<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
) {
    run(&mut env, (), |_| {
        get::<ConsumerHandle>(h).consumer.enforce_rebalance();
        Ok(())
    })
}

/// `[memberId, generation]` for `groupMetadata()`.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerGroupMember<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
) -> jbyteArray {
    run(&mut env, null_bytes(), |env| {
        let c = get::<ConsumerHandle>(h);
        let mut e = Enc::default();
        e.str(&c.consumer.member_id());
        e.i32(c.consumer.generation());
        java_bytes(env, &e.buf)
    })
}

#[no_mangle]
/// `membership`: `CloseOptions.GroupMembershipOperation` — 0 DEFAULT, 1 LEAVE_GROUP,
/// 2 REMAIN_IN_GROUP.
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerClose<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    timeout_ms: jlong,
    membership: jint,
) {
    run(&mut env, (), |_| {
        let c = get::<ConsumerHandle>(h);
        let t = Duration::from_millis(timeout_ms.max(0) as u64);
        let membership = match membership {
            1 => CloseMembership::Leave,
            2 => CloseMembership::Remain,
            _ => CloseMembership::Default,
        };
        Ok(block(c.consumer.close_with(t, membership))?)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_consumerFree<'l>(
    _env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
) {
    free::<ConsumerHandle>(h);
}
