//! JNI entry points of `FerroKafkaProducer` (class `dev.ferrokafka.clients.internal.Native`).
//!
//! Owns [`ProducerHandle`]: the core producer plus the ordered stream of delivery results. A
//! send first waits on the calling Java thread (holding no lock, bounded by `max.block.ms`) for
//! the topic's metadata and room in `buffer.memory`, as KafkaProducer.send does; then it
//! enqueues the record in the core and hands its delivery future, tagged with the Java request
//! id, to one driver task; the driver awaits them in send order and queues `(id, result)`.
//! Java's callback thread fetches those results a batch at a time (`producerCompletions`) and
//! completes its futures by id, so no Rust thread calls into Java.

use std::sync::Mutex;
use std::time::Duration;

use ferrokafka_core::{
    DeliveryFuture, Error, ErrorKind, Producer, ProducerRecord, RecordHeader, RecordMetadata,
};
use jni::objects::{JByteArray, JClass, JObjectArray, JString};
use jni::sys::{jbyteArray, jint, jlong};
use jni::JNIEnv;
use tokio::sync::mpsc;

use crate::block::block;
use crate::codec::{Dec, Enc};
use crate::config::{client_config, java_bytes, null_bytes, opt_bytes, string, vec};
use crate::entry::{
    illegal_state, java_message, kind_number, run, JResult, JniError, KIND_TIMEOUT_UNKNOWN_TOPIC,
};
use crate::handle::{free, get, into_handle};

type Delivery = (i64, ferrokafka_core::Result<RecordMetadata>);

/// A producer as Java holds it.
pub struct ProducerHandle {
    producer: Producer,
    /// Delivery futures to the driver; `None` once closed (the driver then drains and ends).
    pending: Mutex<Option<mpsc::UnboundedSender<(i64, DeliveryFuture)>>>,
    results: tokio::sync::Mutex<mpsc::UnboundedReceiver<Delivery>>,
}

async fn drive(
    mut rx: mpsc::UnboundedReceiver<(i64, DeliveryFuture)>,
    out: mpsc::UnboundedSender<Delivery>,
) {
    while let Some((id, fut)) = rx.recv().await {
        let res = fut.await;
        if out.send((id, res)).is_err() {
            break;
        }
    }
}

fn headers(raw: &[u8]) -> JResult<Vec<RecordHeader>> {
    let mut d = Dec::new(raw);
    let n = d.i32()?;
    let mut out = Vec::with_capacity(n.max(0) as usize);
    for _ in 0..n {
        let key = d.string()?;
        let value = d.opt_bytes()?.map(bytes::Bytes::copy_from_slice);
        out.push(RecordHeader { key, value });
    }
    Ok(out)
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_producerNew<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    keys: JObjectArray<'l>,
    values: JObjectArray<'l>,
) -> jlong {
    run(&mut env, 0, |env| {
        let cfg = client_config(env, &keys, &values)?;
        let _rt = ferrokafka_core::runtime().enter();
        let producer = Producer::new(cfg)?;
        let (tx, rx) = mpsc::unbounded_channel();
        let (out_tx, out_rx) = mpsc::unbounded_channel();
        ferrokafka_core::runtime().spawn(drive(rx, out_tx));
        Ok(into_handle(ProducerHandle {
            producer,
            pending: Mutex::new(Some(tx)),
            results: tokio::sync::Mutex::new(out_rx),
        }))
    })
}

/// Enqueues one serialized record; its result arrives later under `id`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_producerSend<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    id: jlong,
    topic: JString<'l>,
    partition: jint,
    timestamp: jlong,
    key: JByteArray<'l>,
    value: JByteArray<'l>,
    header_batch: JByteArray<'l>,
) {
    run(&mut env, (), |env| {
        let p = get::<ProducerHandle>(h);
        let record = ProducerRecord {
            topic: string(env, &topic)?.into(),
            partition: (partition >= 0).then_some(partition),
            key: opt_bytes(env, &key)?,
            value: opt_bytes(env, &value)?,
            headers: if header_batch.is_null() {
                Vec::new()
            } else {
                headers(&vec(env, &header_batch)?)?
            },
            timestamp: (timestamp != i64::MIN).then_some(timestamp),
        };
        // Blocks this Java thread (holding no lock) for the topic's metadata (and an explicit
        // partition's) and for room in buffer.memory, bounded by max.block.ms, as
        // KafkaProducer.send does.
        if let Err(e) = p.producer.wait_for_room_blocking(&record) {
            return Err(as_kafka_send_error(
                e,
                &p.producer,
                &record.topic,
                Some(&record),
            ));
        }
        let guard = p.pending.lock().unwrap_or_else(|e| e.into_inner());
        let tx = guard.as_ref().ok_or_else(|| {
            illegal_state("Cannot perform operation after producer has been closed")
        })?;
        // Sending under the lock keeps the driver's order equal to the core's append order.
        let fut = p.producer.send(record);
        let _ = tx.send((id, fut));
        Ok(())
    })
}

