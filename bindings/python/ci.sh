#!/usr/bin/env bash
# The Python binding's CI: install the tools, build the abi3 wheel with maturin (--release, the
# workspace's target/), run the pytest suite against the bundled broker from the installed
# wheel, then install the wheel into a fresh venv with no Rust on PATH and run the examples.
#
#   bash bindings/python/ci.sh
#
# Environment:
#   FERROKAFKA_CACHE            cache root (default ~/.cache/ferrokafka): venvs, wheels
#   FERROKAFKA_TEST_TARGET      ferrokafka (default) | apache: with apache, the produce/consume/
#                               group/admin subset also runs against a real Apache Kafka started by
#                               tests/harness/kafka_cluster.py (needs the jars: scripts/fetch-kafka.sh)
# Exits non-zero on the first failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/bindings/python"
CACHE="${FERROKAFKA_CACHE:-$HOME/.cache/ferrokafka}"
VENV="$CACHE/venv-python-binding"
WHEELS="$CACHE/wheels-python"
PY="${PYTHON:-python3}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 CARGO_TERM_COLOR=never
start=$SECONDS
step() { printf '\n=== [%4ss] %s\n' "$((SECONDS - start))" "$*"; }

step "tools (venv $VENV)"
if [[ ! -x "$VENV/bin/python" ]]; then
  "$PY" -m venv "$VENV" 2>/dev/null || { apt-get update -qq && apt-get install -y -qq python3-venv && "$PY" -m venv "$VENV"; }
fi
want="$(sha256sum "$HERE/requirements-test.txt" | cut -d' ' -f1)"
if [[ "$(cat "$VENV/.requirements.sha" 2>/dev/null)" != "$want" ]]; then
  "$VENV/bin/pip" install -q -r "$HERE/requirements-test.txt"
  echo "$want" >"$VENV/.requirements.sha"
fi

step "build the wheel (maturin, --release)"
rm -rf "$WHEELS" && mkdir -p "$WHEELS"
(cd "$ROOT" && "$VENV/bin/maturin" build --release --locked -m bindings/python/Cargo.toml -o "$WHEELS" -q)
WHEEL="$(ls "$WHEELS"/ferrokafka-*.whl)"
echo "$WHEEL"

step "pytest against the bundled broker (from the installed wheel)"
"$VENV/bin/pip" install -q --force-reinstall --no-deps "$WHEEL"
cd "$HERE/tests"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider -W ignore::DeprecationWarning .

if [[ "${FERROKAFKA_TEST_TARGET:-ferrokafka}" == apache ]]; then
  step "the produce/consume/group/admin subset against Apache Kafka"
  "$VENV/bin/python" "$HERE/tests/apache_subset.py" "$VENV/bin/python"
fi

step "fresh venv with only the wheel, no Rust on PATH: the examples"
FRESH="$(mktemp -d)/venv"
"$PY" -m venv "$FRESH"
"$FRESH/bin/pip" install -q --no-deps "$WHEEL"
NO_RUST_PATH="$(echo "$PATH" | tr ':' '\n' | grep -v -e cargo -e rustup | paste -sd:)"
(cd "$ROOT/examples/python" && env PATH="$NO_RUST_PATH" "$FRESH/bin/python" run_examples.py)
rm -rf "$(dirname "$FRESH")"

step "PASS (python binding)"
