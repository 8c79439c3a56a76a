//! Client quotas: DescribeClientQuotas and AlterClientQuotas (KIP-546). An entity is a set of
//! (entity type, name) pairs — `user`, `client-id`, `ip` — where a `None` name is that type's
//! default entity; its values are quota keys such as `producer_byte_rate`.

use std::collections::BTreeMap;

use kafka_protocol::messages::{
    alter_client_quotas_request, describe_client_quotas_request, AlterClientQuotasRequest,
    DescribeClientQuotasRequest,
};

use super::Admin;
use crate::error::{Error, Result};
use crate::requests::sb;

/// A quota entity: (entity type, name) pairs; a `None` name is the type's default.
pub type ClientQuotaEntity = Vec<(String, Option<String>)>;

/// How a filter component picks entities of one type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuotaMatch {
    /// The entity with this name.
    Exact(String),
    /// The type's default entity.
    Default,
    /// Any entity of the type (Kafka's `ofEntityType`; its default included).
    Specified,
}

/// One described entity and its quota values.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientQuotaEntry {
    pub entity: ClientQuotaEntity,
    /// Values in the order the broker listed them.
    pub values: Vec<(String, f64)>,
}

impl Admin {
    /// The entities matching every component (only those with no other entity type when
    /// `strict`), with their values.
    pub async fn describe_client_quotas(
        &self,
        components: &[(String, QuotaMatch)],
        strict: bool,
    ) -> Result<Vec<ClientQuotaEntry>> {
        let req = DescribeClientQuotasRequest::default()
            .with_components(
                components
                    .iter()
                    .map(|(ty, m)| {
                        let (match_type, name) = match m {
                            QuotaMatch::Exact(n) => (0, Some(sb(n))),
                            QuotaMatch::Default => (1, None),
                            QuotaMatch::Specified => (2, None),
                        };
                        describe_client_quotas_request::ComponentData::default()
                            .with_entity_type(sb(ty))
                            .with_match_type(match_type)
                            .with_match(name)
                    })
                    .collect(),
            )
            .with_strict(strict);
        self.retry("describing client quotas", || async {
            let resp = self.controller().await?.request(&req).await?;
            if resp.error_code != 0 {
                let msg = resp.error_message.as_ref().map(|m| m.to_string());
                return Err(Error::from_code(
                    resp.error_code,
                    format!(
                        "describing client quotas{}",
                        msg.map(|m| format!(": {m}")).unwrap_or_default()
                    ),
                ));
            }
            Ok(resp
                .entries
                .iter()
                .flatten()
                .map(|e| ClientQuotaEntry {
                    entity: e
                        .entity
                        .iter()
                        .map(|d| {
                            (
                                d.entity_type.to_string(),
                                d.entity_name.as_ref().map(|n| n.to_string()),
                            )
                        })
                        .collect(),
                    values: e
                        .values
                        .iter()
                        .map(|v| (v.key.to_string(), v.value))
                        .collect(),
                })
                .collect())
        })
        .await
    }

    /// Sets (`Some`) or removes (`None`) quota values of one entity.
    pub async fn alter_client_quotas(
        &self,
        entity: &ClientQuotaEntity,
        ops: &BTreeMap<String, Option<f64>>,
        validate_only: bool,
    ) -> Result<()> {
        let req = AlterClientQuotasRequest::default()
            .with_entries(vec![alter_client_quotas_request::EntryData::default()
                .with_entity(
                    entity
                        .iter()
                        .map(|(t, n)| {
                            alter_client_quotas_request::EntityData::default()
                                .with_entity_type(sb(t))
                                .with_entity_name(n.as_deref().map(sb))
                        })
                        .collect(),
                )
                .with_ops(
                    ops.iter()
                        .map(|(k, v)| {
                            alter_client_quotas_request::OpData::default()
                                .with_key(sb(k))
                                .with_value(v.unwrap_or(0.0))
                                .with_remove(v.is_none())
                        })
                        .collect(),
                )])
            .with_validate_only(validate_only);
        self.retry("altering client quotas", || async {
            let resp = self.controller().await?.request(&req).await?;
            for e in &resp.entries {
                if e.error_code != 0 {
                    let msg = e.error_message.as_deref();
                    return Err(Error::from_code(
                        e.error_code,
                        msg.unwrap_or("altering client quotas"),
                    )
                    .with_broker_message(msg));
                }
            }
            Ok(())
        })
        .await
    }
}
