//! Restart after clean and unclean stops: torn writes, garbage, corrupt batches, missing or
//! damaged indexes, durable log start offset.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::FileExt;

use super::*;

fn active_log_file(dir: &Path) -> std::path::PathBuf {
    dir.join(files_with_ext(dir, "log").last().unwrap())
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap().len()
}

#[test]
fn a_torn_last_batch_is_cut_off_on_reopen_and_appends_continue_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), LogConfig::default());
    append_n(&mut log, 10, &Spec::records(2));
    drop(log); // SIGKILL: no close, no marker
    let path = active_log_file(dir.path());
    let len = file_len(&path);
    OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(len - 7)
        .unwrap();

    let mut log = open(dir.path(), LogConfig::default());
    assert_eq!(log.log_end_offset(), 18, "the torn 10th batch is gone");
    assert_eq!(read_all(&log, 0).len(), 18);
    assert_eq!(
        log.append(&Spec::records(1).encode(), 0, NOW)
            .unwrap()
            .base_offset,
        18
    );
    assert_eq!(read_all(&log, 0).len(), 19);
}

#[test]
fn garbage_after_the_last_batch_is_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), small_segments());
    append_n(&mut log, 30, &Spec::records(2));
    let end = log.log_end_offset();
    drop(log);
    let path = active_log_file(dir.path());
    let clean_len = file_len(&path);
    let mut file = OpenOptions::new().append(true).open(&path).unwrap();
    file.write_all(&[0xAB; 100]).unwrap();
    drop(file);

    let log = open(dir.path(), small_segments());
    assert_eq!(log.log_end_offset(), end);
    assert_eq!(file_len(&path), clean_len);
    assert_eq!(read_all(&log, 0).len() as i64, end);
}

#[test]
fn a_corrupt_batch_in_the_middle_of_the_active_segment_truncates_from_there() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), LogConfig::default());
    let spec = Spec::records(2);
    let size = spec.encode().len() as u64;
    append_n(&mut log, 6, &spec);
    drop(log);
    let path = active_log_file(dir.path());
    let file = OpenOptions::new().write(true).open(&path).unwrap();
    file.write_all_at(&[0xFF, 0xEE], size * 3 + 70).unwrap(); // inside the 4th batch's records

    let log = open(dir.path(), LogConfig::default());
    assert_eq!(log.log_end_offset(), 6);
    assert_eq!(file_len(&path), size * 3);
}

#[test]
fn an_unclean_stop_of_a_healthy_log_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), small_segments());
    append_n(
        &mut log,
        25,
        &Spec::records(3).codec(kafka_protocol::records::Compression::Zstd),
    );
    drop(log);
    let log = open(dir.path(), small_segments());
    assert_eq!(log.log_end_offset(), 75);
    assert_eq!(read_all(&log, 0).len(), 75);
}

#[test]
fn indexes_are_rebuilt_after_the_index_files_are_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), small_segments());
    let spec = Spec::records(2).value_len(60);
    append_n(&mut log, 60, &spec);
    let segments = log.segment_count();
    log.close().unwrap();
    let sizes: Vec<u64> = files_with_ext(dir.path(), "index")
        .iter()
        .map(|n| file_len(&dir.path().join(n)))
        .collect();
    assert!(
        sizes.iter().any(|s| *s > 0),
        "the sparse index has entries: {sizes:?}"
    );
    assert!(sizes.iter().all(|s| s % 8 == 0));
    for ext in ["index", "timeindex"] {
        for name in files_with_ext(dir.path(), ext) {
            std::fs::remove_file(dir.path().join(name)).unwrap();
        }
    }

    let log = open(dir.path(), small_segments());
    assert_eq!(log.segment_count(), segments);
    let rebuilt: Vec<u64> = files_with_ext(dir.path(), "index")
        .iter()
        .map(|n| file_len(&dir.path().join(n)))
        .collect();
    assert_eq!(rebuilt, sizes, "rebuilt indexes match the originals");
    assert_eq!(files_with_ext(dir.path(), "timeindex").len(), segments);
    for offset in 0..120 {
        let read = log.read(offset, 4096, true).unwrap();
        assert!(decode(&read.records).iter().any(|r| r.0 == offset));
    }
    assert_eq!(
        log.offset_for_timestamp(NOW - 999).unwrap(),
        Some((1, NOW - 999))
    );
}

