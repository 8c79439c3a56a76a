//! JNI entry points of `FerroKafkaAdmin`: topics, partitions, the cluster, consumer groups and
//! their offsets, over the core's `Admin`.
//!
//! Each call handles one item (one topic, one group) so Java can report per-item results in
//! kafka-clients' `*Result` futures; Java runs these blocking calls on its admin thread.

use std::collections::BTreeMap;

use ferrokafka_core::admin::NewTopic;
use ferrokafka_core::{Admin, OffsetAndMetadata, TopicPartition};
use jni::objects::{JByteArray, JClass, JObject, JObjectArray, JString};
use jni::sys::{jboolean, jbyteArray, jint, jlong, jobjectArray};
use jni::JNIEnv;

use crate::block::block;
use crate::codec::{Dec, Enc};
use crate::config::{client_config, java_bytes, null_bytes, string, strings, vec};
use crate::consumer_lookups::encode_partitions;
use crate::entry::run;
use crate::handle::{free, get, into_handle};

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_adminNew<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    keys: JObjectArray<'l>,
    values: JObjectArray<'l>,
) -> jlong {
    run(&mut env, 0, |env| {
        let cfg = client_config(env, &keys, &values)?;
        let _rt = ferrokafka_core::runtime().enter();
        Ok(into_handle(Admin::new(cfg)?))
    })
}

