//! `ferrokafka configs` / `kafka-configs`: describe (--all) and alter (--add-config,
//! --delete-config, --add-config-file) topic, broker and group configs with ConfigCommand's
//! output ("Dynamic configs for topic X are:", "  k=v sensitive=false synonyms={...}",
//! "Completed updating config for topic X."). Users' SCRAM credentials are in configs_users;
//! client quotas (users/clients/ips) are refused with a clear message.

use std::path::PathBuf;

use clap::Args;
use ferrokafka_core::admin::{AlterConfigOp, ConfigResource, ConfigResourceType};
use ferrokafka_core::{Admin, ErrorKind};

use crate::common::{block_on, load_properties, usage, Connect, Printed};

#[derive(Args, Debug)]
pub struct ConfigsArgs {
    #[command(flatten)]
    connect: Connect,
    /// Type of entity (topics/brokers/groups/users/clients/ips); users and clients may be given
    /// together, each followed by its --entity-name or --entity-default.
    #[arg(long = "entity-type")]
    entity_types: Vec<String>,
    /// Name of entity (topic name, broker id, group id, user principal, client id or ip).
    #[arg(long = "entity-name")]
    entity_names: Vec<String>,
    /// Default entity name for clients/users/brokers/ips (applies to the corresponding type).
    #[arg(long = "entity-default", action = clap::ArgAction::Count)]
    entity_defaults: u8,
    /// Shorthand for --entity-type topics --entity-name <topic>.
    #[arg(long)]
    topic: Option<String>,
    /// Shorthand for --entity-type brokers --entity-name <id>.
    #[arg(long)]
    broker: Option<String>,
    /// Shorthand for --entity-type groups --entity-name <group id>.
    #[arg(long)]
    group: Option<String>,
    /// Shorthand for --entity-type clients --entity-name <client id>.
    #[arg(long)]
    client: Option<String>,
    /// Shorthand for --entity-type users --entity-name <user principal>.
    #[arg(long)]
    user: Option<String>,
    /// Shorthand for --entity-type ips --entity-name <ip>.
    #[arg(long)]
    ip: Option<String>,
    /// Shorthand for --entity-type clients --entity-default.
    #[arg(long = "client-defaults")]
    client_defaults: bool,
    /// Shorthand for --entity-type users --entity-default.
    #[arg(long = "user-defaults")]
    user_defaults: bool,
    /// Shorthand for --entity-type ips --entity-default.
    #[arg(long = "ip-defaults")]
    ip_defaults: bool,
    /// List configs for the given entity.
    #[arg(long)]
    describe: bool,
    /// List all configs for the given entity, including static configs if available.
    #[arg(long)]
    all: bool,
    /// Alter the configuration for the entity.
    #[arg(long)]
    alter: bool,
    /// Key Value pairs of configs to add: k1=v1,k2=[v1,v2,v2],k3=v3.
    #[arg(long = "add-config")]
    add_config: Option<String>,
    /// Path to a properties file with configs to add.
    #[arg(long = "add-config-file")]
    add_config_file: Option<PathBuf>,
    /// Config keys to remove: k1,k2.
    #[arg(long = "delete-config")]
    delete_config: Option<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Topics,
    Brokers,
    Groups,
}

impl Kind {
    /// The singular noun ConfigCommand prints (`entityType.dropRight(1)`).
    fn noun(self) -> &'static str {
        match self {
            Kind::Topics => "topic",
            Kind::Brokers => "broker",
            Kind::Groups => "group",
        }
    }

    /// The config resource of one entity ("" is the brokers' default entity).
    fn resource(self, name: &str) -> ConfigResource {
        match self {
            Kind::Topics => ConfigResource::topic(name),
            Kind::Brokers => ConfigResource {
                kind: ConfigResourceType::Broker,
                name: name.to_string(),
            },
            Kind::Groups => ConfigResource::group(name),
        }
    }

    /// The config source of an entity's dynamic configs.
    fn dynamic_source(self, name: &str) -> &'static str {
        match self {
            Kind::Topics => "DYNAMIC_TOPIC_CONFIG",
            Kind::Brokers if name.is_empty() => "DYNAMIC_DEFAULT_BROKER_CONFIG",
            Kind::Brokers => "DYNAMIC_BROKER_CONFIG",
            Kind::Groups => "DYNAMIC_GROUP_CONFIG",
        }
    }
}