#[test]
fn a_damaged_index_file_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), small_segments());
    append_n(&mut log, 40, &Spec::records(2).value_len(60));
    log.close().unwrap();
    let first_index = dir.path().join(&files_with_ext(dir.path(), "index")[0]);
    let len = file_len(&first_index);
    OpenOptions::new()
        .write(true)
        .open(&first_index)
        .unwrap()
        .set_len(len - 3)
        .unwrap();

    let log = open(dir.path(), small_segments());
    assert_eq!(file_len(&first_index), len);
    assert_eq!(read_all(&log, 0).len(), 80);
}

#[test]
fn a_clean_close_leaves_kafka_format_indexes_and_a_marker_that_open_consumes() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), small_segments());
    append_n(&mut log, 30, &Spec::records(2).value_len(60));
    log.close().unwrap();
    assert!(dir.path().join(".kafka_cleanshutdown").exists());
    for name in files_with_ext(dir.path(), "timeindex") {
        assert_eq!(file_len(&dir.path().join(name)) % 12, 0);
    }
    let log = open(dir.path(), small_segments());
    assert!(!dir.path().join(".kafka_cleanshutdown").exists());
    assert_eq!(log.log_end_offset(), 60);
    assert_eq!(read_all(&log, 0).len(), 60);
}

#[test]
fn corruption_in_an_older_unflushed_segment_drops_the_segments_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), small_segments());
    append_n(&mut log, 40, &Spec::records(2).value_len(60));
    assert!(log.segment_count() >= 3);
    drop(log);
    let logs = files_with_ext(dir.path(), "log");
    let second = dir.path().join(&logs[1]);
    let len = file_len(&second);
    OpenOptions::new()
        .write(true)
        .open(&second)
        .unwrap()
        .set_len(len - 1)
        .unwrap();
    let second_base: i64 = logs[1].trim_end_matches(".log").parse().unwrap();

    let log = open(dir.path(), small_segments());
    assert_eq!(log.segment_count(), 2);
    assert!(log.log_end_offset() > second_base);
    assert_eq!(read_all(&log, 0).len() as i64, log.log_end_offset());
    assert_eq!(files_with_ext(dir.path(), "log").len(), 2);
}

#[test]
fn index_files_use_kafkas_entry_layout() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), small_segments());
    for i in 0..40i64 {
        let ts = NOW - 5000 + i * 10;
        log.append(
            &Spec::timestamps(&[ts, ts + 1]).value_len(60).encode(),
            0,
            NOW,
        )
        .unwrap();
    }
    log.close().unwrap();
    let mut checked = 0;
    for name in files_with_ext(dir.path(), "index") {
        let base: i64 = name.trim_end_matches(".index").parse().unwrap();
        let log_bytes = std::fs::read(dir.path().join(format!("{base:020}.log"))).unwrap();
        let index = std::fs::read(dir.path().join(&name)).unwrap();
        for entry in index.chunks(8) {
            let relative = i64::from(u32::from_be_bytes(entry[0..4].try_into().unwrap()));
            let position = u32::from_be_bytes(entry[4..8].try_into().unwrap()) as usize;
            let header = crate::log::BatchHeader::parse(&log_bytes[position..]).unwrap();
            assert_eq!(
                header.last_offset(),
                base + relative,
                "{name}: entry points at its batch"
            );
            checked += 1;
        }
        let time_index = std::fs::read(dir.path().join(format!("{base:020}.timeindex"))).unwrap();
        let mut previous = i64::MIN;
        for entry in time_index.chunks(12) {
            let ts = i64::from_be_bytes(entry[0..8].try_into().unwrap());
            let relative = i64::from(u32::from_be_bytes(entry[8..12].try_into().unwrap()));
            assert!(ts > previous, "{name}: time index timestamps grow");
            previous = ts;
            // Batch k holds offsets 2k, 2k+1 and max timestamp NOW - 5000 + 10k + 1.
            let offset = base + relative;
            assert_eq!(ts, NOW - 5000 + (offset / 2) * 10 + 1);
        }
        assert!(
            !time_index.is_empty(),
            "the final entry is written on roll/close"
        );
    }
    assert!(checked > 5);
}
