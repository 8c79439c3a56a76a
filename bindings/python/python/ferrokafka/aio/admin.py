"""``ferrokafka.aio.admin``: aiokafka's ``AIOKafkaAdminClient`` (and its ``NewTopic``,
``NewPartitions``, ``RecordsToDelete``), each call run on a worker thread over ferrokafka's
``KafkaAdminClient`` so the loop never waits."""
import asyncio
import concurrent.futures

from ferrokafka.admin.client import _resource_kind
from ferrokafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewPartitions, NewTopic


class RecordsToDelete:
    def __init__(self, before_offset):
        self.before_offset = before_offset


def _describe_configs(sync, config_resources):
    out = []
    for res in config_resources:
        keys = list(res.configs) if res.configs else None
        entries = sync._native.describe_configs(_resource_kind(res), str(res.name), keys)
        out.append({"resource_type": int(res.resource_type), "resource_name": str(res.name),
                    "configs": {name: {"value": value, "read_only": ro, "is_default": default,
                                       "is_sensitive": sensitive}
                                for name, value, ro, default, sensitive in entries}})
    return out


class AIOKafkaAdminClient:
    """aiokafka's ``AIOKafkaAdminClient(**configs)``."""

    def __init__(self, *, loop=None, **configs):
        configs.pop("loop", None)
        self._configs = configs
        self._sync = None
        self._worker = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="ferrokafka-aio-admin")

    async def _call(self, fn, *args, **kwargs):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, lambda: fn(*args, **kwargs))

    async def start(self):
        self._sync = await self._call(KafkaAdminClient, **self._configs)
        await self._call(self._sync.describe_cluster)

    async def close(self):
        if self._sync is not None:
            await self._call(self._sync.close)
        self._worker.shutdown(wait=False)

    async def __aenter__(self):
        await self.start()
        return self

    async def __aexit__(self, *exc):
        await self.close()

    async def create_topics(self, new_topics, timeout_ms=None, validate_only=False):
        return await self._call(self._sync.create_topics, new_topics, validate_only=validate_only)

    async def delete_topics(self, topics, timeout_ms=None):
        return await self._call(self._sync.delete_topics, topics)

    async def list_topics(self):
        return await self._call(self._sync.list_topics)

    async def describe_topics(self, topics=None):
        """aiokafka's metadata shape: ``[{error_code, topic, is_internal, partitions: [{error_code,
        partition, leader, replicas, isr}]}]``."""
        names = list(topics) if topics is not None else await self.list_topics()
        return await self._call(self._sync._native.describe_topics, names)

    async def describe_cluster(self):
        """``{cluster_id, controller_id, brokers: [{node_id, host, port, rack}]}``."""
        c = await self._call(self._sync._native.describe_cluster)
        return {"cluster_id": c["cluster_id"], "controller_id": c["controller_id"],
                "brokers": [{"node_id": b[0], "host": b[1], "port": b[2], "rack": b[3]} for b in c["brokers"]]}

    async def describe_configs(self, config_resources, include_synonyms=False):
        """One dict per resource: ``{resource_type, resource_name, configs: {name: {value,
        read_only, is_default, is_sensitive}}}``."""
        return await self._call(_describe_configs, self._sync, config_resources)

    async def alter_configs(self, config_resources):
        await self._call(self._sync.alter_configs, config_resources)

    async def create_partitions(self, topic_partitions, timeout_ms=None, validate_only=False):
        return await self._call(self._sync.create_partitions, topic_partitions, validate_only=validate_only)

    async def describe_consumer_groups(self, group_ids, group_coordinator_id=None, include_authorized_operations=False):
        return await self._call(self._sync.describe_consumer_groups, group_ids)

    async def list_consumer_groups(self, broker_ids=None):
        return await self._call(self._sync.list_consumer_groups)

    async def delete_consumer_groups(self, group_ids, group_coordinator_id=None):
        return await self._call(self._sync.delete_consumer_groups, group_ids)

    async def list_consumer_group_offsets(self, group_id, group_coordinator_id=None, partitions=None):
        return await self._call(self._sync.list_consumer_group_offsets, group_id, partitions=partitions)

    async def delete_records(self, records_to_delete, timeout_ms=None):
        req = {tp: (r.before_offset if isinstance(r, RecordsToDelete) else int(r))
               for tp, r in records_to_delete.items()}
        found = await self._call(self._sync.delete_records, req)
        return {tp: v["low_watermark"] for tp, v in found.items()}


__all__ = ["AIOKafkaAdminClient", "NewTopic", "NewPartitions", "RecordsToDelete", "ConfigResource",
           "ConfigResourceType"]
