"""kafka-python's value types (``kafka.structs``).

Owns ``TopicPartition``, ``OffsetAndMetadata`` (defaults as kafka-python 3.0: ``offset`` None,
``metadata`` '', ``leader_epoch`` -1, so the 2.0 two-argument and 2.2+/3.0 forms both work),
``OffsetAndTimestamp``, ``BrokerMetadata``, ``PartitionMetadata``, ``ConsumerGroupMetadata``.
"""
from collections import namedtuple

TopicPartition = namedtuple("TopicPartition", ["topic", "partition"])

OffsetAndMetadata = namedtuple("OffsetAndMetadata", ["offset", "metadata", "leader_epoch"],
                               defaults=[None, "", -1])

OffsetAndTimestamp = namedtuple("OffsetAndTimestamp", ["offset", "timestamp", "leader_epoch"],
                                defaults=[-1])

BrokerMetadata = namedtuple("BrokerMetadata", ["nodeId", "host", "port", "rack"])

PartitionMetadata = namedtuple("PartitionMetadata", ["topic", "partition", "leader", "leader_epoch",
                                                     "replicas", "isr", "offline_replicas", "error"])

ConsumerGroupMetadata = namedtuple("ConsumerGroupMetadata",
                                   ["group_id", "generation_id", "member_id", "group_instance_id"],
                                   defaults=[-1, "", None])

__all__ = ["TopicPartition", "OffsetAndMetadata", "OffsetAndTimestamp", "BrokerMetadata",
           "PartitionMetadata", "ConsumerGroupMetadata"]
