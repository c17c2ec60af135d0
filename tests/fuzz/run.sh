#!/usr/bin/env bash
# Run libFuzzer harnesses for a fixed time each, one after the other
# (`make fuzz` calls this; see tests/fuzz/README.md).
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS NAME...
#
# For each NAME it runs BUILD_DIR/fuzz/fuzz_NAME for SECONDS seconds
# (-max_total_time) on three corpus directories: BUILD_DIR/corpus/NAME/
# first, where libFuzzer writes what it finds new (the source tree stays
# untouched), then the committed seeds tests/fuzz/corpus/NAME/ and the
# saved crashes tests/fuzz/regress/NAME/.  tests/fuzz/NAME.dict is used as
# a dictionary if it exists, and tests/fuzz/fuzz_NAME.options (libFuzzer
# flags, one or more per line, # comments) is added to the command line.
# A finding (crash, leak, sanitizer report, time-out, out of memory) is
# saved as BUILD_DIR/findings/NAME/crash-... (or leak-, timeout-, oom-);
# the findings of an earlier run are removed first.  The harness's log is
# BUILD_DIR/logs/NAME.log.
#
# Each input may take at most FUZZ_TIMEOUT seconds (default 25): a hang is
# a finding, not a stuck CI job.  FUZZ_FLAGS adds libFuzzer flags to every
# harness (a campaign: FUZZ_FLAGS="-fork=1 -ignore_crashes=1" goes on past
# findings, saving each).  UBSan reads tests/fuzz/ubsan.supp.  The run goes on through every harness;
# the exit status is 1 if any of them found something, after a summary
# line per harness: executions, coverage (cov: edges, ft: features) and
# corpus size as libFuzzer last reported them.
set -uo pipefail

if [ $# -lt 3 ]; then
  echo "usage: $0 BUILD_DIR SECONDS NAME..." >&2
  exit 2
fi
build=$1 secs=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
# from the top of the tree, where BUILD_DIR and the .options paths are
cd "$here/../.." || exit 2
here=tests/fuzz
timeout=${FUZZ_TIMEOUT:-25}

# symbolized stack traces in the reports, if llvm-symbolizer is there
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ]; then
  for s in llvm-symbolizer llvm-symbolizer-14; do
    if p=$(command -v "$s"); then
      export ASAN_SYMBOLIZER_PATH=$p
      break
    fi
  done
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$here/ubsan.supp}

failed=()
summary=()
for name in "$@"; do
  bin=$build/fuzz/fuzz_$name
  if [ ! -x "$bin" ]; then
    echo "run.sh: $bin: no such harness" >&2
    failed+=("$name")
    continue
  fi
  work=$build/corpus/$name findings=$build/findings/$name
  rm -rf "$findings"
  mkdir -p "$work" "$findings" "$build/logs"
  log=$build/logs/$name.log
  args=(-max_total_time="$secs" -timeout="$timeout" -print_final_stats=1
        -artifact_prefix="$findings/")
  [ -f "$here/$name.dict" ] && args+=(-dict="$here/$name.dict")
  if [ -f "$here/fuzz_$name.options" ]; then
    while read -r line; do
      line=${line%%#*}
      for w in $line; do args+=("$w"); done
    done <"$here/fuzz_$name.options"
  fi
  for w in ${FUZZ_FLAGS:-}; do args+=("$w"); done
  dirs=("$work")
  for d in "$here/corpus/$name" "$here/regress/$name"; do
    [ -d "$d" ] && dirs+=("$d")
  done
  echo "== fuzz $name: $secs s: $bin ${args[*]} ${dirs[*]}"
  "$bin" "${args[@]}" "${dirs[@]}" >"$log" 2>&1
  rc=$?
  # the last status line: "#N ... cov: C ft: F corp: K/..."
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
  execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
  [ -n "$execs" ] || execs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$last")
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  corp=$(sed -nE 's/.* corp: ([0-9]+).*/\1/p' <<<"$last")
  line="fuzz $name: ${execs:-?} runs in $secs s ($(( ${execs:-0} / secs ))/s), cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}"
  if [ $rc -ne 0 ] || [ -n "$(ls -A "$findings")" ]; then
    failed+=("$name")
    line="$line: FOUND SOMETHING (exit $rc), see $log and $findings/"
    grep -E 'ERROR|SUMMARY|property broken|deadly signal|Test unit written' \
      "$log" | head -n 20
  fi
  summary+=("$line")
  echo "$line"
done

echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in: ${failed[*]} (inputs in $build/findings/)" >&2
  exit 1
fi
echo "fuzz: no findings"
