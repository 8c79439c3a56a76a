"""``bootstrap_hosts``: ``bootstrap_servers`` as aiokafka lists them in "Unable to bootstrap
from ..." (``[(host, port, AddressFamily)]``: AF_INET/AF_INET6 for address literals, AF_UNSPEC
for names, port 9092 when none is given)."""
import socket

_DEFAULT_PORT = 9092


def _family(host):
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
            return family
        except (OSError, ValueError):
            pass
    return socket.AF_UNSPEC


def _one(entry):
    entry = entry.strip()
    if entry.startswith("["):
        host, rest = entry[1:].split("]")
        return host, int(rest[1:]) if rest else _DEFAULT_PORT, socket.AF_INET6
    if ":" not in entry:
        return entry, _DEFAULT_PORT, _family(entry)
    if _family(entry) == socket.AF_INET6:
        return entry, _DEFAULT_PORT, socket.AF_INET6
    host, port = entry.rsplit(":", 1)
    return host, int(port), _family(host)


def bootstrap_hosts(servers):
    if isinstance(servers, str):
        servers = servers.strip().split(",")
    return [_one(s) for s in servers]
