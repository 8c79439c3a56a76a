"""kafka-python configuration names -> the core's Java property names.

Owns each client's accepted keys (kafka-python 3.x names plus the 2.x ones), which map to a
core property, which the Python layer consumes itself (serializers, partitioner, timeouts of
the iterator), and which are accepted and ignored because they tune kafka-python's own socket
layer. An unknown key raises ``KafkaConfigurationError``; a bad value is reported by the core
(also ``KafkaConfigurationError``) naming the property.
"""
import itertools

from ferrokafka import errors as Errors

_COMMON = {
    "bootstrap_servers": "bootstrap.servers",
    "client_id": "client.id",
    "request_timeout_ms": "request.timeout.ms",
    "retry_backoff_ms": "retry.backoff.ms",
    "reconnect_backoff_ms": "reconnect.backoff.ms",
    "reconnect_backoff_max_ms": "reconnect.backoff.max.ms",
    "metadata_max_age_ms": "metadata.max.age.ms",
    "connections_max_idle_ms": "connections.max.idle.ms",
    "security_protocol": "security.protocol",
    # TLS and SASL: kafka-python's names onto the core's (librdkafka/Java) properties.
    "ssl_cafile": "ssl.ca.location",
    "ssl_certfile": "ssl.certificate.location",
    "ssl_keyfile": "ssl.key.location",
    "ssl_check_hostname": "ssl.endpoint.identification.algorithm",
    # Translated by _cipher_suites (OpenSSL list -> the core's suites).
    "ssl_ciphers": "ssl.cipher.suites",
    "sasl_mechanism": "sasl.mechanism",
    "sasl_plain_username": "sasl.username",
    "sasl_plain_password": "sasl.password",
    # aiokafka: an ssl.SSLContext from ferrokafka.aio.helpers.create_ssl_context (see there).
    "ssl_context": "ssl.context",
    "metrics_num_samples": "metrics.num.samples",
    "metrics_sample_window_ms": "metrics.sample.window.ms",
}

# Settings of kafka-python's own network layer (or features the protocol handles for us).
_IGNORED_COMMON = {
    "receive_buffer_bytes", "send_buffer_bytes", "socket_options", "sock_chunk_bytes",
    "sock_chunk_buffer_count", "api_version", "api_version_auto_timeout_ms",
    "bootstrap_timeout_ms", "selector", "metric_reporters", "metrics_enabled",
    "client_dns_lookup", "receive_message_max_bytes", "proxy_url", "socks5_proxy",
    "kafka_client", "max_in_flight_requests_per_connection_admin", "ssl_crlfile",
    "ssl_password", "sasl_kerberos_name", "sasl_kerberos_service_name",
    "sasl_kerberos_domain_name", "sasl_oauth_token_provider", "allow_auto_create_topics",
    "bootstrap_topics_filter", "loop",
}

PRODUCER = dict(_COMMON, **{
    "acks": "acks",
    "compression_type": "compression.type",
    "retries": "retries",
    "batch_size": "batch.size",
    "linger_ms": "linger.ms",
    "buffer_memory": "buffer.memory",
    "max_block_ms": "max.block.ms",
    "max_request_size": "max.request.size",
    "enable_idempotence": "enable.idempotence",
    "max_in_flight_requests_per_connection": "max.in.flight.requests.per.connection",
    "delivery_timeout_ms": "delivery.timeout.ms",
    "transactional_id": "transactional.id",
    # aiokafka's name for batch_size
    "max_batch_size": "batch.size",
})
PRODUCER_PYTHON = {"key_serializer", "value_serializer", "partitioner"}
PRODUCER_IGNORED = _IGNORED_COMMON | {"transaction_timeout_ms"}

CONSUMER = dict(_COMMON, **{
    "allow_auto_create_topics": "allow.auto.create.topics",
    "group_id": "group.id",
    "group_instance_id": "group.instance.id",
    "fetch_max_wait_ms": "fetch.max.wait.ms",
    "fetch_min_bytes": "fetch.min.bytes",
    "fetch_max_bytes": "fetch.max.bytes",
    "max_partition_fetch_bytes": "max.partition.fetch.bytes",
    "auto_offset_reset": "auto.offset.reset",
    "enable_auto_commit": "enable.auto.commit",
    "auto_commit_interval_ms": "auto.commit.interval.ms",
    "isolation_level": "isolation.level",
    "check_crcs": "check.crcs",
    "max_poll_records": "max.poll.records",
    "max_poll_interval_ms": "max.poll.interval.ms",
    "session_timeout_ms": "session.timeout.ms",
    "heartbeat_interval_ms": "heartbeat.interval.ms",
    "partition_assignment_strategy": "partition.assignment.strategy",
    "client_rack": "client.rack",
})
CONSUMER_PYTHON = {"key_deserializer", "value_deserializer", "consumer_timeout_ms",
                   "default_offset_commit_callback"}
CONSUMER_IGNORED = _IGNORED_COMMON | {
    "enable_incremental_fetch_sessions", "exclude_internal_topics",
    "metric_group_prefix", "legacy_iterator", "max_in_flight_requests_per_connection",
    "rebalance_timeout_ms",
}

ADMIN = dict(_COMMON)
ADMIN_IGNORED = _IGNORED_COMMON | {"max_in_flight_requests_per_connection"}

_ASSIGNORS = {
    "range": "range", "roundrobin": "roundrobin", "sticky": "cooperative-sticky",
    "cooperative-sticky": "cooperative-sticky", "cooperative_sticky": "cooperative-sticky",
    "rangepartitionassignor": "range", "roundrobinpartitionassignor": "roundrobin",
    "stickypartitionassignor": "cooperative-sticky",
    "cooperativestickypartitionassignor": "cooperative-sticky",
}