/// A blocked send's timeout with KafkaProducer 4.x's message (its `waitOnMetadata` and
/// `BufferPool.allocate`); other errors unchanged. A topic the broker reported unknown until
/// the deadline is a TimeoutException caused by UnknownTopicOrPartitionException, as in Java.
fn as_kafka_send_error(
    e: Error,
    producer: &Producer,
    topic: &str,
    record: Option<&ProducerRecord>,
) -> JniError {
    let partition = record.and_then(|r| r.partition);
    let cfg = &producer.config().producer;
    let max_block = cfg.max_block.as_millis();
    match e.kind() {
        // An explicit partition the topic lacks: Java names the partition count it saw.
        ErrorKind::Timeout => match (partition, producer.partition_count(topic)) {
            (Some(p), Some(count)) if usize::try_from(p).is_ok_and(|p| p >= count) => Error::new(
                ErrorKind::Timeout,
                format!(
                    "Partition {p} of topic {topic} with partition count {count} is not \
                         present in metadata after {max_block} ms."
                ),
            )
            .into(),
            _ => {
                let msg = format!("Topic {topic} not present in metadata after {max_block} ms.");
                // The core's metadata wait names the last error code it saw for the topic.
                if e.to_string().contains("UnknownTopicOrPartition (code 3)") {
                    JniError::Java(KIND_TIMEOUT_UNKNOWN_TOPIC, msg)
                } else {
                    Error::new(ErrorKind::Timeout, msg).into()
                }
            }
        },
        ErrorKind::BufferExhausted => {
            // Java allocates at least a whole batch.
            let size = record.map_or(0, |r| r.estimated_size()).max(cfg.batch_size);
            let total = cfg.buffer_memory;
            let available = total.saturating_sub(producer.buffered_bytes());
            JniError::from(Error::new(
                ErrorKind::BufferExhausted,
                format!(
                    "Failed to allocate {size} bytes within the configured max blocking time \
                     {max_block} ms. Total memory: {total} bytes. Available memory: {available} \
                     bytes. Poolable size: {} bytes",
                    cfg.batch_size
                ),
            ))
        }
        _ => e.into(),
    }
}

/// Up to `max` delivery results, waiting at most `wait_ms` for the first; `null` once the
/// producer is closed and every result was handed out.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_producerCompletions<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    wait_ms: jlong,
    max: jint,
) -> jbyteArray {
    run(&mut env, null_bytes(), |env| {
        let p = get::<ProducerHandle>(h);
        let batch = block(async {
            let mut rx = p.results.lock().await;
            let first =
                tokio::time::timeout(Duration::from_millis(wait_ms.max(0) as u64), rx.recv()).await;
            let mut items = Vec::new();
            match first {
                Ok(None) => return None,
                Ok(Some(d)) => items.push(d),
                Err(_) => return Some(items),
            }
            while items.len() < max.max(1) as usize {
                match rx.try_recv() {
                    Ok(d) => items.push(d),
                    Err(_) => break,
                }
            }
            Some(items)
        });
        let Some(items) = batch else {
            return Ok(null_bytes());
        };
        let mut e = Enc::with_capacity(8 + items.len() * 40);
        e.i32(items.len() as i32);
        for (id, res) in &items {
            e.i64(*id);
            match res {
                Ok(md) => {
                    e.i8(0);
                    e.i32(md.partition);
                    e.i64(md.offset);
                    e.i64(md.timestamp);
                }
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
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_producerFlush<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
) {
    run(&mut env, (), |_| {
        let p = get::<ProducerHandle>(h);
        Ok(block(p.producer.flush())?)
    })
}

/// `[count][partition, leader, replicas[], isr[]]...` for `partitionsFor`.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_producerPartitionsFor<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    topic: JString<'l>,
) -> jbyteArray {
    run(&mut env, null_bytes(), |env| {
        let p = get::<ProducerHandle>(h);
        let topic = string(env, &topic)?;
        let parts = block(p.producer.partitions_for(&topic))
            .map_err(|e| as_kafka_send_error(e, &p.producer, &topic, None))?;
        let mut e = Enc::default();
        crate::consumer_lookups::encode_partitions(&mut e, &parts);
        java_bytes(env, &e.buf)
    })
}

/// `[count][name, value]...` of Kafka-named producer metrics.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_producerMetrics<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
) -> jbyteArray {
    run(&mut env, null_bytes(), |env| {
        let p = get::<ProducerHandle>(h);
        let pairs = p.producer.metrics().to_pairs();
        let mut e = Enc::default();
        e.i32(pairs.len() as i32);
        for (k, v) in pairs {
            e.str(k);
            e.f64(v);
        }
        java_bytes(env, &e.buf)
    })
}

/// Delivers what is queued within `timeout_ms`, then fails the rest; ends the result stream.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_producerClose<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    timeout_ms: jlong,
) {
    run(&mut env, (), |_| {
        let p = get::<ProducerHandle>(h);
        // Stop accepting sends first, so no record is enqueued after the drain.
        let tx = p.pending.lock().unwrap_or_else(|e| e.into_inner()).take();
        // A close that runs out of time fails the leftover records (reported through their
        // callbacks), as Java's does; it is not an error of close itself.
        let _ = block(
            p.producer
                .close(Duration::from_millis(timeout_ms.max(0) as u64)),
        );
        drop(tx);
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_producerFree<'l>(
    _env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
) {
    free::<ProducerHandle>(h);
}
