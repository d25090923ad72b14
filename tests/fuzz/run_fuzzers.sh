#!/bin/sh
# Benchmark-style fuzzing run (the `fuzz_run` target): each target fuzzes a scratch copy of its
# seed corpus for a bounded time; printed: libFuzzer's executions, rate and coverage, beside the
# replay of the seeds alone (the reference: what CI runs). A crash stops the run with libFuzzer's
# report and the reproducer (crash-*) in the scratch folder; add it to corpus/<name>/ with the fix.
# usage: run_fuzzers.sh BUILD_DIR CORPUS_DIR SECONDS TARGET...
set -eu
build=$1 corpus=$2 seconds=$3
shift 3
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
printf '%-8s %12s %12s %10s %10s   %s\n' target execs execs/s cov features "reference: seed replay"
for t in "$@"; do
  mkdir -p "$scratch/$t"
  cp "$corpus/$t"/* "$scratch/$t/"
  ref=$("$build/fuzz_${t}_replay" "$corpus/$t" | tail -n 1)
  log="$scratch/$t.log"
  (cd "$scratch" && OMP_THREAD_LIMIT=1 "$build/fuzz_$t" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 \
      -timeout=20 -print_final_stats=1 "$scratch/$t" >"$log" 2>&1) || { cat "$log"; exit 1; }
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  printf '%-8s %12s %12s %10s %10s   %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$ref"
done
