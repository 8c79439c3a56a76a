"""kafka-python's serializer interfaces (``kafka.serializer``).

Owns ``Serializer`` / ``Deserializer`` (2.x ``serialize(topic, value)`` and 3.0
``serialize(topic, headers, data)`` both work: the producer and consumer call the 3.0 form and
fall back to the 2.x one), plus ``JsonSerializer``/``JsonDeserializer`` and the helper that
turns a configured serializer (callable or object) into one function.
"""
import abc
import json


class Serializer(abc.ABC):
    def __init__(self, **config):
        pass

    @abc.abstractmethod
    def serialize(self, topic, *args):
        pass

    def close(self):
        pass


class Deserializer(abc.ABC):
    def __init__(self, **config):
        pass

    @abc.abstractmethod
    def deserialize(self, topic, *args):
        pass

    def close(self):
        pass


class JsonSerializer(Serializer):
    def serialize(self, topic, *args):
        data = args[-1]
        return None if data is None else json.dumps(data).encode("utf-8")


class JsonDeserializer(Deserializer):
    def deserialize(self, topic, *args):
        data = args[-1]
        return None if data is None else json.loads(data)


def _serializer_fn(s, method):
    """A function ``f(topic, headers, data)`` for a configured (de)serializer, or ``None``."""
    if s is None:
        return None
    bound = getattr(s, method, None)
    if bound is not None:
        def call(topic, headers, data, _m=bound):
            try:
                return _m(topic, headers, data)
            except TypeError:
                return _m(topic, data)
        return call
    if callable(s):
        return lambda topic, headers, data, _f=s: _f(data)
    raise TypeError("a serializer must be callable or have a %s(topic, ...) method" % method)


__all__ = ["Serializer", "Deserializer", "JsonSerializer", "JsonDeserializer"]
