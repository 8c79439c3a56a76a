"""Runs the produce/consume/group/admin subset of the suite against a real Apache Kafka.

Starts a single-node KRaft cluster with tests/harness/kafka_cluster.py (jars from
scripts/fetch-kafka.sh), points the suite at it with FERROKAFKA_TEST_BOOTSTRAP and runs the
ferrokafka side of the drop-in module plus the admin/group tests of test_api.py. Not a pytest
module itself (bindings/python/ci.sh calls it when FERROKAFKA_TEST_TARGET=apache).

    python apache_subset.py [python-with-pytest]
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

SUBSET = [
    "test_dropin_kafka_python.py",
    "test_dropin_aiokafka.py",
    "test_api.py::test_listener_commit_async_pause_resume",
    "test_api.py::test_admin_topics_configs_partitions",
    "test_api.py::test_admin_groups_offsets_and_delete_records",
    "test_api.py::test_headers_timestamps_and_keys_round_trip",
    "test_api.py::test_offsets_for_times_and_topics",
]


def main():
    python = sys.argv[1] if len(sys.argv) > 1 else sys.executable
    harness = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests", "harness", "kafka_cluster.py")],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = harness.stdout.readline().strip()
        if not line.startswith("READY "):
            raise SystemExit("the Apache Kafka harness did not start: %r" % line)
        bootstrap = line.split(" ", 1)[1]
        print("Apache Kafka at", bootstrap, flush=True)
        env = dict(os.environ, FERROKAFKA_TEST_BOOTSTRAP=bootstrap)
        code = subprocess.call([python, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                "-W", "ignore::DeprecationWarning", *SUBSET], cwd=HERE, env=env)
    finally:
        harness.stdin.close()
        try:
            harness.wait(60)
        except subprocess.TimeoutExpired:
            harness.kill()
    raise SystemExit(code)


if __name__ == "__main__":
    main()
