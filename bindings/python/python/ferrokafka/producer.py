"""``KafkaProducer``: kafka-python's producer over the native core.

Owns the kafka-python surface: config names (``ferrokafka._config``), serializers (run here,
on the calling thread), a custom Python partitioner, argument checks with kafka-python's
exceptions, and running the callbacks of ``FutureRecordMetadata`` on the application's thread
(during ``send``/``flush``/``get``/``close``/``poll_callbacks``). The future itself is native
(``ferrokafka._native.FutureRecordMetadata``, its Python half in ``ferrokafka._future_impl``).
Batching, partitioning, retries and idempotence are the core's.
"""
import logging
import warnings

from ferrokafka import _config, errors as Errors
from ferrokafka._future_impl import RecordMetadata, settled as _settled
from ferrokafka._native import FutureRecordMetadata, NativeAdmin, NativeProducer
from ferrokafka._topics import ensure_valid_topic_name
from ferrokafka.serializer import _serializer_fn

log = logging.getLogger(__name__)

class KafkaProducer:
    """kafka-python's ``KafkaProducer(**configs)``; see kafka-python's documentation."""

    def __init__(self, **configs):
        if "buffer_memory" in configs:
            warnings.warn("buffer_memory is deprecated in kafka-python; the core still honours it",
                          DeprecationWarning, stacklevel=2)
        core, py = _config.translate(configs, _config.PRODUCER, _config.PRODUCER_PYTHON,
                                     _config.PRODUCER_IGNORED, "producer")
        self.config = dict(configs)
        self._core_config = core
        self._key_ser = _serializer_fn(py.get("key_serializer"), "serialize")
        self._value_ser = _serializer_fn(py.get("value_serializer"), "serialize")
        self._partitioner = py.get("partitioner")
        self._max_request_size = int(core.get("max.request.size", 1048576))
        self._native = NativeProducer(core)
        self._native.bind(self)
        if (self._key_ser is None and self._value_ser is None and self._partitioner is None
                and type(self).send is KafkaProducer.send):
            # No serializer or partitioner to run in Python: send is the native send_plain
            # (a vectorcall builtin on Python 3.10+), which takes plain records straight to the
            # core and the rest to _send_checked.
            self.send = self._native.send_function()
        self._admin = None
        self._watching = {}
        self._valid_topics = set()
        self._closed = False

    # ---- sending ---------------------------------------------------------------------------

    def send(self, topic, value=None, key=None, headers=None, partition=None, timestamp_ms=None):
        """Publishes a record; returns a ``FutureRecordMetadata``."""
        # The hot path of a producer with serializers (without, __init__ installs the native
        # send_plain, which comes here for anything but plain bytes): kept inline on purpose.
        if self._closed:
            raise Errors.IllegalStateError("KafkaProducer already closed!")
        if value is None and key is None:
            raise ValueError("Need at least one: key or value")
        if topic not in self._valid_topics:
            ensure_valid_topic_name(topic)
            self._valid_topics.add(topic)
        if headers:
            if not isinstance(headers, list):
                raise TypeError("headers must be list-type")
            if not all(isinstance(h, tuple) and len(h) == 2 and isinstance(h[0], str)
                       and isinstance(h[1], (bytes, type(None))) for h in headers):
                raise TypeError("All headers items must be (str, bytes) tuples")
        elif headers is not None and not isinstance(headers, list):
            raise TypeError("headers must be list-type")
        else:
            headers = None
        if self._key_ser is not None:
            key = self._key_ser(topic, headers or [], key)
        if key is not None and type(key) is not bytes:
            key = _as_bytes(key, "key")
        if self._value_ser is not None:
            value = self._value_ser(topic, headers or [], value)
        if value is not None and type(value) is not bytes:
            value = _as_bytes(value, "value")
        if partition is None and self._partitioner is not None:
            partition = self._custom_partition(topic, key)
        if self._watching:
            self._run_callbacks()
        # A record too large, or sent after close, raises here as in kafka-python.
        return self._native.send(self, topic, partition, key, value, headers, timestamp_ms)

    _send_checked = send

    def _key_bytes(self, topic, headers, key):
        if self._key_ser is not None:
            key = self._key_ser(topic, headers, key)
        return key if key is None or type(key) is bytes else _as_bytes(key, "key")

    def _value_bytes(self, topic, headers, value):
        if self._value_ser is not None:
            value = self._value_ser(topic, headers, value)
        return value if value is None or type(value) is bytes else _as_bytes(value, "value")

    def _send_serialized(self, topic, key_bytes, value_bytes, headers, partition, timestamp_ms):
        if topic not in self._valid_topics:
            ensure_valid_topic_name(topic)
            self._valid_topics.add(topic)
        if self._watching:
            self._run_callbacks()
        return self._native.send(self, topic, partition, key_bytes, value_bytes, headers or None,
                                 timestamp_ms)

    def _custom_partition(self, topic, key_bytes):
        parts = sorted(self.partitions_for(topic))
        return self._partitioner(key_bytes, parts, parts)

    def _run_callbacks(self, all_done=False):
        """Completes watched futures whose records were delivered; runs their callbacks here.
        ``all_done``: after a flush or close every watched record has its outcome (the core's
        completion reaches the future a moment later), so wait for each briefly."""
        if all_done:
            watching, self._watching = self._watching, {}
            for fut in watching.values():
                fut.wait(30.0)
                _settled(fut)
            self._native.take_completed()
            return
        for i in self._native.take_completed():
            fut = self._watching.pop(i, None)
            if fut is not None:
                _settled(fut)

    def poll_callbacks(self):
        """Runs callbacks of records delivered so far (they also run on send/flush/get/close)."""
        self._run_callbacks()

    def flush(self, timeout=None):
        """Waits until every record sent so far is delivered or failed (``timeout`` in seconds)."""
        self._native.flush(timeout)
        self._run_callbacks(all_done=True)

    def close(self, timeout=None, null_logger=False):
        """Delivers what is queued (waiting up to ``timeout`` seconds), then closes.

        Like kafka-python's, it does not raise what failed the producer (a fatal error such as
        an authorisation or authentication failure, or records left undelivered at the
        timeout): the sends it failed already carry that error in their futures; it is logged
        here as a warning.
        """
        if self._closed:
            return
        self._closed = True
        self._native.mark_closed()
        try:
            self._native.close(timeout)
        except Errors.KafkaError as e:
            log.warning("producer closed after an error: %s", e)
        finally:
            self._run_callbacks(all_done=True)
            if self._admin is not None:
                self._admin.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        # Like kafka-python: an unclosed producer still delivers what it queued in the
        # background (the core drains it); nothing to do on the Python side.
        pass

    # ---- metadata and metrics -------------------------------------------------------------

    def _admin_client(self):
        if self._admin is None:
            keep = ("bootstrap.servers", "client.id", "security.protocol", "request.timeout.ms")
            # The producer's TLS and SASL settings too: the admin connects the same way.
            cfg = {k: v for k, v in self._core_config.items()
                   if k in keep or k.startswith(("ssl.", "sasl.", "enable.ssl."))}
            # Metadata lookups wait as long as kafka-python's send waits for metadata.
            cfg["default.api.timeout.ms"] = self._core_config.get(
                "request.timeout.ms", self._core_config.get("max.block.ms", "60000"))
            self._admin = NativeAdmin(cfg)
        return self._admin

    def partitions_for(self, topic):
        """The set of partition ids of ``topic``."""
        topics = self._admin_client().describe_topics([topic])
        return {p["partition"] for t in topics for p in t["partitions"]}

    def bootstrap_connected(self):
        """Whether a broker of ``bootstrap_servers`` answers (a Metadata request: it needs no
        ACL, where DescribeCluster may)."""
        try:
            self._admin_client().list_topics(False)
            return True
        except Errors.KafkaError:
            return False

    def metrics(self, raw=False):
        """``{'producer-metrics': {name: value}}`` (Kafka's metric names)."""
        m = self._native.metrics()
        return m if raw else {"producer-metrics": m}

    # ---- transactions (not in the core yet) -----------------------------------------------

    def _no_transactions(self, *args, **kwargs):
        raise Errors.IllegalStateError(
            "transactions are not supported by ferrokafka yet; use an idempotent producer")

    init_transactions = begin_transaction = commit_transaction = abort_transaction = _no_transactions
    send_offsets_to_transaction = _no_transactions


def _as_bytes(b, what):
    if b is None or type(b) is bytes:
        return b
    if isinstance(b, (bytearray, memoryview)):
        return bytes(b)
    raise TypeError("Unsupported type for serialized %s: %s" % (what, type(b)))


__all__ = ["KafkaProducer", "FutureRecordMetadata", "RecordMetadata"]
