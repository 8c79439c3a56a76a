//! `ferrokafka consumer-groups` / `kafka-consumer-groups`: --list (with --state), --describe
//! (offsets with lag, --members [--verbose], --state), --delete, --delete-offsets, and
//! --reset-offsets (planned in `reset_offsets.rs`), printing ConsumerGroupCommand's tables.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use clap::{ArgGroup, Args};
use ferrokafka_core::admin::{GroupDescription, LATEST};
use ferrokafka_core::{Admin, TopicPartition};

use crate::common::{block_on, pad, usage, Connect, Printed};
use crate::{group_delete, reset_offsets};

#[derive(Args, Debug)]
#[command(group(ArgGroup::new("action").required(true).args(["list", "describe", "delete", "reset_offsets", "delete_offsets"])))]
pub struct GroupsArgs {
    #[command(flatten)]
    pub connect: Connect,
    /// List all consumer groups.
    #[arg(long)]
    pub list: bool,
    /// Describe consumer group and list offset lag (number of messages not yet processed) related to given group.
    #[arg(long)]
    pub describe: bool,
    /// Pass in groups to delete topic partition offsets and ownership information over the entire consumer group.
    #[arg(long)]
    pub delete: bool,
    /// Reset offsets of consumer group. Supports one consumer group at the time, and instances should be inactive.
    #[arg(long = "reset-offsets")]
    pub reset_offsets: bool,
    /// Delete offsets of consumer group. Supports one consumer group at the time, and multiple topics.
    #[arg(long = "delete-offsets")]
    pub delete_offsets: bool,
    /// The consumer group we wish to act on.
    #[arg(long)]
    pub group: Vec<String>,
    /// Apply to all consumer groups.
    #[arg(long = "all-groups")]
    pub all_groups: bool,
    /// The topic whose consumer group information should be deleted or topic that should be included in the reset offset process (topic or topic:0,1,2).
    #[arg(long)]
    pub topic: Vec<String>,
    /// Consider all topics assigned to a group in the reset-offsets process.
    #[arg(long = "all-topics")]
    pub all_topics: bool,
    /// Reset offsets to earliest offset.
    #[arg(long = "to-earliest")]
    pub to_earliest: bool,
    /// Reset offsets to latest offset.
    #[arg(long = "to-latest")]
    pub to_latest: bool,
    /// Reset offsets to current offset.
    #[arg(long = "to-current")]
    pub to_current: bool,
    /// Reset offsets to a specific offset.
    #[arg(long = "to-offset")]
    pub to_offset: Option<i64>,
    /// Reset offsets shifting current offset by 'n', where 'n' can be positive or negative.
    #[arg(long = "shift-by", allow_negative_numbers = true)]
    pub shift_by: Option<i64>,
    /// Reset offsets to offset from datetime. Format: 'YYYY-MM-DDTHH:mm:SS.sss'.
    #[arg(long = "to-datetime")]
    pub to_datetime: Option<String>,
    /// Reset offsets to offset by duration from current timestamp. Format: 'PnDTnHnMnS'.
    #[arg(long = "by-duration")]
    pub by_duration: Option<String>,
    /// Reset offsets to values defined in CSV file.
    #[arg(long = "from-file")]
    pub from_file: Option<PathBuf>,
    /// Only show results without executing changes on Consumer Groups (the default).
    #[arg(long = "dry-run")]
    pub dry_run: bool,
    /// Execute operation.
    #[arg(long)]
    pub execute: bool,
    /// Export operation execution to a CSV file.
    #[arg(long)]
    pub export: bool,
    /// Describe members of the group.
    #[arg(long)]
    pub members: bool,
    /// Describe the group and list all topic partitions in the group along with their offset lag (the default).
    #[arg(long)]
    pub offsets: bool,
    /// With --describe, the group's state; with --list, filter by states (comma-separated).
    #[arg(long, num_args = 0..=1, default_missing_value = "")]
    pub state: Option<String>,
    /// Provide additional information, if any, when describing the group.
    #[arg(long)]
    pub verbose: bool,
    /// The timeout that can be set for some use cases (ms).
    #[arg(long, default_value_t = 5000)]
    pub timeout: u64,
}

