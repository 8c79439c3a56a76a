//! Which broker coordinates a group (FindCoordinator), as `kafka-consumer-groups --describe
//! --state` prints it. It must not send group requests itself (that is `groups.rs`).

use kafka_protocol::messages::find_coordinator_request::FindCoordinatorRequest;

use super::Admin;
use crate::requests::sb;
use crate::error::{Error, Result};

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
            let conn = self.cluster.any_broker().await?;
            let v = conn.version::<FindCoordinatorRequest>()?;
            let mut req = FindCoordinatorRequest::default().with_key_type(0);
            if v >= 4 {
                req = req.with_coordinator_keys(vec![sb(group)]);
            } else {
                req = req.with_key(sb(group));
            }
            let resp = conn.request(&req).await?;
            let (code, id, host, port) = match resp.coordinators.first() {
                Some(c) if v >= 4 => (c.error_code, c.node_id.0, c.host.to_string(), c.port),
                _ => (
                    resp.error_code,
                    resp.node_id.0,
                    resp.host.to_string(),
                    resp.port,
                ),
            };
            if code != 0 {
                return Err(Error::from_code(
                    code,
                    format!("FindCoordinator for group {group}"),
                ));
            }
            Ok(GroupCoordinator { id, host, port })
        })
        .await
    }
}
