//! ACLs: CreateAcls, DescribeAcls and DeleteAcls. Kafka's resource, pattern, operation and
//! permission enums (wire codes and the names Kafka's tools print) come from
//! `ferrokafka_protocol::acl`, shared with the broker.
//!
//! Requests go to any broker (KRaft brokers forward ACL changes to the controller). It must not
//! decide authorisation itself: the broker does.

use kafka_protocol::messages::create_acls_request::AclCreation;
use kafka_protocol::messages::delete_acls_request::DeleteAclsFilter;
use kafka_protocol::messages::{CreateAclsRequest, DeleteAclsRequest, DescribeAclsRequest};
use kafka_protocol::protocol::StrBytes;

use super::Admin;
use crate::error::{Error, Result};
use crate::requests::sb;

pub use ferrokafka_protocol::acl::{AclOperation, AclPermission, AclResourceType, PatternType};

/// One ACL: who (`principal`, `host`) may or may not do `operation` on a resource pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AclBinding {
    pub resource_type: AclResourceType,
    pub resource_name: String,
    pub pattern_type: PatternType,
    /// `User:alice`, `User:*`.
    pub principal: String,
    /// `*` or an IP address.
    pub host: String,
    pub operation: AclOperation,
    pub permission: AclPermission,
}

/// A filter over ACLs: `None` fields match anything; `ANY` enums match anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclFilter {
    pub resource_type: AclResourceType,
    pub resource_name: Option<String>,
    pub pattern_type: PatternType,
    pub principal: Option<String>,
    pub host: Option<String>,
    pub operation: AclOperation,
    pub permission: AclPermission,
}

impl Default for AclFilter {
    /// Matches every ACL.
    fn default() -> Self {
        AclFilter {
            resource_type: AclResourceType::Any,
            resource_name: None,
            pattern_type: PatternType::Any,
            principal: None,
            host: None,
            operation: AclOperation::Any,
            permission: AclPermission::Any,
        }
    }
}

impl AclFilter {
    /// The filter matching exactly `binding` (to delete it).
    pub fn exact(binding: &AclBinding) -> AclFilter {
        AclFilter {
            resource_type: binding.resource_type,
            resource_name: Some(binding.resource_name.clone()),
            pattern_type: binding.pattern_type,
            principal: Some(binding.principal.clone()),
            host: Some(binding.host.clone()),
            operation: binding.operation,
            permission: binding.permission,
        }
    }
}

fn opt(s: &Option<String>) -> Option<StrBytes> {
    s.as_deref().map(sb)
}

fn check(code: i16, message: Option<&StrBytes>, what: &str) -> Result<()> {
    if code == 0 {
        return Ok(());
    }
    let e = Error::from_code(code, what);
    Err(match message {
        Some(m) if !m.is_empty() => e.context(m.as_str()),
        _ => e,
    })
}

impl Admin {
    /// Creates `acls`; the first refused one is the error (the others may have been created).
    pub async fn create_acls(&self, acls: &[AclBinding]) -> Result<()> {
        let creations = acls
            .iter()
            .map(|a| {
                AclCreation::default()
                    .with_resource_type(a.resource_type.code())
                    .with_resource_name(sb(&a.resource_name))
                    .with_resource_pattern_type(a.pattern_type.code())
                    .with_principal(sb(&a.principal))
                    .with_host(sb(&a.host))
                    .with_operation(a.operation.code())
                    .with_permission_type(a.permission.code())
            })
            .collect();
        let req = CreateAclsRequest::default().with_creations(creations);
        let resp = self
            .retry("CreateAcls", || async {
                let conn = self.cluster.any_broker().await?;
                conn.request(&req).await
            })
            .await?;
        for (acl, r) in acls.iter().zip(&resp.results) {
            check(
                r.error_code,
                r.error_message.as_ref(),
                &format!("creating ACL {acl:?}"),
            )?;
        }
        Ok(())
    }

    /// Every ACL matching `filter`.
    pub async fn describe_acls(&self, filter: &AclFilter) -> Result<Vec<AclBinding>> {
        let req = DescribeAclsRequest::default()
            .with_resource_type_filter(filter.resource_type.code())
            .with_resource_name_filter(opt(&filter.resource_name))
            .with_pattern_type_filter(filter.pattern_type.code())
            .with_principal_filter(opt(&filter.principal))
            .with_host_filter(opt(&filter.host))
            .with_operation(filter.operation.code())
            .with_permission_type(filter.permission.code());
        let resp = self
            .retry("DescribeAcls", || async {
                let conn = self.cluster.any_broker().await?;
                conn.request(&req).await
            })
            .await?;
        check(resp.error_code, resp.error_message.as_ref(), "DescribeAcls")?;
        let mut out = Vec::new();
        for r in resp.resources {
            for a in r.acls {
                out.push(AclBinding {
                    resource_type: AclResourceType::from_code(r.resource_type),
                    resource_name: r.resource_name.to_string(),
                    pattern_type: PatternType::from_code(r.pattern_type),
                    principal: a.principal.to_string(),
                    host: a.host.to_string(),
                    operation: AclOperation::from_code(a.operation),
                    permission: AclPermission::from_code(a.permission_type),
                });
            }
        }
        Ok(out)
    }

    /// Deletes every ACL matching any of `filters`; returns the deleted ones.
    pub async fn delete_acls(&self, filters: &[AclFilter]) -> Result<Vec<AclBinding>> {
        let wire = filters
            .iter()
            .map(|f| {
                DeleteAclsFilter::default()
                    .with_resource_type_filter(f.resource_type.code())
                    .with_resource_name_filter(opt(&f.resource_name))
                    .with_pattern_type_filter(f.pattern_type.code())
                    .with_principal_filter(opt(&f.principal))
                    .with_host_filter(opt(&f.host))
                    .with_operation(f.operation.code())
                    .with_permission_type(f.permission.code())
            })
            .collect();
        let req = DeleteAclsRequest::default().with_filters(wire);
        let resp = self
            .retry("DeleteAcls", || async {
                let conn = self.cluster.any_broker().await?;
                conn.request(&req).await
            })
            .await?;
        let mut out = Vec::new();
        for r in resp.filter_results {
            check(r.error_code, r.error_message.as_ref(), "DeleteAcls")?;
            for m in r.matching_acls {
                check(m.error_code, m.error_message.as_ref(), "DeleteAcls")?;
                out.push(AclBinding {
                    resource_type: AclResourceType::from_code(m.resource_type),
                    resource_name: m.resource_name.to_string(),
                    pattern_type: PatternType::from_code(m.pattern_type),
                    principal: m.principal.to_string(),
                    host: m.host.to_string(),
                    operation: AclOperation::from_code(m.operation),
                    permission: AclPermission::from_code(m.permission_type),
                });
            }
        }
        Ok(out)
    }
}
