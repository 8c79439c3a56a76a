"""``raises_aio``: the decorator that makes a ``ferrokafka.aio`` method raise aiokafka's error
classes (``ferrokafka.aio.errors``) where the kafka-python layer underneath raised
``ferrokafka.errors`` ones; the message and traceback are kept."""
import functools
import inspect

from ferrokafka.aio.errors import to_aio


def raises_aio(fn):
    if inspect.iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def wrapper(*args, **kwargs):
            try:
                return await fn(*args, **kwargs)
            except Exception as exc:
                new = to_aio(exc)
                if new is exc:
                    raise
                raise new from None
    else:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                new = to_aio(exc)
                if new is exc:
                    raise
                raise new from None
    return wrapper
