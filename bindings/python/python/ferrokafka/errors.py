"""kafka-python's exception classes (``kafka.errors``), mapped from the core's errors.

Owns the class hierarchy (client-side errors, one ``BrokerResponseError`` subclass per Kafka
error code with ``errno``, ``message``, ``description``, ``retriable``, ``invalid_metadata``),
``for_code`` / ``kafka_errors``, aiokafka's extra names, and ``_from_native``: the one place
where a core error (kind, code, retriable, message) becomes a class. ``KafkaError`` derives
from ``RuntimeError`` (kafka-python 2.x) which is also an ``Exception`` (3.x).
"""
from ferrokafka._broker_errors import ALIASES, BROKER_ERRORS


class KafkaError(RuntimeError):
    retriable = False
    # whether metadata should be refreshed on error
    invalid_metadata = False

    def __str__(self):
        if not self.args:
            return self.__class__.__name__
        return "{0}: {1}".format(self.__class__.__name__, super().__str__())

    def __eq__(self, other):
        return self.__class__ == other.__class__ and self.args == other.args

    __hash__ = RuntimeError.__hash__


class RetriableError(KafkaError):
    retriable = True


class InvalidMetadataError(RetriableError):
    invalid_metadata = True


class Cancelled(RetriableError):
    pass


class CommitFailedError(KafkaError):
    def __init__(self, *args):
        if not args:
            args = (
                "Commit cannot be completed since the group has already"
                " rebalanced and assigned the partitions to another member.",
            )
        super().__init__(*args)


class IllegalArgumentError(KafkaError):
    pass


class IllegalStateError(KafkaError):
    pass


class KafkaConfigurationError(KafkaError):
    pass


class UnrecognizedConfigsError(KafkaConfigurationError, ValueError):
    """An unknown config key: kafka-python raises KafkaConfigurationError from the consumer and
    admin client and ValueError from the producer (3.x); this is both."""


class KafkaConnectionError(InvalidMetadataError):
    pass


# kafka-python < 2.0 name
ConnectionError = KafkaConnectionError


class KafkaProtocolError(KafkaError):
    pass


class CorrelationIdError(RetriableError, KafkaProtocolError):
    pass


class InvalidReceiveError(KafkaProtocolError):
    pass


class KafkaTimeoutError(RetriableError):
    pass


class MetadataEmptyBrokerList(RetriableError):
    pass


class NoBrokersAvailable(KafkaError):
    retriable = True
    invalid_metadata = True


class NoOffsetForPartitionError(KafkaError):
    pass


class NodeNotReadyError(RetriableError):
    pass


class UnknownBrokerIdError(KafkaError):
    pass


class QuotaViolationError(KafkaError):
    pass


class StaleMetadata(InvalidMetadataError):
    pass


class TooManyInFlightRequests(RetriableError):
    pass


class UnrecognizedBrokerVersion(KafkaError):
    pass


class UnsupportedCodecError(KafkaError):
    pass


class TransactionAbortedError(KafkaError):
    message = "Failing batch since transaction was aborted"


class SerializationError(KafkaError):
    pass


class BrokerResponseError(KafkaError):
    errno = None
    message = None
    description = None

    def __str__(self):
        """Add errno to standard KafkaError str"""
        return "[Error {0}] {1}".format(self.errno, super().__str__())


class AuthorizationError(BrokerResponseError):
    pass


_BASES = {
    "": (BrokerResponseError,),
    "retriable": (RetriableError, BrokerResponseError),
    "invalid_metadata": (InvalidMetadataError, BrokerResponseError),
    "authorization": (AuthorizationError,),
}

kafka_errors = {}
for _errno, _name, _message, _description, _kind in BROKER_ERRORS:
    _cls = type(
        _name,
        _BASES[_kind],
        {"errno": _errno, "message": _message, "description": _description, "__module__": __name__},
    )
    globals()[_name] = _cls
    kafka_errors[_errno] = _cls
for _alias, _target in ALIASES.items():
    globals()[_alias] = globals()[_target]


class IncompatibleBrokerVersion(kafka_errors[35]):  # UnsupportedVersionError, as kafka-python 3
    """Synthetic error raised by client"""


class LogTruncationError(KafkaError):
    """The broker's log was truncated past the consumer's current position (KIP-320)."""


def for_code(error_code):
    """The class of a Kafka error code (``UnknownError`` for codes it does not know)."""
    return kafka_errors.get(error_code, kafka_errors[-1])


# ---- aiokafka's extra names (aiokafka.errors) ----------------------------------------------


class ConsumerStoppedError(Exception):
    """Raised when a consumer is stopped while it was being used."""


class IllegalOperation(Exception):
    """Raised when a method is not supported in the consumer's current mode."""


class ProducerClosed(KafkaError):
    pass


class KafkaUnavailableError(KafkaError):
    pass


class AuthenticationMethodNotSupported(KafkaError):
    pass


class AuthenticationFailedError(KafkaError):
    retriable = False


RecordTooLargeError = kafka_errors[10]  # MessageSizeTooLargeError
ProducerFenced = kafka_errors[90]  # ProducerFencedError

# ---- core error kinds -> classes ------------------------------------------------------------

_BY_KIND = {
    "Config": KafkaConfigurationError,
    "Network": KafkaConnectionError,
    "Timeout": KafkaTimeoutError,
    "Protocol": KafkaProtocolError,
    "UnsupportedVersion": kafka_errors[35],
    "Closed": IllegalStateError,
    "BufferExhausted": KafkaTimeoutError,
    "RecordTooLarge": kafka_errors[10],
    "InvalidRecord": kafka_errors[87],
    "UnknownTopicOrPartition": kafka_errors[3],
    "InvalidTopic": kafka_errors[17],
    "TopicAlreadyExists": kafka_errors[36],
    "NotLeader": kafka_errors[6],
    "NotEnoughReplicas": kafka_errors[19],
    "OutOfOrderSequence": kafka_errors[45],
    "UnknownProducerId": kafka_errors[59],
    "ProducerFenced": kafka_errors[90],
    "Authorization": AuthorizationError,
    "Authentication": AuthenticationFailedError,
    "OffsetOutOfRange": kafka_errors[1],
    "Coordinator": kafka_errors[15],
    "Rebalance": CommitFailedError,
    "Broker": KafkaError,
    "Internal": KafkaError,
}


def _from_native(kind, code, retriable, message):
    """The exception for a core error: by Kafka error code when the broker sent one, else by
    the core's error kind."""
    if code:
        cls = for_code(code)
    else:
        cls = _BY_KIND.get(kind, KafkaError)
    return cls(message)


__all__ = [name for name, obj in list(globals().items())
           if isinstance(obj, type) and issubclass(obj, BaseException)] + ["for_code", "kafka_errors"]
