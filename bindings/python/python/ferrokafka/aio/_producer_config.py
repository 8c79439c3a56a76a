"""aiokafka's ``AIOKafkaProducer`` keyword arguments and their checks (mapped to the sync
``KafkaProducer``'s configuration), and ``estimate_size``: the upper bound aiokafka checks a
record against ``max_request_size`` with (a v2 batch holding only that record)."""

_KEYS = {
    "bootstrap_servers", "client_id", "metadata_max_age_ms", "request_timeout_ms", "api_version",
    "acks", "key_serializer", "value_serializer", "compression_type", "max_batch_size",
    "partitioner", "max_request_size", "linger_ms", "retry_backoff_ms", "security_protocol",
    "ssl_context", "connections_max_idle_ms", "enable_idempotence", "transactional_id",
    "transaction_timeout_ms", "sasl_mechanism", "sasl_plain_password", "sasl_plain_username",
    "sasl_kerberos_service_name", "sasl_kerberos_domain_name", "sasl_oauth_token_provider",
    # ferrokafka's own: TLS files where an ssl_context cannot be read back (aio/helpers.py)
    "ssl_cafile", "ssl_certfile", "ssl_keyfile",
}
_BATCH_HEADER = 61  # a v2 record batch's header
_RECORD_OVERHEAD = 21  # a record's length, attributes, offset and timestamp deltas at most


_producers = 0


def sync_config(configs):
    """The sync producer's config for aiokafka ``configs``, with aiokafka's defaults (``acks=1``,
    or ``all`` when idempotent; a transactional id implies idempotence); raises what aiokafka's
    constructor raises for an unknown keyword, ``acks`` or ``compression_type``."""
    unknown = set(configs) - _KEYS
    if unknown:
        raise TypeError("AIOKafkaProducer.__init__() got an unexpected keyword argument %r"
                        % sorted(unknown)[0])
    cfg = dict(configs)
    acks = cfg.get("acks")
    if "acks" in cfg and acks not in (0, 1, -1, "all"):
        raise ValueError("Invalid ACKS parameter")
    if cfg.get("compression_type") not in ("gzip", "snappy", "lz4", "zstd", None):
        raise ValueError("Invalid compression type!")
    idempotent = bool(cfg.get("enable_idempotence")) or cfg.get("transactional_id") is not None
    if idempotent:
        if "acks" not in cfg:
            cfg["acks"] = "all"
        elif acks not in ("all", -1):
            raise ValueError(f"acks={acks} not supported if enable_idempotence=True")
    cfg["enable_idempotence"] = idempotent
    cfg.setdefault("acks", 1)
    cfg.setdefault("bootstrap_servers", "localhost")
    # aiokafka counts every producer it creates and names one without a client id by the count.
    global _producers
    _producers += 1
    if cfg.get("client_id") is None:
        cfg["client_id"] = "aiokafka-producer-%d" % _producers
    cfg.pop("transactional_id", None) if cfg.get("transactional_id") is None else None
    return cfg


def _varint_size(n):
    n = (n << 1) ^ (n >> 63)  # zigzag
    size = 1
    while n >= 0x80:
        n >>= 7
        size += 1
    return size


def _field_size(data):
    return 1 if data is None else _varint_size(len(data)) + len(data)


def estimate_size(key, value, headers):
    """``key``/``value`` bytes (or None) and ``[(str, bytes | None)]`` headers."""
    size = _BATCH_HEADER + _RECORD_OVERHEAD + _field_size(key) + _field_size(value)
    size += _varint_size(len(headers))
    for k, v in headers:
        size += _field_size(k.encode("utf-8")) + _field_size(v)
    return size
