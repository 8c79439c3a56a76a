//! `ferrokafka acls` / `kafka-acls`: add, remove and list ACLs with AclCommand's flags
//! (--add/--remove/--list, --allow-principal, --deny-principal, --allow-host, --deny-host,
//! --operation, --topic/--group/--cluster/--transactional-id, --resource-pattern-type,
//! --producer/--consumer, --force) and its output ("Adding ACLs for resource `ResourcePattern(...)`:",
//! "Current ACLs for resource `...`:", one "\t(principal=..., host=..., operation=...,
//! permissionType=...)" line per ACL). Lines are sorted where Kafka prints hash-set order.

use std::collections::{BTreeMap, BTreeSet};

use clap::Args;
use ferrokafka_core::admin::{
    AclBinding, AclFilter, AclOperation, AclPermission, AclResourceType, PatternType,
};

use crate::common::{block_on, usage, Connect};

/// Kafka's name of the one cluster resource.
const CLUSTER_NAME: &str = "kafka-cluster";

#[derive(Args, Debug)]
pub struct AclsArgs {
    #[command(flatten)]
    connect: Connect,
    /// Indicates you are trying to add ACLs.
    #[arg(long)]
    add: bool,
    /// Indicates you are trying to remove ACLs.
    #[arg(long)]
    remove: bool,
    /// List ACLs for the specified resource (--topic, --group or --cluster).
    #[arg(long)]
    list: bool,
    /// Topic to which ACLs should be added or removed ('*' = all topics).
    #[arg(long)]
    topic: Vec<String>,
    /// Consumer group to which ACLs should be added or removed ('*' = all groups).
    #[arg(long)]
    group: Vec<String>,
    /// Add/remove cluster ACLs.
    #[arg(long)]
    cluster: bool,
    /// Transactional id to which ACLs should be added or removed ('*' = all).
    #[arg(long = "transactional-id")]
    transactional_id: Vec<String>,
    /// literal, prefixed (to add); any or match too (to list or remove).
    #[arg(long = "resource-pattern-type", default_value = "literal")]
    resource_pattern_type: String,
    /// Operation that is being allowed or denied (Read, Write, Create, Delete, Alter,
    /// Describe, ClusterAction, AlterConfigs, DescribeConfigs, IdempotentWrite, All, ...).
    #[arg(long)]
    operation: Vec<String>,
    /// Principal in principalType:name form (User:alice; User:* for everyone).
    #[arg(long = "allow-principal")]
    allow_principal: Vec<String>,
    /// Principal denied access (deny rules take precedence over allow rules).
    #[arg(long = "deny-principal")]
    deny_principal: Vec<String>,
    /// Host the allowed principals may connect from (default * with --allow-principal).
    #[arg(long = "allow-host")]
    allow_host: Vec<String>,
    /// Host the denied principals are denied from (default * with --deny-principal).
    #[arg(long = "deny-host")]
    deny_host: Vec<String>,
    /// List ACLs for this principal only (with --list).
    #[arg(long)]
    principal: Vec<String>,
    /// Producer role: WRITE, DESCRIBE, CREATE on topics (WRITE, DESCRIBE on transactional ids).
    #[arg(long)]
    producer: bool,
    /// Consumer role: READ, DESCRIBE on topics and READ on groups.
    #[arg(long)]
    consumer: bool,
    /// With --producer: IDEMPOTENT_WRITE on the cluster.
    #[arg(long)]
    idempotent: bool,
    /// Assume yes to all queries and do not prompt.
    #[arg(long)]
    force: bool,
}

/// A resource pattern (or filter) as Kafka prints it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Pattern {
    kind: AclResourceType,
    name: String,
    pattern: PatternType,
}

impl std::fmt::Display for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ResourcePattern(resourceType={}, name={}, patternType={})",
            self.kind, self.name, self.pattern
        )
    }
}

/// principal, host, operation, permission.
type Entry = (String, String, AclOperation, AclPermission);

