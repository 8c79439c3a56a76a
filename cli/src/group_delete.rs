//! `consumer-groups --delete` and `--delete-offsets`: deletes groups or their committed offsets
//! and prints ConsumerGroupCommand's messages and TOPIC/PARTITION/STATUS table.

use ferrokafka_core::{Admin, ErrorKind, TopicPartition};

use crate::common::{pad, Printed};
use crate::consumer_groups::{selected_groups, GroupsArgs};
use crate::reset_offsets;

pub async fn delete(admin: &Admin, a: &GroupsArgs) -> anyhow::Result<()> {
    let groups = selected_groups(admin, a).await?;
    let mut ok = Vec::new();
    let mut failed = Vec::new();
    for g in &groups {
        match admin.delete_groups(&[g.as_str()]).await {
            Ok(()) => ok.push(g.clone()),
            Err(e) => failed.push((g.clone(), kafka_error_text(&e))),
        }
    }
    if failed.is_empty() {
        println!(
            "Deletion of requested consumer groups ('{}') was successful.",
            ok.join(", ")
        );
        return Ok(());
    }
    let mut msg = String::from("\nError: Deletion of some consumer groups failed:");
    for (g, e) in &failed {
        msg.push_str(&format!("\n* Group '{g}' could not be deleted due to: {e}"));
    }
    if !ok.is_empty() {
        msg.push_str(&format!(
            "\n\nThese consumer groups were deleted successfully: '{}'",
            ok.join("', '")
        ));
    }
    Err(Printed::stdout(1, msg).into())
}

/// Kafka's wording for the errors an operator meets here.
pub fn kafka_error_text(e: &ferrokafka_core::Error) -> String {
    match e.code() {
        Some(68) => "org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.".into(),
        Some(69) => "org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.".into(),
        Some(24) => "org.apache.kafka.common.errors.InvalidGroupIdException: The configured groupId is invalid.".into(),
        _ if e.kind() == ErrorKind::UnknownTopicOrPartition => {
            "org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.".into()
        }
        _ => e.to_string(),
    }
}

pub async fn delete_offsets(admin: &Admin, a: &GroupsArgs) -> anyhow::Result<()> {
    let group = &a.group[0];
    let known = admin.list_topics(true).await?;
    let mut parts: Vec<TopicPartition> = Vec::new();
    let mut results: Vec<(String, String, String)> = Vec::new();
    for t in &a.topic {
        let tps = reset_offsets::parse_topic_arg(t)?;
        match tps {
            Some(tps) => parts.extend(tps),
            None if known.contains(t) => {
                let d = admin.describe_topics(&[t.as_str()]).await?;
                for td in d {
                    parts.extend(td.partitions.iter().map(|p| TopicPartition::new(t.as_str(), p.partition)));
                }
            }
            None => results.push((
                t.clone(),
                "Not Provided".into(),
                "Error: :org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.".into(),
            )),
        }
    }
    let outcome = if parts.is_empty() {
        Ok(())
    } else {
        admin.delete_group_offsets(group, &parts).await
    };
    let failed = match &outcome {
        Ok(()) if results.is_empty() => {
            println!(
                "Request succeed for deleting offsets with topic {} group {group}",
                a.topic.join(", ")
            );
            false
        }
        Ok(()) => {
            println!("\nError: Encounter some partition level error, see the follow-up details:");
            true
        }
        Err(e) => {
            let msg = match e.code() {
                Some(69) => format!("'{group}' does not exist."),
                Some(68) => format!("Deleting offsets of a consumer group '{group}' is forbidden if the group is not empty."),
                Some(24) => format!("'{group}' is not valid."),
                _ => "Encounter some partition level error, see the follow-up details:".to_string(),
            };
            println!("\nError: {msg}");
            true
        }
    };
    for tp in &parts {
        let status = match &outcome {
            Ok(()) => "Successful".to_string(),
            Err(e) => format!("Error: :{}", kafka_error_text(e)),
        };
        results.push((tp.topic.to_string(), tp.partition.to_string(), status));
    }
    results.sort_by_key(|x| x.0.clone() + &x.1);
    let mut out = format!(
        "\n{} {} {}",
        pad("TOPIC", 30),
        pad("PARTITION", 15),
        pad("STATUS", 15)
    );
    for (t, p, s) in &results {
        out.push_str(&format!("\n{} {} {}", pad(t, 30), pad(p, 15), pad(s, 15)));
    }
    println!("{out}");
    if failed {
        return Err(Printed::new(1, format!("Deleting offsets of group {group} failed.")).into());
    }
    Ok(())
}