# kafka-python 3.0.12's default client ids: consumers and admin clients send
# 'kafka-python-<version>', producers 'kafka-python-producer-<n>' (n counts producers).
KAFKA_PYTHON_CLIENT_ID = "kafka-python-3.0.12"
_producer_ids = itertools.count(1)


def default_client_id(kind):
    """The client id kafka-python gives a ``kind`` client created without one."""
    if kind == "producer":
        return "kafka-python-producer-%d" % next(_producer_ids)
    return KAFKA_PYTHON_CLIENT_ID


def _assignor_name(a):
    name = a if isinstance(a, str) else getattr(a, "name", None) or getattr(a, "__name__", "")
    found = _ASSIGNORS.get(str(name).lower())
    if found is None:
        raise Errors.KafkaConfigurationError(
            "partition_assignment_strategy: unsupported assignor %r; use range, roundrobin or "
            "sticky (cooperative-sticky)" % (a,))
    return found


# What `SSLContext.set_ciphers` leaves alone: it sets TLS 1.2 suites only, TLS 1.3 keeps these.
_TLS13_SUITES = "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256"


def _cipher_suites(ciphers):
    """kafka-python's ``ssl_ciphers`` (OpenSSL's list, given to ``SSLContext.set_ciphers``) as
    the core's ``ssl.cipher.suites``: the listed TLS 1.2 suites plus every TLS 1.3 suite, as
    ``set_ciphers`` leaves TLS 1.3 alone (an OpenSSL expression keeps the core's defaults)."""
    if not isinstance(ciphers, str):
        raise Errors.KafkaConfigurationError("ssl_ciphers: expected an OpenSSL cipher list string")
    names = ciphers.strip().strip(":")
    return names + ":" + _TLS13_SUITES if names else None


def _value(key, v):
    if key == "ssl.endpoint.identification.algorithm":
        return "https" if v else ""
    if key == "bootstrap.servers":
        if isinstance(v, (list, tuple, set)):
            return ",".join(str(s) for s in v)
        return str(v)
    if key == "compression.type":
        return "none" if v is None else str(v)
    if key == "retries" and isinstance(v, float) and v == float("inf"):
        return "2147483647"
    if key == "partition.assignment.strategy":
        items = v if isinstance(v, (list, tuple)) else [v]
        names = []
        for a in items:
            n = _assignor_name(a)
            if n not in names:
                names.append(n)
        return ",".join(names)
    if key == "auto.offset.reset":
        return {"smallest": "earliest", "largest": "latest"}.get(v, str(v))
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _ssl_context_settings(ctx):
    """The core's TLS properties for an aiokafka ``ssl_context``.

    An ``ssl.SSLContext`` cannot be read back (its CA and certificate files are gone once
    loaded), so only contexts made by ``ferrokafka.aio.helpers.create_ssl_context`` (aiokafka's
    ``create_ssl_context`` signature) are accepted: they record the files they loaded.
    """
    files = getattr(ctx, "_ferrokafka_files", None)
    if files is None:
        raise Errors.KafkaConfigurationError(
            "ssl_context: an ssl.SSLContext cannot be read back; build it with "
            "ferrokafka.aio.helpers.create_ssl_context(cafile=..., certfile=..., keyfile=...) "
            "or pass ssl_cafile/ssl_certfile/ssl_keyfile")
    out = {}
    for attr, prop in (("cafile", "ssl.ca.location"), ("certfile", "ssl.certificate.location"),
                       ("keyfile", "ssl.key.location")):
        if files.get(attr):
            out[prop] = str(files[attr])
    out["ssl.endpoint.identification.algorithm"] = "https" if ctx.check_hostname else ""
    return out


def translate(configs, mapping, python_keys, ignored, kind):
    """``(core_pairs, python_settings)`` for kafka-python ``configs``; unknown keys raise."""
    unknown = [k for k in configs if k not in mapping and k not in python_keys and k not in ignored]
    if unknown:
        # kafka-python's wording: the producer shows the unknown {key: value}s, the consumer
        # and admin client the set of unknown keys.
        shown = {k: configs[k] for k in unknown} if kind == "producer" else set(unknown)
        raise Errors.UnrecognizedConfigsError("Unrecognized configs: %s" % (shown,))
    core = {}
    py = {}
    for k, v in configs.items():
        if k in python_keys:
            py[k] = v
        elif k == "ssl_password" and v is not None:
            raise Errors.KafkaConfigurationError(
                "ssl_password: encrypted private keys are not supported; give ssl_keyfile an "
                "unencrypted PKCS#8 PEM key (openssl pkcs8 -topk8 -nocrypt)")
        elif k == "ssl_context" and v is not None:
            core.update(_ssl_context_settings(v))
        elif k == "ssl_ciphers" and v is not None:
            suites = _cipher_suites(v)
            if suites:
                core["ssl.cipher.suites"] = suites
        elif k in mapping and v is not None:
            prop = mapping[k]
            core[prop] = _value(prop, v)
        elif k in mapping and k == "compression_type":
            core["compression.type"] = "none"
    core.setdefault("bootstrap.servers", "localhost:9092")
    servers = []
    for s in core["bootstrap.servers"].split(","):
        s = s.strip()
        if s and ":" not in s:
            s += ":9092"
        if s:
            servers.append(s)
    core["bootstrap.servers"] = ",".join(servers)
    if kind == "admin" and "request.timeout.ms" in core:
        # kafka-python bounds each admin call by request_timeout_ms.
        core.setdefault("default.api.timeout.ms", core["request.timeout.ms"])
    if core.get("client.id") is None:
        core["client.id"] = default_client_id(kind)
    return core, py
