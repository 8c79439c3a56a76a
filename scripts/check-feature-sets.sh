#!/usr/bin/env bash
# Checks that every build CI makes resolves each shared dependency with the same features, so the
# release target/ compiles the core (and everything under it) once:
#   - `cargo build --release --workspace` (the broker, the CLI, the Node and JNI libraries),
#   - `cargo test --release --workspace` (adds the dev-dependencies),
#   - maturin's build of the Python wheel (`-m bindings/python/Cargo.toml`, i.e. one package).
# A crate resolved with other features in one of them is compiled again there, and so is every
# crate above it: a new dependency that enables a feature only one build sees costs CI minutes.
# The fix is a line in workspace-hack/Cargo.toml. Prints the differing crates; exits 1 if any.
#
#   scripts/check-feature-sets.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tree() { cargo tree --locked --prefix none -f '{p} [{f}]' "$@" | sed 's/ (\*)$//; s/ (proc-macro)//' | sort -u; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tree --workspace -e normal,build >"$work/release"
tree --workspace -e normal,build,dev >"$work/test"
tree -p ferrokafka-python -e normal,build >"$work/python"

status=0
# differ A B: the lines of B whose crate (name and version) A has too, but with other features.
differ() {
  awk 'NR == FNR { have[$1 " " $2] = have[$1 " " $2] "|" $0; next }
       (($1 " " $2) in have) && index(have[$1 " " $2] "|", "|" $0 "|") == 0 { print "  " $0 }' "$1" "$2"
}
check() {
  local out
  out="$(differ "$work/$1" "$work/$2")"
  if [[ -n "$out" ]]; then
    echo "the $2 build resolves these crates with features the $1 build does not:"
    echo "$out"
    status=1
  fi
}
check release test
check release python
check python release
[[ $status -eq 0 ]] && echo "feature sets agree: the release, test and wheel builds share one compilation"
exit $status
