//! The data directory's lock file: two brokers never share one `log.dirs`.

use std::path::Path;

use crate::error::BrokerError;

/// Takes `<log.dirs>/.lock` as Kafka does, so two brokers never share a data directory.
/// The lock is released when the file is closed: on shutdown or when the process dies.
pub(crate) fn lock(dir: &Path) -> Result<std::fs::File, BrokerError> {
    let path = dir.join(".lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| BrokerError::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(BrokerError::DataDirInUse(dir.to_path_buf())),
        Err(std::fs::TryLockError::Error(e)) => Err(BrokerError::io(&path, e)),
    }
}
