"""Just enough of the Kafka wire protocol to ask a broker "are you up?" — stdlib only.

Owns: ApiVersions v0 and Metadata v1 probes used by the harness to wait for readiness.
Must not: grow into a client; tests use real third-party clients.
"""

from __future__ import annotations

import socket
import struct

API_VERSIONS = 18
METADATA = 3


def _request(api_key: int, version: int, body: bytes, client_id: str = "ferrokafka-harness") -> bytes:
    cid = client_id.encode()
    header = struct.pack(">hhih", api_key, version, 1, len(cid)) + cid
    frame = header + body
    return struct.pack(">i", len(frame)) + frame


def _round_trip(host: str, port: int, request: bytes, timeout: float) -> bytes:
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.settimeout(timeout)
        sock.sendall(request)
        size = struct.unpack(">i", _read_exact(sock, 4))[0]
        if size < 4 or size > 64 * 1024 * 1024:
            raise ConnectionError(f"implausible response size {size}")
        payload = _read_exact(sock, size)
    correlation_id = struct.unpack(">i", payload[:4])[0]
    if correlation_id != 1:
        raise ConnectionError(f"unexpected correlation id {correlation_id}")
    return payload[4:]


def _read_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed by broker")
        buf += chunk
    return bytes(buf)


def api_versions_ok(host: str, port: int, timeout: float = 2.0) -> bool:
    """True when the broker answers ApiVersions v0 with error code 0."""
    try:
        body = _round_trip(host, port, _request(API_VERSIONS, 0, b""), timeout)
    except OSError:
        return False
    return len(body) >= 2 and struct.unpack(">h", body[:2])[0] == 0


def metadata_broker_ids(host: str, port: int, timeout: float = 2.0) -> list[int] | None:
    """Broker ids listed by a Metadata v1 request for no topics, or None if it does not answer."""
    try:
        # v1 topics: an empty array means "no topics" (null would mean all).
        body = _round_trip(host, port, _request(METADATA, 1, struct.pack(">i", 0)), timeout)
        (count,) = struct.unpack_from(">i", body, 0)
        pos = 4
        ids = []
        for _ in range(count):
            (node_id,) = struct.unpack_from(">i", body, pos)
            pos += 4
            (host_len,) = struct.unpack_from(">h", body, pos)
            pos += 2 + max(host_len, 0) + 4  # host, port
            (rack_len,) = struct.unpack_from(">h", body, pos)
            pos += 2 + max(rack_len, 0)
            ids.append(node_id)
        return ids
    except (OSError, struct.error):
        return None
