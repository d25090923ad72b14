#!/bin/sh
# Benchmark-style fuzzing run (the `fuzz_run` target): each target fuzzes a scratch copy of its
# seed corpus for a bounded time; printed: libFuzzer's executions, rate and coverage, beside the
# replay of the seeds alone (the reference: what CI runs). Features: libFuzzer's count of distinct
# coverage features (GCC builds give no PC table, so no `cov:`). A crash stops the run with libFuzzer's
# report and the reproducer (crash-*) in the scratch folder; add it to corpus/<name>/ with the fix.
# usage: run_fuzzers.sh BUILD_DIR CORPUS_DIR SECONDS TARGET...
set -eu
build=$(cd "$1" && pwd) corpus=$(cd "$2" && pwd) seconds=$3
shift 3
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
printf '%-8s %12s %12s %10s   %s\n' target execs execs/s features "reference: seed replay"
for t in "$@"; do
  mkdir -p "$scratch/$t"
  cp "$corpus/$t"/* "$scratch/$t/"
  ref=$("$build/fuzz_${t}_replay" "$corpus/$t" | tail -n 1)
  log="$scratch/$t.log"
  (cd "$scratch" && OMP_THREAD_LIMIT=1 "$build/fuzz_$t" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 \
      -timeout=20 -print_final_stats=1 "$scratch/$t" >"$log" 2>&1) || { cat "$log"; exit 1; }
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  printf '%-8s %12s %12s %10s   %s\n' "$t" "${execs:-?}" "${rate:-?}" "${ft:-?}" "$ref"
done
