//! `ferrokafka topics` / `kafka-topics`: create, delete, list, describe and alter topics with
//! TopicCommand's flags and output (tab-separated describe lines, "Created topic X.", errors as
//! "Error while executing topic command : ..."). Admin calls only; no protocol here.

use clap::{ArgGroup, Args};
use ferrokafka_core::admin::{ConfigResource, NewTopic, TopicDescription};
use ferrokafka_core::{Admin, ErrorKind};

use crate::common::{
    block_on, is_internal_topic, parse_pairs, usage, Connect, IncludeList, Printed,
};
use ferrokafka_protocol::java_order;

#[derive(Args, Debug)]
#[command(group(ArgGroup::new("action").required(true).args(["create", "delete", "list", "describe", "alter"])))]
pub struct TopicsArgs {
    #[command(flatten)]
    connect: Connect,
    /// Create a new topic.
    #[arg(long)]
    create: bool,
    /// Delete a topic.
    #[arg(long)]
    delete: bool,
    /// List all available topics.
    #[arg(long)]
    list: bool,
    /// List details for the given topics.
    #[arg(long)]
    describe: bool,
    /// Alter the number of partitions of a topic.
    #[arg(long)]
    alter: bool,
    /// The topic to create, alter, describe or delete; a regular expression except with --create.
    #[arg(long)]
    topic: Option<String>,
    /// The number of partitions for the topic being created or altered.
    #[arg(long)]
    partitions: Option<i32>,
    /// The replication factor for each partition in the topic being created.
    #[arg(long = "replication-factor")]
    replication_factor: Option<i32>,
    /// A topic configuration override for the topic being created (key=value).
    #[arg(long = "config", value_name = "NAME=VALUE")]
    config: Vec<String>,
    /// If set when creating topics, the action only executes if the topic does not already exist.
    #[arg(long = "if-not-exists")]
    if_not_exists: bool,
    /// If set when altering, deleting or describing topics, the action only executes if the topic exists.
    #[arg(long = "if-exists")]
    if_exists: bool,
    /// Exclude internal topics when listing or describing topics.
    #[arg(long = "exclude-internal")]
    exclude_internal: bool,
    /// If set when describing topics, only show under-replicated partitions.
    #[arg(long = "under-replicated-partitions")]
    under_replicated: bool,
    /// If set when describing topics, only show partitions whose leader is not available.
    #[arg(long = "unavailable-partitions")]
    unavailable: bool,
    /// If set when describing topics, only show partitions whose isr count is less than the configured minimum.
    #[arg(long = "under-min-isr-partitions")]
    under_min_isr: bool,
    /// If set when describing topics, only show partitions whose isr count is equal to the configured minimum.
    #[arg(long = "at-min-isr-partitions")]
    at_min_isr: bool,
    /// If set when describing topics, only show topics that have overridden configs.
    #[arg(long = "topics-with-overrides")]
    with_overrides: bool,
}

pub fn run(args: TopicsArgs) -> anyhow::Result<()> {
    validate(&args)?;
    let admin = args.connect.admin()?;
    let result = block_on(async {
        if args.create {
            create(&admin, &args).await
        } else if args.list {
            list(&admin, &args).await
        } else if args.describe {
            describe(&admin, &args).await
        } else if args.delete {
            delete(&admin, &args).await
        } else {
            alter(&admin, &args).await
        }
    });
    admin.close();
    result.map_err(|e| match e.downcast::<Printed>() {
        Ok(p) => p.into(),
        Err(e) => Printed::stdout(1, format!("Error while executing topic command : {e:#}")).into(),
    })
}

