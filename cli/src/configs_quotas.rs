//! `kafka-configs --entity-type users/clients/ips`: client quotas (DescribeClientQuotas /
//! AlterClientQuotas) with ConfigCommand's rules and output — "Quota configs for user-principal
//! 'alice', client-id 'app' are consumer_byte_rate=2048.0, producer_byte_rate=1024.0" (entities
//! and values in the order of the Java HashMaps Kafka's tool prints from, values as Java prints
//! a double), "Completed updating config for user alice.", and its refusals. Users' SCRAM
//! credentials are described after their quotas and altered by `configs_users`.

use std::collections::BTreeMap;

use ferrokafka_core::admin::{ClientQuotaEntity, ClientQuotaEntry, QuotaMatch};
use ferrokafka_core::Admin;

use crate::common::{usage, Printed};
use ferrokafka_protocol::java_order::{hash_map_order, hash_map_order_by, string_hash};

/// Quota keys by entity kind, as Kafka's QuotaConfig lists them.
const USER_CLIENT_KEYS: [&str; 4] = [
    "consumer_byte_rate",
    "controller_mutation_rate",
    "producer_byte_rate",
    "request_percentage",
];
const IP_KEYS: [&str; 1] = ["connection_creation_rate"];

/// ConfigCommand's entity type -> ClientQuotaEntity's.
fn quota_type(entity_type: &str) -> anyhow::Result<&'static str> {
    match entity_type {
        "users" => Ok("user"),
        "clients" => Ok("client-id"),
        "ips" => Ok("ip"),
        other => Err(usage(format!("Unexpected entity type {other}"))),
    }
}

/// `entityType.dropRight(1)`.
fn singular(entity_type: &str) -> &str {
    entity_type.strip_suffix('s').unwrap_or(entity_type)
}

/// `Double.toString`: shortest digits, decimal in [1e-3, 1e7), else `d.dddE±n`.
pub fn java_double(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 || (1e-3..1e7).contains(&a) {
        let s = format!("{v}");
        if s.contains('.') {
            s
        } else {
            format!("{s}.0")
        }
    } else {
        let s = format!("{v:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = if mantissa.contains('.') {
            mantissa.to_string()
        } else {
            format!("{mantissa}.0")
        };
        format!("{mantissa}E{exp}")
    }
}

/// `ClientQuotaEntity.hashCode()`: `Objects.hash(entries)`, i.e. 31 + the entries map's hash
/// (the sum of key ^ value hashes).
fn entity_hash(entity: &ClientQuotaEntity) -> i32 {
    entity.iter().fold(31i32, |h, (t, n)| {
        h.wrapping_add(string_hash(t) ^ n.as_deref().map_or(0, string_hash))
    })
}

