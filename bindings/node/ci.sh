#!/usr/bin/env bash
# CI for the Node.js binding (npm package `ferrokafka`): install what the suite needs, build the
# addon with --release in the workspace's target/ (the core compiled once, shared with every
# binding), compile the TypeScript layer and the example, run the tests with node's test runner.
#
#   bash bindings/node/ci.sh
#
# Needs Rust, Node 20 (npm), Python 3 and a JDK + Maven (test/apache.test.mjs starts a real
# Apache Kafka through tests/harness) preinstalled; npm downloads are cached in ~/.npm. Exits non-zero
# on any failure. Every wait inside the tests is bounded; the whole suite is capped too.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
export KAFKAJS_NO_PARTITIONER_WARNING=1
export CI="${CI:-true}"

cd "$HERE"
echo "=== node binding: npm ci"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
echo "=== node binding: build (cargo --release + tsc)"
node scripts/build.js
# The package resolves itself by name in its tests (require('ferrokafka')).
ln -sfn .. node_modules/ferrokafka

if [[ -f "$ROOT/examples/node/package.json" ]]; then
  echo "=== node example: npm ci"
  (cd "$ROOT/examples/node" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

echo "=== Apache Kafka jars for test/apache.test.mjs (cached under ~/.cache/ferrokafka)"
bash "$ROOT/scripts/fetch-kafka.sh" >/dev/null

echo "=== node binding: tests"
timeout --kill-after=30 1200 node --test --test-concurrency=1 --test-timeout=300000 test/*.test.mjs
