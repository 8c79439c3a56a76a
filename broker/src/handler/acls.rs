//! CreateAcls, DescribeAcls and DeleteAcls (`kafka-acls --add/--list/--remove`). Creating and
//! deleting need ALTER on the cluster, describing needs DESCRIBE on it
//! (CLUSTER_AUTHORIZATION_FAILED and nothing changed otherwise). Without an authoriser Kafka
//! answers SECURITY_DISABLED; so does this broker.

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::create_acls_response::AclCreationResult;
use kafka_protocol::messages::delete_acls_response::{
    DeleteAclsFilterResult, DeleteAclsMatchingAcl,
};
use kafka_protocol::messages::describe_acls_response::{AclDescription, DescribeAclsResource};
use kafka_protocol::messages::{
    CreateAclsRequest, CreateAclsResponse, DeleteAclsRequest, DeleteAclsResponse,
    DescribeAclsRequest, DescribeAclsResponse,
};

use super::sb;
use crate::context::{Operation, RequestContext, Resource};
use crate::security::acl::{Acl, AclFilter, AclPermission, AclResourceType, PatternType};

const NO_AUTHORIZER: &str =
    "No Authorizer is configured on the broker; set authorizer.class.name to use ACLs";

fn invalid_acl(a: &Acl) -> Option<&'static str> {
    if matches!(
        a.resource_type,
        AclResourceType::Any | AclResourceType::Unknown
    ) {
        return Some("Invalid resource type");
    }
    if !matches!(a.pattern_type, PatternType::Literal | PatternType::Prefixed) {
        return Some("Invalid resource pattern type; use LITERAL or PREFIXED");
    }
    if a.resource_name.is_empty() {
        return Some("Resource name must not be empty");
    }
    if a.resource_type == AclResourceType::Cluster && a.resource_name != "kafka-cluster" {
        return Some("The only valid name for the CLUSTER resource is kafka-cluster");
    }
    if !a.operation.is_concrete() {
        return Some("Invalid operation");
    }
    if !matches!(a.permission, AclPermission::Deny | AclPermission::Allow) {
        return Some("Invalid permission type");
    }
    match a.principal.split_once(':') {
        Some((t, n)) if !t.is_empty() && !n.is_empty() => None,
        _ => Some("Principal must be type:name, e.g. User:alice"),
    }
}

pub fn create(ctx: &RequestContext<'_>, req: CreateAclsRequest) -> CreateAclsResponse {
    let each = |code: i16, msg: Option<&str>| {
        req.creations
            .iter()
            .map(|_| {
                AclCreationResult::default()
                    .with_error_code(code)
                    .with_error_message(msg.map(sb))
            })
            .collect::<Vec<_>>()
    };
    let Some(store) = ctx.authorizer.acls() else {
        let results = each(ErrorCode::SecurityDisabled.code(), Some(NO_AUTHORIZER));
        return CreateAclsResponse::default().with_results(results);
    };
    if !ctx.authorize(Operation::Alter, Resource::Cluster) {
        let results = each(ErrorCode::ClusterAuthorizationFailed.code(), None);
        return CreateAclsResponse::default().with_results(results);
    }
    let mut results = Vec::new();
    let mut valid = Vec::new();
    for c in &req.creations {
        let a = Acl {
            resource_type: c.resource_type.into(),
            resource_name: c.resource_name.to_string(),
            pattern_type: c.resource_pattern_type.into(),
            principal: c.principal.to_string(),
            host: c.host.to_string(),
            operation: c.operation.into(),
            permission: c.permission_type.into(),
        };
        match invalid_acl(&a) {
            Some(msg) => results.push(Some((ErrorCode::InvalidRequest.code(), msg))),
            None => {
                valid.push(a);
                results.push(None);
            }
        }
    }
    let stored = store.add(valid);
    let results = results
        .into_iter()
        .map(|r| match (r, &stored) {
            (Some((code, msg)), _) => AclCreationResult::default()
                .with_error_code(code)
                .with_error_message(Some(sb(msg))),
            (None, Err(e)) => {
                tracing::error!(error = %e, "cannot persist ACLs");
                AclCreationResult::default()
                    .with_error_code(ErrorCode::UnknownServerError.code())
                    .with_error_message(Some(sb("the broker could not write its ACL store")))
            }
            (None, Ok(())) => AclCreationResult::default(),
        })
        .collect();
    CreateAclsResponse::default().with_results(results)
}

