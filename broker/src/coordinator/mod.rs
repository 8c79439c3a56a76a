//! Consumer group coordinator (classic protocol) and committed offsets, durable on disk.
