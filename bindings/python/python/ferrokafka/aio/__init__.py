"""``ferrokafka.aio``: aiokafka's API (``from aiokafka import ...`` becomes
``from ferrokafka.aio import ...``; ``aiokafka.errors``/``.structs``/``.admin``/``.helpers``/``.abc`` are
``ferrokafka.aio.errors``/``.structs``/``.admin``/``.helpers``/``.abc``)."""
from ferrokafka.aio.consumer import AIOKafkaConsumer
from ferrokafka.aio.errors import ConsumerStoppedError, IllegalOperation
from ferrokafka.aio.listener import ConsumerRebalanceListener
from ferrokafka.aio.producer import AIOKafkaProducer
from ferrokafka.aio.structs import (ConsumerRecord, OffsetAndMetadata, OffsetAndTimestamp,
                                    RecordMetadata, TopicPartition)

__all__ = [
    "AIOKafkaProducer",
    "AIOKafkaConsumer",
    "ConsumerRebalanceListener",
    "ConsumerStoppedError",
    "IllegalOperation",
    "ConsumerRecord",
    "RecordMetadata",
    "TopicPartition",
    "OffsetAndTimestamp",
    "OffsetAndMetadata",
]
