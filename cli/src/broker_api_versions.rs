//! `ferrokafka broker-api-versions` / `kafka-broker-api-versions`: each broker's advertised
//! version range per API and the version this client would use, in BrokerApiVersionsCommand's
//! layout. The API list is the one Kafka 4.3.1's tool prints (its client-facing APIs); the
//! "usable" column is this client's, as Kafka's is the Java client's.

use clap::Args;

use crate::common::{block_on, Connect};

/// `(api key, name)` of every API Kafka 4.3.1's BrokerApiVersionsCommand lists.
const APIS: &[(i16, &str)] = &[
    (0, "Produce"),
    (1, "Fetch"),
    (2, "ListOffsets"),
    (3, "Metadata"),
    (8, "OffsetCommit"),
    (9, "OffsetFetch"),
    (10, "FindCoordinator"),
    (11, "JoinGroup"),
    (12, "Heartbeat"),
    (13, "LeaveGroup"),
    (14, "SyncGroup"),
    (15, "DescribeGroups"),
    (16, "ListGroups"),
    (17, "SaslHandshake"),
    (18, "ApiVersions"),
    (19, "CreateTopics"),
    (20, "DeleteTopics"),
    (21, "DeleteRecords"),
    (22, "InitProducerId"),
    (23, "OffsetForLeaderEpoch"),
    (24, "AddPartitionsToTxn"),
    (25, "AddOffsetsToTxn"),
    (26, "EndTxn"),
    (27, "WriteTxnMarkers"),
    (28, "TxnOffsetCommit"),
    (29, "DescribeAcls"),
    (30, "CreateAcls"),
    (31, "DeleteAcls"),
    (32, "DescribeConfigs"),
    (33, "AlterConfigs"),
    (34, "AlterReplicaLogDirs"),
    (35, "DescribeLogDirs"),
    (36, "SaslAuthenticate"),
    (37, "CreatePartitions"),
    (38, "CreateDelegationToken"),
    (39, "RenewDelegationToken"),
    (40, "ExpireDelegationToken"),
    (41, "DescribeDelegationToken"),
    (42, "DeleteGroups"),
    (43, "ElectLeaders"),
    (44, "IncrementalAlterConfigs"),
    (45, "AlterPartitionReassignments"),
    (46, "ListPartitionReassignments"),
    (47, "OffsetDelete"),
    (48, "DescribeClientQuotas"),
    (49, "AlterClientQuotas"),
    (50, "DescribeUserScramCredentials"),
    (51, "AlterUserScramCredentials"),
    (55, "DescribeQuorum"),
    (57, "UpdateFeatures"),
    (60, "DescribeCluster"),
    (61, "DescribeProducers"),
    (64, "UnregisterBroker"),
    (65, "DescribeTransactions"),
    (66, "ListTransactions"),
    (68, "ConsumerGroupHeartbeat"),
    (69, "ConsumerGroupDescribe"),
    (71, "GetTelemetrySubscriptions"),
    (72, "PushTelemetry"),
    (74, "ListConfigResources"),
    (75, "DescribeTopicPartitions"),
    (76, "ShareGroupHeartbeat"),
    (77, "ShareGroupDescribe"),
    (78, "ShareFetch"),
    (79, "ShareAcknowledge"),
    (80, "AddRaftVoter"),
    (81, "RemoveRaftVoter"),
    (83, "InitializeShareGroupState"),
    (84, "ReadShareGroupState"),
    (85, "WriteShareGroupState"),
    (86, "DeleteShareGroupState"),
    (87, "ReadShareGroupStateSummary"),
    (88, "StreamsGroupHeartbeat"),
    (89, "StreamsGroupDescribe"),
    (90, "DescribeShareGroupOffsets"),
    (91, "AlterShareGroupOffsets"),
    (92, "DeleteShareGroupOffsets"),
];

#[derive(Args, Debug)]
pub struct ApiVersionsArgs {
    #[command(flatten)]
    connect: Connect,
}

pub fn run(a: ApiVersionsArgs) -> anyhow::Result<()> {
    let admin = a.connect.admin()?;
    let keys: Vec<i16> = APIS.iter().map(|(k, _)| *k).collect();
    let nodes = block_on(admin.broker_api_versions(&keys));
    admin.close();
    for n in nodes? {
        let lines: Vec<String> = n
            .apis
            .iter()
            .zip(APIS)
            .map(|(api, (_, name))| {
                let id = api.api_key;
                match api.broker {
                    None => format!("\t{name}({id}): UNSUPPORTED"),
                    Some((lo, hi)) => {
                        let range = if lo == hi {
                            lo.to_string()
                        } else {
                            format!("{lo} to {hi}")
                        };
                        let usable = api.usable.map_or("NONE".to_string(), |u| u.to_string());
                        format!("\t{name}({id}): {range} [usable: {usable}]")
                    }
                }
            })
            .collect();
        println!(
            "{}:{} (id: {} rack: {} isFenced: false) -> (\n{}\n)",
            n.host,
            n.port,
            n.id,
            n.rack.as_deref().unwrap_or("null"),
            lines.join(",\n")
        );
    }
    Ok(())
}
