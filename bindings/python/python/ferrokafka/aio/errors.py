"""``ferrokafka.aio.errors``: aiokafka's error names (the same classes as ``ferrokafka.errors``)."""
from ferrokafka.errors import *  # noqa: F401,F403
from ferrokafka.errors import __all__  # noqa: F401
