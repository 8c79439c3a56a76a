#!/usr/bin/env bash
# The JVM binding's CI suite. On a fresh Debian machine with Rust, JDK 17 and Maven:
#   1. builds the JNI library with --release into the workspace's target/ (shared with every
#      binding, so the core is compiled once per profile);
#   2. `mvn install`s the Maven modules (ferrokafka-clients, ferrokafka-test,
#      ferrokafka-spring-boot-starter) into ~/.m2, running their JUnit 5 suites against the
#      bundled broker (in-process, through JNI);
#   3. runs spring-boot4-tests (the same starter and ferrokafka-test JARs in a Spring Boot 4.0
#      application) and each example under examples/spring-boot/ against those installed
#      artifacts;
#   4. starts a real Apache Kafka (tests/harness/kafka_cluster.py, jars from Maven Central via
#      scripts/fetch-kafka.sh) and runs the Producer/Consumer/Admin contract tests and the Spring
#      drop-in tests (stock spring-kafka factories, Java's clients: StarterDropInTest on Boot 3.5,
#      Boot4StarterTest on Boot 4.0) against it.
#      FERROKAFKA_JVM_APACHE=0 skips this step.
# Downloads are cached in ~/.m2 and ~/.cargo. Every Maven run and every test JVM is bounded.
# Exits non-zero on the first failure.
#
#   bindings/jvm/ci.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export CARGO_TERM_COLOR=never
MVN=(mvn -B -ntp -Dstyle.color=never -Dsurefire.timeout=600 -Dcargo.profile=release)
STEP_TIMEOUT="${STEP_TIMEOUT:-1200}"

for tool in cargo java mvn; do
  command -v "$tool" >/dev/null || { echo "ci.sh: $tool is required" >&2; exit 2; }
done

start=$SECONDS
# --workspace, not -p ferrokafka-jni: the same feature set as every other build, so the core
# compiled by `cargo build --release --workspace` is reused instead of compiled again.
echo "=== cargo build --release --workspace (the JNI library)"
timeout "$STEP_TIMEOUT" cargo build --release --workspace --locked

echo "=== mvn install bindings/jvm (build.sh copies the release library into the JAR)"
timeout --kill-after=30 "$STEP_TIMEOUT" "${MVN[@]}" -f bindings/jvm/pom.xml install

echo "=== mvn test bindings/jvm/spring-boot4-tests (Spring Boot 4.0 against the installed artifacts)"
timeout --kill-after=30 "$STEP_TIMEOUT" "${MVN[@]}" -f bindings/jvm/spring-boot4-tests/pom.xml test

for pom in examples/spring-boot/*/pom.xml; do
  echo "=== mvn test $(dirname "$pom") (against the installed ferrokafka artifacts)"
  timeout --kill-after=30 "$STEP_TIMEOUT" "${MVN[@]}" -f "$pom" test
done

if [[ "${FERROKAFKA_JVM_APACHE:-1}" != 0 ]]; then
  echo "=== contract + drop-in tests against a real Apache Kafka"
  command -v python3 >/dev/null || { echo "ci.sh: python3 is required for the Apache Kafka harness" >&2; exit 2; }
  work="$(mktemp -d)"
  mkfifo "$work/stdin"
  # The harness stops the cluster when its stdin closes (this script exiting closes it).
  python3 tests/harness/kafka_cluster.py --property num.partitions=3 \
    --property group.initial.rebalance.delay.ms=0 <"$work/stdin" >"$work/kafka.log" 2>&1 &
  kafka_pid=$!
  exec {keep}>"$work/stdin"
  trap 'exec {keep}>&-; wait "$kafka_pid" 2>/dev/null; rm -rf "$work"' EXIT
  for _ in $(seq 300); do
    grep -q '^READY' "$work/kafka.log" && break
    kill -0 "$kafka_pid" 2>/dev/null || { cat "$work/kafka.log" >&2; echo "ci.sh: Apache Kafka did not start" >&2; exit 1; }
    sleep 1
  done
  apache="$(awk '/^READY/ {print $2; exit}' "$work/kafka.log")"
  [[ -n "$apache" ]] || { cat "$work/kafka.log" >&2; echo "ci.sh: Apache Kafka not ready after 300s" >&2; exit 1; }
  echo "Apache Kafka at $apache"
  timeout --kill-after=30 "$STEP_TIMEOUT" "${MVN[@]}" -f bindings/jvm/pom.xml \
    -pl ferrokafka-clients,ferrokafka-spring-boot-starter test \
    -Dferrokafka.bootstrap="$apache" -Dferrokafka.apache.bootstrap="$apache"
  echo "=== Spring Boot 4 drop-in test against the same Apache Kafka (Boot 4's stock factories)"
  timeout --kill-after=30 "$STEP_TIMEOUT" "${MVN[@]}" -f bindings/jvm/spring-boot4-tests/pom.xml test \
    -Dferrokafka.apache.bootstrap="$apache"
fi

echo "=== jvm suite passed in $((SECONDS - start))s"
