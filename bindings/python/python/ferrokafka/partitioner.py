"""kafka-python's partitioner API (``kafka.partitioner``).

Owns ``murmur2`` and ``DefaultPartitioner`` for applications that call them directly. A
producer left with the default partitioner never calls these: the core partitions (the Java
client's murmur2 and sticky keyless batches), so keys land where kafka-python and Java put them.
"""
import random


def murmur2(data):
    """The Java client's murmur2 hash of ``data`` (bytes) as a signed 32-bit int."""
    length = len(data)
    seed = 0x9747B28C
    m = 0x5BD1E995
    r = 24
    h = (seed ^ length) & 0xFFFFFFFF
    length4 = length // 4
    for i in range(length4):
        i4 = i * 4
        k = (data[i4] & 0xFF) + ((data[i4 + 1] & 0xFF) << 8) + ((data[i4 + 2] & 0xFF) << 16) + ((data[i4 + 3] & 0xFF) << 24)
        k = (k * m) & 0xFFFFFFFF
        k ^= (k % 0x100000000) >> r
        k = (k * m) & 0xFFFFFFFF
        h = (h * m) & 0xFFFFFFFF
        h ^= k
    extra = length % 4
    if extra >= 3:
        h ^= (data[(length & ~3) + 2] & 0xFF) << 16
    if extra >= 2:
        h ^= (data[(length & ~3) + 1] & 0xFF) << 8
    if extra >= 1:
        h ^= data[length & ~3] & 0xFF
        h = (h * m) & 0xFFFFFFFF
    h ^= (h % 0x100000000) >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= (h % 0x100000000) >> 15
    return h - 0x100000000 if h & 0x80000000 else h


class DefaultPartitioner:
    """``partitioner(key_bytes, all_partitions, available_partitions) -> partition``."""

    @classmethod
    def __call__(cls, key, all_partitions, available):
        if key is None:
            if available:
                return random.choice(available)
            return random.choice(all_partitions)
        idx = murmur2(key) & 0x7FFFFFFF
        return all_partitions[idx % len(all_partitions)]


__all__ = ["DefaultPartitioner", "murmur2"]
