//! Configs: DescribeConfigs and IncrementalAlterConfigs for topics, brokers and groups, and
//! ListConfigResources (which config resources exist).
//!
//! A resource's own error in the answer (UNKNOWN_TOPIC_OR_PARTITION for a missing topic, an
//! invalid value) is reported at once with the broker's message, as Java's admin client
//! completes that resource's future with it; only a failed request is retried.

use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::describe_configs_response::DescribeConfigsResult;
use kafka_protocol::messages::incremental_alter_configs_request::{
    AlterConfigsResource, AlterableConfig,
};
use kafka_protocol::messages::{
    DescribeConfigsRequest, IncrementalAlterConfigsRequest, ListConfigResourcesRequest,
};

use super::Admin;
use crate::error::{Error, Result};
use crate::requests::sb;

/// What a config belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigResourceType {
    Topic,
    Broker,
    /// A consumer, share or streams group's dynamic configs (KIP-848/932/1071).
    Group,
}

impl ConfigResourceType {
    pub(crate) fn code(self) -> i8 {
        match self {
            ConfigResourceType::Topic => 2,
            ConfigResourceType::Broker => 4,
            ConfigResourceType::Group => 32,
        }
    }

    fn from_code(code: i8) -> Option<Self> {
        match code {
            2 => Some(ConfigResourceType::Topic),
            4 => Some(ConfigResourceType::Broker),
            32 => Some(ConfigResourceType::Group),
            _ => None,
        }
    }
}

/// A topic or broker (by id as a string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigResource {
    pub kind: ConfigResourceType,
    pub name: String,
}

impl ConfigResource {
    pub fn topic(name: impl Into<String>) -> ConfigResource {
        ConfigResource {
            kind: ConfigResourceType::Topic,
            name: name.into(),
        }
    }

    pub fn broker(id: i32) -> ConfigResource {
        ConfigResource {
            kind: ConfigResourceType::Broker,
            name: id.to_string(),
        }
    }

    pub fn group(id: impl Into<String>) -> ConfigResource {
        ConfigResource {
            kind: ConfigResourceType::Group,
            name: id.into(),
        }
    }
}

/// One config value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigEntry {
    pub name: String,
    pub value: Option<String>,
    pub read_only: bool,
    pub is_default: bool,
    pub sensitive: bool,
}

/// One incremental change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlterConfigOp {
    Set(String, String),
    Delete(String),
    Append(String, String),
    Subtract(String, String),
}

impl Admin {
    /// Every config of `resource` (or only `keys` when given).
    pub async fn describe_configs(
        &self,
        resource: &ConfigResource,
        keys: Option<&[&str]>,
    ) -> Result<Vec<ConfigEntry>> {
        let keys = keys.map(|ks| ks.iter().map(|k| sb(k)).collect());
        let mut out = Vec::new();
        for r in &self.describe_resource(resource, keys, false).await? {
            for c in &r.configs {
                out.push(ConfigEntry {
                    name: c.name.to_string(),
                    value: c.value.as_ref().map(|v| v.to_string()),
                    read_only: c.read_only,
                    is_default: c.config_source == 5,
                    sensitive: c.is_sensitive,
                });
            }
        }
        Ok(out)
    }

