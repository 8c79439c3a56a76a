//! The listener and the per-connection loop.
//!
//! Owns: accepting connections (capped by `max.connections`), reading pipelined requests one at
//! a time and answering them in order, batching response writes while more requests are already
//! buffered, the TLS handshake and SASL gate of secured listeners (see `security`), and shutdown (a watch channel every connection selects on; the server waits until
//! every connection task has finished). A frame that cannot be decoded closes only its own
//! connection. Acting on requests is the handlers' job.

use std::sync::Arc;

use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, BufWriter};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use crate::context::{ConnectionContext, RequestContext};
use crate::handler;
use crate::security::sasl::{Authenticator, Verdict};
use crate::security::{tls, ListenerSecurity};
use crate::state::{BrokerState, Endpoint};
use crate::wire::{self, Decoded, WireError};

/// Accepts connections until `shutdown` turns true, then waits for every connection to finish.
pub async fn serve(
    listener: TcpListener,
    endpoint: Endpoint,
    security: ListenerSecurity,
    state: Arc<BrokerState>,
    mut shutdown: watch::Receiver<bool>,
) {
    let limit = Arc::new(Semaphore::new(
        state.config.max_connections.min(Semaphore::MAX_PERMITS),
    ));
    let mut connections = JoinSet::new();
    loop {
        let permit = tokio::select! {
            p = limit.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = shutdown.changed() => break,
        };
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = shutdown.changed() => break,
        };
        match accepted {
            Ok((stream, peer)) => {
                let state = state.clone();
                let shutdown = shutdown.clone();
                let _ = stream.set_nodelay(true);
                let conn = ConnectionContext::new(
                    peer,
                    &endpoint.listener.name,
                    endpoint.security_protocol,
                );
                let auth = security.sasl.clone().map(Authenticator::new);
                let tls = security.tls.clone();
                connections.spawn(async move {
                    match tls {
                        None => {
                            run_connection(stream.into_split(), conn, auth, state, shutdown).await
                        }
                        Some(acceptor) => {
                            let mut conn = conn;
                            // TLS bytes are produced in user space: no zero-copy sends.
                            conn.copy_only = true;
                            if let Some(tls) = tls::accept(&acceptor, stream, &conn).await {
                                run_connection(tokio::io::split(tls), conn, auth, state, shutdown)
                                    .await;
                            }
                        }
                    }
                    drop(permit);
                });
            }
            Err(e) => {
                // Out of file descriptors and similar: back off instead of spinning.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
        // Reap finished connection tasks so the set does not grow without bound.
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
}

/// Serves one connection over any byte stream split into its read and write halves (a TCP
/// stream, or a TLS stream after its handshake).
async fn run_connection<R, W>(
    (r, w): (R, W),
    conn: ConnectionContext,
    mut auth: Option<Authenticator>,
    state: Arc<BrokerState>,
    mut shutdown: watch::Receiver<bool>,
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let peer = conn.peer;
    let mut reader = BufReader::with_capacity(64 * 1024, r);
    let mut writer = BufWriter::with_capacity(64 * 1024, w);
    let socket_max = state.config.socket_request_max_bytes;
    let mut out = BytesMut::with_capacity(16 * 1024);
    loop {
        // Before SASL authentication only small frames are read (sasl.server.max.receive.size).
        let max = auth
            .as_ref()
            .and_then(|a| a.max_frame(socket_max))
            .unwrap_or(socket_max);
        let frame = tokio::select! {
            f = wire::read_frame(&mut reader, max) => f,
            _ = shutdown.changed() => break,
        };
        let frame = match frame {
            Ok(f) => f,
            Err(WireError::Eof) => break,
            Err(e) => {
                tracing::warn!(%peer, error = %e, "closing connection");
                break;
            }
        };
        out.clear();
        if let Some(a) = auth.as_mut().filter(|a| a.expects_raw_token()) {
            // After SaslHandshake v0 the SASL tokens travel as bare frames.
            match a.raw_token(&conn, &frame) {
                Ok(reply) => {
                    out.extend_from_slice(&(reply.len() as i32).to_be_bytes());
                    out.extend_from_slice(&reply);
                    if writer.write_all(&out).await.is_err() || writer.flush().await.is_err() {
                        break;
                    }
                    continue;
                }
                Err(reason) => {
                    tracing::warn!(%peer, listener = %conn.listener_name, %reason, "closing connection: SASL authentication failed");
                    break;
                }
            }
        }
        let mut close_after = None;
        match wire::decode_request(frame) {
            Ok(Decoded::ApiVersionsFallback { correlation_id }) => {
                wire::encode_api_versions_fallback(&mut out, correlation_id);
            }
            Ok(Decoded::Request { header, api, body }) => {
                let version = header.request_api_version;
                let correlation_id = header.correlation_id;
                let ctx = RequestContext {
                    connection: &conn,
                    client_id: header
                        .client_id
                        .as_ref()
                        .map(|c| c.as_str().to_string())
                        .unwrap_or_default(),
                    api_key: api,
                    api_version: version,
                    correlation_id,
                    authorizer: state.authorizer.clone(),
                };
                let verdict = match auth.as_mut() {
                    Some(a) => a.check(&conn, api, version, &body),
                    None => Verdict::Dispatch,
                };
                let response = match verdict {
                    Verdict::Dispatch => handler::dispatch(&state, &ctx, *body).await,
                    Verdict::Reply(r) => Some(r),
                    Verdict::ReplyAndClose(r, reason) => {
                        close_after = Some(reason);
                        Some(r)
                    }
                    Verdict::Close(reason) => {
                        tracing::warn!(%peer, listener = %conn.listener_name, %reason, "closing connection");
                        break;
                    }
                };
                let Some(response) = response else {
                    continue; // acks=0 produce: Kafka sends nothing back.
                };
                if let Err(e) =
                    wire::encode_response(&mut out, api, version, correlation_id, &response)
                {
                    tracing::error!(%peer, ?api, version, error = %e, "cannot encode response; closing connection");
                    break;
                }
            }
            Err(e) => {
                tracing::warn!(%peer, error = %e, "closing connection");
                break;
            }
        }
        if writer.write_all(&out).await.is_err() {
            break;
        }
        if let Some(reason) = close_after {
            tracing::warn!(%peer, listener = %conn.listener_name, %reason, "closing connection");
            break;
        }
        // Flush unless the client has already pipelined the next request.
        if reader.buffer().is_empty() && writer.flush().await.is_err() {
            break;
        }
    }
    let _ = writer.flush().await;
    let _ = writer.shutdown().await;
}
