//! JNI entry points of `FerroKafkaBroker`: the bundled broker, in-process, for tests.
//!
//! Owns nothing but the shim: `ferrokafka_broker::EmbeddedBroker` has its own runtime, and its
//! `start`/`stop` are safe from any thread.

use ferrokafka_broker::{Broker, EmbeddedBroker};
use jni::objects::{JClass, JObjectArray, JString};
use jni::sys::{jint, jlong, jstring};
use jni::JNIEnv;

use crate::config::{string, strings};
use crate::entry::{illegal_argument, illegal_state, run};
use crate::handle::{free, get, into_handle};

/// Starts a broker with its data in `dir`, listening on `listen` (e.g. `127.0.0.1:0`), with
/// Kafka-named broker settings.
#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_brokerStart<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    dir: JString<'l>,
    listen: JString<'l>,
    keys: JObjectArray<'l>,
    values: JObjectArray<'l>,
) -> jlong {
    run(&mut env, 0, |env| {
        let dir = string(env, &dir)?;
        let listen = string(env, &listen)?;
        let keys = strings(env, &keys)?;
        let values = strings(env, &values)?;
        let mut b = Broker::builder().data_dir(dir).listen(&listen);
        for (k, v) in keys.into_iter().zip(values) {
            b = b.config(k, v);
        }
        let broker = EmbeddedBroker::start(b)
            .map_err(|e| illegal_argument(format!("the embedded broker did not start: {e}")))?;
        Ok(into_handle(broker))
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_brokerBootstrap<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
) -> jstring {
    run(&mut env, std::ptr::null_mut(), |env| {
        let b = get::<EmbeddedBroker>(h);
        if !b.is_running() {
            return Err(illegal_state("the broker is stopped"));
        }
        Ok(env.new_string(b.bootstrap_servers())?.into_raw())
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_brokerPort<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
) -> jint {
    run(&mut env, -1, |_| {
        Ok(i32::from(get::<EmbeddedBroker>(h).port()))
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_brokerStop<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
) {
    run(&mut env, (), |_| {
        get::<EmbeddedBroker>(h).stop();
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_dev_ferrokafka_clients_internal_Native_brokerFree<'l>(
    _env: JNIEnv<'l>,
    _class: JClass<'l>,
    h: jlong,
) {
    free::<EmbeddedBroker>(h);
}
