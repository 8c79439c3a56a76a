//! ferrokafka-jni: the JNI library behind the `dev.ferrokafka` JVM binding.
//!
//! Every `Java_dev_ferrokafka_clients_internal_Native_*` entry point is a thin shim: it converts
//! Java arguments, calls `ferrokafka-core` (or the embedded broker), and throws a core error as a
//! typed Java exception (`NativeError.create` maps kind + Kafka code to
//! `org.apache.kafka.common.errors`). Records and delivery results cross the boundary a batch at
//! a time as compact byte arrays ([`codec`]). No protocol, batching or group logic lives here.
//!
//! Modules: [`entry`] (panic-safe entry wrapper and error throwing), [`handle`] (native handles
//! as `long`), [`block`] (waiting on the core's runtime from Java threads), [`codec`],
//! [`config`], [`producer`], [`consumer`], [`listener`] (Java `ConsumerRebalanceListener`
//! bridge), [`admin`], [`admin_extra`] (configs, offsets, records, group details), [`broker`].

mod admin;
mod admin_extra;
mod block;
mod broker;
mod codec;
mod config;
mod consumer;
mod consumer_lookups;
mod entry;
mod handle;
mod listener;
mod producer;