pub fn run(a: ConfigsArgs) -> anyhow::Result<()> {
    let (types, _) = a.quota_entities();
    let quota_entity = matches!(
        types.first().map(String::as_str),
        Some("users" | "clients" | "ips")
    );
    if quota_entity && a.topic.is_none() && a.broker.is_none() && a.group.is_none() {
        return run_quota_entities(a);
    }
    let (kind, name) = entity(&a)?;
    if a.describe == a.alter {
        return Err(usage(
            "Command must include exactly one action: --describe, --alter",
        ));
    }
    if a.alter && a.add_config.is_none() && a.add_config_file.is_none() && a.delete_config.is_none()
    {
        return Err(usage("At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter"));
    }
    if a.alter && name.is_none() && !(kind == Kind::Brokers && a.entity_default()) {
        return Err(usage(
            "an entity name must be specified with --alter of topics",
        ));
    }
    let admin = a.connect.admin()?;
    let result = block_on(async {
        if a.describe {
            describe(&admin, kind, name.as_deref(), &a).await
        } else {
            alter(&admin, kind, name.as_deref(), &a).await
        }
    });
    admin.close();
    result.map_err(command_error)
}

/// A failure as kafka-configs prints it: a `Printed` error as is, anything else after
/// "Error while executing config command with args ...".
fn command_error(e: anyhow::Error) -> anyhow::Error {
    match e.downcast::<Printed>() {
        Ok(p) => p.into(),
        Err(e) => Printed::new(
            1,
            format!(
                "Error while executing config command with args '{}'\n{e:#}",
                args_line()
            ),
        )
        .into(),
    }
}

impl ConfigsArgs {
    fn entity_type(&self) -> Option<&str> {
        self.entity_types.first().map(String::as_str)
    }

    fn entity_default(&self) -> bool {
        self.entity_defaults > 0
    }

    /// The entity names in command-line order, "" for each --entity-default (ConfigCommand
    /// pairs the n-th name with the n-th --entity-type).
    fn names_in_order(&self) -> Vec<String> {
        let mut given = self.entity_names.iter();
        let mut out = Vec::new();
        for arg in std::env::args().skip(1) {
            if arg == "--entity-default" {
                out.push(String::new());
            } else if arg == "--entity-name" || arg.starts_with("--entity-name=") {
                if let Some(n) = given.next() {
                    out.push(n.clone());
                }
            }
        }
        // Parsed other than from this process's arguments (tests): keep the names as given.
        if out.len() != self.entity_names.len() + usize::from(self.entity_defaults) {
            out = self.entity_names.clone();
            out.extend((0..self.entity_defaults).map(|_| String::new()));
        }
        out
    }

    /// ConfigCommand's entity types and names: `--entity-type`s with their `--entity-name`s /
    /// `--entity-default`s in order, then the shorthand flags (`--client`, `--user`, `--ip`,
    /// then `--client-defaults`, `--user-defaults`, `--ip-defaults`), "" naming a default.
    fn quota_entities(&self) -> (Vec<String>, Vec<String>) {
        let mut types = self.entity_types.clone();
        let mut names = self.names_in_order();
        let named = [
            ("clients", &self.client),
            ("users", &self.user),
            ("ips", &self.ip),
        ];
        for (ty, name) in named {
            if let Some(n) = name {
                types.push(ty.to_string());
                names.push(n.clone());
            }
        }
        let defaults = [
            ("clients", self.client_defaults),
            ("users", self.user_defaults),
            ("ips", self.ip_defaults),
        ];
        for (ty, given) in defaults {
            if given {
                types.push(ty.to_string());
                names.push(String::new());
            }
        }
        (types, names)
    }
}

