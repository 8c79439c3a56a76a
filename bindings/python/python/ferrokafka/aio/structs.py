"""aiokafka's value types (``aiokafka.structs``): ``TopicPartition`` (the same class as
``ferrokafka.structs``), ``OffsetAndMetadata`` ``(offset, metadata)`` and ``OffsetAndTimestamp``
``(offset, timestamp)`` without kafka-python's ``leader_epoch``, ``BrokerMetadata``,
``PartitionMetadata``, ``RecordMetadata`` (with ``timestamp_type`` and ``log_start_offset``) and
``ConsumerRecord`` (a dataclass without ``leader_epoch``; headers a tuple of ``(str, bytes)``)."""
from dataclasses import dataclass
from typing import Any, Generic, List, NamedTuple, Optional, Sequence, Tuple, TypeVar, Union

from ferrokafka.structs import TopicPartition


class BrokerMetadata(NamedTuple):
    nodeId: Union[int, str]
    host: str
    port: int
    rack: Optional[str]


class PartitionMetadata(NamedTuple):
    topic: str
    partition: int
    leader: int
    replicas: List[int]
    isr: List[int]
    error: Any


class OffsetAndMetadata(NamedTuple):
    offset: int
    metadata: str


class RecordMetadata(NamedTuple):
    topic: str
    partition: int
    topic_partition: TopicPartition
    offset: int
    timestamp: Optional[int]
    timestamp_type: int
    log_start_offset: Optional[int]


KT = TypeVar("KT")
VT = TypeVar("VT")


@dataclass
class ConsumerRecord(Generic[KT, VT]):
    topic: str
    partition: int
    offset: int
    timestamp: int
    timestamp_type: int
    key: Optional[KT]
    value: Optional[VT]
    checksum: Optional[int]
    serialized_key_size: int
    serialized_value_size: int
    headers: Sequence[Tuple[str, bytes]]


class OffsetAndTimestamp(NamedTuple):
    offset: int
    timestamp: Optional[int]


def _from_kafka_python(r):
    """A kafka-python ``ConsumerRecord`` of the sync layer as aiokafka's."""
    return ConsumerRecord(r.topic, r.partition, r.offset, r.timestamp, r.timestamp_type, r.key,
                          r.value, None, r.serialized_key_size, r.serialized_value_size,
                          tuple(r.headers))


__all__ = ["BrokerMetadata", "ConsumerRecord", "OffsetAndMetadata", "PartitionMetadata",
           "RecordMetadata", "TopicPartition"]
