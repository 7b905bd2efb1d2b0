#!/bin/bash
# The libFuzzer targets, each for a bounded time from its seed corpus
# (tests/fuzz/TARGET/); one PASS/FAIL line per target with its executions.
# Tier 1 runs each for 10 s; `make fuzz` for --seconds N (FUZZ_SECONDS).
# Findings (crashing inputs) are kept in BUILDDIR/tests/fuzz/findings/.
# Usage: test-fuzz.sh [--srcdir DIR] [--builddir DIR] [--seconds N]
set -u
srcdir=${SRIOV_SRCDIR:-} builddir=${SRIOV_BUILDDIR:-} seconds=${FUZZ_TIER1_SECONDS:-10}
while [ $# -gt 0 ]; do
    case $1 in
    --srcdir) srcdir=$2; shift 2 ;;
    --builddir) builddir=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    *) echo "usage: test-fuzz.sh [--srcdir DIR] [--builddir DIR] [--seconds N]" >&2; exit 2 ;;
    esac
done
: "${srcdir:?--srcdir}" "${builddir:?--builddir}"
targets=(vfreq netcfg records attr)

if [ -f "$builddir/tests/fuzz/skip-reason" ] && [ ! -x "$builddir/tests/fuzz/fuzz-vfreq" ]; then
    echo "SKIP: fuzz: $(cat "$builddir/tests/fuzz/skip-reason")"
    exit 0
fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
findings=$builddir/tests/fuzz/findings
mkdir -p "$findings"
# libxlutil leaks what it parsed before a syntax error (tests/fuzz/lsan.supp
# says which); leaks of our own are findings.
export LSAN_OPTIONS=suppressions=$srcdir/tests/fuzz/lsan.supp:print_suppressions=0
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

for t in "${targets[@]}"; do
    bin=$builddir/tests/fuzz/fuzz-$t
    if [ ! -x "$bin" ]; then
        echo "FAIL: fuzz-$t: $bin was not built (make fuzz-build)"
        continue
    fi
    mkdir -p "$T/$t"
    log=$T/$t.log
    # New inputs go to the first (temporary) corpus; the seeds stay as they are.
    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$findings/$t-" "$T/$t" "$srcdir/tests/fuzz/$t" >"$log" 2>&1
    status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
    corpus=$(ls "$T/$t" | wc -l)
    seeds=$(ls "$srcdir/tests/fuzz/$t" | wc -l)
    if [ "$status" -eq 0 ] && [ -n "$runs" ]; then
        echo "PASS: fuzz-$t: ${runs} executions in ${secs:-$seconds} s from $seeds seeds," \
             "$corpus new inputs, 0 crashes"
    else
        echo "FAIL: fuzz-$t: status $status after ${runs:-?} executions; finding in $findings:"
        grep -E 'ERROR|invariant|SUMMARY|Test unit written' "$log" | head -n 8
        tail -n 30 "$log"
    fi
done
