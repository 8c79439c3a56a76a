"""Process plumbing shared by the harness: free ports, child processes that die with us, CLI loop.

Owns: picking loopback ports, spawning server processes (tied to the harness's lifetime via
PR_SET_PDEATHSIG on Linux), stopping them politely or with SIGKILL, and the CLI contract
"print READY <bootstrap>, run until stdin closes or SIGTERM".
Must not: know anything about Kafka configuration.
"""

from __future__ import annotations

import concurrent.futures
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Callable

_PR_SET_PDEATHSIG = 1


def free_port() -> int:
    """A loopback TCP port that is free right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: if the harness dies (even by SIGKILL), the
    # server gets SIGKILL too, so no orphan broker keeps a port or a CPU busy.
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass
    os.setpgrp()


# PR_SET_PDEATHSIG fires when the *thread* that forked the child exits, not the process. Servers
# are therefore always forked from this one long-lived thread, so a test may restart a broker
# from a short-lived thread without the new broker being killed when that thread ends.
_spawner = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="harness-spawner")


def spawn(argv: list[str], log_path: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start a server process with stdout+stderr appended to log_path."""
    return _spawner.submit(_spawn, argv, log_path, env).result()


def _spawn(argv: list[str], log_path: str, env: dict[str, str] | None) -> subprocess.Popen:
    log = open(log_path, "ab")
    try:
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
    finally:
        log.close()


def stop(proc: subprocess.Popen | None, timeout: float = 30.0) -> None:
    """SIGTERM, wait up to timeout for a clean exit, then SIGKILL."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        kill(proc)


def stop_all(procs: list[subprocess.Popen], timeout: float = 30.0) -> None:
    """SIGTERM every process at once, then wait for all (SIGKILL stragglers after timeout)."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for proc in procs:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            kill(proc)


def kill(proc: subprocess.Popen | None) -> None:
    """SIGKILL, as a crash would: no shutdown hooks, no flush."""
    if proc is None or proc.poll() is not None:
        return
    proc.kill()
    proc.wait()


def wait_until(check: Callable[[], bool], timeout: float, what: str, alive: Callable[[], str | None]) -> None:
    """Poll check() until true; fail early with alive()'s message if the server died."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return
        dead = alive()
        if dead:
            raise RuntimeError(dead)
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.2)


def tail(path: str, lines: int = 40) -> str:
    try:
        with open(path, "rb") as f:
            return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")
    except OSError:
        return "(no log)"


def serve_until_stdin_closes(bootstrap: str) -> None:
    """The CLI contract: print READY <bootstrap>, then block until stdin hits EOF or SIGTERM/SIGINT."""
    done = threading.Event()

    def on_signal(signum, frame):  # noqa: ARG001
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def watch_stdin() -> None:
        # os.read on the raw fd, not sys.stdin: a daemon thread blocked inside the buffered
        # reader holds its lock and makes interpreter shutdown abort after SIGTERM.
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        done.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"READY {bootstrap}", flush=True)
    while not done.wait(0.5):
        pass
