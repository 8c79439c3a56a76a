"""``ferrokafka.admin``: kafka-python's admin module (``kafka.admin``).

Re-exports ``KafkaAdminClient`` and the value types (``NewTopic``, ``NewPartitions``,
``ConfigResource``, ``ConfigResourceType``).
"""
from ferrokafka.admin.client import KafkaAdminClient
from ferrokafka.admin.types import ConfigResource, ConfigResourceType, NewPartitions, NewTopic

__all__ = ["KafkaAdminClient", "NewTopic", "NewPartitions", "ConfigResource", "ConfigResourceType"]
