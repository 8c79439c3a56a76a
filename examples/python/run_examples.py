"""Runs every example against a bundled broker (ferrokafka.testing.LocalBroker) and checks
their output; used by bindings/python/ci.sh from a venv with only the built wheel installed.

    python run_examples.py
"""
import os
import subprocess
import sys

from ferrokafka.testing import LocalBroker

HERE = os.path.dirname(os.path.abspath(__file__))


def run(*args, timeout=120):
    out = subprocess.run([sys.executable, *args], cwd=HERE, capture_output=True, text=True, timeout=timeout)
    sys.stdout.write(out.stdout)
    sys.stderr.write(out.stderr)
    if out.returncode != 0:
        raise SystemExit("%s exited with %d" % (args[0], out.returncode))
    return out.stdout


def main():
    with LocalBroker() as broker:
        bs = broker.bootstrap_servers
        out = run("producer_service.py", "--bootstrap", bs, "--count", "10")
        assert "SENT 40 FAILED 0" in out, out
        out = run("consumer_worker.py", "--bootstrap", bs, "--max-messages", "40")
        assert "error-logs=10 notifications=10 system-metrics=10 user-activities=10" in out, out
        # A second worker in the same group resumes at the committed offsets: nothing left.
        run("producer_service.py", "--bootstrap", bs, "--count", "1")
        out = run("consumer_worker.py", "--bootstrap", bs, "--max-messages", "4")
        assert "error-logs=1 notifications=1 system-metrics=1 user-activities=1" in out, out
        out = run("async_service.py", "--bootstrap", bs, "--count", "5")
        assert "ASYNC SENT 20 CONSUMED" in out, out
    print("EXAMPLES OK")


if __name__ == "__main__":
    main()
