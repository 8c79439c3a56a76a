//! `ferrokafka delete-records` / `kafka-delete-records`: deletes records before the offsets in
//! an --offset-json-file (`{"partitions":[{"topic":"t","partition":0,"offset":5}],"version":1}`,
//! offset -1 meaning the high watermark) and prints each partition's new low watermark as
//! DeleteRecordsCommand does.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;
use ferrokafka_core::admin::LATEST;
use ferrokafka_core::TopicPartition;

use crate::common::{block_on, usage, Connect, Printed};

#[derive(Args, Debug)]
pub struct DeleteRecordsArgs {
    #[command(flatten)]
    connect: Connect,
    /// REQUIRED: The JSON file with offset per partition.
    #[arg(long = "offset-json-file")]
    offset_json_file: PathBuf,
}

/// Parses Kafka's offset JSON; the message says what is wrong and where.
pub fn parse_offsets(text: &str) -> Result<BTreeMap<TopicPartition, i64>, String> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("the file is not valid JSON: {e}"))?;
    let parts = v
        .get("partitions")
        .and_then(|p| p.as_array())
        .ok_or("expected an object with a \"partitions\" array")?;
    let mut out = BTreeMap::new();
    for (i, p) in parts.iter().enumerate() {
        let topic = p
            .get("topic")
            .and_then(|t| t.as_str())
            .ok_or(format!("partitions[{i}]: missing string \"topic\""))?;
        let partition = p
            .get("partition")
            .and_then(|t| t.as_i64())
            .ok_or(format!("partitions[{i}]: missing integer \"partition\""))?;
        let offset = p
            .get("offset")
            .and_then(|t| t.as_i64())
            .ok_or(format!("partitions[{i}]: missing integer \"offset\""))?;
        let tp = TopicPartition::new(topic, partition as i32);
        if out.insert(tp.clone(), offset).is_some() {
            return Err(format!(
                "Offset json file contains duplicate topic partitions: {tp}"
            ));
        }
    }
    if out.is_empty() {
        return Err("the \"partitions\" array is empty".into());
    }
    Ok(out)
}

pub fn run(a: DeleteRecordsArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&a.offset_json_file)
        .map_err(|e| usage(format!("Cannot read {}: {e}", a.offset_json_file.display())))?;
    let offsets = parse_offsets(&text).map_err(|e| {
        Printed::new(
            1,
            format!(
                "Error: the offset JSON file {} is malformed: {e}",
                a.offset_json_file.display()
            ),
        )
    })?;
    let admin = a.connect.admin()?;
    let result = block_on(async {
        let known = admin.list_topics(true).await?;
        let mut plan = BTreeMap::new();
        let mut ends = BTreeMap::new();
        for tp in offsets
            .keys()
            .filter(|tp| known.iter().any(|t| *t == *tp.topic))
        {
            ends.insert(tp.clone(), LATEST);
        }
        let ends = if ends.is_empty() {
            Default::default()
        } else {
            admin.list_offsets(&ends).await?
        };
        println!("Executing records delete operation");
        println!("Records delete operation completed:");
        let mut failed = false;
        for (tp, off) in &offsets {
            if !known.iter().any(|t| *t == *tp.topic) {
                println!("partition: {tp}\terror: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.");
                failed = true;
                continue;
            }
            let off = if *off == -1 {
                ends.get(tp).map_or(-1, |o| o.offset)
            } else {
                *off
            };
            plan.insert(tp.clone(), off);
        }
        for (tp, off) in &plan {
            let one = BTreeMap::from([(tp.clone(), *off)]);
            match admin.delete_records(&one).await {
                Ok(low) => println!(
                    "partition: {tp}\tlow_watermark: {}",
                    low.get(tp).copied().unwrap_or(*off)
                ),
                Err(e) => {
                    println!("partition: {tp}\terror: {e}");
                    failed = true;
                }
            }
        }
        if failed {
            return Err(Printed::new(1, "").into());
        }
        anyhow::Ok(())
    });
    admin.close();
    result
}

#[cfg(test)]
mod tests {
    #[test]
    fn offsets_json() {
        let m = super::parse_offsets(
            r#"{"partitions":[{"topic":"t","partition":0,"offset":5}],"version":1}"#,
        )
        .unwrap();
        assert_eq!(m.len(), 1);
        assert!(super::parse_offsets("{").is_err());
        assert!(super::parse_offsets(r#"{"partitions":[{"topic":"t"}]}"#).is_err());
    }
}
