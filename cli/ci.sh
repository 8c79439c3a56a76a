#!/usr/bin/env bash
# CLI suite: builds the release `ferrokafka` binary in the workspace's target/ and runs the CLI
# tests (README runbook verbatim, output formats, bad input) plus the comparison with Apache
# Kafka 4.3.1's own tools on the same broker state (the jars come from scripts/fetch-kafka.sh,
# cached under ${FERROKAFKA_CACHE:-$HOME/.cache/ferrokafka}; java must be on PATH).
# Exits non-zero on any failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

start=$(date +%s)
echo "== cli: Apache Kafka jars"
KAFKA_LIBS="$(scripts/fetch-kafka.sh)"
export KAFKA_LIBS

echo "== cli: cargo build --release -p ferrokafka-cli"
cargo build --release --locked -p ferrokafka-cli

echo "== cli: cargo test --release -p ferrokafka-cli (including the Kafka comparison)"
cargo test --release --locked -p ferrokafka-cli -- --include-ignored

echo "== cli: PASS in $(( $(date +%s) - start ))s"
