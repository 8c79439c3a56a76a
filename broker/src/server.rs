//! The listener and the per-connection loop.
//!
//! Owns: accepting connections (capped by `max.connections`), reading pipelined requests one at
//! a time and answering them in order, batching response writes while more requests are already
//! buffered (but never holding them behind a request that parks), the TLS handshake and SASL
//! gate of secured listeners (see `security`), and shutdown (a watch channel every connection
//! selects on; the server waits until every connection task has finished). A frame that cannot
//! be decoded closes only its own connection. Acting on requests is the handlers' job. At debug
//! level it logs each request read and each response written per connection (id, API,
//! correlation id, whether flushed): the trail issue 13 was diagnosed with.

use std::future::Future;
use std::sync::Arc;
use std::task::Poll;

use bytes::BytesMut;
use kafka_protocol::messages::{ApiKey, RequestKind};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, BufWriter};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use crate::context::{ConnectionContext, RequestContext};
use crate::handler;
use crate::response_out::{self, SendFileSocket};
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

/// Runs one request's handler. When it cannot answer at once (a parked JoinGroup or SyncGroup, a
/// long-poll fetch), the responses already written are flushed first: a response that is ready is
/// never held back behind a later request that waits (Kafka sends each as soon as it is ready).
/// Err when that flush fails (the connection is gone).
async fn answer_flushing_if_parked<F, W>(
    handler: F,
    writer: &mut BufWriter<W>,
) -> std::io::Result<F::Output>
where
    F: Future,
    W: AsyncWrite + Unpin,
{
    let mut handler = std::pin::pin!(handler);
    if let Poll::Ready(response) =
        std::future::poll_fn(|cx| Poll::Ready(handler.as_mut().poll(cx))).await
    {
        return Ok(response);
    }
    if !writer.buffer().is_empty() {
        writer.flush().await?;
    }
    Ok(handler.await)
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
    W: AsyncWrite + Unpin + SendFileSocket,
{
    let peer = conn.peer;
    let conn_id = conn.connection_id;
    tracing::debug!(conn = conn_id, %peer, "connection opened");
    let mut reader = BufReader::with_capacity(64 * 1024, r);
    let mut writer = BufWriter::with_capacity(64 * 1024, w);
    let socket_max = state.config.socket_request_max_bytes;
    let mut out = BytesMut::with_capacity(16 * 1024);
    let mut fetch_copy = response_out::CopyBuffer::default();
    // Fetch records go from segment files to the socket with sendfile on plain TCP; a
    // connection whose write half is not a TCP socket (TLS) copies them.
    let zero_copy = !conn.copy_only && response_out::zero_copy_for(&state.config, writer.get_ref());
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
            // Before authentication the SASL limit applies, not socket.request.max.bytes.
            Err(WireError::FrameSize { size, .. }) if max < socket_max => {
                tracing::warn!(%peer, size, limit = max, "closing connection: frame before SASL authentication exceeds sasl.server.max.receive.size");
                break;
            }
            Err(e) => {
                tracing::warn!(%peer, error = %e, "closing connection");
                break;
            }
        };
        out.clear();
        // The request answered by this frame, for the debug trail.
        let mut last: Option<(ApiKey, i32)> = None;
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
                tracing::debug!(
                    conn = conn_id,
                    ?api,
                    version,
                    correlation_id,
                    "request read"
                );
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
                let early = match verdict {
                    Verdict::Dispatch => None,
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
                if let Some(response) = early {
                    last = Some((api, correlation_id));
                    if let Err(e) =
                        wire::encode_response(&mut out, api, version, correlation_id, &response)
                    {
                        tracing::error!(%peer, ?api, version, error = %e, "cannot encode response; closing connection");
                        break;
                    }
                } else if let RequestKind::Fetch(req) = *body {
                    // A long-poll fetch parks too: what is already written goes out first.
                    let fetched = handler::fetch::handle(&state, &ctx, req);
                    let Ok(reply) = answer_flushing_if_parked(fetched, &mut writer).await else {
                        break;
                    };
                    last = Some((api, correlation_id));
                    let sent = match handler::fetch_frame::encode(version, correlation_id, &reply) {
                        Ok(chunks) => {
                            response_out::write_fetch_frame(
                                &mut writer,
                                &chunks,
                                zero_copy,
                                &mut fetch_copy,
                            )
                            .await
                        }
                        Err(e) => Err(std::io::Error::other(e.to_string())),
                    };
                    if let Err(e) = sent {
                        tracing::warn!(%peer, version, error = %e, "cannot send fetch response; closing connection");
                        break;
                    }
                } else {
                    let dispatched = handler::dispatch(&state, &ctx, *body);
                    let Ok(response) = answer_flushing_if_parked(dispatched, &mut writer).await
                    else {
                        break;
                    };
                    let Some(response) = response else {
                        tracing::debug!(
                            conn = conn_id,
                            ?api,
                            correlation_id,
                            "no response (acks=0)"
                        );
                        continue; // acks=0 produce: Kafka sends nothing back.
                    };
                    last = Some((api, correlation_id));
                    if let Err(e) =
                        wire::encode_response(&mut out, api, version, correlation_id, &response)
                    {
                        tracing::error!(%peer, ?api, version, error = %e, "cannot encode response; closing connection");
                        break;
                    }
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
        let flush = reader.buffer().is_empty();
        if let Some((api, correlation_id)) = last {
            tracing::debug!(
                conn = conn_id,
                ?api,
                correlation_id,
                bytes = out.len(),
                flush,
                "response written"
            );
        }
        if flush && writer.flush().await.is_err() {
            break;
        }
    }
    let _ = writer.flush().await;
    let _ = writer.shutdown().await;
    tracing::debug!(conn = conn_id, %peer, "connection closed");
}
