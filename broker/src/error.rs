//! The broker's own errors (start-up, storage, configuration). Errors answered to clients are
//! Kafka error codes chosen in the handlers; this type is for the operator and the embedding code.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::config::ConfigError;

#[derive(Debug, Error)]
pub enum BrokerError {
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    #[error("I/O error on {path}: {source}. Check that the directory exists, is writable and has free space.")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot listen on {addr}: {source}. Is another broker already using this port? Set `listeners` to another port.")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("{path} is corrupt: {message}. Move it away to start with an empty state.")]
    Corrupt { path: PathBuf, message: String },
    #[error("{0} is in use by another broker (its .lock is held). Stop that broker or set another `log.dirs`.")]
    DataDirInUse(PathBuf),
    #[error("log storage: {0}")]
    Log(#[from] crate::log::LogError),
    #[error("group coordinator: {0}")]
    Coordinator(#[from] crate::coordinator::CoordinatorError),
    #[error("cannot start the broker's async runtime: {0}. The OS refused threads or an event fd; check the process limits.")]
    Runtime(std::io::Error),
}

impl BrokerError {
    pub fn io(path: &Path, source: std::io::Error) -> BrokerError {
        BrokerError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
