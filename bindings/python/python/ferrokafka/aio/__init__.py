"""``ferrokafka.aio``: aiokafka's API (``from aiokafka import ...`` becomes
``from ferrokafka.aio import ...``); its errors are in ``ferrokafka.errors``
(also ``ferrokafka.aio.errors``)."""
from ferrokafka.aio.consumer import AIOKafkaConsumer, ConsumerRebalanceListener
from ferrokafka.aio.producer import AIOKafkaProducer
from ferrokafka.aio.structs import (ConsumerRecord, OffsetAndMetadata, OffsetAndTimestamp,
                                    RecordMetadata, TopicPartition)
from ferrokafka.errors import ConsumerStoppedError, IllegalOperation

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