fn entry_text(e: &Entry) -> String {
    format!(
        "(principal={}, host={}, operation={}, permissionType={})",
        e.0, e.1, e.2, e.3
    )
}

pub fn run(a: AclsArgs) -> anyhow::Result<()> {
    let actions = [a.add, a.remove, a.list].iter().filter(|x| **x).count();
    if actions != 1 {
        return Err(usage(
            "Command must include exactly one action: --list, --add, --remove. ",
        ));
    }
    let pattern = PatternType::parse(&a.resource_pattern_type)
        .filter(|p| *p != PatternType::Unknown)
        .ok_or_else(|| {
            usage(format!(
                "Invalid --resource-pattern-type {:?}: use literal, prefixed, any or match",
                a.resource_pattern_type
            ))
        })?;
    if a.add && matches!(pattern, PatternType::Any | PatternType::Match) {
        return Err(usage(format!(
            "A '--resource-pattern-type' value of '{pattern}' is not valid when adding acls."
        )));
    }
    for p in a
        .allow_principal
        .iter()
        .chain(&a.deny_principal)
        .chain(&a.principal)
    {
        if !p.contains(':') {
            return Err(usage(format!(
                "Could not parse principal from `{p}` Principal must be of the form principalType:name (e.g. User:alice)"
            )));
        }
    }
    let admin = a.connect.admin()?;
    if a.list {
        return list(&admin, &a, pattern);
    }
    let plan = plan(&a, pattern)?;
    if a.add {
        add(&admin, plan)
    } else {
        remove(&admin, plan, a.force)
    }
}

fn resources(a: &AclsArgs, pattern: PatternType) -> Vec<Pattern> {
    let mut out = Vec::new();
    let mut push = |kind, names: &[String]| {
        for n in names {
            out.push(Pattern {
                kind,
                name: n.trim().to_string(),
                pattern,
            });
        }
    };
    push(AclResourceType::Topic, &a.topic);
    push(AclResourceType::Group, &a.group);
    push(AclResourceType::TransactionalId, &a.transactional_id);
    if pattern == PatternType::Literal && (a.cluster || a.idempotent) {
        out.push(Pattern {
            kind: AclResourceType::Cluster,
            name: CLUSTER_NAME.into(),
            pattern,
        });
    }
    out
}

fn entries(a: &AclsArgs, ops: &[AclOperation]) -> BTreeSet<Entry> {
    let hosts = |hosts: &[String], principals: &[String]| -> Vec<String> {
        if !hosts.is_empty() {
            hosts.iter().map(|h| h.trim().to_string()).collect()
        } else if !principals.is_empty() {
            vec!["*".into()]
        } else {
            vec![]
        }
    };
    let mut out = BTreeSet::new();
    for (principals, hosts, perm) in [
        (
            &a.allow_principal,
            hosts(&a.allow_host, &a.allow_principal),
            AclPermission::Allow,
        ),
        (
            &a.deny_principal,
            hosts(&a.deny_host, &a.deny_principal),
            AclPermission::Deny,
        ),
    ] {
        for p in principals {
            for op in ops {
                for h in &hosts {
                    out.insert((p.trim().to_string(), h.clone(), *op, perm));
                }
            }
        }
    }
    out
}

/// The operations a resource type accepts (Kafka's AclEntry.supportedOperations, plus ALL).
fn supported(kind: AclResourceType) -> &'static [AclOperation] {
    use AclOperation::*;
    match kind {
        AclResourceType::Topic => &[
            Read,
            Write,
            Create,
            Describe,
            Delete,
            Alter,
            DescribeConfigs,
            AlterConfigs,
            All,
        ],
        AclResourceType::Group => &[Read, Describe, Delete, DescribeConfigs, AlterConfigs, All],
        AclResourceType::Cluster => &[
            Create,
            ClusterAction,
            DescribeConfigs,
            AlterConfigs,
            IdempotentWrite,
            Alter,
            Describe,
            All,
        ],
        AclResourceType::TransactionalId => &[Describe, Write, TwoPhaseCommit, All],
        AclResourceType::DelegationToken => &[Describe, All],
        AclResourceType::User => &[CreateTokens, DescribeTokens, All],
        _ => &[],
    }
}

