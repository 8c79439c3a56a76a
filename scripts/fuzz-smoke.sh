#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a bounded time (default 60 s each) on stable Rust.
#
#   scripts/fuzz-smoke.sh            # 60 s per target
#   scripts/fuzz-smoke.sh 300        # 5 minutes per target
#   scripts/fuzz-smoke.sh 60 request_decode
#
# Exits non-zero when a target crashes; the crashing input is in fuzz/artifacts/<target>/ and
# `cargo fuzz run --sanitizer none <target> fuzz/artifacts/<target>/<file>` replays it.
# Works on stable Rust with `--sanitizer none` (cargo-fuzz 0.13 then passes only stable rustc
# flags: sancov instrumentation, --cfg fuzzing); no nightly toolchain or RUSTC_BOOTSTRAP needed.
# Debug assertions are on, so an integer overflow on untrusted input is a crash too.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-${FUZZ_SECONDS:-60}}"
shift || true

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "installing cargo-fuzz from crates.io" >&2
  cargo install --locked cargo-fuzz >&2
fi

cd "$root"
if [[ $# -gt 0 ]]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi

status=0
for target in "${targets[@]}"; do
  corpus="fuzz/corpus/$target"
  mkdir -p "$corpus" "fuzz/artifacts/$target"
  echo "== fuzzing $target for ${seconds}s" >&2
  # -timeout: one input taking > 10 s is a hang; -rss_limit_mb: runaway allocation is a crash.
  seeds=()
  [[ -d "fuzz/seeds/$target" ]] && seeds=("fuzz/seeds/$target")
  if ! cargo fuzz run --sanitizer none --debug-assertions "$target" "$corpus" "${seeds[@]}" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1; then
    echo "!! $target crashed: see fuzz/artifacts/$target/" >&2
    status=1
  fi
done
exit "$status"
