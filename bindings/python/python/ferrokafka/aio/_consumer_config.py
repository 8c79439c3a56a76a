"""aiokafka's ``AIOKafkaConsumer`` keyword arguments and their checks, mapped to the sync
``KafkaConsumer``'s (kafka-python) configuration."""

# aiokafka 0.14's AIOKafkaConsumer keywords (besides loop).
_KEYS = {
    "bootstrap_servers", "client_id", "group_id", "group_instance_id", "key_deserializer",
    "value_deserializer", "fetch_max_wait_ms", "fetch_max_bytes", "fetch_min_bytes",
    "max_partition_fetch_bytes", "request_timeout_ms", "retry_backoff_ms", "auto_offset_reset",
    "enable_auto_commit", "auto_commit_interval_ms", "check_crcs", "metadata_max_age_ms",
    "partition_assignment_strategy", "max_poll_interval_ms", "rebalance_timeout_ms",
    "session_timeout_ms", "heartbeat_interval_ms", "consumer_timeout_ms", "max_poll_records",
    "ssl_context", "security_protocol", "api_version", "exclude_internal_topics",
    "connections_max_idle_ms", "isolation_level", "sasl_mechanism", "sasl_plain_password",
    "sasl_plain_username", "sasl_kerberos_service_name", "sasl_kerberos_domain_name",
    "sasl_oauth_token_provider", "client_rack",
    # ferrokafka's own: TLS files where an ssl_context cannot be read back (aio/helpers.py)
    "ssl_cafile", "ssl_certfile", "ssl_keyfile",
}
# Keys the sync consumer has no use for (aiokafka-only or handled by the aio layer).
_DROPPED = {"consumer_timeout_ms", "rebalance_timeout_ms", "max_poll_records"}
# aiokafka's defaults where the sync consumer's differ; its metadata requests let the broker
# create a topic they name.
_DEFAULTS = {"bootstrap_servers": "localhost", "client_id": "aiokafka-0.14.0", "session_timeout_ms": 10000,
             "auto_offset_reset": "latest", "partition_assignment_strategy": ("roundrobin",),
             "allow_auto_create_topics": True}


def sync_config(configs):
    """The sync consumer's config for aiokafka ``configs``; raises what aiokafka's constructor
    raises for an unknown keyword or a bad ``max_poll_records``."""
    unknown = set(configs) - _KEYS
    if unknown:
        raise TypeError("AIOKafkaConsumer.__init__() got an unexpected keyword argument %r"
                        % sorted(unknown)[0])
    mpr = configs.get("max_poll_records")
    if mpr is not None and (not isinstance(mpr, int) or mpr < 1):
        raise ValueError("`max_poll_records` should be positive Integer")
    cfg = dict(_DEFAULTS)
    cfg.update((k, v) for k, v in configs.items() if k not in _DROPPED)
    return cfg
