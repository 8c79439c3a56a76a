//! The byte stream under a broker connection, and how to open one.
//!
//! Owns the [`Transport`] trait (any async read/write stream) and [`Connector`], which turns a
//! `host:port` into a connected transport. Plain TCP lives here today; TLS wraps the TCP stream
//! in another `Connector`, and SASL runs as a step after the stream is open (see
//! `Connection::open`), so neither changes the connection's request logic.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use crate::error::{Error, ErrorKind, Result};

/// A bidirectional byte stream to a broker (TCP, or TLS over TCP).
pub trait Transport: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Transport for T {}

/// A boxed transport, so connections do not depend on the stream type.
pub type BoxTransport = Box<dyn Transport>;

/// The future a [`Connector`] returns.
pub type ConnectFuture<'a> = Pin<Box<dyn Future<Output = Result<BoxTransport>> + Send + 'a>>;

/// Opens transports to brokers. Implement it to add TLS (wrap [`TcpConnector`]) or test fakes.
pub trait Connector: Send + Sync + 'static {
    fn connect<'a>(&'a self, addr: &'a str, timeout: Duration) -> ConnectFuture<'a>;
}

/// Plain TCP with `TCP_NODELAY`.
#[derive(Debug, Default, Clone, Copy)]
pub struct TcpConnector;

impl Connector for TcpConnector {
    fn connect<'a>(&'a self, addr: &'a str, timeout: Duration) -> ConnectFuture<'a> {
        Box::pin(async move {
            let stream = tokio::time::timeout(timeout, TcpStream::connect(addr))
                .await
                .map_err(|_| {
                    Error::new(
                        ErrorKind::Timeout,
                        format!(
                            "connecting to {addr} took longer than socket.connection.setup.timeout.ms \
                             ({} ms); check the address and that the broker is up",
                            timeout.as_millis()
                        ),
                    )
                })?
                .map_err(|e| Error::network(format!("connecting to {addr}"), e))?;
            stream
                .set_nodelay(true)
                .map_err(|e| Error::network(format!("configuring socket to {addr}"), e))?;
            Ok(Box::new(stream) as BoxTransport)
        })
    }
}
