//! Small durable files of a partition directory: the log start offset, the recovery point
//! (everything below it is fsynced) and the clean-shutdown marker. Each is replaced atomically
//! (write a temporary file, fsync, rename, fsync the directory).

use std::fs;
use std::path::Path;

use super::error::LogError;

/// Kafka keeps these offsets in `log-start-offset-checkpoint` / `recovery-point-offset-checkpoint`
/// in the log dir root; one file per partition keeps partitions independent here.
pub(crate) const LOG_START_OFFSET_FILE: &str = "log-start-offset";
pub(crate) const RECOVERY_POINT_FILE: &str = "recovery-point";
pub(crate) const CLEAN_SHUTDOWN_FILE: &str = ".kafka_cleanshutdown";
const CHECKPOINT_VERSION: &str = "0";

pub(crate) use crate::durable::{sync_dir, write_atomically};

/// Writes an offset checkpoint: a version line and the offset.
pub(crate) fn write_offset(dir: &Path, name: &str, offset: i64) -> Result<(), LogError> {
    let text = format!("{CHECKPOINT_VERSION}\n{offset}\n");
    Ok(write_atomically(&dir.join(name), text.as_bytes(), true)?)
}

/// Reads an offset checkpoint; `None` when missing or unreadable.
pub(crate) fn read_offset(dir: &Path, name: &str) -> Result<Option<i64>, LogError> {
    let path = dir.join(name);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(LogError::io("read", &path, e)),
    };
    let mut lines = text.lines();
    if lines.next() != Some(CHECKPOINT_VERSION) {
        tracing::warn!(path = %path.display(), "ignoring checkpoint with an unknown version");
        return Ok(None);
    }
    Ok(lines.next().and_then(|l| l.trim().parse().ok()))
}

pub(crate) fn has_clean_shutdown_marker(dir: &Path) -> bool {
    dir.join(CLEAN_SHUTDOWN_FILE).exists()
}

pub(crate) fn write_clean_shutdown_marker(dir: &Path) -> Result<(), LogError> {
    Ok(write_atomically(&dir.join(CLEAN_SHUTDOWN_FILE), b"", true)?)
}

pub(crate) fn remove_clean_shutdown_marker(dir: &Path) -> Result<(), LogError> {
    let path = dir.join(CLEAN_SHUTDOWN_FILE);
    match fs::remove_file(&path) {
        Ok(()) => Ok(sync_dir(dir)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(LogError::io("delete", &path, e)),
    }
}
