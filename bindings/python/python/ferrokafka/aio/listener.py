"""aiokafka's ``ConsumerRebalanceListener`` (``aiokafka.abc``: both methods abstract, either may
be a coroutine) and ``LoopListener``, which runs one from the consumer's worker thread on the
event loop, as aiokafka calls it, while the worker waits."""
import abc
import asyncio
import inspect


class ConsumerRebalanceListener(abc.ABC):
    """Called with the partitions revoked before a rebalance and assigned after it (not on
    ``stop``)."""

    @abc.abstractmethod
    def on_partitions_revoked(self, revoked):
        """Before a rebalance, with the partitions assigned until then."""

    @abc.abstractmethod
    def on_partitions_assigned(self, assigned):
        """After a rebalance, with the partitions now assigned."""


async def _invoke(fn, parts):
    result = fn(parts)
    if inspect.isawaitable(result):
        await result


class LoopListener:
    """The sync consumer's listener that forwards to an aiokafka listener on ``loop``; the
    revocation a close triggers is not forwarded (aiokafka does not call it on ``stop``)."""

    def __init__(self, listener, loop):
        self._listener = listener
        self._loop = loop
        self._assigned = set()
        self._revoked = False
        self.closing = False

    def _run(self, name, parts):
        asyncio.run_coroutine_threadsafe(_invoke(getattr(self._listener, name), set(parts)),
                                         self._loop).result()

    def on_partitions_revoked(self, revoked):
        if not self.closing:
            self._revoked = True
            self._run("on_partitions_revoked", revoked)

    def on_partitions_assigned(self, assigned):
        # aiokafka revokes before every join, the first one too (an empty set then)
        if not self._revoked:
            self._run("on_partitions_revoked", self._assigned)
        self._revoked = False
        self._assigned = set(assigned)
        self._run("on_partitions_assigned", assigned)
