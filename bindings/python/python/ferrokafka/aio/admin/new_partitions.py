"""aiokafka's ``NewPartitions`` (``aiokafka.admin.new_partitions``): a topic's new partition
count for ``create_partitions``."""


class NewPartitions:
    def __init__(self, total_count, new_assignments=None):
        self.total_count = total_count
        self.new_assignments = new_assignments
