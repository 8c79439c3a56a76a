#!/usr/bin/env bash
# The JVM binding's CI suite. On a fresh Debian machine with Rust, JDK 17 and Maven:
#   1. builds the JNI library with --release into the workspace's target/ (shared with every
#      binding, so the core is compiled once per profile);
#   2. `mvn install`s the Maven modules (ferrokafka-clients, ferrokafka-test,
#      ferrokafka-spring-boot-starter) into ~/.m2, running their JUnit 5 suites against the
#      bundled broker (in-process, through JNI);
#   3. runs each example under examples/spring-boot/ against those installed artifacts.
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
echo "=== cargo build --release -p ferrokafka-jni"
timeout "$STEP_TIMEOUT" cargo build --release -p ferrokafka-jni --locked

echo "=== mvn install bindings/jvm (build.sh copies the release library into the JAR)"
timeout --kill-after=30 "$STEP_TIMEOUT" "${MVN[@]}" -f bindings/jvm/pom.xml install

for pom in examples/spring-boot/*/pom.xml; do
  echo "=== mvn test $(dirname "$pom") (against the installed ferrokafka artifacts)"
  timeout --kill-after=30 "$STEP_TIMEOUT" "${MVN[@]}" -f "$pom" test
done

echo "=== jvm suite passed in $((SECONDS - start))s"
