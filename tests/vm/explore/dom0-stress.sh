#!/bin/bash
# Fresh processes in dom0 with no other domain: 150 short pipelines
# (echo | sed | md5sum, output checked), ROUNDS times. Under -cpu max with 2
# vCPUs its first round never ended (README: "Xen under TCG").
#   tests/vm/run-tier3 --tests tests/vm/explore/dom0-stress.sh
set -uo pipefail
. "$SRIOV_VM_TESTLIB"
ROUNDS=${ROUNDS:-8}; STRESS=${STRESS:-150}
say() { echo "$*"; echo "loop: $*" >/dev/console; }
say "noguest rounds=$ROUNDS cpu: $(grep -c ^processor /proc/cpuinfo) vcpus; $(xl info | grep -E 'nr_cpus|xen_commandline' | tr -s ' ' | tr '\n' ' ')"
for r in $(seq 1 "$ROUNDS"); do
    t0=$SECONDS errs=0
    for i in $(seq 1 "$STRESS"); do
        out=$( { echo "abc$i" | sed 's/b/x/' | md5sum; } 2>&1); rc=$?
        want=$(printf 'axc%s\n' "$i" | md5sum)
        [ "$rc" = 0 ] && [ "$out" = "$want" ] || { errs=$((errs+1)); say "round $r: stress $i rc=$rc out=$out"; }
    done
    [ "$errs" = 0 ] && pass "round$r-stress" || fail "round$r-stress" "$errs errors"
    say "round $r: done in $((SECONDS - t0)) s, errors $errs"
done
exit "$FAILED"