pub fn run(a: GroupsArgs) -> anyhow::Result<()> {
    validate(&a)?;
    let admin = a.connect.admin()?;
    let result = block_on(async {
        if a.list {
            list(&admin, &a).await
        } else if a.describe {
            describe(&admin, &a).await
        } else if a.delete {
            group_delete::delete(&admin, &a).await
        } else if a.reset_offsets {
            reset_offsets::run(&admin, &a).await
        } else {
            group_delete::delete_offsets(&admin, &a).await
        }
    });
    admin.close();
    result.map_err(|e| match e.downcast::<Printed>() {
        Ok(p) => p.into(),
        Err(e) => Printed::stdout(
            1,
            format!("\nError: Executing consumer group command failed due to {e:#}"),
        )
        .into(),
    })
}

fn validate(a: &GroupsArgs) -> anyhow::Result<()> {
    let needs_group = a.describe || a.delete || a.reset_offsets;
    if needs_group && a.group.is_empty() && !a.all_groups {
        return Err(usage(
            "Option [describe, delete, reset-offsets] takes one of these options: [all-groups, group]",
        ));
    }
    if a.delete_offsets && (a.group.len() != 1 || a.topic.is_empty()) {
        return Err(usage(
            "Option [delete-offsets] takes the following options: [group, topic]",
        ));
    }
    if a.reset_offsets {
        if a.dry_run && a.execute {
            return Err(usage(
                "Option [reset-offsets] only accepts one of [execute, dry-run]",
            ));
        }
        let scenarios = [
            a.to_earliest,
            a.to_latest,
            a.to_current,
            a.to_offset.is_some(),
            a.shift_by.is_some(),
            a.to_datetime.is_some(),
            a.by_duration.is_some(),
            a.from_file.is_some(),
        ];
        if scenarios.iter().filter(|s| **s).count() != 1 {
            return Err(usage(
                "Option [reset-offsets] takes exactly one of these options: [to-offset, from-file, to-datetime, by-duration, to-earliest, to-latest, shift-by, to-current]",
            ));
        }
        if !a.all_topics && a.topic.is_empty() && a.from_file.is_none() {
            return Err(usage(
                "One of the reset scopes should be defined: --all-topics, --topic.",
            ));
        }
        if a.all_topics && !a.topic.is_empty() {
            return Err(usage(
                "Option [reset-offsets] takes at most one of these options: [all-topics, topic]",
            ));
        }
    }
    if a.verbose && !(a.describe && a.members) {
        return Err(usage(
            "Option [verbose] takes the following options: [describe, members]",
        ));
    }
    let subs = [a.members, a.offsets, a.describe && a.state.is_some()];
    if a.describe && subs.iter().filter(|s| **s).count() > 1 {
        return Err(usage(
            "Option [describe] takes at most one of these options: [members, offsets, state]",
        ));
    }
    Ok(())
}

/// Consumer groups' ids (protocol type "consumer" or empty, as Kafka's listConsumerGroups).
pub async fn group_ids(admin: &Admin) -> anyhow::Result<Vec<String>> {
    Ok(admin
        .list_groups()
        .await?
        .into_iter()
        .filter(|g| g.protocol_type.is_empty() || g.protocol_type == "consumer")
        .map(|g| g.group_id)
        .collect())
}

pub async fn selected_groups(admin: &Admin, a: &GroupsArgs) -> anyhow::Result<Vec<String>> {
    if a.all_groups {
        group_ids(admin).await
    } else {
        Ok(a.group.clone())
    }
}

