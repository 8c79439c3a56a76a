#!/usr/bin/env bash
# Builds the JNI library with cargo and copies it to <classes>/native/<os>-<arch>/ for the JAR.
#   build.sh <debug|release> <classes dir>
# Uses the workspace's target/ so the core is compiled once per profile for every binding.
set -euo pipefail
PROFILE="${1:-debug}"
OUT="${2:?classes directory}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$ROOT"
# The whole workspace, not `-p ferrokafka-jni`: cargo unifies features over the packages it
# builds, so only a workspace build reuses the core every other suite compiled.
if [[ "$PROFILE" == release ]]; then
  cargo build -q --workspace --release
else
  cargo build -q --workspace
fi
case "$(uname -s)" in Linux) os=linux; lib=libferrokafka_jni.so ;; Darwin) os=macos; lib=libferrokafka_jni.dylib ;; *) echo "unsupported OS $(uname -s)" >&2; exit 1 ;; esac
case "$(uname -m)" in x86_64|amd64) arch=x86_64 ;; aarch64|arm64) arch=aarch64 ;; *) arch="$(uname -m)" ;; esac
DEST="$OUT/native/$os-$arch"
mkdir -p "$DEST"
cp "${CARGO_TARGET_DIR:-$ROOT/target}/$PROFILE/$lib" "$DEST/$lib"