/// `--entity-type users/clients/ips`: client quotas (configs_quotas) and, for users, SCRAM
/// credentials (configs_users), as ConfigCommand routes them.
fn run_quota_entities(a: ConfigsArgs) -> anyhow::Result<()> {
    if a.describe == a.alter {
        return Err(usage(
            "Command must include exactly one action: --describe, --alter",
        ));
    }
    let admin = a.connect.admin()?;
    let result = block_on(quota_entities(&admin, &a));
    admin.close();
    result.map_err(command_error)
}

async fn quota_entities(admin: &Admin, a: &ConfigsArgs) -> anyhow::Result<()> {
    let (types, names) = a.quota_entities();
    let types = &types;
    if a.describe {
        crate::configs_quotas::describe(admin, types, &names).await?;
        // ConfigCommand lists SCRAM credentials only for users alone and named ones.
        if types.iter().all(|t| t == "users") && !names.iter().any(String::is_empty) {
            crate::configs_users::describe(admin, names.first().map(String::as_str)).await?;
        }
        return Ok(());
    }
    let mut adds: Vec<(String, String)> = match &a.add_config_file {
        Some(f) => load_properties(f)?.into_iter().collect(),
        None => Vec::new(),
    };
    if let Some(s) = &a.add_config {
        adds.extend(parse_add_config(s)?);
    }
    let deletes: Vec<String> = a
        .delete_config
        .as_deref()
        .map(|d| {
            d.split(',')
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let keys: Vec<&str> = adds
        .iter()
        .map(|(k, _)| k.as_str())
        .chain(deletes.iter().map(String::as_str))
        .collect();
    let scram = keys
        .iter()
        .filter(|k| crate::configs_users::is_scram(k))
        .count();
    if types[0] == "users" && scram > 0 {
        let odd = crate::configs_quotas::unexpected_keys(
            types,
            &keys
                .iter()
                .copied()
                .filter(|k| !crate::configs_users::is_scram(k))
                .collect::<Vec<_>>(),
        );
        if !odd.is_empty() {
            return Err(Printed::new(1, format!("Only quota and SCRAM credential configs can be added for 'users' using --bootstrap-server. Unexpected config names: Set({})", odd.join(", "))).into());
        }
        if scram < keys.len() {
            return Err(Printed::new(1, "Cannot alter both quota and SCRAM credential configs simultaneously for 'users' using --bootstrap-server.").into());
        }
        let user = names
            .first()
            .filter(|n| !n.is_empty())
            .ok_or_else(|| usage("an entity name must be specified with --alter of users"))?;
        return crate::configs_users::alter(admin, user, &adds, &deletes).await;
    }
    crate::configs_quotas::alter(admin, types, &names, &adds, &deletes).await
}

pub(crate) fn args_line() -> String {
    std::env::args().skip(1).collect::<Vec<_>>().join(" ")
}

fn entity(a: &ConfigsArgs) -> anyhow::Result<(Kind, Option<String>)> {
    if let Some(t) = &a.topic {
        return Ok((Kind::Topics, Some(t.clone())));
    }
    if let Some(b) = &a.broker {
        return Ok((Kind::Brokers, Some(b.clone())));
    }
    if let Some(g) = &a.group {
        return Ok((Kind::Groups, Some(g.clone())));
    }
    let kind = match a.entity_type() {
        Some("topics") => Kind::Topics,
        Some("brokers") => Kind::Brokers,
        Some("groups") => Kind::Groups,
        Some(t @ ("client-metrics" | "broker-loggers")) => {
            return Err(Printed::new(
                1,
                format!("--entity-type {t} is not supported by ferrokafka configs yet; topics, brokers, groups, users, clients and ips are."),
            )
            .into())
        }
        Some(t) => return Err(usage(format!("Invalid entity type {t}, the entity type must be one of topics, brokers, users, clients, groups"))),
        None => return Err(usage("Missing required argument \"[entity-type]\"")),
    };
    if let (Kind::Brokers, Some(n)) = (kind, a.entity_names.first()) {
        if n.parse::<i32>().is_err() {
            return Err(usage(format!(
                "The entity name for brokers must be a valid integer broker id, found: {n}"
            )));
        }
    }
    if a.entity_default() && kind == Kind::Topics {
        return Err(usage(
            "--entity-default is not allowed with --entity-type topics",
        ));
    }
    Ok((kind, a.entity_names.first().cloned()))
}

async fn describe(
    admin: &Admin,
    kind: Kind,
    name: Option<&str>,
    a: &ConfigsArgs,
) -> anyhow::Result<()> {
    // Without --all, a named topic or group that does not exist (and, for a group, holds no
    // dynamic config) gets ConfigCommand's notice instead of a description.
    if let (Some(n), false) = (name, a.all) {
        let exists = match kind {
            Kind::Topics => admin.list_topics(true).await?.iter().any(|t| t == n),
            Kind::Brokers => true,
            Kind::Groups => {
                admin.list_groups().await?.iter().any(|g| g.group_id == n)
                    || group_config_holders(admin).await?.iter().any(|g| g == n)
            }
        };
        if !exists {
            println!(
                "The {} '{n}' doesn't exist and doesn't have dynamic config.",
                kind.noun()
            );
            return Ok(());
        }
    }
    // "" is the brokers' default entity.
    let entities: Vec<String> = match (kind, name) {
        (_, Some(n)) => vec![n.to_string()],
        (Kind::Brokers, None) if a.entity_default() => vec![String::new()],
        (Kind::Topics, None) => admin.list_topics(true).await?,
        (Kind::Brokers, None) => {
            let mut ids: Vec<String> = admin
                .describe_cluster()
                .await?
                .brokers
                .iter()
                .map(|b| b.id.to_string())
                .collect();
            ids.push(String::new());
            ids
        }
        // ConfigCommand: the listed groups, then those holding configs (a LinkedHashSet).
        (Kind::Groups, None) => {
            let mut ids: Vec<String> = admin
                .list_groups()
                .await?
                .into_iter()
                .map(|g| g.group_id)
                .collect();
            for g in group_config_holders(admin).await? {
                if !ids.contains(&g) {
                    ids.push(g);
                }
            }
            ids
        }
    };
    if kind == Kind::Topics {
        let known = admin.list_topics(true).await?;
        if let Some(missing) = entities.iter().find(|e| !known.contains(e)) {
            return Err(Printed::new(
                1,
                format!("Error while executing config command with args '{}'\norg.apache.kafka.common.errors.UnknownTopicOrPartitionException: The topic '{missing}' does not exist.", args_line()),
            )
            .into());
        }
    }
    for e in entities {
        let resource = kind.resource(&e);
        let dynamic = kind.dynamic_source(&e);
        let noun = kind.noun();
        if e.is_empty() {
            println!("Default configs for brokers in the cluster are:");
        } else {
            println!(
                "{} configs for {noun} {e} are:",
                if a.all { "All" } else { "Dynamic" }
            );
        }
        let mut entries = admin.describe_config_details(&resource, true).await?;
        entries.retain(|c| a.all || c.source == dynamic);
        entries.sort_by(|x, y| x.name.cmp(&y.name));
        for c in entries {
            let synonyms: Vec<String> = c
                .synonyms
                .iter()
                .map(|s| {
                    format!(
                        "{}:{}={}",
                        s.source,
                        s.name,
                        s.value.as_deref().unwrap_or("null")
                    )
                })
                .collect();
            println!(
                "  {}={} sensitive={} synonyms={{{}}}",
                c.name,
                c.value.as_deref().unwrap_or("null"),
                c.sensitive,
                synonyms.join(", ")
            );
        }
    }
    Ok(())
}

/// The groups holding dynamic configs (ListConfigResources). As ConfigCommand, a broker
/// without that API (before Kafka 4.1) or a principal not allowed to list counts as none.
async fn group_config_holders(admin: &Admin) -> anyhow::Result<Vec<String>> {
    match admin
        .list_config_resources(&[ConfigResourceType::Group])
        .await
    {
        Ok(rs) => Ok(rs.into_iter().map(|r| r.name).collect()),
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::UnsupportedVersion | ErrorKind::Authorization
            ) =>
        {
            Ok(Vec::new())
        }
        Err(e) => Err(e.into()),
    }
}

/// Splits `k1=v1,k2=[a,b],k3=v3` (brackets keep commas inside a value).
fn parse_add_config(s: &str) -> anyhow::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut cur = String::new();
    let mut parts = Vec::new();
    for c in s.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    parts.push(cur);
    for p in parts.into_iter().filter(|p| !p.trim().is_empty()) {
        let (k, v) = p.split_once('=').ok_or_else(|| {
            usage(format!("Invalid entity config: all configs to be added must be in the format \"key=val\" ({p:?} is not)."))
        })?;
        let v = v.trim();
        let v = v
            .strip_prefix('[')
            .and_then(|v| v.strip_suffix(']'))
            .unwrap_or(v);
        out.push((k.trim().to_string(), v.to_string()));
    }
    Ok(out)
}