/// Creates one topic (`partitions`/`replication` -1 = the broker's defaults) and returns what
/// CreateTopics answered for it: `[idHigh, idLow, numPartitions, replicationFactor(i32),
/// configErrorCode(i32), [count](name, value?, source, sensitive(i32), readOnly(i32))...]`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_adminCreateTopic<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    name: JString<'l>,
    partitions: jint,
    replication: jint,
    config_keys: JObjectArray<'l>,
    config_values: JObjectArray<'l>,
    validate_only: jboolean,
) -> jbyteArray {
    run(&mut env, null_bytes(), |env| {
        let a = get::<Admin>(h);
        let name = string(env, &name)?;
        let mut t = NewTopic::new(name.clone(), partitions, replication as i16);
        let keys = strings(env, &config_keys)?;
        let values = strings(env, &config_values)?;
        for (k, v) in keys.into_iter().zip(values) {
            t = t.with_config(k, v);
        }
        let created = block(a.create_topics_detailed(&[t], validate_only != 0))?;
        // KafkaAdminClient's words for an answer without the topic.
        let c = created.first().ok_or_else(|| {
            ferrokafka_core::Error::protocol(format!(
                "The controller response did not contain a result for topic {name}"
            ))
        })?;
        let mut e = Enc::default();
        let (hi, lo) = c.topic_id.as_u64_pair();
        e.i64(hi as i64);
        e.i64(lo as i64);
        e.i32(c.num_partitions);
        e.i32(i32::from(c.replication_factor));
        e.i32(i32::from(c.config_error_code));
        e.i32(c.configs.len() as i32);
        for cfg in &c.configs {
            e.str(&cfg.name);
            e.bytes(cfg.value.as_deref().map(str::as_bytes));
            e.str(cfg.source);
            e.i32(i32::from(cfg.sensitive));
            e.i32(i32::from(cfg.read_only));
        }
        java_bytes(env, &e.buf)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_adminDeleteTopic<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    name: JString<'l>,
) {
    run(&mut env, (), |env| {
        let name = string(env, &name)?;
        Ok(block(get::<Admin>(h).delete_topics(&[&name]))?)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_adminListTopics<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    include_internal: jboolean,
) -> jobjectArray {
    run(&mut env, JObject::null().into_raw(), |env| {
        let names = block(get::<Admin>(h).list_topics(include_internal != 0))?;
        let arr = env.new_object_array(names.len() as i32, "java/lang/String", JObject::null())?;
        for (i, n) in names.iter().enumerate() {
            let s = env.new_string(n)?;
            env.set_object_array_element(&arr, i as i32, &s)?;
            env.delete_local_ref(s)?;
        }
        Ok(arr.into_raw())
    })
}

/// `name, idHigh, idLow, internal`: how a listed or described topic starts.
fn encode_topic_head(e: &mut Enc, name: &str, (hi, lo): (u64, u64), internal: bool) {
    e.str(name);
    e.i64(hi as i64);
    e.i64(lo as i64);
    e.i8(i8::from(internal));
}

/// `[count][name, idHigh, idLow, internal]...`: every topic from one Metadata answer.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_adminListTopicListings<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    include_internal: jboolean,
) -> jbyteArray {
    run(&mut env, null_bytes(), |env| {
        let listings = block(get::<Admin>(h).list_topic_listings(include_internal != 0))?;
        let mut e = Enc::default();
        e.i32(listings.len() as i32);
        for t in &listings {
            encode_topic_head(&mut e, &t.name, t.topic_id.as_u64_pair(), t.internal);
        }
        java_bytes(env, &e.buf)
    })
}

/// `[count][name, idHigh, idLow, internal, partitions...]...`
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_adminDescribeTopics<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    names: JObjectArray<'l>,
) -> jbyteArray {
    run(&mut env, null_bytes(), |env| {
        let names = strings(env, &names)?;
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let topics = block(get::<Admin>(h).describe_topics(&refs))?;
        let mut e = Enc::default();
        e.i32(topics.len() as i32);
        for t in &topics {
            encode_topic_head(&mut e, &t.name, t.topic_id.as_u64_pair(), t.internal);
            encode_partitions(&mut e, &t.partitions);
        }
        java_bytes(env, &e.buf)
    })
}

/// `[clusterId, controllerId, count, (id, host, port, rack)...]`
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_adminDescribeCluster<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
) -> jbyteArray {
    run(&mut env, null_bytes(), |env| {
        let d = block(get::<Admin>(h).describe_cluster())?;
        let mut e = Enc::default();
        e.bytes(d.cluster_id.as_deref().map(str::as_bytes));
        e.opt_i32(d.controller_id);
        e.i32(d.brokers.len() as i32);
        for b in &d.brokers {
            e.i32(b.id);
            e.str(&b.host);
            e.i32(b.port);
            e.bytes(b.rack.as_deref().map(str::as_bytes));
        }
        java_bytes(env, &e.buf)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_adminCreatePartitions<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    name: JString<'l>,
    total: jint,
    validate_only: jboolean,
) {
    run(&mut env, (), |env| {
        let name = string(env, &name)?;
        Ok(block(get::<Admin>(h).create_partitions(
            &name,
            total,
            validate_only != 0,
        ))?)
    })
}

/// `[count][groupId, protocolType, state(nullable), type(nullable)]...`
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_adminListGroups<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
) -> jbyteArray {
    run(&mut env, null_bytes(), |env| {
        let groups = block(get::<Admin>(h).list_groups())?;
        let mut e = Enc::default();
        e.i32(groups.len() as i32);
        for g in &groups {
            e.str(&g.group_id);
            e.str(&g.protocol_type);
            e.bytes(g.state.as_deref().map(str::as_bytes));
            e.bytes(g.group_type.as_deref().map(str::as_bytes));
        }
        java_bytes(env, &e.buf)
    })
}

/// `[count][topic, partition, offset, leaderEpoch, metadata]...` committed by `group`.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_adminGroupOffsets<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    group: JString<'l>,
) -> jbyteArray {
    run(&mut env, null_bytes(), |env| {
        let group = string(env, &group)?;
        let found = block(get::<Admin>(h).list_group_offsets(&group, None))?;
        let mut e = Enc::default();
        e.i32(found.len() as i32);
        for (tp, o) in &found {
            e.str(&tp.topic);
            e.i32(tp.partition);
            e.i64(o.offset);
            e.opt_i32(o.leader_epoch);
            e.str(&o.metadata);
        }
        java_bytes(env, &e.buf)
    })
}

/// Commits `[count][topic, partition, offset, leaderEpoch, metadata]...` for `group`.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_adminAlterGroupOffsets<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    group: JString<'l>,
    offsets: JByteArray<'l>,
) {
    run(&mut env, (), |env| {
        let group = string(env, &group)?;
        let raw = vec(env, &offsets)?;
        let mut d = Dec::new(&raw);
        let mut map = BTreeMap::new();
        for _ in 0..d.i32()? {
            let topic = d.string()?;
            let partition = d.i32()?;
            let offset = d.i64()?;
            let epoch = d.i32()?;
            let metadata = d.string()?;
            map.insert(
                TopicPartition::new(topic, partition),
                OffsetAndMetadata {
                    offset,
                    metadata,
                    leader_epoch: (epoch >= 0).then_some(epoch),
                },
            );
        }
        Ok(block(get::<Admin>(h).alter_group_offsets(&group, &map))?)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_adminDeleteGroup<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    group: JString<'l>,
) {
    run(&mut env, (), |env| {
        let group = string(env, &group)?;
        Ok(block(get::<Admin>(h).delete_groups(&[&group]))?)
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_adminClose<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
) {
    run(&mut env, (), |_| {
        get::<Admin>(h).close();
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_adminFree<'l>(
    _env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
) {
    free::<Admin>(h);
}
