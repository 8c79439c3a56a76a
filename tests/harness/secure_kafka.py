#!/usr/bin/env python3
"""A single-node broker with SASL_SSL, SCRAM users and ACLs, for client security tests: OUR
broker (`ferrokafka broker`, fast, no JVM) or Apache Kafka, as FERROKAFKA_TEST_TARGET (or the
`target` argument / `--target`) says.

Owns: the security half of a broker's configuration (`SecuritySetup`), the same Kafka keys for
both targets: a SASL_SSL client listener with a PEM keystore from tls_certs, SCRAM-SHA-512 and
SCRAM-SHA-256 users created at start (`kafka-storage format --add-scram` for Apache, `ferrokafka
broker --add-scram` for ours), PLAIN users from the listener's JAAS config, a PLAINTEXT listener
(`INTERNAL`) the harness itself uses, StandardAuthorizer with `admin` as super user, and the
starting ACLs (`alice` may do everything on every topic and group; `bob` may do nothing), added
with Kafka's AclCommand (Apache) or `ferrokafka acls` (ours).
Must not: contain test scenarios.

Users (password = "<name>-secret"): admin (super user), alice (allowed), bob (no ACLs).

Library:
    with SecureKafka() as k:            # SecureKafka(target="apache"|"ferrokafka", properties={...})
        k.bootstrap, k.tls.ca, k.tls.untrusted_ca, k.users["alice"], k.internal_bootstrap, k.target

CLI (for Rust/Node/Java tests: spawn with a piped stdin):
    python3 tests/harness/secure_kafka.py [--target ferrokafka|apache] [--property key=value]...
    -> prints "SECURE <json>" (target, bootstrap, internal_bootstrap, ca, untrusted_ca,
       client_cert, client_key, users {name: password}, mechanisms, broker_log) then
       "READY <bootstrap>", and stops the broker when stdin closes or on SIGTERM.
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import process_util  # noqa: E402
from ferro_broker import FerroBroker, ferrokafka_bin  # noqa: E402
from kafka_cluster import KafkaCluster  # noqa: E402
from target import TARGETS, target_name  # noqa: E402
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

    def security_properties(self) -> dict[str, str]:
        """The keys that make the `SASL_SSL` listener secure and switch ACLs on (both targets)."""
        plain_users = " ".join(f"user_{u}={_quote(p)}" for u, p in self.users.items())
        return {
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

    def node_properties(self, client_port: int, internal_port: int,
                        controller_port: int | None = None) -> dict[str, str]:
        """Listeners plus `security_properties()`; the CONTROLLER listener only for Apache."""
        listeners = [f"SASL_SSL://127.0.0.1:{client_port}", f"INTERNAL://127.0.0.1:{internal_port}"]
        protocols = "SASL_SSL:SASL_SSL,INTERNAL:PLAINTEXT"
        if controller_port is not None:
            listeners.append(f"CONTROLLER://127.0.0.1:{controller_port}")
            protocols += ",CONTROLLER:PLAINTEXT"
        return {
            "listeners": ",".join(listeners),
            "advertised.listeners": ",".join(listeners),
            "listener.security.protocol.map": protocols,
            "inter.broker.listener.name": "INTERNAL",
            **self.security_properties(),
        }

    def acl_args(self) -> list[str]:
        """AclCommand's (and `ferrokafka acls`') arguments for the starting ACLs."""
        return ["--add", "--allow-principal", f"User:{ALLOWED_USER}", "--operation", "All",
                "--topic", "*", "--group", "*"]

    def format_args(self) -> list[str]:
        args = []
        for user, password in self.users.items():
            for mech in ("SCRAM-SHA-512", "SCRAM-SHA-256"):
                args += ["--add-scram", f"{mech}=[name={user},password={password}]"]
        return args

    def after_start(self, cluster: KafkaCluster) -> None:
        internal = f"127.0.0.1:{cluster.internal_ports[1]}"
        cluster.run_tool(ACL_COMMAND, "--bootstrap-server", internal, *self.acl_args())


class SecureKafka:
    """A started SASL_SSL broker of the selected target. Use as a context manager."""

    def __init__(self, properties: dict[str, str] | None = None, target: str | None = None) -> None:
        self.target = target or target_name()
        if self.target not in TARGETS:
            raise ValueError(f"target {self.target!r}: expected one of {', '.join(TARGETS)}")
        self.properties = dict(properties or {})
        self.users = dict(USERS)
        self.tls: TlsFiles | None = None
        self.cluster: KafkaCluster | None = None
        self.broker: FerroBroker | None = None
        self._client_port = 0

    @property
    def bootstrap(self) -> str:
        return self.cluster.bootstrap if self.cluster else f"127.0.0.1:{self._client_port}"

    @property
    def internal_bootstrap(self) -> str:
        if self.cluster:
            return f"127.0.0.1:{self.cluster.internal_ports[1]}"
        return self.broker.bootstrap

    @property
    def broker_log(self) -> str:
        """Our broker's log file ('' for Apache, whose node logs live in its own temp dir)."""
        return self.broker.log_path if self.broker else ""

    def __enter__(self) -> "SecureKafka":
        import tempfile
        self._certs_dir = tempfile.mkdtemp(prefix="ferrokafka-tls-")
        self.tls = write_tls_files(self._certs_dir)
        security = SecuritySetup(self.tls, self.users)
        try:
            if self.target == "apache":
                self.cluster = KafkaCluster(nodes=1, properties=self.properties, security=security)
                self.cluster.start()
            else:
                self._start_ferrokafka(security)
        except BaseException:
            self.__exit__()
            raise
        return self

    def _start_ferrokafka(self, security: SecuritySetup) -> None:
        import subprocess
        self._client_port = process_util.free_port()
        internal_port = process_util.free_port()
        overrides = {**security.node_properties(self._client_port, internal_port), **self.properties}
        # `--add-scram SPEC` pairs: the same arguments as `kafka-storage format`.
        self.broker = FerroBroker(overrides=overrides, port=internal_port, args=security.format_args())
        self.broker.__enter__()
        subprocess.run([ferrokafka_bin(), "acls", "--bootstrap-server", self.internal_bootstrap,
                        *security.acl_args()], check=True, timeout=60,
                       stdout=subprocess.DEVNULL)

    def __exit__(self, *exc) -> None:
        if self.cluster:
            self.cluster.close()
        if self.broker:
            self.broker.close()
        if not os.environ.get("FERROKAFKA_KEEP_DATA"):
            import shutil
            shutil.rmtree(self._certs_dir, ignore_errors=True)

    def describe(self) -> dict:
        """What a test needs to connect, as JSON-friendly values."""
        return {
            "target": self.target,
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
            "broker_log": self.broker_log,
        }


def main() -> None:
    import argparse
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--property", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--target", choices=TARGETS, default=None,
                        help="broker to start (default: FERROKAFKA_TEST_TARGET, else ferrokafka)")
    args = parser.parse_args()
    with SecureKafka(dict(p.split("=", 1) for p in args.property), target=args.target) as k:
        print("SECURE " + json.dumps(k.describe()), flush=True)
        process_util.serve_until_stdin_closes(k.bootstrap)


if __name__ == "__main__":
    main()