fn validate(a: &TopicsArgs) -> anyhow::Result<()> {
    if (a.create || a.delete || a.alter) && a.topic.is_none() {
        return Err(usage("Missing required argument \"[topic]\""));
    }
    if !a.create && (a.replication_factor.is_some() || !a.config.is_empty()) {
        let flag = if a.config.is_empty() {
            "replication-factor"
        } else {
            "config"
        };
        return Err(usage(format!(
            "Option \"[{flag}]\" can't be used with option \"[{}]\"",
            action_name(a)
        )));
    }
    if a.alter && a.partitions.is_none() {
        return Err(usage("Missing required argument \"[partitions]\""));
    }
    if a.partitions.is_some() && !(a.create || a.alter) {
        return Err(usage(format!(
            "Option \"[partitions]\" can't be used with option \"[{}]\"",
            action_name(a)
        )));
    }
    if a.if_not_exists && !a.create {
        return Err(usage(
            "Option \"[if-not-exists]\" can only be used with option \"[create]\"",
        ));
    }
    if a.if_exists && !(a.alter || a.delete || a.describe) {
        return Err(usage("Option \"[if-exists]\" can only be used with options \"[alter]\", \"[delete]\" or \"[describe]\""));
    }
    Ok(())
}

fn action_name(a: &TopicsArgs) -> &'static str {
    if a.create {
        "create"
    } else if a.delete {
        "delete"
    } else if a.list {
        "list"
    } else if a.describe {
        "describe"
    } else {
        "alter"
    }
}

/// Topic names matching `--topic` (all when absent), sorted, as TopicCommand.getTopics.
async fn matching_topics(admin: &Admin, a: &TopicsArgs) -> anyhow::Result<Vec<String>> {
    let all = admin.list_topics(!a.exclude_internal).await?;
    let filter = a.topic.as_deref().map(IncludeList::new).transpose()?;
    Ok(all
        .into_iter()
        .filter(|t| !(a.exclude_internal && is_internal_topic(t)))
        .filter(|t| filter.as_ref().is_none_or(|f| f.matches(t)))
        .collect())
}

/// TopicCommand's "does not exist" check (skipped with --if-exists).
fn ensure_exists(found: &[String], a: &TopicsArgs) -> anyhow::Result<()> {
    match &a.topic {
        Some(t) if !t.is_empty() && found.is_empty() && !a.if_exists => Err(Printed::stdout(
            1,
            format!("Error while executing topic command : Topic '{t}' does not exist as expected"),
        )
        .into()),
        _ => Ok(()),
    }
}

async fn create(admin: &Admin, a: &TopicsArgs) -> anyhow::Result<()> {
    let name = a.topic.clone().unwrap_or_default();
    if let Some(rf) = a.replication_factor {
        if !(1..=i16::MAX as i32).contains(&rf) {
            anyhow::bail!(
                "The replication factor must be between 1 and {} inclusive",
                i16::MAX
            );
        }
    }
    if a.partitions.is_some_and(|p| p < 1) {
        anyhow::bail!("The partitions must be greater than 0");
    }
    if name.contains('.') || name.contains('_') {
        println!(
            "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both."
        );
    }
    let mut topic = NewTopic::new(
        name.clone(),
        a.partitions.unwrap_or(-1),
        a.replication_factor.map_or(-1, |r| r as i16),
    );
    for (k, v) in parse_pairs(&a.config, "--config")? {
        topic = topic.with_config(k, v);
    }
    match admin.create_topics(&[topic], false).await {
        Ok(()) => {
            println!("Created topic {name}.");
            Ok(())
        }
        Err(e) if e.kind() == ErrorKind::TopicAlreadyExists => {
            if a.if_not_exists {
                Ok(())
            } else {
                anyhow::bail!("Topic '{name}' already exists.")
            }
        }
        Err(e) => Err(e.into()),
    }
}

async fn list(admin: &Admin, a: &TopicsArgs) -> anyhow::Result<()> {
    let names = matching_topics(admin, a).await?;
    // Kafka joins with "\n" and println()s: an empty list is one empty line.
    println!("{}", names.join("\n"));
    Ok(())
}

async fn delete(admin: &Admin, a: &TopicsArgs) -> anyhow::Result<()> {
    let names = matching_topics(admin, a).await?;
    ensure_exists(&names, a)?;
    if names.is_empty() {
        return Ok(());
    }
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    admin.delete_topics(&refs).await?;
    Ok(())
}

async fn alter(admin: &Admin, a: &TopicsArgs) -> anyhow::Result<()> {
    let names = matching_topics(admin, a).await?;
    ensure_exists(&names, a)?;
    let total = a.partitions.unwrap_or_default();
    for t in &names {
        admin.create_partitions(t, total, false).await?;
    }
    Ok(())
}

