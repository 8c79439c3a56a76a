//! Where a topic config's value comes from, as Kafka's DescribeConfigs reports it: the topic's
//! own override, a broker setting given in `server.properties`/`--override`, or Kafka's default
//! — with the synonym chain (`DYNAMIC_TOPIC_CONFIG:retention.ms=...`,
//! `STATIC_BROKER_CONFIG:log.segment.bytes=...`, `DEFAULT_CONFIG:log.segment.bytes=1073741824`).
//!
//! The table is Kafka 4.3.1's `LogConfig.TopicConfigSynonyms` (the primary broker key of each
//! topic key) with `DynamicBrokerConfig.brokerConfigSynonyms` (the keys standing in for it) and
//! each key's default in `KafkaConfig` (`None` where Kafka's default is null). Kafka keeps only
//! the synonyms from the primary key on, so e.g. `retention.ms` lists no default: the primary
//! `log.retention.ms` has none (its effective default comes from `log.retention.hours`).
//!
//! One cluster-wide dynamic default exists, as on a freshly formatted KRaft cluster: Kafka 4
//! writes `min.insync.replicas` (the static value, else 1) as a cluster-level broker config at
//! bootstrap, so every topic reports it as `DYNAMIC_DEFAULT_BROKER_CONFIG` and
//! `kafka-topics --describe` lists `min.insync.replicas=1` among each topic's configs.

use crate::config::BrokerConfig;

pub const DYNAMIC_TOPIC_CONFIG: i8 = 1;
pub const DYNAMIC_DEFAULT_BROKER_CONFIG: i8 = 3;
pub const STATIC_BROKER_CONFIG: i8 = 4;
pub const DEFAULT_CONFIG: i8 = 5;
pub const DYNAMIC_GROUP_CONFIG: i8 = 8;

const MAX: Option<&str> = Some("9223372036854775807");

/// Topic key -> its broker synonyms, primary first, with Kafka's defaults.
type Synonyms = &'static [(&'static str, Option<&'static str>)];
static TABLE: &[(&str, Synonyms)] = &[
    ("cleanup.policy", &[("log.cleanup.policy", Some("delete"))]),
    (
        "compression.gzip.level",
        &[("compression.gzip.level", Some("-1"))],
    ),
    (
        "compression.lz4.level",
        &[("compression.lz4.level", Some("9"))],
    ),
    (
        "compression.type",
        &[("compression.type", Some("producer"))],
    ),
    (
        "compression.zstd.level",
        &[("compression.zstd.level", Some("3"))],
    ),
    (
        "delete.retention.ms",
        &[("log.cleaner.delete.retention.ms", Some("86400000"))],
    ),
    (
        "file.delete.delay.ms",
        &[("log.segment.delete.delay.ms", Some("60000"))],
    ),
    ("flush.messages", &[("log.flush.interval.messages", MAX)]),
    (
        "flush.ms",
        &[
            ("log.flush.interval.ms", None),
            ("log.flush.scheduler.interval.ms", MAX),
        ],
    ),
    (
        "index.interval.bytes",
        &[("log.index.interval.bytes", Some("4096"))],
    ),
    (
        "local.retention.bytes",
        &[("log.local.retention.bytes", Some("-2"))],
    ),
    (
        "local.retention.ms",
        &[("log.local.retention.ms", Some("-2"))],
    ),
    (
        "max.compaction.lag.ms",
        &[("log.cleaner.max.compaction.lag.ms", MAX)],
    ),
    (
        "max.message.bytes",
        &[("message.max.bytes", Some("1048588"))],
    ),
    (
        "message.timestamp.after.max.ms",
        &[("log.message.timestamp.after.max.ms", Some("3600000"))],
    ),
    (
        "message.timestamp.before.max.ms",
        &[("log.message.timestamp.before.max.ms", MAX)],
    ),
    (
        "message.timestamp.type",
        &[("log.message.timestamp.type", Some("CreateTime"))],
    ),
    (
        "min.cleanable.dirty.ratio",
        &[("log.cleaner.min.cleanable.ratio", Some("0.5"))],
    ),
    (
        "min.compaction.lag.ms",
        &[("log.cleaner.min.compaction.lag.ms", Some("0"))],
    ),
    ("min.insync.replicas", &[("min.insync.replicas", Some("1"))]),
    ("preallocate", &[("log.preallocate", Some("false"))]),
    ("retention.bytes", &[("log.retention.bytes", Some("-1"))]),
    (
        "retention.ms",
        &[
            ("log.retention.ms", None),
            ("log.retention.minutes", None),
            ("log.retention.hours", Some("168")),
        ],
    ),
    (
        "segment.bytes",
        &[("log.segment.bytes", Some("1073741824"))],
    ),
    (
        "segment.index.bytes",
        &[("log.index.size.max.bytes", Some("10485760"))],
    ),
    (
        "segment.jitter.ms",
        &[
            ("log.roll.jitter.ms", None),
            ("log.roll.jitter.hours", Some("0")),
        ],
    ),
    (
        "segment.ms",
        &[("log.roll.ms", None), ("log.roll.hours", Some("168"))],
    ),
    (
        "unclean.leader.election.enable",
        &[("unclean.leader.election.enable", Some("false"))],
    ),
];