/// "user-principal 'alice', client-id 'app'" / "the default client-id".
fn entity_text(entity: &ClientQuotaEntity) -> String {
    ["user", "client-id", "ip"]
        .iter()
        .filter_map(|ty| {
            let (_, name) = entity.iter().find(|(t, _)| t == ty)?;
            let label = match *ty {
                "user" => "user-principal",
                other => other,
            };
            Some(match name.as_deref() {
                Some(n) if !n.is_empty() => format!("{label} '{n}'"),
                _ => format!("the default {label}"),
            })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `--describe`: the quota lines of the entities named (every entity of the types when no
/// name is given; "" is a type's default), as ConfigCommand.describeQuotaConfigs prints them.
pub async fn describe(admin: &Admin, types: &[String], names: &[String]) -> anyhow::Result<()> {
    if names.len() > types.len() {
        return Err(usage("More entity names specified than entity types"));
    }
    let mut components = Vec::new();
    for (i, t) in types.iter().enumerate() {
        let m = match names.get(i).map(String::as_str) {
            None => QuotaMatch::Specified,
            Some("") => QuotaMatch::Default,
            Some(n) => QuotaMatch::Exact(n.to_string()),
        };
        components.push((quota_type(t)?.to_string(), m));
    }
    let entries = admin.describe_client_quotas(&components, true).await?;
    // The admin client's `new HashMap<>(n)` of entities, each with a `new HashMap<>(n)` of values.
    let n = entries.len();
    for ClientQuotaEntry { entity, values } in
        hash_map_order_by(entries, |e| entity_hash(&e.entity), Some(n))
    {
        let n = values.len();
        let values: Vec<String> = hash_map_order_by(values, |(k, _)| string_hash(k), Some(n))
            .into_iter()
            .map(|(k, v)| format!("{k}={}", java_double(v)))
            .collect();
        println!(
            "Quota configs for {} are {}",
            entity_text(&entity),
            values.join(", ")
        );
    }
    Ok(())
}

/// Keys of `adds`/`deletes` that are no quota of this entity kind, in Java HashSet order.
pub fn unexpected_keys(types: &[String], keys: &[&str]) -> Vec<String> {
    let allowed: &[&str] = if types.iter().any(|t| t == "ips") {
        &IP_KEYS
    } else {
        &USER_CLIENT_KEYS
    };
    let mut odd: Vec<String> = keys
        .iter()
        .filter(|k| !allowed.contains(k))
        .map(|k| k.to_string())
        .collect();
    odd.dedup();
    hash_map_order(odd, |k| k.as_str())
}

/// `--alter`: sets `adds` and removes `deletes` on the one entity the types and names make.
pub async fn alter(
    admin: &Admin,
    types: &[String],
    names: &[String],
    adds: &[(String, String)],
    deletes: &[String],
) -> anyhow::Result<()> {
    if types.len() != names.len() {
        return Err(usage(
            "Exactly one entity name must be specified for every entity type",
        ));
    }
    let keys: Vec<&str> = adds
        .iter()
        .map(|(k, _)| k.as_str())
        .chain(deletes.iter().map(String::as_str))
        .collect();
    let odd = unexpected_keys(types, &keys);
    if !odd.is_empty() {
        let what = if types[0] == "users" {
            "quota and SCRAM credential configs"
        } else {
            "quota configs"
        };
        return Err(Printed::new(
            1,
            format!(
                "Only {what} can be added for '{}' using --bootstrap-server. Unexpected config names: Set({})",
                types[0],
                odd.join(", ")
            ),
        )
        .into());
    }
    let entity: ClientQuotaEntity = types
        .iter()
        .zip(names)
        .map(|(t, n)| {
            Ok((
                quota_type(t)?.to_string(),
                (!n.is_empty()).then(|| n.clone()),
            ))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut ops: BTreeMap<String, Option<f64>> = BTreeMap::new();
    for (k, v) in adds {
        let value: f64 = v.trim().parse().map_err(|_| {
            Printed::new(
                1,
                format!("Cannot parse quota configuration value for {k}: {v}"),
            )
        })?;
        ops.insert(k.clone(), Some(value));
    }
    if !deletes.is_empty() {
        let components: Vec<(String, QuotaMatch)> = entity
            .iter()
            .map(|(t, n)| {
                let m = n.clone().map_or(QuotaMatch::Default, QuotaMatch::Exact);
                (t.clone(), m)
            })
            .collect();
        let current = admin.describe_client_quotas(&components, true).await?;
        let set: Vec<&str> = current
            .iter()
            .flat_map(|e| e.values.iter().map(|(k, _)| k.as_str()))
            .collect();
        let invalid: Vec<&str> = deletes
            .iter()
            .map(String::as_str)
            .filter(|k| !set.contains(k))
            .collect();
        if !invalid.is_empty() {
            return Err(
                Printed::new(1, format!("Invalid config(s): {}", invalid.join(","))).into(),
            );
        }
        for k in deletes {
            ops.insert(k.clone(), None);
        }
    }
    admin
        .alter_client_quotas(&entity, &ops, false)
        .await
        .map_err(refused)?;
    match names[0].as_str() {
        "" => println!(
            "Completed updating default config for {} in the cluster.",
            types[0]
        ),
        n => println!("Completed updating config for {} {n}.", singular(&types[0])),
    }
    Ok(())
}

/// A broker's INVALID_REQUEST as ConfigCommand prints the admin client's exception.
fn refused(e: ferrokafka_core::Error) -> anyhow::Error {
    let (Some(42), Some(message)) = (e.code(), e.broker_message()) else {
        return e.into();
    };
    let class = "org.apache.kafka.common.errors.InvalidRequestException";
    Printed::new(
        1,
        format!(
            "Error while executing config command with args '{}'\njava.util.concurrent.ExecutionException: {class}: {message}\nCaused by: {class}: {message}",
            crate::configs::args_line()
        ),
    )
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_as_java_prints_them() {
        assert_eq!(java_double(2048.0), "2048.0");
        assert_eq!(java_double(12.5), "12.5");
        assert_eq!(java_double(1e7), "1.0E7");
        assert_eq!(java_double(12_345_678.0), "1.2345678E7");
        assert_eq!(java_double(0.0001), "1.0E-4");
        assert_eq!(java_double(9_999_999.0), "9999999.0");
    }

    /// Kafka 4.3.1 printed, for these three values:
    /// `Quota configs for user-principal 'bob' are consumer_byte_rate=2048.0, request_percentage=12.5, producer_byte_rate=1024.0`.
    /// Its broker answers them in its map's order; the admin client refills a HashMap of 3.
    #[test]
    fn values_come_in_kafkas_hash_map_order() {
        let answered = hash_map_order(
            vec![
                "consumer_byte_rate",
                "producer_byte_rate",
                "request_percentage",
            ],
            |k| k,
        );
        let keys = hash_map_order_by(answered, |k| string_hash(k), Some(3));
        assert_eq!(
            keys,
            [
                "consumer_byte_rate",
                "request_percentage",
                "producer_byte_rate"
            ]
        );
    }

    #[test]
    fn entities_read_as_kafka_names_them() {
        let e = vec![
            ("client-id".to_string(), Some("app".to_string())),
            ("user".to_string(), None),
        ];
        assert_eq!(
            entity_text(&e),
            "the default user-principal, client-id 'app'"
        );
        let types = vec!["clients".to_string()];
        assert_eq!(
            unexpected_keys(&types, &["foo", "bar", "producer_byte_rate"]),
            ["bar", "foo"]
        );
    }
}
