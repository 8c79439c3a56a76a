#!/usr/bin/env python3
"""OUR broker (`ferrokafka broker`) as a test fixture: start, SIGKILL, restart on the same port and data.

Owns: the command-line contract the tests rely on, which mirrors kafka-server-start:
    ferrokafka broker [server.properties] [--override key=value]...
started here as
    $FERROKAFKA_BIN broker --override listeners=PLAINTEXT://127.0.0.1:<port>
                           --override log.dirs=<dir> --override group.initial.rebalance.delay.ms=0
with FERROKAFKA_BIN defaulting to target/release/ferrokafka in the repository.
Must not: contain test scenarios.

Library:
    with FerroBroker() as broker:
        broker.bootstrap      # "127.0.0.1:<port>"
        broker.kill()         # SIGKILL
        broker.start()        # same port, same log.dirs
CLI: python3 tests/harness/ferro_broker.py [--override key=value]...  -> prints READY <bootstrap>,
stops the broker when stdin closes or on SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import kafka_wire  # noqa: E402
import process_util  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def ferrokafka_bin() -> str:
    path = os.environ.get("FERROKAFKA_BIN") or os.path.join(REPO_ROOT, "target", "release", "ferrokafka")
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"ferrokafka binary not found at {path}: run `cargo build --release -p ferrokafka-cli` "
            "or set FERROKAFKA_BIN")
    return path


class FerroBroker:
    """One `ferrokafka broker` process on a fixed loopback port with a temp data dir."""

    def __init__(self, overrides: dict[str, str] | None = None, startup_timeout: float = 30.0,
                 port: int = 0, args: list[str] | None = None) -> None:
        """`port`: the PLAINTEXT port readiness is checked on (0 = pick a free one; give it when
        `overrides` set `listeners` themselves). `args`: extra command-line arguments
        (e.g. `--add-scram SPEC`)."""
        self.overrides = dict(overrides or {})
        self.startup_timeout = startup_timeout
        self.port = port
        self.args = list(args or [])
        self.workdir: str | None = None
        self.proc: subprocess.Popen | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def data_dir(self) -> str:
        assert self.workdir
        return os.path.join(self.workdir, "data")

    @property
    def log_path(self) -> str:
        assert self.workdir
        return os.path.join(self.workdir, "broker.log")

    def __enter__(self) -> "FerroBroker":
        self.workdir = tempfile.mkdtemp(prefix="ferrokafka-broker-")
        self.port = self.port or process_util.free_port()
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        """Start (or restart) on the same port and data dir; wait until it answers ApiVersions."""
        if self.proc is not None and self.proc.poll() is None:
            return
        overrides = {
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "log.dirs": self.data_dir,
            "group.initial.rebalance.delay.ms": "0",
            **self.overrides,
        }
        argv = [ferrokafka_bin(), "broker", *self.args]
        for key, value in overrides.items():
            argv += ["--override", f"{key}={value}"]
        self.proc = process_util.spawn(argv, self.log_path, env=dict(os.environ, RUST_LOG=os.environ.get("RUST_LOG", "info")))

        def died() -> str | None:
            if self.proc is None or self.proc.poll() is None:
                return None
            return (f"ferrokafka broker exited with {self.proc.returncode} ({' '.join(argv)}):\n"
                    f"{process_util.tail(self.log_path)}")

        process_util.wait_until(lambda: kafka_wire.api_versions_ok("127.0.0.1", self.port),
                                self.startup_timeout, f"ferrokafka broker on port {self.port}", died)

    def stop(self) -> None:
        """SIGTERM and wait for a clean shutdown."""
        process_util.stop(self.proc)
        self.proc = None

    def kill(self) -> None:
        """SIGKILL: a crash, no shutdown, no flush."""
        process_util.kill(self.proc)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        if self.workdir and not os.environ.get("FERROKAFKA_KEEP_DATA"):
            shutil.rmtree(self.workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--override", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    overrides = dict(o.split("=", 1) for o in args.override)
    with FerroBroker(overrides) as broker:
        process_util.serve_until_stdin_closes(broker.bootstrap)


if __name__ == "__main__":
    main()
