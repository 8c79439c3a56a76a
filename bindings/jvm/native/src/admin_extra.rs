//! JNI entry points of `FerroKafkaAdmin` beyond topics and group offsets: configs
//! (DescribeConfigs with sources and synonyms, IncrementalAlterConfigs), partition offsets
//! (ListOffsets) and records (DeleteRecords), and consumer groups (describe, delete offsets),
//! over the core's `Admin`. One resource or group per call; batches cross as `codec` bytes.

use ferrokafka_core::admin::{AlterConfigOp, ConfigResource, ConfigResourceType};
use ferrokafka_core::{Admin, TopicPartition};
use jni::objects::{JByteArray, JClass, JString};
use jni::sys::{jboolean, jbyteArray, jint, jlong};
use jni::JNIEnv;

use crate::block::block;
use crate::codec::{Dec, Enc};
use crate::config::{java_bytes, null_bytes, string, vec};
use crate::entry::{illegal_argument, run, JResult};
use crate::handle::get;

/// kafka-clients' `ConfigResource.Type` ids: 2 = TOPIC, 4 = BROKER, 32 = GROUP (the ones the
/// core has).
fn resource(kind: jint, name: String) -> JResult<ConfigResource> {
    let kind = match kind {
        2 => ConfigResourceType::Topic,
        4 => ConfigResourceType::Broker,
        32 => ConfigResourceType::Group,
        other => {
            return Err(illegal_argument(format!(
                "config resource type {other} is not supported by ferrokafka (TOPIC, BROKER and GROUP are)"
            )))
        }
    };
    Ok(ConfigResource { kind, name })
}

/// `[count][name, value?, source, sensitive(i32), readOnly(i32), [n](name, value?, source),
/// configType(i32), documentation?]...`
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_adminDescribeConfigs<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    kind: jint,
    name: JString<'l>,
    synonyms: jboolean,
) -> jbyteArray {
    run(&mut env, null_bytes(), |env| {
        let r = resource(kind, string(env, &name)?)?;
        let entries = block(get::<Admin>(h).describe_config_details(&r, synonyms != 0))?;
        let mut e = Enc::default();
        e.i32(entries.len() as i32);
        for c in &entries {
            e.str(&c.name);
            e.bytes(c.value.as_deref().map(str::as_bytes));
            e.str(c.source);
            e.i32(i32::from(c.sensitive));
            e.i32(i32::from(c.read_only));
            e.i32(c.synonyms.len() as i32);
            for s in &c.synonyms {
                e.str(&s.name);
                e.bytes(s.value.as_deref().map(str::as_bytes));
                e.str(s.source);
            }
            e.i32(i32::from(c.config_type));
            e.bytes(c.documentation.as_deref().map(str::as_bytes));
        }
        java_bytes(env, &e.buf)
    })
}

/// Applies `[count][op(i32: 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT), name, value?]...`.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_adminAlterConfigs<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    kind: jint,
    name: JString<'l>,
    ops: JByteArray<'l>,
    validate_only: jboolean,
) {
    run(&mut env, (), |env| {
        let r = resource(kind, string(env, &name)?)?;
        let raw = vec(env, &ops)?;
        let mut d = Dec::new(&raw);
        let mut list = Vec::new();
        for _ in 0..d.i32()? {
            let op = d.i32()?;
            let key = d.string()?;
            let value = d
                .opt_bytes()?
                .map(|b| String::from_utf8_lossy(b).into_owned());
            let need = || {
                value.clone().ok_or_else(|| {
                    illegal_argument(format!("config operation {op} on {key} needs a value"))
                })
            };
            list.push(match op {
                0 => AlterConfigOp::Set(key.clone(), need()?),
                1 => AlterConfigOp::Delete(key),
                2 => AlterConfigOp::Append(key.clone(), need()?),
                3 => AlterConfigOp::Subtract(key.clone(), need()?),
                other => {
                    return Err(illegal_argument(format!(
                        "unknown config operation {other}"
                    )))
                }
            });
        }
        Ok(block(get::<Admin>(h).incremental_alter_configs(
            &r,
            &list,
            validate_only != 0,
        ))?)
    })
}

/// Query `[count][topic, partition, spec]` (-2 earliest, -1 latest, -3 max timestamp, else a
/// timestamp) → `[count][topic, partition, offset, timestamp, leaderEpoch]`.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_adminListOffsets<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    query: JByteArray<'l>,
) -> jbyteArray {
    run(&mut env, null_bytes(), |env| {
        let q = Dec::new(&vec(env, &query)?).partition_values()?;
        let found = block(get::<Admin>(h).list_offsets(&q))?;
        let mut e = Enc::default();
        e.i32(found.len() as i32);
        for (tp, o) in &found {
            e.str(&tp.topic);
            e.i32(tp.partition);
            e.i64(o.offset);
            e.i64(o.timestamp);
            e.opt_i32(o.leader_epoch);
        }
        java_bytes(env, &e.buf)
    })
}

/// Deletes records before `[count][topic, partition, offset]` → `[count][topic, partition,
/// lowWatermark]`.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_adminDeleteRecords<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    before: JByteArray<'l>,
) -> jbyteArray {
    run(&mut env, null_bytes(), |env| {
        let q = Dec::new(&vec(env, &before)?).partition_values()?;
        let low = block(get::<Admin>(h).delete_records(&q))?;
        let mut e = Enc::default();
        e.partition_values(low.iter());
        java_bytes(env, &e.buf)
    })
}

/// `[groupId, state, protocolType, protocol, coordinator(id, host, port),
/// [count](memberId, instanceId?, clientId, host, [n](topic, partition))]`
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_adminDescribeGroup<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    group: JString<'l>,
) -> jbyteArray {
    run(&mut env, null_bytes(), |env| {
        let group = string(env, &group)?;
        let a = get::<Admin>(h);
        let g = block(a.describe_group(&group))?;
        let c = block(a.group_coordinator(&group))?;
        let mut e = Enc::default();
        e.str(&g.group_id);
        e.str(&g.state);
        e.str(&g.protocol_type);
        e.str(&g.protocol);
        e.i32(c.id);
        e.str(&c.host);
        e.i32(c.port);
        e.i32(g.members.len() as i32);
        for m in &g.members {
            e.str(&m.member_id);
            e.bytes(m.group_instance_id.as_deref().map(str::as_bytes));
            e.str(&m.client_id);
            e.str(&m.host);
            e.i32(m.assignment.len() as i32);
            for tp in &m.assignment {
                e.str(&tp.topic);
                e.i32(tp.partition);
            }
        }
        java_bytes(env, &e.buf)
    })
}

/// Deletes the committed offsets of `[count][topic, partition, ignored(i64)]` in `group`.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_adminDeleteGroupOffsets<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
    group: JString<'l>,
    partitions: JByteArray<'l>,
) {
    run(&mut env, (), |env| {
        let group = string(env, &group)?;
        let parts: Vec<TopicPartition> = Dec::new(&vec(env, &partitions)?)
            .partition_values()?
            .into_keys()
            .collect();
        Ok(block(get::<Admin>(h).delete_group_offsets(&group, &parts))?)
    })
}
