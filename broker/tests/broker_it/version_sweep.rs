//! Every API the broker handles (group APIs are swept by the coordinator's own tests) answered
//! at every version it advertises, with realistic content: a response field that does not exist
//! at a version must never be set, or the answer cannot be encoded and the client is cut off.

use crate::common;

use bytes::Bytes;
use common::{encode_batch, record, start_broker, topic_name, RawClient};
use kafka_protocol::messages::create_topics_request::CreatableTopic;
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::*;
use kafka_protocol::protocol::{Message, StrBytes};
use kafka_protocol::records::Compression;

fn one_batch() -> Bytes {
    encode_batch(
        &[record(0, "v", ferrokafka_broker::now_ms())],
        Compression::None,
    )
}

fn versions<M: Message>() -> std::ops::RangeInclusive<i16> {
    M::VERSIONS.min..=M::VERSIONS.max
}

#[tokio::test]
async fn every_version_of_every_handled_api_is_answered() {
    let b = start_broker().await;
    let mut c = RawClient::connect(b.handle.local_addr()).await;
    let created = c
        .call(
            &CreateTopicsRequest::default().with_topics(vec![CreatableTopic::default()
                .with_name(topic_name("sweep"))
                .with_num_partitions(2)
                .with_replication_factor(1)]),
            7,
        )
        .await;
    let id = created.topics[0].topic_id;

    for v in versions::<ApiVersionsRequest>() {
        assert_eq!(
            c.call(&ApiVersionsRequest::default(), v).await.error_code,
            0,
            "ApiVersions v{v}"
        );
    }
    for v in versions::<MetadataRequest>() {
        let topics = if v == 0 {
            vec![]
        } else {
            vec![MetadataRequestTopic::default().with_name(Some(topic_name("sweep")))]
        };
        let mut req = MetadataRequest::default().with_topics(Some(topics));
        if (8..=10).contains(&v) {
            req.include_cluster_authorized_operations = true;
        }
        if v >= 8 {
            req.include_topic_authorized_operations = true;
        }
        let r = c.call(&req, v).await;
        assert_eq!(r.topics.len(), 1, "Metadata v{v}");
    }
    for v in versions::<ProduceRequest>() {
        let mut t =
            TopicProduceData::default().with_partition_data(vec![PartitionProduceData::default()
                .with_index(0)
                .with_records(Some(one_batch()))]);
        if v >= 13 {
            t.topic_id = id
        } else {
            t.name = topic_name("sweep")
        }
        let r = c
            .call(
                &ProduceRequest::default()
                    .with_acks(-1)
                    .with_timeout_ms(1000)
                    .with_topic_data(vec![t]),
                v,
            )
            .await;
        assert_eq!(
            r.responses[0].partition_responses[0].error_code, 0,
            "Produce v{v}"
        );
    }
    for v in versions::<FetchRequest>() {
        let mut t = FetchTopic::default().with_partitions(vec![FetchPartition::default()
            .with_partition(0)
            .with_fetch_offset(0)
            .with_partition_max_bytes(1 << 20)]);
        if v >= 13 {
            t.topic_id = id
        } else {
            t.topic = topic_name("sweep")
        }
        let mut req = FetchRequest::default()
            .with_max_wait_ms(0)
            .with_min_bytes(1)
            .with_max_bytes(1 << 20)
            .with_topics(vec![t]);
        if v < 15 {
            req.replica_id = BrokerId(-1);
        }
        if v >= 7 {
            req.session_epoch = -1;
        }
        let r = c.call(&req, v).await;
        assert_eq!(r.responses[0].partitions[0].error_code, 0, "Fetch v{v}");
        assert!(
            !r.responses[0].partitions[0]
                .records
                .as_ref()
                .unwrap()
                .is_empty(),
            "Fetch v{v}"
        );
    }
    for v in versions::<ListOffsetsRequest>() {
        for ts in [-2i64, -1, 0] {
            let req = ListOffsetsRequest::default()
                .with_replica_id(BrokerId(-1))
                .with_topics(vec![ListOffsetsTopic::default()
                    .with_name(topic_name("sweep"))
                    .with_partitions(vec![ListOffsetsPartition::default()
                        .with_partition_index(0)
                        .with_timestamp(ts)])]);
            let r = c.call(&req, v).await;
            assert_eq!(
                r.topics[0].partitions[0].error_code, 0,
                "ListOffsets v{v} ts {ts}"
            );
        }
    }
    for v in versions::<FindCoordinatorRequest>() {
        let req = if v >= 4 {
            FindCoordinatorRequest::default()
                .with_coordinator_keys(vec![StrBytes::from_static_str("g")])
        } else {
            FindCoordinatorRequest::default().with_key(StrBytes::from_static_str("g"))
        };
        let r = c.call(&req, v).await;
        let code = if v >= 4 {
            r.coordinators[0].error_code
        } else {
            r.error_code
        };
        assert_eq!(code, 0, "FindCoordinator v{v}");
    }
    for v in versions::<CreateTopicsRequest>() {
        let t = CreatableTopic::default()
            .with_name(topic_name(&format!("ct-{v}")))
            .with_num_partitions(1)
            .with_replication_factor(1);
        assert_eq!(
            c.call(&CreateTopicsRequest::default().with_topics(vec![t]), v)
                .await
                .topics[0]
                .error_code,
            0,
            "CreateTopics v{v}"
        );
        // And an error answer at the same version.
        let t = CreatableTopic::default()
            .with_name(topic_name(&format!("ct-{v}")))
            .with_num_partitions(1)
            .with_replication_factor(1);
        assert_eq!(
            c.call(&CreateTopicsRequest::default().with_topics(vec![t]), v)
                .await
                .topics[0]
                .error_code,
            36,
            "CreateTopics v{v}"
        );
    }
    for v in versions::<DeleteTopicsRequest>() {
        let topic = format!("ct-{}", v + 1);
        let req = if v >= 6 {
            DeleteTopicsRequest::default()
                .with_topics(vec![delete_topics_request::DeleteTopicState::default()
                    .with_name(Some(topic_name(&topic)))])
        } else {
            DeleteTopicsRequest::default().with_topic_names(vec![topic_name(&topic)])
        };
        let r = c.call(&req, v).await;
        assert_eq!(r.responses.len(), 1, "DeleteTopics v{v}");
    }
    for v in versions::<CreatePartitionsRequest>() {
        let req = CreatePartitionsRequest::default().with_topics(vec![
            create_partitions_request::CreatePartitionsTopic::default()
                .with_name(topic_name("sweep"))
                .with_count(3 + v as i32),
        ]);
        assert_eq!(
            c.call(&req, v).await.results[0].error_code,
            0,
            "CreatePartitions v{v}"
        );
    }
    for v in versions::<DescribeConfigsRequest>() {
        let req = DescribeConfigsRequest::default().with_resources(vec![
            describe_configs_request::DescribeConfigsResource::default()
                .with_resource_type(2)
                .with_resource_name(StrBytes::from_static_str("sweep"))
                .with_configuration_keys(None),
            describe_configs_request::DescribeConfigsResource::default()
                .with_resource_type(4)
                .with_resource_name(StrBytes::from_static_str("1"))
                .with_configuration_keys(None),
        ]);
        let r = c.call(&req, v).await;
        assert!(
            r.results.iter().all(|x| x.error_code == 0),
            "DescribeConfigs v{v}"
        );
    }
    for v in versions::<AlterConfigsRequest>() {
        let req = AlterConfigsRequest::default().with_resources(vec![
            alter_configs_request::AlterConfigsResource::default()
                .with_resource_type(2)
                .with_resource_name(StrBytes::from_static_str("sweep"))
                .with_configs(vec![alter_configs_request::AlterableConfig::default()
                    .with_name(StrBytes::from_static_str("retention.ms"))
                    .with_value(Some(StrBytes::from_static_str("100000000")))]),
        ]);
        assert_eq!(
            c.call(&req, v).await.responses[0].error_code,
            0,
            "AlterConfigs v{v}"
        );
    }
    for v in versions::<IncrementalAlterConfigsRequest>() {
        let req = IncrementalAlterConfigsRequest::default().with_resources(vec![
            incremental_alter_configs_request::AlterConfigsResource::default()
                .with_resource_type(2)
                .with_resource_name(StrBytes::from_static_str("sweep"))
                .with_configs(vec![
                    incremental_alter_configs_request::AlterableConfig::default()
                        .with_name(StrBytes::from_static_str("retention.ms"))
                        .with_config_operation(1),
                ]),
        ]);
        assert_eq!(
            c.call(&req, v).await.responses[0].error_code,
            0,
            "IncrementalAlterConfigs v{v}"
        );
    }
    for v in versions::<DescribeClusterRequest>() {
        assert_eq!(
            c.call(&DescribeClusterRequest::default(), v)
                .await
                .brokers
                .len(),
            1,
            "DescribeCluster v{v}"
        );
    }
    for v in versions::<DescribeLogDirsRequest>() {
        let r = c
            .call(&DescribeLogDirsRequest::default().with_topics(None), v)
            .await;
        assert_eq!(r.results.len(), 1, "DescribeLogDirs v{v}");
    }
    for v in versions::<DeleteRecordsRequest>() {
        let req = DeleteRecordsRequest::default().with_topics(vec![
            delete_records_request::DeleteRecordsTopic::default()
                .with_name(topic_name("sweep"))
                .with_partitions(vec![
                    delete_records_request::DeleteRecordsPartition::default()
                        .with_partition_index(1)
                        .with_offset(0),
                ]),
        ]);
        assert_eq!(
            c.call(&req, v).await.topics[0].partitions[0].error_code,
            0,
            "DeleteRecords v{v}"
        );
    }
    for v in versions::<InitProducerIdRequest>() {
        let mut req = InitProducerIdRequest::default()
            .with_transactional_id(None)
            .with_transaction_timeout_ms(60_000);
        if v >= 3 {
            req.producer_id = ProducerId(-1);
            req.producer_epoch = -1;
        }
        let r = c.call(&req, v).await;
        assert_eq!(r.error_code, 0, "InitProducerId v{v}");
        assert!(r.producer_id.0 >= 0);
    }
}
