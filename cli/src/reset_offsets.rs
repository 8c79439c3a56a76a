//! `consumer-groups --reset-offsets`: computes the new offsets for each scenario
//! (--to-earliest/--to-latest/--to-current/--to-offset/--shift-by/--to-datetime/--by-duration/
//! --from-file) over the scope (--all-topics or --topic t[:p,...]), clamps them to the log range
//! as ConsumerGroupCommand does, prints the plan (or CSV with --export) and commits it with
//! --execute. Only an inactive group (Empty, or not existing) can be reset.

use std::collections::BTreeMap;

use ferrokafka_core::admin::{EARLIEST, LATEST};
use ferrokafka_core::{Admin, OffsetAndMetadata, TopicPartition};

use crate::common::{pad, usage, Printed};
use crate::consumer_groups::{describe_group, selected_groups, GroupsArgs};

type Plan = BTreeMap<TopicPartition, i64>;

/// `topic:0,1,2` -> those partitions; a bare topic -> `None`.
pub fn parse_topic_arg(arg: &str) -> anyhow::Result<Option<Vec<TopicPartition>>> {
    let Some((topic, parts)) = arg.split_once(':') else {
        return Ok(None);
    };
    if parts.contains(':') || topic.is_empty() {
        return Err(usage(format!(
            "Invalid topic arg '{arg}', expected topic name and partitions"
        )));
    }
    parts
        .split(',')
        .map(|p| {
            p.trim()
                .parse::<i32>()
                .map(|n| TopicPartition::new(topic, n))
                .map_err(|_| {
                    usage(format!(
                        "Invalid partition '{p}' specified in topic arg '{arg}''"
                    ))
                })
        })
        .collect::<anyhow::Result<Vec<_>>>()
        .map(Some)
}

pub async fn run(admin: &Admin, a: &GroupsArgs) -> anyhow::Result<()> {
    let file_plan = match &a.from_file {
        Some(p) => Some(read_plan(p, a)?),
        None => None,
    };
    let groups = selected_groups(admin, a).await?;
    let execute = a.execute && !a.dry_run;
    let mut result: BTreeMap<String, Plan> = BTreeMap::new();
    let mut refused = false;
    for g in &groups {
        let state = describe_group(admin, g).await?.map(|d| d.state);
        match state.as_deref() {
            None | Some("Empty") => {}
            Some(s) => {
                println!("\nError: Assignments can only be reset if the group '{g}' is inactive, but the current state is {s}.");
                result.insert(g.clone(), Plan::new());
                refused = true;
                continue;
            }
        }
        let plan = match &file_plan {
            Some(fp) => match fp.get(g) {
                Some(p) => clamp(admin, p.clone()).await?,
                None => {
                    println!("\nError: No reset plan for group {g} found");
                    Plan::new()
                }
            },
            None => {
                let scope = partitions_to_reset(admin, g, a).await?;
                prepare(admin, g, &scope, a).await?
            }
        };
        if execute && !plan.is_empty() {
            let offsets = plan
                .iter()
                .map(|(tp, o)| (tp.clone(), OffsetAndMetadata::new(*o)))
                .collect();
            admin.alter_group_offsets(g, &offsets).await?;
        }
        result.insert(g.clone(), plan);
    }
    if a.export {
        let single = a.group.len() == 1;
        let mut out = String::new();
        for (g, plan) in &result {
            for (tp, o) in plan {
                if single {
                    out.push_str(&format!("{},{},{}\n", tp.topic, tp.partition, o));
                } else {
                    out.push_str(&format!("{g},{},{},{}\n", tp.topic, tp.partition, o));
                }
            }
        }
        println!("{out}");
    } else {
        // Kafka 4.3: group and topic columns as wide as their longest value (at least 15).
        let gw = result
            .keys()
            .map(String::len)
            .chain([15])
            .max()
            .unwrap_or(15);
        let tw = result
            .values()
            .flat_map(|p| p.keys().map(|tp| tp.topic.len()))
            .chain([15])
            .max()
            .unwrap_or(15);
        let mut out = String::new();
        if !result.is_empty() {
            out.push_str(&format!(
                "\n{} {} {} NEW-OFFSET",
                pad("GROUP", gw),
                pad("TOPIC", tw),
                pad("PARTITION", 10)
            ));
        }
        for (g, plan) in &result {
            for (tp, o) in plan {
                out.push_str(&format!(
                    "\n{} {} {} {o}",
                    pad(g, gw),
                    pad(&tp.topic, tw),
                    pad(&tp.partition.to_string(), 10)
                ));
            }
        }
        println!("{out}");
    }
    if refused {
        return Err(Printed::new(1, "").into());
    }
    Ok(())
}

async fn partitions_to_reset(
    admin: &Admin,
    group: &str,
    a: &GroupsArgs,
) -> anyhow::Result<Vec<TopicPartition>> {
    if a.all_topics {
        let mut v: Vec<_> = admin
            .list_group_offsets(group, None)
            .await?
            .into_keys()
            .collect();
        v.sort();
        return Ok(v);
    }
    let known = admin.list_topics(true).await?;
    let mut out = Vec::new();
    for t in &a.topic {
        match parse_topic_arg(t)? {
            Some(tps) => out.extend(tps),
            None => {
                if !known.contains(t) {
                    return Err(Printed::stdout(
                        1,
                        format!("\nError: Executing consumer group command failed due to org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition. (topic '{t}')"),
                    )
                    .into());
                }
                for td in admin.describe_topics(&[t.as_str()]).await? {
                    out.extend(
                        td.partitions
                            .iter()
                            .map(|p| TopicPartition::new(t.as_str(), p.partition)),
                    );
                }
            }
        }
    }
    Ok(out)
}

