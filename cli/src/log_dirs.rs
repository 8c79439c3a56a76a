//! `ferrokafka log-dirs` / `kafka-log-dirs --describe`: every broker's log directories and
//! replica sizes as LogDirsCommand's JSON (`{"brokers":[...],"version":1}`), optionally limited
//! to --topic-list topics and --broker-list brokers.

use clap::Args;
use serde_json::json;

use crate::common::{block_on, usage, Connect, Printed};

#[derive(Args, Debug)]
pub struct LogDirsArgs {
    #[command(flatten)]
    connect: Connect,
    /// Describe the specified log directories on the specified brokers.
    #[arg(long)]
    describe: bool,
    /// The list of topics to be queried in the form "topic1,topic2,topic3"; all when absent.
    #[arg(long = "topic-list")]
    topic_list: Option<String>,
    /// The list of brokers to be queried in the form "0,1,2"; all when absent.
    #[arg(long = "broker-list")]
    broker_list: Option<String>,
}

fn split(s: &Option<String>) -> Vec<String> {
    s.as_deref()
        .map(|v| {
            v.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

pub fn run(a: LogDirsArgs) -> anyhow::Result<()> {
    if !a.describe {
        return Err(usage("Missing required argument \"[describe]\""));
    }
    let topics = split(&a.topic_list);
    let wanted: Vec<i32> = split(&a.broker_list)
        .iter()
        .map(|b| {
            b.parse::<i32>()
                .map_err(|_| usage(format!("Invalid broker id '{b}' in --broker-list")))
        })
        .collect::<anyhow::Result<_>>()?;
    let admin = a.connect.admin()?;
    let result = block_on(async {
        let mut cluster: Vec<i32> = admin
            .describe_cluster()
            .await?
            .brokers
            .iter()
            .map(|b| b.id)
            .collect();
        cluster.sort();
        let missing: Vec<String> = wanted
            .iter()
            .filter(|b| !cluster.contains(b))
            .map(|b| b.to_string())
            .collect();
        if !missing.is_empty() {
            let all: Vec<String> = cluster.iter().map(|b| b.to_string()).collect();
            return Err(Printed::new(1, format!(
                "ERROR: The given brokers do not exist from --broker-list: {}. Current existent brokers: {}",
                missing.join(","),
                all.join(",")
            ))
            .into());
        }
        let brokers: Vec<i32> = if wanted.is_empty() { cluster } else { wanted };
        println!("Querying brokers for log directories information");
        let mut out = Vec::new();
        for b in &brokers {
            let dirs = admin.describe_log_dirs(*b).await?;
            // Kafka's key order (its HashMaps happen to iterate this way), written by hand
            // because serde_json sorts keys.
            let log_dirs: Vec<String> = dirs
                .iter()
                .map(|d| {
                    let mut reps: Vec<_> = d
                        .replicas
                        .iter()
                        .filter(|r| {
                            topics.is_empty() || topics.iter().any(|t| *t == *r.partition.topic)
                        })
                        .collect();
                    reps.sort_by_key(|r| r.partition.to_string());
                    let parts: Vec<String> = reps
                        .iter()
                        .map(|r| {
                            format!(
                                "{{\"partition\":{},\"size\":{},\"offsetLag\":{},\"isFuture\":{}}}",
                                json!(r.partition.to_string()),
                                r.size,
                                r.offset_lag,
                                r.is_future
                            )
                        })
                        .collect();
                    let error = if d.error_code == 0 {
                        "null".to_string()
                    } else {
                        json!(format!("Kafka error code {}", d.error_code)).to_string()
                    };
                    format!(
                        "{{\"partitions\":[{}],\"error\":{error},\"logDir\":{}}}",
                        parts.join(","),
                        json!(d.path)
                    )
                })
                .collect();
            out.push(format!(
                "{{\"broker\":{b},\"logDirs\":[{}]}}",
                log_dirs.join(",")
            ));
        }
        println!(
            "Received log directory information from brokers {}",
            brokers
                .iter()
                .map(|b| b.to_string())
                .collect::<Vec<_>>()
                .join(",")
        );
        println!("{{\"brokers\":[{}],\"version\":1}}", out.join(","));
        anyhow::Ok(())
    });
    admin.close();
    result
}
