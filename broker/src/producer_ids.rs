//! Producer id allocation for InitProducerId: ids are never reused, across restarts and crashes.
//!
//! Ids are handed out from blocks; the end of the current block is written durably before any
//! id from it is given out, so after a crash the next start begins past everything ever issued.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::durable::write_atomically;
use crate::error::BrokerError;

const BLOCK: i64 = 1000;

pub struct ProducerIdAllocator {
    file: PathBuf,
    /// (next id to give, first id past the durable reservation)
    range: Mutex<(i64, i64)>,
}

impl ProducerIdAllocator {
    pub fn open(meta_dir: &Path) -> Result<ProducerIdAllocator, BrokerError> {
        let file = meta_dir.join("producer_ids");
        let reserved = match std::fs::read_to_string(&file) {
            Ok(s) => s.trim().parse::<i64>().map_err(|e| BrokerError::Corrupt {
                path: file.clone(),
                message: e.to_string(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(e) => return Err(BrokerError::io(&file, e)),
        };
        Ok(ProducerIdAllocator {
            file,
            range: Mutex::new((reserved, reserved)),
        })
    }

    /// The next unused producer id.
    pub fn next(&self) -> Result<i64, BrokerError> {
        let mut r = self.range.lock().unwrap_or_else(|e| e.into_inner());
        if r.0 >= r.1 {
            let end = r.1 + BLOCK;
            write_atomically(&self.file, end.to_string().as_bytes(), true)?;
            r.1 = end;
        }
        let id = r.0;
        r.0 += 1;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_never_reused_across_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let a = ProducerIdAllocator::open(dir.path()).unwrap();
        let first: Vec<i64> = (0..3).map(|_| a.next().unwrap()).collect();
        assert_eq!(first, vec![0, 1, 2]);
        drop(a); // as after a crash: nothing written on drop
        let b = ProducerIdAllocator::open(dir.path()).unwrap();
        assert!(b.next().unwrap() > 2);
    }
}
