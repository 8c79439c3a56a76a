#!/usr/bin/env bash
# Install what is missing and run every test suite; print one summary line per suite.
#
#   scripts/test-all.sh
#
# Works on a fresh Debian machine (root, apt) with JDK 17, Maven, Node 20, Python 3.11 and Rust
# stable preinstalled. Caches live outside the checkout: ~/.cargo, ~/.npm, ~/.m2 and
# ${FERROKAFKA_CACHE:-$HOME/.cache/ferrokafka} (Python venv, Apache Kafka jars).
#
# Environment:
#   FERROKAFKA_TEST_TARGET  broker the interop suites run against: ferrokafka (default) | apache
#   FERROKAFKA_SUITES       space-separated subset of suites to run (default: all), e.g. "cargo-fmt kafkajs"
#   SUITE_TIMEOUT           seconds one suite may take before it is killed and failed (default 1800)
# Exits non-zero if any suite fails; every suite runs even after an earlier one failed.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export FERROKAFKA_CACHE="${FERROKAFKA_CACHE:-$HOME/.cache/ferrokafka}"
export FERROKAFKA_TEST_TARGET="${FERROKAFKA_TEST_TARGET:-ferrokafka}"
export FERROKAFKA_BIN="${FERROKAFKA_BIN:-$ROOT/target/release/ferrokafka}"
export DEBIAN_FRONTEND=noninteractive
export CARGO_TERM_COLOR=never
export NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
SUITE_TIMEOUT="${SUITE_TIMEOUT:-1800}"
VENV="$FERROKAFKA_CACHE/venv"
LOGS="$FERROKAFKA_CACHE/logs/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$LOGS"

SUMMARY=()
FAILED=0
START_ALL=$SECONDS

log() { printf '\n=== %s\n' "$*"; }

# run NAME COMMAND...: run a suite with output to the terminal and $LOGS/NAME.log; record the result.
run() {
  local name="$1"
  shift
  if [[ -n "${FERROKAFKA_SUITES:-}" && " $FERROKAFKA_SUITES " != *" $name "* ]]; then
    return 0
  fi
  log "$name: $*"
  local start=$SECONDS status
  if [[ "$(type -t "$1")" == function ]]; then
    "$@" </dev/null 2>&1 | tee "$LOGS/$name.log"
  else
    # A hung suite must not eat CI's time budget: each gets at most SUITE_TIMEOUT seconds.
    timeout --kill-after=30 "$SUITE_TIMEOUT" "$@" </dev/null 2>&1 | tee "$LOGS/$name.log"
  fi
  status=${PIPESTATUS[0]}
  [[ $status -eq 124 ]] && echo "$name: timed out after ${SUITE_TIMEOUT}s" | tee -a "$LOGS/$name.log"
  local took=$((SECONDS - start))
  if [[ $status -eq 0 ]]; then
    SUMMARY+=("$(printf 'PASS  %-22s %5ss' "$name" "$took")")
  else
    SUMMARY+=("$(printf 'FAIL  %-22s %5ss  (exit %s, log %s)' "$name" "$took" "$status" "$LOGS/$name.log")")
    FAILED=1
  fi
}

apt_install() {
  if [[ -z "${APT_UPDATED:-}" ]]; then
    apt-get update -qq && APT_UPDATED=1
  fi
  apt-get install -y -qq --no-install-recommends "$@"
}

# ---- install what is missing ------------------------------------------------------------------

