"""``ferrokafka.aio.errors``: aiokafka's error classes (``aiokafka.errors``), which
``ferrokafka.aio`` raises.

Owns the hierarchy built from ``_error_table`` (aiokafka 0.14's class names, parents,
``errno``/``message``/``description``/``retriable``/``invalid_metadata`` and ``str()`` forms:
``Class: msg``, ``[Error N] Class: msg``), aiokafka's ``for_code``/``kafka_errors`` (an unknown
code is ``UnknownError``), and ``to_aio``: the one place where an error of ferrokafka's
kafka-python layer becomes aiokafka's class. Each class also derives from the same-named class
of ``ferrokafka.errors`` when that one means the same (same kind, same error code), so code that
catches ``ferrokafka.errors`` classes keeps catching what ``ferrokafka.aio`` raises; aiokafka's
own classes come first in every MRO, so attributes and ``str()`` are aiokafka's.
"""
from ferrokafka import errors as _kp
from ferrokafka.aio._error_table import ALIASES, ALL, CLASSES

__all__ = list(ALL)


def _kafka_error_str(self):
    if not self.args:
        return self.__class__.__name__
    return "%s: %s" % (self.__class__.__name__, RuntimeError.__str__(self))


def _broker_error_str(self):
    # aiokafka's BrokerResponseError itself has no errno (kafka-python's base class's None is
    # not looked at)
    for cls in type(self).__mro__:
        if cls.__module__ == __name__ and "errno" in cls.__dict__:
            return "[Error %s] %s" % (cls.__dict__["errno"], _kafka_error_str(self))
    raise AttributeError("'%s' object has no attribute 'errno'" % type(self).__name__)


def _commit_failed_init(default):
    def __init__(self, *args):
        _kp.KafkaError.__init__(self, *(default + args))
    return __init__


def _default_message_init(default):
    def __init__(self, msg=default[0]):
        _kp.KafkaError.__init__(self, msg)
    return __init__


def _counterpart(name, chain, attrs):
    """ferrokafka.errors' class that means the same as an aiokafka class: the one of the same
    Kafka error code for a broker error, the same-named client-side class otherwise."""
    if name == "BrokerResponseError":
        return _kp.BrokerResponseError
    if "BrokerResponseError" in chain:
        return _kp.kafka_errors.get(attrs["errno"]) if "errno" in attrs else None
    kp = getattr(_kp, name, None)
    if isinstance(kp, type) and issubclass(kp, BaseException) and not issubclass(kp, _kp.BrokerResponseError):
        return kp
    return None


def _build():
    made = {"RuntimeError": RuntimeError, "Exception": Exception}
    chains = {"RuntimeError": [], "Exception": []}
    for name, parent, attrs, default_args in CLASSES:
        chain = [parent] + chains[parent]
        chains[name] = chain
        kp = _counterpart(name, chain, attrs)
        if kp is not None and not issubclass(kp, _kp.KafkaError):
            made[name] = kp  # plain Exceptions (ConsumerStoppedError...): one class for both
            continue
        body = dict(attrs, __module__=__name__, __qualname__=name)
        if name == "KafkaError":
            body["__str__"] = _kafka_error_str
        elif name == "BrokerResponseError":
            body["__str__"] = _broker_error_str
            body.setdefault("description", "")
        if default_args:
            body["__init__"] = (_commit_failed_init(default_args) if name == "CommitFailedError"
                                else _default_message_init(default_args))
        bases = (made[parent],)
        if kp is not None:
            # After aiokafka's parent; in its place when that is a builtin kp derives from.
            bases = (kp,) if parent in ("RuntimeError", "Exception") else bases + (kp,)
        try:
            cls = type(name, bases, body)
        except TypeError:  # no consistent MRO with the extra base: aiokafka's chain only
            cls = type(name, bases[:1], body)
        made[name] = cls
    return made


_classes = _build()
globals().update({k: v for k, v in _classes.items() if k not in ("RuntimeError", "Exception")})
for _alias, _target in ALIASES.items():
    globals()[_alias] = _classes[_target]

kafka_errors = {cls.errno: cls for name, cls in _classes.items()
                if isinstance(cls, type) and issubclass(cls, _classes["BrokerResponseError"])
                and "errno" in cls.__dict__}


def for_code(error_code):
    """aiokafka's class for a Kafka error code (``UnknownError`` for codes it does not know)."""
    return kafka_errors.get(error_code, _classes["UnknownError"])


def _aio_class(exc):
    """aiokafka's class for an error of ferrokafka's kafka-python layer."""
    for cls in type(exc).__mro__:
        mine = _classes.get(cls.__name__)
        if mine is not None and mine is not _classes["BrokerResponseError"]:
            if issubclass(cls, _kp.BrokerResponseError) and "errno" in mine.__dict__:
                return for_code(exc.errno)
            if not issubclass(mine, _classes["BrokerResponseError"]):
                return mine
        if cls is _kp.BrokerResponseError:
            return for_code(exc.errno)
    return _classes["KafkaError"]


def to_aio(exc):
    """``exc`` as aiokafka raises it: an error of ``ferrokafka.errors`` becomes the class of this
    module with the same name (or error code); anything else is returned unchanged."""
    if not isinstance(exc, _kp.KafkaError) or type(exc).__module__ == __name__:
        return exc
    cls = _aio_class(exc)
    if cls is _classes["CommitFailedError"]:
        new = cls()  # aiokafka's own explanation
    else:
        new = cls.__new__(cls)
        new.args = exc.args
    new.__traceback__ = exc.__traceback__
    new.__cause__ = exc.__cause__
    new.__suppress_context__ = True
    return new