    /// Applies `ops` to `resource` (IncrementalAlterConfigs).
    pub async fn incremental_alter_configs(
        &self,
        resource: &ConfigResource,
        ops: &[AlterConfigOp],
        validate_only: bool,
    ) -> Result<()> {
        let configs = ops
            .iter()
            .map(|op| {
                let (name, value, code) = match op {
                    AlterConfigOp::Set(k, v) => (k, Some(v), 0),
                    AlterConfigOp::Delete(k) => (k, None, 1),
                    AlterConfigOp::Append(k, v) => (k, Some(v), 2),
                    AlterConfigOp::Subtract(k, v) => (k, Some(v), 3),
                };
                AlterableConfig::default()
                    .with_name(sb(name))
                    .with_config_operation(code)
                    .with_value(value.map(|v| sb(v)))
            })
            .collect();
        let req = IncrementalAlterConfigsRequest::default()
            .with_resources(vec![AlterConfigsResource::default()
                .with_resource_type(resource.kind.code())
                .with_resource_name(sb(&resource.name))
                .with_configs(configs)])
            .with_validate_only(validate_only);
        let resp = self
            .retry("altering configs", || async {
                self.config_broker(resource).await?.request(&req).await
            })
            .await?;
        match resp.responses.iter().find(|r| r.error_code != 0) {
            Some(r) => Err(resource_error(
                r.error_code,
                r.error_message.as_deref(),
                "altering configs",
                resource,
            )),
            None => Ok(()),
        }
    }

    /// The config resources of these types that exist (ListConfigResources v1, Kafka 4.1+):
    /// for groups, the ones holding dynamic configs.
    pub async fn list_config_resources(
        &self,
        types: &[ConfigResourceType],
    ) -> Result<Vec<ConfigResource>> {
        let req = ListConfigResourcesRequest::default()
            .with_resource_types(types.iter().map(|t| t.code()).collect());
        self.retry("listing config resources", || async {
            let conn = self.controller().await?;
            let resp = conn.request(&req).await?;
            if resp.error_code != 0 {
                return Err(Error::from_code(
                    resp.error_code,
                    "listing config resources",
                ));
            }
            Ok(resp
                .config_resources
                .iter()
                .filter_map(|r| {
                    Some(ConfigResource {
                        kind: ConfigResourceType::from_code(r.resource_type)?,
                        name: r.resource_name.to_string(),
                    })
                })
                .collect())
        })
        .await
    }

    /// DescribeConfigs of one resource (`keys`: `None` for all), retried as a request; the
    /// resource's own error (a missing topic) is returned at once, with the broker's message.
    pub(super) async fn describe_resource(
        &self,
        resource: &ConfigResource,
        keys: Option<Vec<kafka_protocol::protocol::StrBytes>>,
        synonyms: bool,
    ) -> Result<Vec<DescribeConfigsResult>> {
        let req = DescribeConfigsRequest::default()
            .with_resources(vec![DescribeConfigsResource::default()
                .with_resource_type(resource.kind.code())
                .with_resource_name(sb(&resource.name))
                .with_configuration_keys(keys)])
            .with_include_synonyms(synonyms);
        let resp = self
            .retry("describing configs", || async {
                self.config_broker(resource).await?.request(&req).await
            })
            .await?;
        if let Some(r) = resp.results.iter().find(|r| r.error_code != 0) {
            return Err(resource_error(
                r.error_code,
                r.error_message.as_deref(),
                "describing configs",
                resource,
            ));
        }
        Ok(resp.results)
    }

    /// Broker configs go to that broker; topic and group configs to the controller.
    pub(super) async fn config_broker(
        &self,
        resource: &ConfigResource,
    ) -> Result<std::sync::Arc<crate::connection::Connection>> {
        match (resource.kind, resource.name.parse::<i32>()) {
            (ConfigResourceType::Broker, Ok(id)) => self.cluster.broker(id).await,
            _ => self.controller().await,
        }
    }
}

/// A config resource's own error, with the broker's message exactly as sent (`""` included, as
/// Java's admin client keeps it): not retried (a missing topic fails at once, as with Java's
/// admin client, instead of at `default.api.timeout.ms`).
pub(super) fn resource_error(
    code: i16,
    broker_message: Option<&str>,
    what: &str,
    resource: &ConfigResource,
) -> Error {
    let detail = broker_message
        .filter(|m| !m.is_empty())
        .map(|m| format!(" ({m})"))
        .unwrap_or_default();
    Error::from_code(code, format!("{what} of {}{detail}", resource.name))
        .with_exact_broker_message(broker_message)
}
