"""``ferrokafka.testing``: the bundled ferrokafka broker, in-process, for tests.

``LocalBroker`` is a context manager: the broker starts on a free loopback port with its data in
a temporary directory (removed on exit) and stops on exit. The pytest plugin
(``ferrokafka.testing.pytest_plugin``, registered as an entry point) provides ``kafka_broker``.
"""
import shutil
import tempfile

from ferrokafka._native import NativeBroker

_TEST_DEFAULTS = {
    # A test joins a group and expects partitions at once, not after Kafka's 3 s delay.
    "group.initial.rebalance.delay.ms": "0",
}


class LocalBroker:
    """A ferrokafka broker in this process. ``config``: Kafka broker settings (``num.partitions``,
    ``message.max.bytes``...)."""

    def __init__(self, config=None, host="127.0.0.1", port=0, data_dir=None):
        self._config = dict(_TEST_DEFAULTS)
        self._config.update({str(k): str(v) for k, v in (config or {}).items()})
        self._listen = "%s:%d" % (host, port)
        self._data_dir = data_dir
        self._own_dir = None
        self._native = None

    def start(self):
        if self._native is not None:
            return self
        if self._data_dir is None:
            self._own_dir = tempfile.mkdtemp(prefix="ferrokafka-broker-")
        self._native = NativeBroker(self._data_dir or self._own_dir, self._listen, self._config)
        return self

    def stop(self):
        if self._native is not None:
            self._native.stop()
            self._native = None
        if self._own_dir is not None:
            shutil.rmtree(self._own_dir, ignore_errors=True)
            self._own_dir = None

    @property
    def bootstrap_servers(self):
        """``host:port`` for ``bootstrap_servers``."""
        return self._native.bootstrap_servers

    @property
    def port(self):
        return self._native.port

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


__all__ = ["LocalBroker"]
