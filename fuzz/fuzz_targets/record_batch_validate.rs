//! Fuzz target: the `records` of a produce request through the log's append path,
//! `ferrokafka_broker::log::PartitionLog::append`, which validates every batch first (framing,
//! CRC, record walk incl. gzip/snappy/lz4/zstd decompression, timestamps, idempotence fields).
//! The validator itself (`log::batch::validate_batches`) is crate-private, so this goes through
//! the public entry point on a real log in a RAM-backed temp dir.
//!
//! Must never panic. When an append succeeds, the log must hand back exactly the bytes it
//! accepted (same length, same record count) from offset 0. The log is reopened empty after
//! each successful append, so every input replays deterministically.
#![no_main]

use std::sync::Mutex;

use ferrokafka_broker::log::{LogConfig, PartitionLog};
use ferrokafka_fuzz::{records_from_input, NOW_MS};
use libfuzzer_sys::fuzz_target;

struct Fixture {
    _dir: tempfile::TempDir,
    log: PartitionLog,
}

fn open() -> Fixture {
    let base = std::path::Path::new("/dev/shm");
    let dir = if base.is_dir() {
        tempfile::Builder::new()
            .prefix("fuzz-log-")
            .tempdir_in(base)
    } else {
        tempfile::Builder::new().prefix("fuzz-log-").tempdir()
    }
    .expect("temp dir for the fuzzed log");
    let log = PartitionLog::open(&dir.path().join("t-0"), LogConfig::default(), NOW_MS)
        .expect("opening an empty log");
    Fixture { _dir: dir, log }
}

static FIXTURE: Mutex<Option<Fixture>> = Mutex::new(None);

fuzz_target!(|data: &[u8]| {
    let records = records_from_input(data);
    let mut guard = FIXTURE.lock().unwrap_or_else(|e| e.into_inner());
    let fixture = guard.get_or_insert_with(open);
    let Ok(outcome) = fixture.log.append(&records, 0, NOW_MS) else {
        return;
    };
    assert!(!outcome.duplicate, "an empty log reported a duplicate");
    assert_eq!(outcome.base_offset, 0);
    assert_eq!(
        fixture.log.log_end_offset(),
        i64::from(outcome.record_count),
        "log end offset after one append"
    );
    let read = fixture
        .log
        .read(0, usize::MAX, true)
        .expect("reading back what was just appended");
    assert_eq!(
        read.records.len(),
        records.len(),
        "the log must store accepted batches verbatim"
    );
    // Start the next input from an empty log.
    if let Some(done) = guard.take() {
        let _ = done.log.delete();
    }
});
