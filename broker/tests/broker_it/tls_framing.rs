//! TLS record framing of Fetch responses on an SSL listener: a multi-megabyte response goes out
//! in full 16 KiB records with one shorter record at its end, also when the client reads slowly
//! (the broker's writes then meet a full socket), and the frame is byte for byte the one the
//! PLAINTEXT listener sends for the same request. The record sizes are read off the raw bytes
//! the client's socket receives.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::BytesMut;
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::{ApiKey, BrokerId, FetchRequest, ProduceRequest, RequestHeader};
use kafka_protocol::protocol::{Encodable, HeaderVersion, StrBytes};
use kafka_protocol::records::Compression;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpSocket, TcpStream};

use crate::common::*;

/// Ciphertext bytes of a TLS 1.3 record carrying 16 KiB of data (+ content type, + AEAD tag).
const FULL_RECORD: usize = 16 * 1024 + 1 + 16;

/// The client's socket: passes bytes through and notes the length of every TLS record the
/// server sends (from the 5-byte record headers in the byte stream).
struct RecordTap {
    inner: TcpStream,
    lens: Arc<Mutex<Vec<usize>>>,
    header: Vec<u8>,
    body_left: usize,
}

impl AsyncRead for RecordTap {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let r = Pin::new(&mut this.inner).poll_read(cx, buf);
        for &b in &buf.filled()[before..] {
            if this.body_left > 0 {
                this.body_left -= 1;
                continue;
            }
            this.header.push(b);
            if this.header.len() == 5 {
                let len = usize::from(u16::from_be_bytes([this.header[3], this.header[4]]));
                this.lens.lock().unwrap().push(len);
                this.body_left = len;
                this.header.clear();
            }
        }
        r
    }
}

