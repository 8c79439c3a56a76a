//! Small durable files: write-to-temp, fsync, rename, fsync the directory — so a crash leaves
//! either the old or the new content, never a torn file. The one implementation of that rule
//! for every file the broker replaces whole (metadata, checkpoints, snapshots, group stores).

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A failed step of [`write_atomically`] or [`sync_dir`]; each layer converts it to its error.
#[derive(Debug)]
pub(crate) struct WriteFailure {
    pub op: &'static str,
    pub path: PathBuf,
    pub source: std::io::Error,
}

fn failed<'a>(
    op: &'static str,
    path: &'a Path,
) -> impl FnOnce(std::io::Error) -> WriteFailure + 'a {
    move |source| WriteFailure {
        op,
        path: path.to_path_buf(),
        source,
    }
}

/// Replaces `path` with `bytes` atomically; `durable` adds the fsyncs (the file, then its
/// directory, so the rename itself survives power loss).
pub(crate) fn write_atomically(
    path: &Path,
    bytes: &[u8],
    durable: bool,
) -> Result<(), WriteFailure> {
    let tmp = path.with_extension("tmp");
    let mut f = File::create(&tmp).map_err(failed("create", &tmp))?;
    f.write_all(bytes).map_err(failed("write", &tmp))?;
    if durable {
        f.sync_all().map_err(failed("fsync", &tmp))?;
    }
    drop(f);
    std::fs::rename(&tmp, path).map_err(failed("rename", path))?;
    if durable {
        if let Some(dir) = path.parent() {
            sync_dir(dir)?;
        }
    }
    Ok(())
}

/// Reads a small JSON store written by [`write_json`]; a missing file is `T::default()`.
pub(crate) fn read_json<T: serde::de::DeserializeOwned + Default>(
    path: &Path,
) -> Result<T, crate::error::BrokerError> {
    match std::fs::read(path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).map_err(|e| crate::error::BrokerError::Corrupt {
                path: path.to_path_buf(),
                message: e.to_string(),
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(e) => Err(crate::error::BrokerError::io(path, e)),
    }
}

/// Replaces `path` with `value` as pretty JSON, atomically and fsynced.
pub(crate) fn write_json<T: serde::Serialize>(
    path: &Path,
    value: &T,
) -> Result<(), crate::error::BrokerError> {
    let bytes =
        serde_json::to_vec_pretty(value).map_err(|e| crate::error::BrokerError::Corrupt {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
    write_atomically(path, &bytes, true)?;
    Ok(())
}

/// Fsyncs a directory, making renames and creations in it durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), WriteFailure> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(failed("fsync", dir))
}

impl From<WriteFailure> for crate::error::BrokerError {
    fn from(w: WriteFailure) -> Self {
        crate::error::BrokerError::Io {
            path: w.path,
            source: w.source,
        }
    }
}

impl From<WriteFailure> for crate::log::LogError {
    fn from(w: WriteFailure) -> Self {
        crate::log::LogError::io(w.op, &w.path, w.source)
    }
}

impl From<WriteFailure> for crate::coordinator::CoordinatorError {
    fn from(w: WriteFailure) -> Self {
        crate::coordinator::CoordinatorError::io(w.path, w.source)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_content() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.json");
        super::write_atomically(&p, b"one", true).unwrap();
        super::write_atomically(&p, b"two", false).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert!(!dir.path().join("f.tmp").exists());
    }

    #[test]
    fn a_missing_directory_names_the_step_and_path() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("missing").join("f");
        let e = super::write_atomically(&p, b"x", true).unwrap_err();
        assert_eq!(e.op, "create");
        assert!(e.path.ends_with("missing/f.tmp"), "{:?}", e.path);
    }
}
