//! `<log.dirs>/meta.properties`, as Kafka writes it: the cluster id and node id this data
//! directory belongs to. Created on first start; a node id mismatch refuses to start.

use std::path::Path;

use base64::Engine;

use crate::durable::write_atomically;
use crate::error::BrokerError;

/// Reads or creates meta.properties and returns the cluster id.
pub fn load_or_create(log_dir: &Path, node_id: i32) -> Result<String, BrokerError> {
    let path = log_dir.join("meta.properties");
    match std::fs::File::open(&path) {
        Ok(f) => {
            let map = java_properties::read(std::io::BufReader::new(f)).map_err(|e| {
                BrokerError::Corrupt {
                    path: path.clone(),
                    message: e.to_string(),
                }
            })?;
            if let Some(stored) = map.get("node.id") {
                if stored.trim() != node_id.to_string() {
                    return Err(BrokerError::Corrupt {
                        path,
                        message: format!(
                            "it belongs to node.id={stored} but this broker is node.id={node_id}; use that node.id or another log.dirs"
                        ),
                    });
                }
            }
            map.get("cluster.id")
                .cloned()
                .ok_or_else(|| BrokerError::Corrupt {
                    path,
                    message: "cluster.id is missing".into(),
                })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let cluster_id = random_kafka_uuid();
            let directory_id = random_kafka_uuid();
            let text = format!(
                "#\n#Written by ferrokafka\ncluster.id={cluster_id}\ndirectory.id={directory_id}\nnode.id={node_id}\nversion=1\n"
            );
            write_atomically(&path, text.as_bytes(), true)?;
            Ok(cluster_id)
        }
        Err(e) => Err(BrokerError::io(&path, e)),
    }
}

/// A Kafka-style id: 16 random bytes in URL-safe base64 without padding (22 characters).
fn random_kafka_uuid() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes())
}

#[cfg(test)]
mod tests {
    #[test]
    fn cluster_id_is_stable_and_node_id_checked() {
        let dir = tempfile::tempdir().unwrap();
        let a = super::load_or_create(dir.path(), 1).unwrap();
        assert_eq!(a.len(), 22);
        assert_eq!(super::load_or_create(dir.path(), 1).unwrap(), a);
        assert!(super::load_or_create(dir.path(), 2).is_err());
    }
}
