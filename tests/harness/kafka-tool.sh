#!/usr/bin/env bash
# Runs one of Apache Kafka's command-line tool classes with the jars scripts/fetch-kafka.sh
# fetched (or $FERROKAFKA_KAFKA_LIBS / $KAFKA_LIBS), for the tests that compare our tools with
# Kafka's or drive our broker with them:
#
#   tests/harness/kafka-tool.sh [JVM options...] <main class> [tool arguments...]
#
# A tool's JVM loads a few thousand classes from the jars before it does anything: ~3.5 s on a
# 2-core box. The first run records them in a dynamic CDS archive (JDK 13+) kept next to the
# jars and keyed by the java binary; later runs map it and start in ~1.3 s. A stale or foreign
# archive is ignored by the JVM (-Xshare:auto). Unified JVM logging is off, so stdout and
# stderr carry only the tool's own output. Exits with the tool's status.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
libs="${FERROKAFKA_KAFKA_LIBS:-${KAFKA_LIBS:-}}"
if [[ -z "$libs" ]]; then
  libs="$(bash "$here/../../scripts/fetch-kafka.sh" | tail -n 1)"
fi

jvm=()
while [[ $# -gt 0 && "$1" == -* ]]; do
  jvm+=("$1")
  shift
done
[[ $# -gt 0 ]] || { echo "usage: kafka-tool.sh [JVM options...] <main class> [args...]" >&2; exit 2; }

java_bin="$(readlink -f "$(command -v java)")"
archive="$libs/../tools-$(printf '%s' "$java_bin" | sha256sum | cut -c1-12).jsa"
base=(java -XX:TieredStopAtLevel=1 -Xshare:auto -Xlog:disable -Xlog:all=off)

if [[ -s "$archive" ]]; then
  exec "${base[@]}" -XX:SharedArchiveFile="$archive" "${jvm[@]}" -cp "$libs/*" "$@"
fi
# No archive yet: this run writes one at exit, under a private name first so that a concurrent
# run never maps half a file.
staging="$archive.$$"
trap 'rm -f "$staging"' EXIT
status=0
"${base[@]}" -XX:ArchiveClassesAtExit="$staging" "${jvm[@]}" -cp "$libs/*" "$@" || status=$?
if [[ -s "$staging" ]]; then
  mv -f "$staging" "$archive" 2>/dev/null || true
fi
exit "$status"
