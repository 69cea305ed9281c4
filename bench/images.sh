#!/usr/bin/env bash
# Resized images: the time to make the WebP variants of 100 photos (2400 ×
# 1600, three widths each) with an empty cache, and again from the cache.
#
#   bench/images.sh [N]    (default 100 photos)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100}"
work="${BENCH_DIR:-/tmp/broadsheet-bench}/photos$n"
out="/dev/shm/broadsheet-photos"
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
cargo build --release --quiet --example photos
cargo build --release --quiet
target/release/examples/photos "$n" "$work" >/dev/null
bs="$PWD/target/release/broadsheet"
clean="rm -rf $out /dev/shm/.broadsheet-photos.broadsheet-twin /dev/shm/.broadsheet-photos.broadsheet-cache"
hyperfine -N -w 0 -r 3 --prepare "$clean" -n "cold (no cache)" "$bs build --root $work --output $out"
hyperfine -N -w 1 -r 5 --prepare "rm -rf $out /dev/shm/.broadsheet-photos.broadsheet-twin" -n "warm (cache)" \
  "$bs build --root $work --output $out"
du -sh "$work/content" /dev/shm/.broadsheet-photos.broadsheet-cache/images
