"""``ferrokafka.aio.admin``: aiokafka's admin package (``from aiokafka.admin import ...`` becomes
``from ferrokafka.aio.admin import ...``; ``aiokafka.admin.config_resource`` is
``ferrokafka.aio.admin.config_resource``)."""
from ferrokafka.aio.admin.client import AIOKafkaAdminClient
# ConfigResource and ConfigResourceType: also here, as in earlier ferrokafka releases.
from ferrokafka.aio.admin.config_resource import ConfigResource, ConfigResourceType  # noqa: F401
from ferrokafka.aio.admin.new_partitions import NewPartitions
from ferrokafka.aio.admin.new_topic import NewTopic
from ferrokafka.aio.admin.records_to_delete import RecordsToDelete

__all__ = ["AIOKafkaAdminClient", "NewPartitions", "NewTopic", "RecordsToDelete"]
