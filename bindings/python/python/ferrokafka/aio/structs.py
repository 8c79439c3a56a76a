"""aiokafka's value types (``aiokafka.structs``): ``ConsumerRecord`` (a dataclass without
``leader_epoch``), ``RecordMetadata`` (with ``timestamp_type`` and ``log_start_offset``)."""
from dataclasses import dataclass
from typing import Any, NamedTuple, Optional, Sequence, Tuple

from ferrokafka.structs import OffsetAndMetadata, OffsetAndTimestamp, TopicPartition


class RecordMetadata(NamedTuple):
    topic: str
    partition: int
    topic_partition: TopicPartition
    offset: int
    timestamp: Optional[int]
    timestamp_type: int
    log_start_offset: Optional[int]


@dataclass
class ConsumerRecord:
    topic: str
    partition: int
    offset: int
    timestamp: int
    timestamp_type: int
    key: Any
    value: Any
    checksum: Optional[int]
    serialized_key_size: int
    serialized_value_size: int
    headers: Sequence[Tuple[str, bytes]]


def _from_kafka_python(r):
    return ConsumerRecord(r.topic, r.partition, r.offset, r.timestamp, r.timestamp_type, r.key,
                          r.value, None, r.serialized_key_size, r.serialized_value_size,
                          tuple(r.headers))


__all__ = ["ConsumerRecord", "RecordMetadata", "TopicPartition", "OffsetAndMetadata",
           "OffsetAndTimestamp"]