async fn list(admin: &Admin, a: &GroupsArgs) -> anyhow::Result<()> {
    let groups: Vec<_> = admin
        .list_groups()
        .await?
        .into_iter()
        .filter(|g| g.protocol_type.is_empty() || g.protocol_type == "consumer")
        .collect();
    let Some(states) = &a.state else {
        for g in &groups {
            println!("{}", g.group_id);
        }
        return Ok(());
    };
    let wanted: BTreeSet<String> = states
        .split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect();
    const VALID: &[&str] = &[
        "Unknown",
        "PreparingRebalance",
        "CompletingRebalance",
        "Stable",
        "Dead",
        "Empty",
        "Assigning",
        "Reconciling",
    ];
    if let Some(bad) = wanted
        .iter()
        .find(|w| !VALID.iter().any(|v| v.to_ascii_lowercase() == **w))
    {
        return Err(usage(format!(
            "Invalid state list '{states}'. Valid states are: {} ({bad:?} is not one)",
            VALID[1..].join(", ")
        )));
    }
    let rows: Vec<_> = groups
        .iter()
        .filter(|g| {
            wanted.is_empty()
                || wanted.contains(&g.state.clone().unwrap_or_default().to_ascii_lowercase())
        })
        .collect();
    let width = rows
        .iter()
        .map(|g| g.group_id.len().max(15))
        .max()
        .unwrap_or(15)
        + 10;
    println!("{} {}", pad("GROUP", width), pad("STATE", 20));
    for g in rows {
        println!(
            "{} {}",
            pad(&g.group_id, width),
            pad(g.state.as_deref().unwrap_or("Unknown"), 20)
        );
    }
    Ok(())
}