async fn alter(
    admin: &Admin,
    kind: Kind,
    name: Option<&str>,
    a: &ConfigsArgs,
) -> anyhow::Result<()> {
    let mut ops = Vec::new();
    if let Some(f) = &a.add_config_file {
        for (k, v) in load_properties(f)? {
            ops.push(AlterConfigOp::Set(k, v));
        }
    }
    if let Some(s) = &a.add_config {
        for (k, v) in parse_add_config(s)? {
            ops.push(AlterConfigOp::Set(k, v));
        }
    }
    let deletes: Vec<String> = a
        .delete_config
        .as_deref()
        .map(|d| {
            d.split(',')
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let name = name.unwrap_or("");
    let resource = kind.resource(name);
    if kind == Kind::Topics && !admin.list_topics(true).await?.iter().any(|t| t == name) {
        return Err(Printed::new(
            1,
            format!("Error while executing config command with args '{}'\norg.apache.kafka.common.errors.UnknownTopicOrPartitionException: The topic '{name}' does not exist.", args_line()),
        )
        .into());
    }
    if !deletes.is_empty() {
        // Kafka refuses to delete a key that is not set dynamically.
        let dynamic = kind.dynamic_source(name);
        let current = admin.describe_config_details(&resource, false).await?;
        let invalid: Vec<&String> = deletes
            .iter()
            .filter(|k| !current.iter().any(|c| &c.name == *k && c.source == dynamic))
            .collect();
        if !invalid.is_empty() {
            return Err(Printed::new(
                1,
                format!(
                    "Error while executing config command with args '{}'\norg.apache.kafka.common.errors.InvalidConfigurationException: Invalid config(s): {}",
                    args_line(),
                    invalid.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
                ),
            )
            .into());
        }
    }
    ops.extend(deletes.into_iter().map(AlterConfigOp::Delete));
    admin
        .incremental_alter_configs(&resource, &ops, false)
        .await?;
    match kind {
        Kind::Topics => println!("Completed updating config for topic {name}."),
        Kind::Brokers if name.is_empty() => {
            println!("Completed updating default config for brokers in the cluster.")
        }
        Kind::Brokers => println!("Completed updating config for broker {name}."),
        Kind::Groups => println!("Completed updating config for group {name}."),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn add_config_keeps_bracketed_lists() {
        let v = super::parse_add_config("a=1,b=[x,y],c=z").unwrap();
        assert_eq!(
            v,
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x,y".into()),
                ("c".into(), "z".into())
            ]
        );
    }
}