pub fn describe(ctx: &RequestContext<'_>, req: DescribeAclsRequest) -> DescribeAclsResponse {
    let Some(store) = ctx.authorizer.acls() else {
        return DescribeAclsResponse::default()
            .with_error_code(ErrorCode::SecurityDisabled.code())
            .with_error_message(Some(sb(NO_AUTHORIZER)));
    };
    if !ctx.authorize(Operation::Describe, Resource::Cluster) {
        return DescribeAclsResponse::default()
            .with_error_code(ErrorCode::ClusterAuthorizationFailed.code());
    }
    let filter = AclFilter {
        resource_type: req.resource_type_filter.into(),
        resource_name: req.resource_name_filter.map(|s| s.to_string()),
        pattern_type: req.pattern_type_filter.into(),
        principal: req.principal_filter.map(|s| s.to_string()),
        host: req.host_filter.map(|s| s.to_string()),
        operation: req.operation.into(),
        permission: req.permission_type.into(),
    };
    let mut resources: Vec<DescribeAclsResource> = Vec::new();
    for a in store.list().into_iter().filter(|a| filter.matches(a)) {
        let d = AclDescription::default()
            .with_principal(sb(a.principal.clone()))
            .with_host(sb(a.host.clone()))
            .with_operation(a.operation.code())
            .with_permission_type(a.permission.code());
        match resources.iter_mut().find(|r| {
            r.resource_type == a.resource_type.code()
                && r.resource_name.as_str() == a.resource_name
                && r.pattern_type == a.pattern_type.code()
        }) {
            Some(r) => r.acls.push(d),
            None => resources.push(
                DescribeAclsResource::default()
                    .with_resource_type(a.resource_type.code())
                    .with_resource_name(sb(a.resource_name.clone()))
                    .with_pattern_type(a.pattern_type.code())
                    .with_acls(vec![d]),
            ),
        }
    }
    DescribeAclsResponse::default().with_resources(resources)
}

pub fn delete(ctx: &RequestContext<'_>, req: DeleteAclsRequest) -> DeleteAclsResponse {
    let each = |code: i16, msg: Option<&str>| {
        req.filters
            .iter()
            .map(|_| {
                DeleteAclsFilterResult::default()
                    .with_error_code(code)
                    .with_error_message(msg.map(sb))
            })
            .collect::<Vec<_>>()
    };
    let Some(store) = ctx.authorizer.acls() else {
        let r = each(ErrorCode::SecurityDisabled.code(), Some(NO_AUTHORIZER));
        return DeleteAclsResponse::default().with_filter_results(r);
    };
    if !ctx.authorize(Operation::Alter, Resource::Cluster) {
        let r = each(ErrorCode::ClusterAuthorizationFailed.code(), None);
        return DeleteAclsResponse::default().with_filter_results(r);
    }
    let filters: Vec<AclFilter> = req
        .filters
        .iter()
        .map(|f| AclFilter {
            resource_type: f.resource_type_filter.into(),
            resource_name: f.resource_name_filter.as_ref().map(|s| s.to_string()),
            pattern_type: f.pattern_type_filter.into(),
            principal: f.principal_filter.as_ref().map(|s| s.to_string()),
            host: f.host_filter.as_ref().map(|s| s.to_string()),
            operation: f.operation.into(),
            permission: f.permission_type.into(),
        })
        .collect();
    let results = match store.remove(&filters) {
        Ok(removed) => removed
            .into_iter()
            .map(|acls| {
                DeleteAclsFilterResult::default().with_matching_acls(
                    acls.into_iter()
                        .map(|a| {
                            DeleteAclsMatchingAcl::default()
                                .with_resource_type(a.resource_type.code())
                                .with_resource_name(sb(a.resource_name))
                                .with_pattern_type(a.pattern_type.code())
                                .with_principal(sb(a.principal))
                                .with_host(sb(a.host))
                                .with_operation(a.operation.code())
                                .with_permission_type(a.permission.code())
                        })
                        .collect(),
                )
            })
            .collect(),
        Err(e) => {
            tracing::error!(error = %e, "cannot persist ACLs");
            each(
                ErrorCode::UnknownServerError.code(),
                Some("the broker could not write its ACL store"),
            )
        }
    };
    DeleteAclsResponse::default().with_filter_results(results)
}
