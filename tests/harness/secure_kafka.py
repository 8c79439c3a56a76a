#!/usr/bin/env python3
"""A single-node Apache Kafka with SASL_SSL, SCRAM users and ACLs, for client security tests.

Owns: the security half of a KafkaCluster (`SecuritySetup`): a SASL_SSL client listener with a
PEM keystore from tls_certs, SCRAM-SHA-512/SCRAM-SHA-256 users created at format time
(`kafka-storage format --add-scram`), PLAIN users from the listener's JAAS config, a PLAINTEXT
listener the harness itself uses, StandardAuthorizer with `admin` as super user, and the
starting ACLs (`alice` may do everything on every topic and group; `bob` may do nothing).
Must not: contain test scenarios.

Users (password = "<name>-secret"): admin (super user), alice (allowed), bob (no ACLs).

Library:
    with SecureKafka() as k:
        k.bootstrap, k.tls.ca, k.tls.untrusted_ca, k.users["alice"], k.internal_bootstrap

CLI (for Rust/Node/Java tests: spawn with a piped stdin):
    python3 tests/harness/secure_kafka.py
    -> prints "SECURE <json>" (bootstrap, internal_bootstrap, ca, untrusted_ca, client_cert,
       client_key, users {name: password}, mechanisms) then "READY <bootstrap>", and stops the
       broker when stdin closes or on SIGTERM.
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import process_util  # noqa: E402
from kafka_cluster import KafkaCluster  # noqa: E402
from tls_certs import TlsFiles, write_tls_files  # noqa: E402

USERS = {"admin": "admin-secret", "alice": "alice-secret", "bob": "bob-secret"}
SUPER_USER = "admin"
ALLOWED_USER = "alice"
MECHANISMS = ("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")
PLAIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule"
SCRAM_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule"
ACL_COMMAND = "org.apache.kafka.tools.AclCommand"


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class SecuritySetup:
    """The server.properties, format arguments and ACLs of a SASL_SSL single-node cluster."""

    def __init__(self, tls: TlsFiles, users: dict[str, str]) -> None:
        self.tls = tls
        self.users = users

    def node_properties(self, client_port: int, internal_port: int, controller_port: int) -> dict[str, str]:
        plain_users = " ".join(f"user_{u}={_quote(p)}" for u, p in self.users.items())
        return {
            "listeners": f"SASL_SSL://127.0.0.1:{client_port},INTERNAL://127.0.0.1:{internal_port},"
                         f"CONTROLLER://127.0.0.1:{controller_port}",
            "advertised.listeners": f"SASL_SSL://127.0.0.1:{client_port},"
                                    f"INTERNAL://127.0.0.1:{internal_port},"
                                    f"CONTROLLER://127.0.0.1:{controller_port}",
            "listener.security.protocol.map":
                "SASL_SSL:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name": "INTERNAL",
            "sasl.enabled.mechanisms": ",".join(MECHANISMS),
            "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": f"{SCRAM_MODULE} required;",
            "listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config": f"{SCRAM_MODULE} required;",
            "listener.name.sasl_ssl.plain.sasl.jaas.config": f"{PLAIN_MODULE} required {plain_users};",
            "ssl.keystore.type": "PEM",
            "ssl.keystore.location": self.tls.server_keystore,
            "ssl.truststore.type": "PEM",
            "ssl.truststore.location": self.tls.ca,
            "ssl.client.auth": "none",
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            # ANONYMOUS is the principal of the PLAINTEXT INTERNAL/CONTROLLER listeners: the
            # broker's own requests and the harness's setup.
            "super.users": f"User:{SUPER_USER};User:ANONYMOUS",
            "allow.everyone.if.no.acl.found": "false",
        }

    def format_args(self) -> list[str]:
        args = []
        for user, password in self.users.items():
            for mech in ("SCRAM-SHA-512", "SCRAM-SHA-256"):
                args += ["--add-scram", f"{mech}=[name={user},password={password}]"]
        return args

    def after_start(self, cluster: KafkaCluster) -> None:
        internal = f"127.0.0.1:{cluster.internal_ports[1]}"
        cluster.run_tool(ACL_COMMAND, "--bootstrap-server", internal, "--add",
                         "--allow-principal", f"User:{ALLOWED_USER}", "--operation", "All",
                         "--topic", "*", "--group", "*")


class SecureKafka:
    """A started SASL_SSL Apache Kafka. Use as a context manager."""

    def __init__(self, properties: dict[str, str] | None = None) -> None:
        self.properties = dict(properties or {})
        self.users = dict(USERS)
        self.tls: TlsFiles | None = None
        self.cluster: KafkaCluster | None = None

    @property
    def bootstrap(self) -> str:
        return self.cluster.bootstrap

    @property
    def internal_bootstrap(self) -> str:
        return f"127.0.0.1:{self.cluster.internal_ports[1]}"

    def __enter__(self) -> "SecureKafka":
        import tempfile
        self._certs_dir = tempfile.mkdtemp(prefix="ferrokafka-tls-")
        self.tls = write_tls_files(self._certs_dir)
        self.cluster = KafkaCluster(nodes=1, properties=self.properties,
                                    security=SecuritySetup(self.tls, self.users))
        self.cluster.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.cluster:
            self.cluster.close()
        if not os.environ.get("FERROKAFKA_KEEP_DATA"):
            import shutil
            shutil.rmtree(self._certs_dir, ignore_errors=True)

    def describe(self) -> dict:
        """What a test needs to connect, as JSON-friendly values."""
        return {
            "bootstrap": self.bootstrap,
            "internal_bootstrap": self.internal_bootstrap,
            "ca": self.tls.ca,
            "untrusted_ca": self.tls.untrusted_ca,
            "client_cert": self.tls.client_cert,
            "client_key": self.tls.client_key,
            "users": self.users,
            "super_user": SUPER_USER,
            "allowed_user": ALLOWED_USER,
            "mechanisms": list(MECHANISMS),
        }


def main() -> None:
    import argparse
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--property", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    with SecureKafka(dict(p.split("=", 1) for p in args.property)) as k:
        print("SECURE " + json.dumps(k.describe()), flush=True)
        process_util.serve_until_stdin_closes(k.bootstrap)


if __name__ == "__main__":
    main()