/// One entry of a config's synonym chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synonym {
    pub name: String,
    pub value: String,
    pub source: i8,
}

/// The cluster-level dynamic broker defaults: (key, value).
pub fn dynamic_broker_defaults(broker: &BrokerConfig) -> Vec<(&'static str, String)> {
    let min_isr = broker
        .given
        .get("min.insync.replicas")
        .map_or("1", String::as_str);
    vec![("min.insync.replicas", min_isr.to_string())]
}

/// The synonym chain of topic config `key` (`override_value`: the topic's own setting), most
/// specific first; the config's source is the first entry's, or DEFAULT_CONFIG when empty.
pub fn topic_synonyms(
    key: &str,
    override_value: Option<&str>,
    broker: &BrokerConfig,
) -> Vec<Synonym> {
    let mut out = Vec::new();
    if let Some(v) = override_value {
        out.push(Synonym {
            name: key.to_string(),
            value: v.to_string(),
            source: DYNAMIC_TOPIC_CONFIG,
        });
    }
    let Some((_, synonyms)) = TABLE.iter().find(|(k, _)| *k == key) else {
        return out;
    };
    let mut chain = Vec::new();
    let dynamic_defaults = dynamic_broker_defaults(broker);
    for (name, _) in synonyms.iter() {
        if let Some((_, v)) = dynamic_defaults.iter().find(|(k, _)| k == name) {
            chain.push(Synonym {
                name: name.to_string(),
                value: v.clone(),
                source: DYNAMIC_DEFAULT_BROKER_CONFIG,
            });
        }
    }
    for (name, _) in synonyms.iter() {
        if let Some(v) = broker.given.get(*name) {
            chain.push(Synonym {
                name: name.to_string(),
                value: v.clone(),
                source: STATIC_BROKER_CONFIG,
            });
        }
    }
    for (name, default) in synonyms.iter() {
        if let Some(d) = default {
            chain.push(Synonym {
                name: name.to_string(),
                value: d.to_string(),
                source: DEFAULT_CONFIG,
            });
        }
    }
    let primary = synonyms[0].0;
    out.extend(chain.into_iter().skip_while(|s| s.name != primary));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[Synonym]) -> Vec<String> {
        v.iter()
            .map(|s| format!("{}:{}={}", s.source, s.name, s.value))
            .collect()
    }

    #[test]
    fn chains_follow_kafka() {
        let b = BrokerConfig::from_pairs([("log.segment.bytes", "2048")]).unwrap();
        assert_eq!(
            names(&topic_synonyms("segment.bytes", Some("1048576"), &b)),
            vec![
                "1:segment.bytes=1048576",
                "4:log.segment.bytes=2048",
                "5:log.segment.bytes=1073741824"
            ]
        );
        // The primary `log.retention.ms` has no default: nothing from the broker is listed.
        assert!(topic_synonyms("retention.ms", None, &b).is_empty());
        assert_eq!(
            names(&topic_synonyms("retention.ms", Some("5"), &b)),
            vec!["1:retention.ms=5"]
        );
        assert_eq!(
            names(&topic_synonyms("cleanup.policy", None, &b)),
            vec!["5:log.cleanup.policy=delete"]
        );
        assert!(topic_synonyms("remote.storage.enable", None, &b).is_empty());
    }

    /// Kafka 4.3.1 with `min.insync.replicas=1` in server.properties (kafka-configs --describe
    /// --all on a topic): `{DYNAMIC_DEFAULT_BROKER_CONFIG:min.insync.replicas=1,
    /// STATIC_BROKER_CONFIG:min.insync.replicas=1, DEFAULT_CONFIG:min.insync.replicas=1}`; without
    /// the static setting only the dynamic default and the default.
    #[test]
    fn min_insync_replicas_has_the_cluster_dynamic_default() {
        let given = BrokerConfig::from_pairs([("min.insync.replicas", "1")]).unwrap();
        assert_eq!(
            names(&topic_synonyms("min.insync.replicas", None, &given)),
            vec![
                "3:min.insync.replicas=1",
                "4:min.insync.replicas=1",
                "5:min.insync.replicas=1"
            ]
        );
        let plain = BrokerConfig::from_pairs(std::iter::empty::<(&str, &str)>()).unwrap();
        assert_eq!(
            names(&topic_synonyms("min.insync.replicas", None, &plain)),
            vec!["3:min.insync.replicas=1", "5:min.insync.replicas=1"]
        );
    }
}
