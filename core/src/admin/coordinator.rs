//! Which broker coordinates a group (FindCoordinator), as `kafka-consumer-groups --describe
//! --state` prints it. It must not send group requests itself (that is `groups.rs`).

use super::Admin;
use crate::error::Result;
use crate::requests::coordinator::lookup_coordinator;

/// The coordinator of a group: broker id, host and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupCoordinator {
    pub id: i32,
    pub host: String,
    pub port: i32,
}

impl Admin {
    /// The broker coordinating `group`.
    pub async fn group_coordinator(&self, group: &str) -> Result<GroupCoordinator> {
        self.retry("finding the group coordinator", || async {
            let c = lookup_coordinator(&self.cluster, group, 0).await?;
            Ok(GroupCoordinator {
                id: c.node,
                host: c.host,
                port: c.port,
            })
        })
        .await
    }
}
