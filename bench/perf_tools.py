"""The native perf clients that bench/ scripts drive, and how to build and run them.

Owns: locating the core's fk-producer-perf / fk-consumer-perf (bench/ferrokafka-bench, in the
workspace) and building + locating librdkafka's rd-producer-perf / rd-consumer-perf
(bench/librdkafka-perf: the `rdkafka` crate on librdkafka's bundled C source, kept OUT of the
workspace so CI never compiles librdkafka; built on demand into
~/.cache/ferrokafka/librdkafka-perf-target), and running any of them with `--json`.
All four take Kafka's perf-tool flags and print the same lines; see their sources.
Must not: measure anything itself (the calling script does).
"""

from __future__ import annotations

import json
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)
RD_CRATE = os.path.join(HERE, "librdkafka-perf")
RD_TARGET = os.path.expanduser("~/.cache/ferrokafka/librdkafka-perf-target")


def fk_bin_dir() -> str:
    """Where fk-*-perf live: next to FERROKAFKA_BIN if set, else target/release."""
    if os.environ.get("FERROKAFKA_BIN"):
        return os.path.dirname(os.path.abspath(os.environ["FERROKAFKA_BIN"]))
    return os.path.join(REPO_ROOT, "target", "release")


def build_rd(skip: bool = False) -> str:
    """Builds rd-*-perf (release; the first build compiles librdkafka, a few minutes on 2 cores)
    unless `skip`; returns their directory (FERROKAFKA_RD_PERF_DIR overrides)."""
    if os.environ.get("FERROKAFKA_RD_PERF_DIR"):
        return os.environ["FERROKAFKA_RD_PERF_DIR"]
    if not skip:
        subprocess.run(["cargo", "build", "--release", "--locked", "--manifest-path",
                        os.path.join(RD_CRATE, "Cargo.toml")],
                       env=dict(os.environ, CARGO_TARGET_DIR=RD_TARGET), check=True)
    out = os.path.join(RD_TARGET, "release")
    for tool in ("rd-producer-perf", "rd-consumer-perf"):
        if not os.path.isfile(os.path.join(out, tool)):
            raise SystemExit(f"{out}/{tool} is missing: run without --skip-build")
    return out


def librdkafka_version() -> str:
    """The bundled librdkafka version, from the lock file (rdkafka-sys's `+x.y.z` suffix)."""
    try:
        with open(os.path.join(RD_CRATE, "Cargo.lock")) as f:
            text = f.read()
    except OSError:
        return "?"
    i = text.find('name = "rdkafka-sys"')
    if i < 0:
        return "?"
    line = text[i:].splitlines()[1]
    return line.split("+", 1)[1].rstrip('"') if "+" in line else line


def run_json(argv: list[str], timeout: float, log: str | None = None) -> dict:
    """Runs a perf tool with --json; returns its JSON summary (the last `{...}` line)."""
    if log:
        with open(log, "a") as f:
            f.write(f"$ {' '.join(argv)} --json\n")
    try:
        result = subprocess.run(argv + ["--json"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise RuntimeError(f"{os.path.basename(argv[0])} timed out after {timeout:.0f}s") from e
    if log:
        with open(log, "a") as f:
            f.write(result.stdout)
    lines = [l for l in result.stdout.splitlines() if l.startswith("{")]
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"{os.path.basename(argv[0])} exited with {result.returncode}:\n"
                           f"{result.stdout[-3000:]}")
    return json.loads(lines[-1])
