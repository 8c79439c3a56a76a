"""ferrokafka: kafka-python's API (and aiokafka's, in ``ferrokafka.aio``) on a native Rust core.

Switch by changing the import: ``from kafka import KafkaProducer`` becomes
``from ferrokafka import KafkaProducer``. ``ferrokafka.testing.LocalBroker`` runs the bundled
broker in-process for tests.
"""
from ferrokafka._native import CORE_VERSION as _CORE_VERSION
from ferrokafka.admin import KafkaAdminClient
from ferrokafka.consumer import ConsumerRebalanceListener, ConsumerRecord, KafkaConsumer
from ferrokafka.producer import KafkaProducer
from ferrokafka.serializer import Deserializer, JsonDeserializer, JsonSerializer, Serializer
from ferrokafka.structs import OffsetAndMetadata, TopicPartition

__version__ = _CORE_VERSION

__all__ = [
    "KafkaAdminClient",
    "KafkaConsumer",
    "KafkaProducer",
    "ConsumerRebalanceListener",
    "ConsumerRecord",
    "Serializer",
    "Deserializer",
    "JsonSerializer",
    "JsonDeserializer",
    "OffsetAndMetadata",
    "TopicPartition",
]
