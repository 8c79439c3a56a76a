#!/usr/bin/env bash
# bench/jvm/order-export-wall.sh — the order-export example's end-to-end test (the same
# scenarios, OrderExportFlowScenarios) timed two ways, one after the other on this machine:
#   ferrokafka: OrderExportFlowTest, @EmbeddedFerroKafka + the starter's factories (our clients);
#   stock:      OrderExportFlowOnStockEmbeddedKafka (Maven profile stock-embedded-kafka), the
#               seed's @EmbeddedKafka (spring-kafka-test's in-JVM KRaft broker) + spring-kafka's
#               stock factories and Java's clients.
# Prints, per variant and run, the wall time of `mvn surefire:test` for that one class (Maven
# start, the forked test JVM, Spring context start, the tests, JVM exit; both variants are
# compiled once beforehand, so compilation is not counted) and Surefire's elapsed time for the class (context start +
# tests, without the JVM's shutdown), then the stock/ferrokafka ratios. Not a test: nothing is
# asserted.
#
#   bench/jvm/order-export-wall.sh [runs=1]
# Needs the ferrokafka artifacts in ~/.m2 (bindings/jvm/ci.sh, or
# mvn -f bindings/jvm/pom.xml install -Dcargo.profile=release -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${1:-1}"
POM=examples/spring-boot/order-export/pom.xml
REPORTS=examples/spring-boot/order-export/target/surefire-reports
MVN=(mvn -B -ntp -q -Dstyle.color=never -f "$POM")

# Compile both variants (and resolve the profile's dependencies) before timing anything.
"${MVN[@]}" test-compile -Pstock-embedded-kafka >/dev/null

now_ms() { date +%s%3N; }
# run <class> [maven args...]: prints "<wall ms> <surefire class ms>"
run() {
  local class="$1"; shift
  rm -rf "$REPORTS"
  local t0; t0=$(now_ms)
  "${MVN[@]}" surefire:test -Dtest="$class" "$@" >/tmp/order-export-wall.$$.log 2>&1 \
    || { cat /tmp/order-export-wall.$$.log >&2; echo "order-export-wall: $class failed" >&2; exit 1; }
  local t1; t1=$(now_ms)
  local suite
  suite=$(sed -n 's/.*<testsuite [^>]*time="\([0-9.,]*\)".*/\1/p' "$REPORTS"/TEST-*"$class".xml | head -1 | tr -d ,)
  echo "$((t1 - t0)) $(awk -v s="$suite" 'BEGIN { printf "%d", s * 1000 }')"
}

ours_wall=0; ours_suite=0; stock_wall=0; stock_suite=0
for i in $(seq "$RUNS"); do
  read -r w s < <(run OrderExportFlowTest)
  printf 'run %d  @EmbeddedFerroKafka + starter : mvn surefire:test %6d ms, test class %6d ms\n' "$i" "$w" "$s"
  ours_wall=$((ours_wall + w)); ours_suite=$((ours_suite + s))
  read -r w s < <(run OrderExportFlowOnStockEmbeddedKafka -Pstock-embedded-kafka)
  printf 'run %d  @EmbeddedKafka (KRaft) + stock : mvn surefire:test %6d ms, test class %6d ms\n' "$i" "$w" "$s"
  stock_wall=$((stock_wall + w)); stock_suite=$((stock_suite + s))
done
rm -f /tmp/order-export-wall.$$.log
awk -v ow="$ours_wall" -v os="$ours_suite" -v sw="$stock_wall" -v ss="$stock_suite" -v n="$RUNS" 'BEGIN {
  printf "mean of %d run(s)       %12s %12s %8s\n", n, "ferrokafka", "stock", "ratio"
  printf "mvn surefire:test      %9.1f s  %9.1f s  %6.1fx faster\n", ow / n / 1000, sw / n / 1000, sw / ow
  printf "test class (Surefire)  %9.1f s  %9.1f s  %6.1fx faster\n", os / n / 1000, ss / n / 1000, ss / os
}'
