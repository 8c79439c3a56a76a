//! Reads that leave the bytes in the file ([`FileSlice`]): the same batches as the copying
//! read, lengths fixed at read time, and the bytes still readable after the segment is deleted
//! or the log rolled; a slice of a file cut below it fails instead of serving short data.

use super::*;
use crate::log::FileSlice;

fn copied(slice: &FileSlice) -> Vec<u8> {
    let mut out = BytesMut::new();
    slice.read_into(&mut out).expect("read slice");
    out.to_vec()
}

#[test]
fn slices_hold_the_same_batches_as_the_copying_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), small_segments());
    append_n(&mut log, 40, &Spec::records(3).value_len(200));
    for (from, max, min_one) in [
        (0, 1 << 20, true),
        (5, 700, true),
        (7, 10, true),
        (7, 10, false),
    ] {
        let read = log.read(from, max, min_one).unwrap();
        let slice = log.read_slice(from, max, min_one).unwrap();
        assert_eq!(slice.len(), read.records.len());
        let bytes = slice.records.as_ref().map(copied).unwrap_or_default();
        assert_eq!(bytes, read.records.to_vec(), "from {from} max {max}");
    }
}

#[test]
fn a_slice_never_grows_with_later_appends() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), LogConfig::default());
    append_n(&mut log, 3, &Spec::records(2));
    let slice = log.read_slice(0, 1 << 20, true).unwrap().records.unwrap();
    let before = copied(&slice);
    append_n(&mut log, 3, &Spec::records(2));
    assert_eq!(
        copied(&slice),
        before,
        "bytes past the committed end are not served"
    );
    assert_eq!(decode(&before).len(), 6, "three batches of two records");
}

#[test]
fn a_slice_outlives_retention_deletion_and_roll() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), small_segments());
    append_n(&mut log, 30, &Spec::records(3).value_len(200));
    assert!(log.segment_count() > 2);
    let slice = log.read_slice(0, 1 << 20, true).unwrap().records.unwrap();
    let before = copied(&slice);
    // Retention: everything before the last segment goes, files unlinked.
    let end = log.log_end_offset();
    log.delete_records_before(end).unwrap();
    log.housekeeping(NOW).unwrap();
    append_n(&mut log, 30, &Spec::records(3).value_len(200));
    assert_eq!(
        copied(&slice),
        before,
        "an unlinked segment stays readable through the slice"
    );
    // Topic deletion: the whole directory goes.
    log.delete().unwrap();
    assert!(!dir.path().exists());
    assert_eq!(copied(&slice), before);
}

#[tokio::test]
async fn a_slice_of_a_truncated_file_fails_instead_of_sending_short() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), LogConfig::default());
    append_n(&mut log, 5, &Spec::records(2).value_len(100));
    let slice = log.read_slice(0, 1 << 20, true).unwrap().records.unwrap();
    log.active_mut().truncate_file(10).unwrap();
    let mut out = BytesMut::new();
    assert!(slice.read_into(&mut out).is_err());
    assert!(out.is_empty(), "a failed copy leaves nothing behind");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let client = tokio::net::TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    let err = slice
        .send_to(&server)
        .await
        .expect_err("short file is an error");
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    drop(client);
}

#[tokio::test]
async fn sendfile_moves_the_same_bytes_as_the_copy() {
    use tokio::io::AsyncReadExt;
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path(), LogConfig::default());
    // Large enough that the socket buffers fill and the send waits for the reader.
    append_n(&mut log, 64, &Spec::records(10).value_len(10_000));
    let slice = log.read_slice(0, 64 << 20, true).unwrap().records.unwrap();
    let expected = copied(&slice);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut client = tokio::net::TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    let reader = tokio::spawn(async move {
        let mut got = vec![0u8; expected.len()];
        client.read_exact(&mut got).await.unwrap();
        (got, expected)
    });
    let before = crate::log::sendfile_bytes();
    slice.send_to(&server).await.unwrap();
    let (got, expected) = reader.await.unwrap();
    assert_eq!(got, expected);
    assert!(crate::log::sendfile_bytes() >= before + expected.len() as u64);
}