/// Which ACL entries go with which resource, from the flags (AclCommand's rules).
fn plan(a: &AclsArgs, pattern: PatternType) -> anyhow::Result<BTreeMap<Pattern, BTreeSet<Entry>>> {
    let all = resources(a, pattern);
    if all.is_empty() {
        return Err(usage("You must provide at least one resource: --topic <topic> or --cluster or --group <group> or --delegation-token <Delegation Token ID>"));
    }
    let mut plan: BTreeMap<Pattern, BTreeSet<Entry>> = BTreeMap::new();
    if !a.producer && !a.consumer {
        let ops: Vec<AclOperation> = if a.operation.is_empty() {
            vec![AclOperation::All]
        } else {
            a.operation
                .iter()
                .map(|o| {
                    AclOperation::parse(o.trim())
                        .filter(|op| !matches!(op, AclOperation::Unknown | AclOperation::Any))
                        .ok_or_else(|| usage(format!("Invalid operation {o:?}")))
                })
                .collect::<anyhow::Result<_>>()?
        };
        let set = entries(a, &ops);
        for r in all.iter() {
            plan.insert(r.clone(), set.clone());
        }
    }
    use AclOperation::*;
    for r in &all {
        let ops: &[AclOperation] = match (r.kind, a.producer, a.consumer) {
            (AclResourceType::Topic, true, true) => &[Write, Describe, Create, Read],
            (AclResourceType::Topic, true, false) => &[Write, Describe, Create],
            (AclResourceType::Topic, false, true) => &[Read, Describe],
            (AclResourceType::TransactionalId, true, _) => &[Write, Describe],
            (AclResourceType::Group, _, true) => &[Read],
            (AclResourceType::Cluster, true, _) if a.idempotent => &[IdempotentWrite],
            _ => continue,
        };
        plan.entry(r.clone()).or_default().extend(entries(a, ops));
    }
    for (r, set) in &plan {
        let ok = supported(r.kind);
        let bad: BTreeSet<_> = set
            .iter()
            .map(|e| e.2)
            .filter(|op| !ok.contains(op))
            .collect();
        if !bad.is_empty() {
            let names: Vec<_> = ok.iter().map(|o| o.name()).collect();
            return Err(usage(format!(
                "ResourceType {} only supports operations {}",
                r.kind,
                names.join(", ")
            )));
        }
    }
    Ok(plan)
}

fn binding(r: &Pattern, e: &Entry) -> AclBinding {
    AclBinding {
        resource_type: r.kind,
        resource_name: r.name.clone(),
        pattern_type: r.pattern,
        principal: e.0.clone(),
        host: e.1.clone(),
        operation: e.2,
        permission: e.3,
    }
}

fn entry_of(b: &AclBinding) -> Entry {
    (
        b.principal.clone(),
        b.host.clone(),
        b.operation,
        b.permission,
    )
}

fn add(
    admin: &ferrokafka_core::Admin,
    plan: BTreeMap<Pattern, BTreeSet<Entry>>,
) -> anyhow::Result<()> {
    if plan.values().any(BTreeSet::is_empty) {
        return Err(usage(
            "You must specify one of: --allow-principal, --deny-principal when trying to add ACLs.",
        ));
    }
    for (r, set) in plan {
        let filter = AclFilter {
            resource_type: r.kind,
            resource_name: Some(r.name.clone()),
            pattern_type: r.pattern,
            ..AclFilter::default()
        };
        let existing: BTreeSet<Entry> = block_on(admin.describe_acls(&filter))?
            .iter()
            .map(entry_of)
            .collect();
        let mut new = Vec::new();
        for e in &set {
            if existing.contains(e) {
                println!("Acl (pattern={r}, entry={}) already exists.", entry_text(e));
            } else {
                new.push(e);
            }
        }
        if new.is_empty() {
            continue;
        }
        let lines: Vec<String> = new.iter().map(|e| format!("\t{}", entry_text(e))).collect();
        println!("Adding ACLs for resource `{r}`: \n {}\n", lines.join("\n"));
        let bindings: Vec<AclBinding> = new.iter().map(|e| binding(&r, e)).collect();
        block_on(admin.create_acls(&bindings))?;
    }
    Ok(())
}

