#!/usr/bin/env bash
# Fetch Apache Kafka's jars (broker, tools, clients) from Maven Central into a cache outside the
# checkout, once. Prints the libs directory; use it as `java -cp "<libs>/*" <main class>`.
#
#   scripts/fetch-kafka.sh            -> ${FERROKAFKA_CACHE:-$HOME/.cache/ferrokafka}/kafka-<version>/libs
#
# The version is the one pinned in tests/kafka/pom.xml. Progress goes to stderr; stdout is only
# the path, so callers can do LIBS=$(scripts/fetch-kafka.sh).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pom="$root/tests/kafka/pom.xml"
version="$(sed -n 's|.*<kafka.version>\(.*\)</kafka.version>.*|\1|p' "$pom" | head -n1)"
cache="${FERROKAFKA_CACHE:-$HOME/.cache/ferrokafka}"
dest="$cache/kafka-$version"
libs="$dest/libs"

if [[ ! -f "$dest/.complete" ]] || ! ls "$libs"/kafka_2.13-"$version".jar >/dev/null 2>&1; then
  echo "fetching Apache Kafka $version jars from Maven Central into $libs" >&2
  tmp="$dest/libs.partial.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  # -B: batch mode (no prompts, no colour); -q: only errors.
  if ! mvn -B -q -Dstyle.color=never -f "$pom" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$tmp" >&2; then
    rm -rf "$tmp"
    echo "fetch-kafka: maven could not resolve Apache Kafka $version (see errors above)" >&2
    exit 1
  fi
  rm -rf "$libs"
  mv "$tmp" "$libs"
  touch "$dest/.complete"
fi
echo "$libs"
