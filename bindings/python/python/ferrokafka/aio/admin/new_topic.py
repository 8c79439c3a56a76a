"""aiokafka's ``NewTopic`` (``aiokafka.admin.new_topic``): a topic for ``create_topics``."""
from ferrokafka.aio.errors import IllegalArgumentError


class NewTopic:
    """``name``, ``num_partitions`` and ``replication_factor`` (-1 each when
    ``replica_assignments`` gives them), ``topic_configs`` ``{key: value}``."""

    def __init__(self, name, num_partitions, replication_factor, replica_assignments=None,
                 topic_configs=None):
        by_count = num_partitions == -1 or replication_factor == -1
        if by_count == (replica_assignments is None):
            raise IllegalArgumentError(
                "either num_partitions/replication_factor or replica_assignment must be specified")
        self.name = name
        self.num_partitions = num_partitions
        self.replication_factor = replication_factor
        self.replica_assignments = replica_assignments or {}
        self.topic_configs = topic_configs or {}
