#!/usr/bin/env bash
# Runs fuzz targets: `fuzz/run.sh <runs> [target...]` runs each for a fixed
# number of executions (CI), `fuzz/run.sh --time <seconds> [target...]` for
# a time (a campaign). Each target's last status line (executions,
# coverage, corpus) goes to fuzz/results.txt. Needs the nightly toolchain
# and cargo-fuzz. A crash leaves its input in fuzz/artifacts/<target>/ and
# fails the run.
set -euo pipefail
cd "$(dirname "$0")"
if [ "${1:-}" = --time ]; then
  limit=(-max_total_time="$2"); shift 2
else
  limit=(-runs="${1:?usage: fuzz/run.sh <runs>|--time <seconds> [target...]}"); shift
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(front_matter markdown config request_path)
./seed.sh >/dev/null
# No sanitizer: the code is safe Rust, and a sanitizer would also need a
# nightly-built std. Panics and libFuzzer's own leak, timeout and memory
# limits are what the targets catch.
cargo +nightly fuzz build -s none 2>&1 | tail -1
for target in "${targets[@]}"; do
  log="$(mktemp)"
  if ! cargo +nightly fuzz run -s none "$target" "corpus/$target" -- \
      "${limit[@]}" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    grep -a -A20 -E 'panicked|ERROR' "$log" | head -40
    echo "fuzz target $target failed; its input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  line="$(grep -a -E '^#[0-9]+' "$log" | tail -1)"
  echo "$(date -u +%FT%TZ) $target ${limit[*]}: $line" | tee -a results.txt
  rm -f "$log"
done
