//! Small durable files: write-to-temp, fsync, rename, fsync the directory — so a crash leaves
//! either the old or the new content, never a torn file.

use std::io::Write;
use std::path::Path;

use crate::error::BrokerError;

/// Replaces `path` with `bytes` atomically and durably.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), BrokerError> {
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp).map_err(|e| BrokerError::io(&tmp, e))?;
    f.write_all(bytes).map_err(|e| BrokerError::io(&tmp, e))?;
    f.sync_all().map_err(|e| BrokerError::io(&tmp, e))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(|e| BrokerError::io(path, e))?;
    if let Some(dir) = path.parent() {
        // Persist the rename itself; a failure here only weakens durability, so it is logged.
        if let Err(e) = std::fs::File::open(dir).and_then(|d| d.sync_all()) {
            tracing::warn!(dir = %dir.display(), error = %e, "could not fsync directory");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_content() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.json");
        super::write_atomically(&p, b"one").unwrap();
        super::write_atomically(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert!(!dir.path().join("f.tmp").exists());
    }
}
