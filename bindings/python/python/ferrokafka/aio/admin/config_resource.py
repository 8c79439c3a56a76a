"""aiokafka's ``ConfigResource`` and ``ConfigResourceType`` (``aiokafka.admin.config_resource``):
a topic or broker whose configs ``describe_configs``/``alter_configs`` read or change."""
from enum import IntEnum


class ConfigResourceType(IntEnum):
    BROKER = 4
    TOPIC = 2


class ConfigResource:
    """``resource_type`` (a ``ConfigResourceType`` or its name, any case), ``name`` and
    ``configs`` ``{key: value}`` (``None``: every key)."""

    def __init__(self, resource_type, name, configs=None):
        if not isinstance(resource_type, ConfigResourceType):
            resource_type = ConfigResourceType[str(resource_type).upper()]
        self.resource_type = resource_type
        self.name = name
        self.configs = configs
