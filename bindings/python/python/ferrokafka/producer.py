"""``KafkaProducer``: kafka-python's producer over the native core.

Owns the kafka-python surface: config names (``ferrokafka._config``), serializers (run here,
on the calling thread), a custom Python partitioner, argument checks with kafka-python's
exceptions, ``FutureRecordMetadata`` whose callbacks run on the application's thread (during
``send``/``flush``/``get``/``close``/``poll_callbacks``), and ``RecordMetadata``. Batching,
partitioning, retries and idempotence are the core's.
"""
import collections
import logging
import warnings

from ferrokafka import _config, errors as Errors
from ferrokafka._native import NativeAdmin, NativeProducer
from ferrokafka._topics import ensure_valid_topic_name
from ferrokafka.future import Future
from ferrokafka.serializer import _serializer_fn
from ferrokafka.structs import TopicPartition

log = logging.getLogger(__name__)

RecordMetadata = collections.namedtuple(
    "RecordMetadata",
    ["topic", "partition", "topic_partition", "offset", "timestamp", "checksum",
     "serialized_key_size", "serialized_value_size", "serialized_header_size"])


class FutureRecordMetadata(Future):
    """The delivery result of one record (``get``, ``add_callback``, ``add_errback``...)."""

    # Class-level defaults keep construction cheap on the send path; Future's per-instance
    # state is created only when a callback is added or the outcome is read.
    is_done = False
    value = None
    exception = None
    _callbacks = ()
    _errbacks = ()
    _watched = False

    def __init__(self, producer, delivery, key, value, headers):
        self._producer = producer
        self._delivery = delivery
        self._record = (key, value, headers)  # sizes are computed when the metadata is built

    def _sizes(self):
        key, value, headers = self._record
        return (-1 if key is None else len(key), -1 if value is None else len(value),
                sum(len(k.encode("utf-8")) + len(v or b"") for k, v in headers) if headers else -1)

    def _settle(self):
        """Completes this future from the native outcome, if there is one (runs callbacks)."""
        if self.is_done:
            return True
        outcome = self._delivery.outcome()
        if outcome is None:
            return False
        ok, payload = outcome
        if ok:
            topic, partition, offset, timestamp = payload
            self.success(RecordMetadata(topic, partition, TopicPartition(topic, partition), offset,
                                        timestamp, None, *self._sizes()))
        else:
            self.failure(payload)
        return True

    def _watch(self):
        if not self._watched and not self.is_done:
            self._watched = True
            self._producer._watching[self._delivery.id] = self
            self._delivery.watch()

    def add_callback(self, f, *args, **kwargs):
        self._settle()
        if not self._callbacks:
            self._callbacks = []
        super().add_callback(f, *args, **kwargs)
        self._watch()
        return self

    def add_errback(self, f, *args, **kwargs):
        self._settle()
        if not self._errbacks:
            self._errbacks = []
        super().add_errback(f, *args, **kwargs)
        self._watch()
        return self

    def get(self, timeout=None):
        """The ``RecordMetadata``; raises the send's exception, or ``KafkaTimeoutError``."""
        if not self._settle():
            if not self._delivery.wait(timeout):
                raise Errors.KafkaTimeoutError("Timeout after waiting for %s secs." % (timeout,))
            self._settle()
        self._producer._run_callbacks()
        if self.exception:
            raise self.exception
        return self.value

    def succeeded(self):
        self._settle()
        return super().succeeded()

    def failed(self):
        self._settle()
        return super().failed()


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
        self._admin = None
        self._watching = {}
        self._valid_topics = set()
        self._closed = False

    # ---- sending ---------------------------------------------------------------------------

    def send(self, topic, value=None, key=None, headers=None, partition=None, timestamp_ms=None):
        """Publishes a record; returns a ``FutureRecordMetadata``."""
        # The hot path of every producer: kept inline on purpose.
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
        delivery = self._native.send((topic, partition, key, value, headers, timestamp_ms))
        future = FutureRecordMetadata(self, delivery, key, value, headers)
        if delivery.is_done():
            self._refused(future)
        return future

    @staticmethod
    def _refused(future):
        # Failed before it was queued: too large, closed... kafka-python raises these here.
        future._settle()
        if isinstance(future.exception, (Errors.MessageSizeTooLargeError, Errors.IllegalStateError)):
            raise future.exception

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
        delivery = self._native.send((topic, partition, key_bytes, value_bytes, headers or None, timestamp_ms))
        future = FutureRecordMetadata(self, delivery, key_bytes, value_bytes, headers)
        if delivery.is_done():
            self._refused(future)
        return future

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
                fut._delivery.wait(30.0)
                fut._settle()
            self._native.take_completed()
            return
        for i in self._native.take_completed():
            fut = self._watching.pop(i, None)
            if fut is not None:
                fut._settle()

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