fn confirm(force: bool, message: &str) -> anyhow::Result<bool> {
    if force {
        return Ok(true);
    }
    println!("{message}");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim().eq_ignore_ascii_case("y"))
}

fn remove(
    admin: &ferrokafka_core::Admin,
    plan: BTreeMap<Pattern, BTreeSet<Entry>>,
    force: bool,
) -> anyhow::Result<()> {
    for (r, set) in plan {
        let base = AclFilter {
            resource_type: r.kind,
            resource_name: Some(r.name.clone()),
            pattern_type: r.pattern,
            ..AclFilter::default()
        };
        let (question, filters) = if set.is_empty() {
            (
                format!(
                    "Are you sure you want to delete all ACLs for resource filter `{r}`? (y/n)"
                ),
                vec![base],
            )
        } else {
            let lines: Vec<String> = set.iter().map(|e| format!("\t{}", entry_text(e))).collect();
            let filters = set
                .iter()
                .map(|e| AclFilter {
                    principal: Some(e.0.clone()),
                    host: Some(e.1.clone()),
                    operation: e.2,
                    permission: e.3,
                    ..base.clone()
                })
                .collect();
            (
                format!(
                    "Are you sure you want to remove ACLs: \n {}\n from resource filter `{r}`? (y/n)",
                    lines.join("\n")
                ),
                filters,
            )
        };
        if confirm(force, &question)? {
            block_on(admin.delete_acls(&filters))?;
        }
    }
    Ok(())
}

fn list(admin: &ferrokafka_core::Admin, a: &AclsArgs, pattern: PatternType) -> anyhow::Result<()> {
    let filters: Vec<AclFilter> = resources(a, pattern)
        .into_iter()
        .map(|r| AclFilter {
            resource_type: r.kind,
            resource_name: Some(r.name),
            pattern_type: r.pattern,
            ..AclFilter::default()
        })
        .collect();
    let filters = if filters.is_empty() {
        vec![AclFilter::default()]
    } else {
        filters
    };
    let mut by_resource: BTreeMap<Pattern, BTreeSet<Entry>> = BTreeMap::new();
    for f in &filters {
        for b in block_on(admin.describe_acls(f))? {
            let r = Pattern {
                kind: b.resource_type,
                name: b.resource_name.clone(),
                pattern: b.pattern_type,
            };
            by_resource.entry(r).or_default().insert(entry_of(&b));
        }
    }
    let print = |map: &BTreeMap<Pattern, BTreeSet<Entry>>| {
        for (r, set) in map {
            let lines: Vec<String> = set.iter().map(|e| format!("\t{}", entry_text(e))).collect();
            println!("Current ACLs for resource `{r}`:\n{}\n", lines.join("\n"));
        }
    };
    if a.principal.is_empty() {
        print(&by_resource);
    } else {
        for p in &a.principal {
            println!("ACLs for principal `{p}`");
            let only: BTreeMap<Pattern, BTreeSet<Entry>> = by_resource
                .iter()
                .map(|(r, set)| {
                    (
                        r.clone(),
                        set.iter()
                            .filter(|e| &e.0 == p)
                            .cloned()
                            .collect::<BTreeSet<_>>(),
                    )
                })
                .filter(|(_, set)| !set.is_empty())
                .collect();
            print(&only);
        }
    }
    Ok(())
}
