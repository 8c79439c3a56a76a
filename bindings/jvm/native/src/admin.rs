//! JNI entry points of `FerroKafkaAdmin` (next step).
