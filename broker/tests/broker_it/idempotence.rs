//! Idempotent produce over the wire: a retried batch is answered with its original offset and
//! not stored twice, a sequence gap is OUT_OF_ORDER_SEQUENCE_NUMBER, an old epoch is
//! INVALID_PRODUCER_EPOCH — and all of it still holds after the broker restarts.

use crate::common;

use bytes::Bytes;
use common::{encode_batch, list_offset, record, RawClient};
use kafka_protocol::messages::create_topics_request::CreatableTopic;
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::*;
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::records::Compression;

fn idempotent_batch(pid: i64, epoch: i16, first_seq: i32, count: i32) -> Bytes {
    let records: Vec<_> = (0..count)
        .map(|i| {
            let mut r = record(
                i as usize,
                &format!("seq-{}", first_seq + i),
                ferrokafka_broker::now_ms(),
            );
            r.producer_id = pid;
            r.producer_epoch = epoch;
            r.sequence = first_seq + i;
            r
        })
        .collect();
    encode_batch(&records, Compression::Snappy)
}

async fn produce(c: &mut RawClient, records: Bytes) -> (i16, i64) {
    let req = ProduceRequest::default()
        .with_acks(-1)
        .with_timeout_ms(5000)
        .with_topic_data(vec![TopicProduceData::default()
            .with_name(TopicName(StrBytes::from_static_str("idem")))
            .with_partition_data(vec![PartitionProduceData::default()
                .with_index(0)
                .with_records(Some(records))])]);
    let r = c.call(&req, 9).await;
    let p = &r.responses[0].partition_responses[0];
    (p.error_code, p.base_offset)
}

async fn high_watermark(c: &mut RawClient) -> i64 {
    list_offset(c, "idem", 0, -1).await.0
}

#[tokio::test]
async fn retries_are_deduplicated_gaps_and_fenced_epochs_refused_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let start = || async {
        ferrokafka_broker::Broker::builder()
            .data_dir(dir.path())
            .listen("127.0.0.1:0")
            .start()
            .await
            .unwrap()
    };
    let h = start().await;
    let mut c = RawClient::connect(h.local_addr()).await;
    c.call(
        &CreateTopicsRequest::default().with_topics(vec![CreatableTopic::default()
            .with_name(TopicName(StrBytes::from_static_str("idem")))
            .with_num_partitions(1)
            .with_replication_factor(1)]),
        7,
    )
    .await;
    let pid = c
        .call(
            &InitProducerIdRequest::default()
                .with_transactional_id(None)
                .with_transaction_timeout_ms(60_000),
            4,
        )
        .await
        .producer_id
        .0;
    assert!(pid >= 0);

    assert_eq!(
        produce(&mut c, idempotent_batch(pid, 0, 0, 5)).await,
        (0, 0)
    );
    assert_eq!(
        produce(&mut c, idempotent_batch(pid, 0, 5, 5)).await,
        (0, 5)
    );
    // The same batch again (a retry after a lost response): its original offset, stored once.
    assert_eq!(
        produce(&mut c, idempotent_batch(pid, 0, 5, 5)).await,
        (0, 5)
    );
    assert_eq!(high_watermark(&mut c).await, 10);
    // A gap in the sequence: OUT_OF_ORDER_SEQUENCE_NUMBER.
    assert_eq!(produce(&mut c, idempotent_batch(pid, 0, 12, 1)).await.0, 45);

    // After a restart the producer state is still there.
    h.shutdown().await;
    let h = start().await;
    let mut c = RawClient::connect(h.local_addr()).await;
    assert_eq!(
        produce(&mut c, idempotent_batch(pid, 0, 5, 5)).await,
        (0, 5),
        "duplicate after restart"
    );
    assert_eq!(
        produce(&mut c, idempotent_batch(pid, 0, 10, 2)).await,
        (0, 10)
    );
    // A new epoch starts at sequence 0; the old epoch is then fenced.
    assert_eq!(
        produce(&mut c, idempotent_batch(pid, 1, 0, 1)).await,
        (0, 12)
    );
    assert_eq!(produce(&mut c, idempotent_batch(pid, 0, 12, 1)).await.0, 47);
    assert_eq!(high_watermark(&mut c).await, 13);
    // A new producer id never collides with one handed out before the restart.
    let pid2 = c
        .call(
            &InitProducerIdRequest::default()
                .with_transactional_id(None)
                .with_transaction_timeout_ms(60_000),
            4,
        )
        .await
        .producer_id
        .0;
    assert!(pid2 > pid);
    h.shutdown().await;
}
