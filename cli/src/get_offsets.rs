//! `ferrokafka get-offsets` / `kafka-get-offsets` (GetOffsetShell): `topic:partition:offset`
//! lines for --topic (regex) / --partitions or --topic-partitions patterns at --time
//! (-1/latest, -2/earliest, -3/max-timestamp, or a timestamp), sorted as Kafka sorts them.

use std::collections::BTreeMap;

use clap::Args;
use ferrokafka_core::admin::{EARLIEST, LATEST, MAX_TIMESTAMP};
use ferrokafka_core::TopicPartition;

use crate::common::{admin_from, block_on, is_internal_topic, usage, IncludeList, Printed};

#[derive(Args, Debug)]
pub struct GetOffsetsArgs {
    /// REQUIRED. The server(s) to connect to in the form HOST1:PORT1,HOST2:PORT2.
    #[arg(
        long = "bootstrap-server",
        alias = "broker-list",
        value_name = "HOST:PORT"
    )]
    bootstrap_server: String,
    /// Property file containing configs to be passed to Admin Client.
    #[arg(long = "command-config")]
    command_config: Option<std::path::PathBuf>,
    /// Comma separated list of topic-partition patterns: topic-regex(:partition|:a-b|:-b|:a-)?
    #[arg(long = "topic-partitions")]
    topic_partitions: Option<String>,
    /// The topic to get the offsets for (a regular expression); all topics when absent.
    #[arg(long)]
    topic: Option<String>,
    /// Comma separated list of partition ids; all partitions when absent.
    #[arg(long)]
    partitions: Option<String>,
    /// -1 or latest, -2 or earliest, -3 or max-timestamp, or a timestamp in ms.
    #[arg(long, default_value = "latest", allow_negative_numbers = true)]
    time: String,
    /// Exclude internal topics.
    #[arg(long = "exclude-internal-topics")]
    exclude_internal_topics: bool,
}

/// One `--topic-partitions` rule: a topic regex and a partition range [lo, hi).
struct Rule {
    topic: IncludeList,
    lo: i32,
    hi: i32,
}

fn parse_rules(a: &GetOffsetsArgs) -> anyhow::Result<Vec<Rule>> {
    if let Some(tp) = &a.topic_partitions {
        if a.topic.is_some() || a.partitions.is_some() {
            return Err(Printed::new(
                1,
                "Error occurred: --topic-partitions cannot be used with --topic or --partitions",
            )
            .into());
        }
        return tp
            .split(',')
            .map(|spec| {
                let (t, p) = match spec.rsplit_once(':') {
                    Some((t, p)) => (t, Some(p)),
                    None => (spec, None),
                };
                let topic = IncludeList::new(if t.is_empty() { ".*" } else { t })?;
                let bad = || {
                    usage(format!(
                        "Invalid partition pattern in {spec:?}: expected N, N-M, -M or N-"
                    ))
                };
                let (lo, hi) = match p {
                    None => (0, i32::MAX),
                    Some(p) => match p.split_once('-') {
                        None => {
                            let n: i32 = p.parse().map_err(|_| bad())?;
                            (n, n + 1)
                        }
                        Some((l, h)) => (
                            if l.is_empty() {
                                0
                            } else {
                                l.parse().map_err(|_| bad())?
                            },
                            if h.is_empty() {
                                i32::MAX
                            } else {
                                h.parse().map_err(|_| bad())?
                            },
                        ),
                    },
                };
                Ok(Rule { topic, lo, hi })
            })
            .collect();
    }
    let topic = IncludeList::new(a.topic.as_deref().unwrap_or(".*"))?;
    match &a.partitions {
        None => Ok(vec![Rule {
            topic,
            lo: 0,
            hi: i32::MAX,
        }]),
        Some(ps) => {
            ps.split(',')
                .map(|p| {
                    let n: i32 = p.trim().parse().map_err(|_| {
                        usage(format!("Invalid partition id '{p}' in --partitions"))
                    })?;
                    Ok(Rule {
                        topic: IncludeList::new(a.topic.as_deref().unwrap_or(".*"))?,
                        lo: n,
                        hi: n + 1,
                    })
                })
                .collect()
        }
    }
}

fn parse_time(t: &str) -> anyhow::Result<i64> {
    match t {
        "latest" => Ok(LATEST),
        "earliest" => Ok(EARLIEST),
        "max-timestamp" => Ok(MAX_TIMESTAMP),
        _ => {
            let n: i64 = t.parse().map_err(|_| {
                Printed::new(1, format!("Error occurred: Malformed time argument {t}. Please use -1 or latest / -2 or earliest / -3 or max-timestamp, or a specified long format timestamp"))
            })?;
            if n < -3 {
                return Err(Printed::new(1, format!("Error occurred: --time {n} (earliest-local / latest-tiered) needs tiered storage, which ferrokafka does not have")).into());
            }
            Ok(n)
        }
    }
}

pub fn run(a: GetOffsetsArgs) -> anyhow::Result<()> {
    let spec = parse_time(&a.time)?;
    let rules = parse_rules(&a)?;
    let mut props = match &a.command_config {
        Some(p) => crate::common::load_properties(p)?,
        None => Default::default(),
    };
    props.insert("bootstrap.servers".into(), a.bootstrap_server.clone());
    props.insert("client.id".into(), "GetOffsetShell".into());
    let admin = admin_from(props)?;
    let result = block_on(async {
        let topics = admin.list_topics(!a.exclude_internal_topics).await?;
        let topics: Vec<&str> = topics
            .iter()
            .map(String::as_str)
            .filter(|t| !(a.exclude_internal_topics && is_internal_topic(t)))
            .filter(|t| rules.iter().any(|r| r.topic.matches(t)))
            .collect();
        let mut query = BTreeMap::new();
        if !topics.is_empty() {
            for td in admin.describe_topics(&topics).await? {
                for p in &td.partitions {
                    if rules
                        .iter()
                        .any(|r| r.topic.matches(&td.name) && (r.lo..r.hi).contains(&p.partition))
                    {
                        query.insert(TopicPartition::new(td.name.as_str(), p.partition), spec);
                    }
                }
            }
        }
        if query.is_empty() {
            return Err(Printed::new(
                1,
                "Error occurred: Could not match any topic-partitions with the specified filters",
            )
            .into());
        }
        let got = admin.list_offsets(&query).await?;
        let mut lines: Vec<(String, String)> = got
            .into_iter()
            .filter(|(_, o)| o.offset >= 0)
            .map(|(tp, o)| {
                (
                    tp.to_string(),
                    format!("{}:{}:{}", tp.topic, tp.partition, o.offset),
                )
            })
            .collect();
        lines.sort();
        for (_, l) in lines {
            println!("{l}");
        }
        anyhow::Ok(())
    });
    admin.close();
    result
}