impl AsyncWrite for RecordTap {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

fn fetch_frame(topic: &str, max_bytes: i32) -> Vec<u8> {
    let req = FetchRequest::default()
        .with_replica_id(BrokerId(-1))
        .with_max_wait_ms(0)
        .with_min_bytes(1)
        .with_max_bytes(max_bytes)
        .with_session_epoch(-1)
        .with_topics(vec![FetchTopic::default()
            .with_topic(topic_name(topic))
            .with_partitions(vec![FetchPartition::default()
                .with_partition(0)
                .with_fetch_offset(0)
                .with_current_leader_epoch(-1)
                .with_partition_max_bytes(max_bytes)])]);
    let mut body = BytesMut::new();
    RequestHeader::default()
        .with_request_api_key(ApiKey::Fetch as i16)
        .with_request_api_version(12)
        .with_correlation_id(7)
        .with_client_id(Some(StrBytes::from_static_str("framing-test")))
        .encode(&mut body, FetchRequest::header_version(12))
        .unwrap();
    req.encode(&mut body, 12).unwrap();
    let mut frame = (body.len() as i32).to_be_bytes().to_vec();
    frame.extend_from_slice(&body);
    frame
}

async fn read_frame<S: AsyncRead + Unpin>(s: &mut S) -> Vec<u8> {
    let mut len = [0u8; 4];
    tokio::time::timeout(Duration::from_secs(20), s.read_exact(&mut len))
        .await
        .expect("an answer within 20 s")
        .unwrap();
    let mut frame = vec![0u8; i32::from_be_bytes(len) as usize];
    s.read_exact(&mut frame).await.unwrap();
    frame
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_over_tls_goes_out_in_full_records_even_to_a_slow_reader() {
    let pki = crate::tls::pki();
    let dir = tempfile::tempdir().unwrap();
    let handle = ferrokafka_broker::Broker::builder()
        .data_dir(dir.path())
        .config("listeners", "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0")
        .config("ssl.keystore.type", "PEM")
        .config("ssl.keystore.key", pki.server_key.clone())
        .config("ssl.keystore.certificate.chain", pki.server_chain.clone())
        .start()
        .await
        .expect("broker starts");
    let addrs = handle.listener_addrs().to_vec();
    let plain_addr = addrs.iter().find(|(n, _)| n == "PLAINTEXT").unwrap().1;
    let ssl_addr = addrs.iter().find(|(n, _)| n == "SSL").unwrap().1;

    // 4 MiB stored: 64 batches of 64 x 1 KiB, well over the socket buffers of a slow reader.
    let mut plain = RawClient::connect(plain_addr).await;
    assert_eq!(
        create_topic(&mut plain, "framed", 1, &[]).await.topics[0].error_code,
        0
    );
    for b in 0..64 {
        let records: Vec<_> = (0..64)
            .map(|i| {
                record(
                    i,
                    &format!("{b}-{i}-{}", "x".repeat(1010)),
                    1_700_000_000_000,
                )
            })
            .collect();
        let req = ProduceRequest::default()
            .with_acks(-1)
            .with_timeout_ms(5000)
            .with_topic_data(vec![TopicProduceData::default()
                .with_name(topic_name("framed"))
                .with_partition_data(vec![PartitionProduceData::default()
                    .with_index(0)
                    .with_records(Some(encode_batch(&records, Compression::None)))])]);
        let r = plain.call(&req, 9).await;
        assert_eq!(r.responses[0].partition_responses[0].error_code, 0);
    }
    let request = fetch_frame("framed", 8 << 20);
    plain.stream.write_all(&request).await.unwrap();
    let over_plaintext = read_frame(&mut plain.stream).await;
    assert!(
        over_plaintext.len() > 4 << 20,
        "the whole log in one response"
    );
    let mut expected = (over_plaintext.len() as i32).to_be_bytes().to_vec();
    expected.extend_from_slice(&over_plaintext);

    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(pki.ca_pem.as_bytes()) {
        roots.add(c.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(&[&rustls::version::TLS13])
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    // A small receive buffer: the broker's writes fill the socket long before the end.
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(16 * 1024).unwrap();
    let lens = Arc::new(Mutex::new(Vec::new()));
    let tap = RecordTap {
        inner: socket.connect(ssl_addr).await.unwrap(),
        lens: lens.clone(),
        header: Vec::new(),
        body_left: 0,
    };
    let mut tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").unwrap(), tap)
        .await
        .unwrap();
    // A first round trip takes the handshake's and session tickets' records out of the count.
    tls.write_all(&request).await.unwrap();
    tls.flush().await.unwrap();
    assert_eq!(read_frame(&mut tls).await, over_plaintext);
    lens.lock().unwrap().clear();

    tls.write_all(&request).await.unwrap();
    tls.flush().await.unwrap();
    // Read slowly: 16 KiB at a time, 2 ms apart, after letting the broker fill the socket.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut over_tls = Vec::with_capacity(expected.len());
    let mut chunk = vec![0u8; 16 * 1024];
    while over_tls.len() < expected.len() {
        let n = tokio::time::timeout(Duration::from_secs(20), tls.read(&mut chunk))
            .await
            .expect("bytes within 20 s")
            .unwrap();
        assert!(n > 0, "connection closed mid-response");
        over_tls.extend_from_slice(&chunk[..n]);
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert!(over_tls == expected, "not the bytes sent over PLAINTEXT");
    let lens = lens.lock().unwrap().clone();
    let (last, whole) = lens.split_last().unwrap();
    let short: Vec<usize> = whole
        .iter()
        .copied()
        .filter(|&l| l != FULL_RECORD)
        .collect();
    assert!(
        short.is_empty(),
        "{} of {} records before the last are not full: {short:?}",
        short.len(),
        whole.len()
    );
    assert!(*last <= FULL_RECORD);
    assert_eq!(
        whole.len(),
        (expected.len() - 1) / (16 * 1024),
        "the response takes the fewest records"
    );
    handle.shutdown().await;
}
