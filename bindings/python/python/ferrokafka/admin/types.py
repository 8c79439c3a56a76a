"""kafka-python's admin value types: ``NewTopic``, ``NewPartitions``, ``ConfigResource``.

``NewTopic`` takes both the 2.0 form (partitions and replication factor required) and the
2.1+/3.0 one (both default to -1, the broker's defaults).
"""
from enum import IntEnum


class NewTopic:
    def __init__(self, name, num_partitions=-1, replication_factor=-1, replica_assignments=None,
                 topic_configs=None):
        self.name = name
        self.num_partitions = num_partitions
        self.replication_factor = replication_factor
        self.replica_assignments = replica_assignments or {}
        self.topic_configs = topic_configs or {}

    def __repr__(self):
        return "NewTopic(name=%r, num_partitions=%r, replication_factor=%r, topic_configs=%r)" % (
            self.name, self.num_partitions, self.replication_factor, self.topic_configs)


class NewPartitions:
    def __init__(self, total_count, new_assignments=None):
        self.total_count = total_count
        self.new_assignments = new_assignments


class ConfigResourceType(IntEnum):
    UNKNOWN = 0
    TOPIC = 2
    BROKER = 4
    BROKER_LOGGER = 8
    CLIENT_METRICS = 16
    GROUP = 32


class ConfigResource:
    """A topic or broker whose configs to describe or alter (``configs``: ``{name: value}``)."""

    def __init__(self, resource_type, name, configs=None):
        if not isinstance(resource_type, ConfigResourceType):
            resource_type = ConfigResourceType[str(resource_type).upper()]
        self.resource_type = resource_type
        self.name = name
        self.configs = configs

    def __str__(self):
        return f"ConfigResource {self.name}={self.resource_type}"

    def __repr__(self):
        return f"ConfigResource({self.resource_type}, {self.name}, {self.configs})"
