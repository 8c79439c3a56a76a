#!/usr/bin/env bash
# Our producer-perf-test / consumer-perf-test against Apache Kafka's ProducerPerformance /
# ConsumerPerformance (4.3.1 jars), both against the same ferrokafka broker, one after the
# other; plus each tool's time from start to its first record acknowledged (start-up cost).
# Nothing is asserted; it prints a Markdown table. Usage:
#   bench/cli/perf_tools.sh [num-records] [record-size]     (default 200000 x 100 B)
# Needs a release build (cargo build --release -p ferrokafka-cli) and java.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="${FERROKAFKA_BIN:-$root/target/release/ferrokafka}"
libs="${KAFKA_LIBS:-$("$root/scripts/fetch-kafka.sh")}"
n="${1:-200000}"; size="${2:-100}"
port=$(( 20000 + RANDOM % 20000 ))
bs="127.0.0.1:$port"
data="$(mktemp -d)"
"$bin" broker --override "log.dirs=$data" --override "listeners=PLAINTEXT://$bs" \
  --override group.initial.rebalance.delay.ms=0 >"$data/broker.log" 2>&1 &
broker=$!
trap 'kill $broker 2>/dev/null; wait $broker 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do "$bin" topics --bootstrap-server "$bs" --list >/dev/null 2>&1 && break; sleep 0.1; done
java_tool() { java -cp "$libs/*" "$@" 2>/dev/null; }
ms() { date +%s%3N; }

for t in ours-p kafka-p ours-1 kafka-1; do
  "$bin" topics --bootstrap-server "$bs" --create --topic "$t" --partitions 1 >/dev/null
done

# Start-up to the first record acknowledged: one record, whole process wall time.
t0=$(ms); "$bin" producer-perf-test --topic ours-1 --num-records 1 --record-size "$size" --throughput -1 \
  --producer-props "bootstrap.servers=$bs" acks=1 >/dev/null; ours_first=$(( $(ms) - t0 ))
t0=$(ms); java_tool org.apache.kafka.tools.ProducerPerformance --topic kafka-1 --num-records 1 --record-size "$size" \
  --throughput -1 --producer-props "bootstrap.servers=$bs" acks=1 >/dev/null; kafka_first=$(( $(ms) - t0 ))

ours_p=$("$bin" producer-perf-test --topic ours-p --num-records "$n" --record-size "$size" --throughput -1 \
  --producer-props "bootstrap.servers=$bs" acks=1 | tail -1)
kafka_p=$(java_tool org.apache.kafka.tools.ProducerPerformance --topic kafka-p --num-records "$n" --record-size "$size" \
  --throughput -1 --producer-props "bootstrap.servers=$bs" acks=1 | tail -1)
ours_c=$("$bin" consumer-perf-test --bootstrap-server "$bs" --topic ours-p --messages "$n" | tail -1)
kafka_c=$(java_tool org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$bs" --topic kafka-p --messages "$n" | tail -1)

rps() { echo "$1" | sed -n 's/^[0-9]* records sent, \([0-9.]*\) records\/sec.*/\1/p' | cut -d. -f1; }
p99() { echo "$1" | sed -n 's/.* \([0-9]*\) ms 99th.*/\1/p'; }
crate() { echo "$1" | awk -F', ' '{printf "%d", $6}'; }
echo "| tool | ferrokafka | Apache Kafka 4.3.1 (JVM) |"
echo "|---|---|---|"
echo "| start-up to first record acked (1 record, whole process) | ${ours_first} ms | ${kafka_first} ms |"
echo "| producer-perf-test, $n x $size B, acks=1 (records/s) | $(rps "$ours_p") | $(rps "$kafka_p") |"
echo "| producer-perf-test p99 latency | $(p99 "$ours_p") ms | $(p99 "$kafka_p") ms |"
echo "| consumer-perf-test, $n records (records/s) | $(crate "$ours_c") | $(crate "$kafka_c") |"
