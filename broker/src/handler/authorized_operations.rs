//! Kafka's `authorizedOperations` (AuthHelper): the operations a principal may do on one
//! resource, as a bit set (`1 << AclOperation code`), for the responses whose clients ask for
//! it (Metadata, DescribeCluster, DescribeGroups, DescribeTopicPartitions). Every operation the
//! resource type supports (AclEntry.supportedOperations in Kafka 4.3) is asked of the
//! authoriser, so implied operations count (READ implies DESCRIBE...); without an authoriser
//! every supported operation is allowed, as Kafka answers. Owns no decision of its own: the
//! authoriser decides, and these probes are not logged as denials.

use crate::context::{Operation, RequestContext, Resource};

/// The schema's default: the client did not ask.
pub const NOT_REQUESTED: i32 = i32::MIN;

const TOPIC: &[Operation] = &[
    Operation::Read,
    Operation::Write,
    Operation::Create,
    Operation::Describe,
    Operation::Delete,
    Operation::Alter,
    Operation::DescribeConfigs,
    Operation::AlterConfigs,
];
const GROUP: &[Operation] = &[
    Operation::Read,
    Operation::Describe,
    Operation::Delete,
    Operation::DescribeConfigs,
    Operation::AlterConfigs,
];
const CLUSTER: &[Operation] = &[
    Operation::Create,
    Operation::ClusterAction,
    Operation::DescribeConfigs,
    Operation::AlterConfigs,
    Operation::IdempotentWrite,
    Operation::Alter,
    Operation::Describe,
];
// Kafka 4.3 adds TWO_PHASE_COMMIT, which this broker does not model (no response asks for a
// transactional id's operations).
const TRANSACTIONAL_ID: &[Operation] = &[Operation::Describe, Operation::Write];

/// The operations `ctx`'s principal may do on `resource`, as Kafka's bit set.
pub fn of(ctx: &RequestContext<'_>, resource: Resource<'_>) -> i32 {
    let supported = match resource {
        Resource::Topic(_) => TOPIC,
        Resource::Group(_) => GROUP,
        Resource::Cluster => CLUSTER,
        Resource::TransactionalId(_) => TRANSACTIONAL_ID,
    };
    supported
        .iter()
        // Straight to the authoriser: a probe that fails is not a denied request.
        .filter(|op| ctx.authorizer.authorize(ctx, **op, resource))
        .fold(0, |bits, op| bits | (1 << op.code()))
}

/// Cluster operations for a response whose client asked for them: 0 without cluster
/// DESCRIBE (Kafka's rule for Metadata v8-v10 and DescribeCluster).
pub fn of_cluster(ctx: &RequestContext<'_>) -> i32 {
    if ctx.authorize(Operation::Describe, Resource::Cluster) {
        of(ctx, Resource::Cluster)
    } else {
        0
    }
}