setup_tools() {
  local missing=()
  command -v make >/dev/null || missing+=(make)
  command -v g++ >/dev/null || missing+=(g++)          # kafkajs-lz4's native lz4 addon
  command -v curl >/dev/null || missing+=(curl)
  if ((${#missing[@]})); then apt_install "${missing[@]}"; fi
  # clippy and rustfmt are rustup components, not always installed with the toolchain.
  cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
  cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
  return 0
}

setup_python() {
  if [[ ! -x "$VENV/bin/python" ]]; then
    python3 -m venv "$VENV" 2>/dev/null || { apt_install python3-venv && python3 -m venv "$VENV"; } || return 1
  fi
  # Reinstall only when tests/requirements.txt changed.
  local stamp="$VENV/.requirements.sha"
  local want
  want="$(sha256sum tests/requirements.txt | cut -d' ' -f1)"
  if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
    "$VENV/bin/pip" install --disable-pip-version-check -q -r tests/requirements.txt && echo "$want" >"$stamp"
  fi
}

setup_node() {
  (cd tests/interop/node && npm ci --no-audit --no-fund --loglevel=error)
}

setup_kafka() {
  # The harness finds the jars through the same script (a no-op once they are cached).
  bash scripts/fetch-kafka.sh
}

setup_java() {
  # Resolve the Java suite's dependencies once (offline runs afterwards are quick).
  mvn -q -B -Dstyle.color=never -f tests/interop/java test-compile
}

log "setting up (cache: $FERROKAFKA_CACHE, logs: $LOGS, target: $FERROKAFKA_TEST_TARGET)"
run setup-tools setup_tools
run setup-python setup_python
run setup-node setup_node
run setup-kafka-jars setup_kafka
run setup-java setup_java

# ---- Rust -------------------------------------------------------------------------------------

# One release compilation serves everything: the broker binary, the Rust test binaries (`cargo
# test --release` reuses the release-profile dependencies) and the bindings (napi, maturin and the
# JNI crate build in the same target/ with the same profile). Clippy only type-checks.
run cargo-build-release cargo build --release --workspace --locked
# Every later build (tests, the wheel) must resolve the same features, or it compiles again.
run cargo-feature-sets bash scripts/check-feature-sets.sh
run cargo-fmt cargo fmt --all --check
run cargo-clippy cargo clippy --workspace --all-targets --locked -- -D warnings
run cargo-test cargo test --release --workspace --locked
# The client core against a real Apache Kafka too (the run above used the broker under test).
# The three-node failover test always uses Apache Kafka and the re-authentication test always
# uses our broker (it reads the broker's log), so both already ran.
# `--workspace --test core_it` rather than `-p ferrokafka-core`: cargo unifies features over the
# selected packages, and only the workspace selection reuses the build above. Only the core's
# tests read FERROKAFKA_TEST_TARGET (the broker's and CLI's start their own brokers).
run core-vs-apache env FERROKAFKA_TEST_TARGET=apache cargo test --release --workspace --locked --test core_it -- --skip leader_kill --skip sessions_are_reauthenticated

# ---- interop: real clients against the broker under test --------------------------------------

PYTEST=("$VENV/bin/python" -m pytest -q -p no:cacheprovider --rootdir tests/interop/python -c tests/interop/python/pytest.ini)
run kafka-python "${PYTEST[@]}" tests/interop/python/test_kafka_python.py
run confluent-kafka "${PYTEST[@]}" tests/interop/python/test_confluent_kafka.py
run fetch-sessions "${PYTEST[@]}" tests/interop/python/test_fetch_sessions.py
run kafka-cli-tools "${PYTEST[@]}" tests/interop/python/test_kafka_cli.py
run crash-sigkill "${PYTEST[@]}" tests/interop/python/test_crash.py
run group-churn "${PYTEST[@]}" tests/interop/python/test_group_churn.py
run security "${PYTEST[@]}" tests/interop/python/test_security.py
run kafkajs node --test --test-concurrency=1 --test-timeout=300000 tests/interop/node/
run java-kafka-clients mvn -q -B -Dstyle.color=never -f tests/interop/java test

# ---- the bindings and the CLI: each builds on the release target/ above --------------------------

# The JVM suite before the Python one: maturin builds pyo3 with its own PYO3_* environment, and
# a `cargo build --workspace` after it (the JVM suite's) would compile pyo3 again for the old one.
run node-binding bash bindings/node/ci.sh
run jvm-binding bash bindings/jvm/ci.sh
# The Python binding's produce/consume/group/admin subset also runs against real Apache Kafka
# (~30 s), as the Node and JVM suites do theirs.
run python-binding env FERROKAFKA_TEST_TARGET=apache bash bindings/python/ci.sh
# The CLI's own tests ran in cargo-test; its comparison with Apache Kafka's tools (on our broker
# and on a real Apache Kafka) is `#[ignore]`d there (it needs the Kafka jars and a JVM) and runs here.
# `--workspace --test cli_it` rather than `-p ferrokafka-cli`: the workspace selection
# reuses the release build above (`-p` unifies features differently and recompiles ~2.5 min).
run cli-vs-kafka-tools cargo test --release --locked --workspace --test cli_it -- --ignored kafka_parity::

# ---- summary ----------------------------------------------------------------------------------

log "summary (target: $FERROKAFKA_TEST_TARGET, total $((SECONDS - START_ALL))s, logs in $LOGS)"
printf '%s\n' "${SUMMARY[@]}"
passed=$(printf '%s\n' "${SUMMARY[@]}" | grep -c '^PASS')
failed=$(printf '%s\n' "${SUMMARY[@]}" | grep -c '^FAIL')
if [[ $FAILED -ne 0 ]]; then
  echo "RESULT: FAIL"
  echo "suites: $passed passed, $failed failed"
  exit 1
fi
echo "RESULT: PASS"
echo "suites: $passed passed, $failed failed"