async fn offsets(admin: &Admin, tps: &[TopicPartition], spec: i64) -> anyhow::Result<Plan> {
    if tps.is_empty() {
        return Ok(Plan::new());
    }
    let q: BTreeMap<TopicPartition, i64> = tps.iter().map(|tp| (tp.clone(), spec)).collect();
    let got = admin.list_offsets(&q).await?;
    Ok(got.into_iter().map(|(tp, o)| (tp, o.offset)).collect())
}

/// Clamps requested offsets into [log start, log end] (checkOffsetsRange).
async fn clamp(admin: &Admin, requested: Plan) -> anyhow::Result<Plan> {
    let tps: Vec<_> = requested.keys().cloned().collect();
    let starts = offsets(admin, &tps, EARLIEST).await?;
    let ends = offsets(admin, &tps, LATEST).await?;
    Ok(requested
        .into_iter()
        .map(|(tp, o)| {
            let end = ends.get(&tp).copied().unwrap_or(o);
            let start = starts.get(&tp).copied().unwrap_or(o);
            let v = if o > end {
                eprintln!("WARN New offset ({o}) is higher than latest offset for topic partition {tp}. Value will be set to {end}");
                end
            } else if o < start {
                eprintln!("WARN New offset ({o}) is lower than earliest offset for topic partition {tp}. Value will be set to {start}");
                start
            } else {
                o
            };
            (tp, v)
        })
        .collect())
}

async fn by_timestamp(admin: &Admin, tps: &[TopicPartition], ts: i64) -> anyhow::Result<Plan> {
    let found = offsets(admin, tps, ts).await?;
    let mut plan = Plan::new();
    let mut empty = Vec::new();
    for tp in tps {
        match found.get(tp) {
            Some(o) if *o >= 0 => {
                plan.insert(tp.clone(), *o);
            }
            _ => {
                println!("\nWarn: Partition {} from topic {} is empty. Falling back to latest known offset.", tp.partition, tp.topic);
                empty.push(tp.clone());
            }
        }
    }
    plan.extend(offsets(admin, &empty, LATEST).await?);
    Ok(plan)
}

async fn prepare(
    admin: &Admin,
    group: &str,
    tps: &[TopicPartition],
    a: &GroupsArgs,
) -> anyhow::Result<Plan> {
    if let Some(o) = a.to_offset {
        return clamp(admin, tps.iter().map(|tp| (tp.clone(), o)).collect()).await;
    }
    if a.to_earliest {
        return offsets(admin, tps, EARLIEST).await;
    }
    if a.to_latest {
        return offsets(admin, tps, LATEST).await;
    }
    if let Some(n) = a.shift_by {
        let committed = admin.list_group_offsets(group, None).await?;
        let mut req = Plan::new();
        for tp in tps {
            let cur = committed.get(tp).ok_or_else(|| {
                usage(format!("Cannot shift offset for partition {tp} since there is no current committed offset"))
            })?;
            req.insert(tp.clone(), cur.offset + n);
        }
        return clamp(admin, req).await;
    }
    if let Some(dt) = &a.to_datetime {
        let ts = crate::datetime::parse_datetime(dt).map_err(usage)?;
        return by_timestamp(admin, tps, ts).await;
    }
    if let Some(d) = &a.by_duration {
        let ms = crate::datetime::parse_duration(d).map_err(usage)?;
        return by_timestamp(admin, tps, crate::datetime::now_ms() - ms).await;
    }
    // --to-current: the committed offset, else the log end.
    let committed = admin.list_group_offsets(group, None).await?;
    let mut plan = Plan::new();
    let mut without = Vec::new();
    for tp in tps {
        match committed.get(tp) {
            Some(o) => {
                plan.insert(tp.clone(), o.offset);
            }
            None => without.push(tp.clone()),
        }
    }
    plan.extend(offsets(admin, &without, LATEST).await?);
    Ok(plan)
}

/// A --from-file CSV: `topic,partition,offset` (one group) or `group,topic,partition,offset`.
fn read_plan(path: &std::path::Path, a: &GroupsArgs) -> anyhow::Result<BTreeMap<String, Plan>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        usage(format!(
            "Cannot read the reset plan {}: {e}",
            path.display()
        ))
    })?;
    let mut out: BTreeMap<String, Plan> = BTreeMap::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        let bad = || {
            usage(format!("Malformed reset plan {} line {}: {line:?} (expected topic,partition,offset or group,topic,partition,offset)", path.display(), n + 1))
        };
        let (g, t, p, o) = match f.as_slice() {
            [t, p, o] if a.group.len() == 1 => (a.group[0].as_str(), *t, *p, *o),
            [g, t, p, o] => (*g, *t, *p, *o),
            _ => return Err(bad()),
        };
        let p: i32 = p.parse().map_err(|_| bad())?;
        let o: i64 = o.parse().map_err(|_| bad())?;
        out.entry(g.to_string())
            .or_default()
            .insert(TopicPartition::new(t, p), o);
    }
    Ok(out)
}