/// The group, or `None` when it does not exist (Dead, or GROUP_ID_NOT_FOUND).
pub async fn describe_group(
    admin: &Admin,
    group: &str,
) -> anyhow::Result<Option<GroupDescription>> {
    match admin.describe_group(group).await {
        Ok(d) if d.state == "Dead" => Ok(None),
        Ok(d) => Ok(Some(d)),
        Err(e) if e.code() == Some(69) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Prints the state note Kafka prints before a table; false when there is nothing to show.
fn state_note(group: &str, d: &Option<GroupDescription>, rows: usize) -> bool {
    match d.as_ref().map(|d| d.state.as_str()) {
        None => {
            // Kafka 4.3's wording for a group the coordinator does not know.
            println!("\nError: Executing consumer group command failed due to org.apache.kafka.common.errors.GroupIdNotFoundException: Group {group} not found.");
            false
        }
        Some("Empty") => {
            eprintln!("\nConsumer group '{group}' has no active members.");
            rows > 0
        }
        Some("PreparingRebalance")
        | Some("CompletingRebalance")
        | Some("Assigning")
        | Some("Reconciling") => {
            eprintln!("\nWarning: Consumer group '{group}' is rebalancing.");
            rows > 0
        }
        Some(_) => rows > 0,
    }
}

async fn describe(admin: &Admin, a: &GroupsArgs) -> anyhow::Result<()> {
    let mut missing = Vec::new();
    let mut groups = selected_groups(admin, a).await?;
    groups.sort();
    groups.dedup();
    for g in &groups {
        let d = describe_group(admin, g).await?;
        if d.is_none() {
            missing.push(g.clone());
        }
        if a.members {
            print_members(g, &d, a.verbose);
        } else if a.state.is_some() {
            if state_note(g, &d, 1) {
                print_state(admin, g, d.as_ref().expect("checked by state_note")).await?;
            }
        } else {
            print_offsets(admin, g, &d).await?;
        }
    }
    if !missing.is_empty() {
        // The message is already on stdout, as Kafka prints it; only the exit code remains.
        return Err(Printed::new(1, "").into());
    }
    Ok(())
}

/// The member owning a partition: consumer id, host, client id.
type Owner<'a> = (&'a str, &'a str, &'a str);

struct Row {
    topic: String,
    partition: String,
    offset: String,
    end: String,
    lag: String,
    consumer: String,
    host: String,
    client: String,
}

async fn print_offsets(
    admin: &Admin,
    group: &str,
    d: &Option<GroupDescription>,
) -> anyhow::Result<()> {
    let Some(desc) = d else {
        state_note(group, d, 0);
        return Ok(());
    };
    let committed = admin.list_group_offsets(group, None).await?;
    let mut members: Vec<_> = desc
        .members
        .iter()
        .filter(|m| !m.assignment.is_empty())
        .collect();
    members.sort_by_key(|m| std::cmp::Reverse(m.assignment.len()));
    let mut assigned: BTreeSet<TopicPartition> = BTreeSet::new();
    let mut parts: Vec<(TopicPartition, Option<Owner>)> = Vec::new();
    for m in &members {
        let mut tps = m.assignment.clone();
        tps.sort_by_key(|tp| tp.partition);
        for tp in tps {
            assigned.insert(tp.clone());
            parts.push((tp, Some((&m.member_id, &m.host, &m.client_id))));
        }
    }
    let mut unassigned: Vec<&TopicPartition> = committed
        .keys()
        .filter(|tp| !assigned.contains(*tp))
        .collect();
    unassigned.sort();
    parts.extend(unassigned.into_iter().map(|tp| (tp.clone(), None)));
    let query: BTreeMap<TopicPartition, i64> =
        parts.iter().map(|(tp, _)| (tp.clone(), LATEST)).collect();
    let ends = if query.is_empty() {
        Default::default()
    } else {
        admin.list_offsets(&query).await?
    };
    let rows: Vec<Row> = parts
        .iter()
        .map(|(tp, m)| {
            let off = committed.get(tp).map(|o| o.offset).filter(|o| *o >= 0);
            let end = ends.get(tp).map(|o| o.offset);
            let (c, h, cl) = m.unwrap_or(("-", "-", "-"));
            Row {
                topic: tp.topic.to_string(),
                partition: tp.partition.to_string(),
                offset: off.map_or("-".into(), |o| o.to_string()),
                end: end.map_or("-".into(), |o| o.to_string()),
                lag: off
                    .zip(end)
                    .map_or("-".into(), |(o, e)| (e - o).to_string()),
                consumer: c.to_string(),
                host: h.to_string(),
                client: cl.to_string(),
            }
        })
        .collect();
    if !state_note(group, d, rows.len()) {
        return Ok(());
    }
    let gw = rows.iter().map(|_| group.len()).max().unwrap_or(0).max(15);
    let tw = rows
        .iter()
        .map(|r| r.topic.len())
        .max()
        .unwrap_or(0)
        .max(15);
    let cw = rows
        .iter()
        .map(|r| r.consumer.len())
        .max()
        .unwrap_or(0)
        .max(15);
    let hw = rows.iter().map(|r| r.host.len()).max().unwrap_or(0).max(15);
    let line =
        |g: &str, t: &str, p: &str, o: &str, e: &str, l: &str, c: &str, h: &str, cl: &str| {
            format!(
                "{} {} {} {} {} {} {} {} {}",
                pad(g, gw),
                pad(t, tw),
                pad(p, 10),
                pad(o, 15),
                pad(e, 15),
                pad(l, 15),
                pad(c, cw),
                pad(h, hw),
                cl
            )
        };
    let mut out = String::from("\n");
    out.push_str(&line(
        "GROUP",
        "TOPIC",
        "PARTITION",
        "CURRENT-OFFSET",
        "LOG-END-OFFSET",
        "LAG",
        "CONSUMER-ID",
        "HOST",
        "CLIENT-ID",
    ));
    for r in &rows {
        out.push('\n');
        out.push_str(&line(
            group,
            &r.topic,
            &r.partition,
            &r.offset,
            &r.end,
            &r.lag,
            &r.consumer,
            &r.host,
            &r.client,
        ));
    }
    println!("{out}");
    Ok(())
}

fn print_members(group: &str, d: &Option<GroupDescription>, verbose: bool) {
    let rows = d.as_ref().map_or(0, |d| d.members.len());
    let show = state_note(group, d, rows);
    let members = if show {
        d.as_ref().map(|d| d.members.as_slice()).unwrap_or(&[])
    } else {
        &[]
    };
    if d.is_none() {
        return;
    }
    let gw = members
        .iter()
        .map(|_| group.len())
        .max()
        .unwrap_or(0)
        .max(15);
    let cw = members
        .iter()
        .map(|m| m.member_id.len())
        .max()
        .unwrap_or(0)
        .max(15);
    let iw = members
        .iter()
        .map(|m| m.group_instance_id.as_deref().unwrap_or("").len())
        .max()
        .unwrap_or(0)
        .max(17);
    let hw = members
        .iter()
        .map(|m| m.host.len())
        .max()
        .unwrap_or(0)
        .max(15);
    let clw = members
        .iter()
        .map(|m| m.client_id.len())
        .max()
        .unwrap_or(0)
        .max(15);
    let with_instance = members.iter().any(|m| {
        m.group_instance_id
            .as_deref()
            .is_some_and(|s| !s.is_empty())
    });
    let fmt = |g: &str, c: &str, i: &str, h: &str, cl: &str, n: &str| {
        if with_instance {
            format!(
                "{} {} {} {} {} {} ",
                pad(g, gw),
                pad(c, cw),
                pad(i, iw),
                pad(h, hw),
                pad(cl, clw),
                pad(n, 15)
            )
        } else {
            format!(
                "{} {} {} {} {} ",
                pad(g, gw),
                pad(c, cw),
                pad(h, hw),
                pad(cl, clw),
                pad(n, 15)
            )
        }
    };
    let mut out = format!(
        "\n{}",
        fmt(
            "GROUP",
            "CONSUMER-ID",
            "GROUP-INSTANCE-ID",
            "HOST",
            "CLIENT-ID",
            "#PARTITIONS"
        )
    );
    if verbose {
        out.push_str("ASSIGNMENT");
    }
    println!("{out}");
    for m in members {
        let mut line = fmt(
            group,
            &m.member_id,
            m.group_instance_id.as_deref().unwrap_or(""),
            &m.host,
            &m.client_id,
            &m.assignment.len().to_string(),
        );
        if verbose {
            let mut by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
            for tp in &m.assignment {
                by.entry(&tp.topic)
                    .or_default()
                    .push(tp.partition.to_string());
            }
            let mut groups: Vec<String> = by
                .into_values()
                .map(|mut ps| {
                    ps.sort();
                    format!("({})", ps.join(","))
                })
                .collect();
            groups.sort();
            line.push_str(&if groups.is_empty() {
                "-".to_string()
            } else {
                groups.join(", ")
            });
        }
        println!("{line}");
    }
}

async fn print_state(admin: &Admin, group: &str, d: &GroupDescription) -> anyhow::Result<()> {
    let c = admin.group_coordinator(group).await?;
    let coordinator = format!("{}:{}  ({})", c.host, c.port, c.id);
    // Kafka 4.3's layout: group as wide as its name (at least 15), coordinator at least 25.
    let gw = group.len().max(15);
    let cw = coordinator.len().max(25);
    let fmt = |g: &str, co: &str, s: &str, st: &str, n: &str| {
        format!(
            "\n{} {} {} {} {}",
            pad(g, gw),
            pad(co, cw),
            pad(s, 20),
            pad(st, 20),
            n
        )
    };
    print!(
        "{}",
        fmt(
            "GROUP",
            "COORDINATOR (ID)",
            "ASSIGNMENT-STRATEGY",
            "STATE",
            "#MEMBERS"
        )
    );
    println!(
        "{}",
        fmt(
            group,
            &coordinator,
            if d.protocol.is_empty() {
                "-"
            } else {
                &d.protocol
            },
            &d.state,
            &d.members.len().to_string()
        )
    );
    Ok(())
}
