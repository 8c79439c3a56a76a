"""``ferrokafka.aio.abc``: aiokafka's abstract classes (``aiokafka.abc``):
``ConsumerRebalanceListener`` and ``AbstractTokenProvider`` (an OAUTHBEARER token source whose
``token()`` coroutine returns the token; ``extensions()`` optional)."""
import abc

from ferrokafka.aio.listener import ConsumerRebalanceListener


class AbstractTokenProvider(abc.ABC):
    """A source of SASL OAUTHBEARER tokens: ``await token()`` returns one (reused until it
    expires); ``extensions()`` the SASL extensions to send with it."""

    @abc.abstractmethod
    async def token(self):
        """The current token (str)."""

    def extensions(self):
        """``{name: value}`` SASL extensions (none by default)."""
        return {}


__all__ = ["AbstractTokenProvider", "ConsumerRebalanceListener"]