async fn describe(admin: &Admin, a: &TopicsArgs) -> anyhow::Result<()> {
    let names = matching_topics(admin, a).await?;
    ensure_exists(&names, a)?;
    if names.is_empty() {
        return Ok(());
    }
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut topics = admin.describe_topics(&refs).await?;
    topics.sort_by(|x, y| x.name.cmp(&y.name));
    let live: Vec<i32> = admin
        .describe_cluster()
        .await?
        .brokers
        .iter()
        .map(|b| b.id)
        .collect();
    let partition_filter = a.under_replicated || a.unavailable || a.under_min_isr || a.at_min_isr;
    for t in &topics {
        let configs = admin
            .describe_configs(&ConfigResource::topic(t.name.clone()), None)
            .await?;
        // Kafka's TopicCommand lists them by iterating a Java HashMap of the answer.
        let overrides: Vec<String> =
            java_order::hash_map_order(configs.iter().collect(), |c| c.name.as_str())
                .into_iter()
                .filter(|c| !c.is_default)
                .map(|c| format!("{}={}", c.name, c.value.as_deref().unwrap_or("null")))
                .collect();
        let min_isr: usize = configs
            .iter()
            .find(|c| c.name == "min.insync.replicas")
            .and_then(|c| c.value.as_deref()?.parse().ok())
            .unwrap_or(1);
        if !partition_filter && (!a.with_overrides || !overrides.is_empty()) {
            print_topic_line(t, &overrides);
        }
        if a.with_overrides {
            continue;
        }
        for p in &t.partitions {
            let has_leader = p.leader.is_some();
            let show = !partition_filter
                || (a.under_replicated && p.replicas.len() > p.isr.len())
                || (a.unavailable && p.leader.is_none_or(|l| !live.contains(&l)))
                || (a.under_min_isr && (!has_leader || p.isr.len() < min_isr))
                || (a.at_min_isr && p.isr.len() == min_isr);
            if show {
                println!(
                    "\tTopic: {}\tPartition: {}\tLeader: {}\tReplicas: {}\tIsr: {}\tElr: {}\tLastKnownElr: {}",
                    t.name,
                    p.partition,
                    p.leader.map_or("none".to_string(), |l| l.to_string()),
                    join(&p.replicas),
                    join(&p.isr),
                    elr(p.elr.as_deref()),
                    elr(p.last_known_elr.as_deref()),
                );
            }
        }
    }
    Ok(())
}

fn print_topic_line(t: &TopicDescription, overrides: &[String]) {
    let mut line = format!("Topic: {}", t.name);
    if !t.topic_id.is_nil() {
        // Kafka prints topic ids in its URL-safe base64 form.
        line.push_str(&format!("\tTopicId: {}", kafka_uuid(&t.topic_id)));
    }
    let rf = t.partitions.first().map_or(0, |p| p.replicas.len());
    line.push_str(&format!(
        "\tPartitionCount: {}\tReplicationFactor: {}\tConfigs: {}",
        t.partitions.len(),
        rf,
        overrides.join(",")
    ));
    println!("{line}");
}

/// ELR as Kafka's TopicCommand prints it: `N/A` when the broker did not report it (no
/// DescribeTopicPartitions), else the ids joined by commas (empty when none).
fn elr(ids: Option<&[i32]>) -> String {
    ids.map_or_else(|| "N/A".to_string(), join)
}

fn join(ids: &[i32]) -> String {
    ids.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// Kafka's `Uuid.toString()`: URL-safe base64 without padding of the 16 bytes.
pub fn kafka_uuid(id: &uuid::Uuid) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = id.as_bytes();
    let mut out = String::with_capacity(22);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = ((b[0] as u32) << 16) | ((b[1] as u32) << 8) | b[2] as u32;
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn uuid_prints_as_kafka_base64() {
        let id = uuid::Uuid::from_bytes([0; 16]);
        assert_eq!(super::kafka_uuid(&id), "AAAAAAAAAAAAAAAAAAAAAA");
        let id = uuid::Uuid::from_bytes([0xff; 16]);
        assert_eq!(super::kafka_uuid(&id), "_____________________w");
    }
}
