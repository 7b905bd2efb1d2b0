#!/bin/bash
# Runs inside the tier-2 VM (bench/vm-enable boots it): `xl-sriov pf-enable PF N`
# against the plain kernel way on QEMU's SR-IOV NVMe PF, N = sriov_totalvfs.
# The plain way does what pf-enable does to the kernel, so that both measure
# the same kernel work: clear sriov_drivers_autoprobe (the VFs stay unbound,
# for assignment), write N to sriov_numvfs, wait until virtfn0..N-1 exist,
# set sriov_drivers_autoprobe back to 1.  Each is its own process (pf-enable
# the program, the plain way a /bin/sh script); the runs alternate, and
# between two runs the VFs go back to 0 the same way for both (echo 0, not
# timed).  Prints BENCH:/RATIO: lines, and PASS/FAIL for the VM runner.
# Environment (passed on by bench/vm-enable): SRIOV_BENCH_RUNS (default 7),
# SRIOV_BENCH_STRACE=1.
set -uo pipefail
# shellcheck source=tests/vm/testlib.sh
. "$SRIOV_VM_TESTLIB"

runs=${SRIOV_BENCH_RUNS:-7}
XL=$SRIOV_BUILDDIR/xl-plugin/xl-sriov
# The program itself, not libtool's wrapper script (a shell and a sed per call).
if [ -x "$SRIOV_BUILDDIR/xl-plugin/.libs/xl-sriov" ]; then
    XL=$SRIOV_BUILDDIR/xl-plugin/.libs/xl-sriov
    export LD_LIBRARY_PATH=$SRIOV_BUILDDIR/libsriov/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
# The VM's root, the build tree included, is the host's over 9p: there each
# of the dynamic loader's lookups and opens is a round trip to QEMU, about 95
# for xl-sriov's 25 libraries against 5 for /bin/sh and libc, slow and swayed
# by the host's load.  A host has its programs on a local disk; both sides run
# from copies on the VM's tmpfs instead (the program, /bin/sh and every
# library either loads), found first through LD_LIBRARY_PATH.
local=$SRIOV_VM_SCRATCH/bench-local
mkdir -p "$local/lib"
XL9P=$XL
if ! { cp "$XL" "$local/xl-sriov" && cp "$(readlink -f /bin/sh)" "$local/sh" &&
    ldd "$XL" /bin/sh | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u |
    xargs -r cp -L -t "$local/lib"; }; then
    fail vm-enable "cannot copy the programs to tmpfs"
    exit 1
fi
XL=$local/xl-sriov
export LD_LIBRARY_PATH=$local/lib
export SRIOV_STATE_DIR=$SRIOV_VM_SCRATCH/bench-state SRIOV_RUN_DIR=$SRIOV_VM_SCRATCH/bench-run
mkdir -p "$SRIOV_STATE_DIR" "$SRIOV_RUN_DIR"

pf=$(nvme_sriov_pf) || { fail vm-enable "no NVMe SR-IOV function"; exit 1; }
dev=/sys/bus/pci/devices/$pf
wait_until 10 test -e "$dev/driver" || modprobe nvme
wait_until 10 test -e "$dev/driver" || { fail vm-enable "nvme driver not bound to $pf"; exit 1; }
n=$(cat "$dev/sriov_totalvfs")
echo 0 >"$dev/sriov_numvfs"
echo 1 >"$dev/sriov_drivers_autoprobe"

# The plain kernel way, as a script an administrator would write.
plain=$SRIOV_VM_SCRATCH/plain-enable
{ echo "#!$local/sh"; cat; } >"$plain" <<'SH'
# plain-enable PFDIR N
d=$1 n=$2
echo 0 >"$d/sriov_drivers_autoprobe" || exit 1
echo "$n" >"$d/sriov_numvfs" || exit 1
i=0
while [ "$i" -lt "$n" ]; do
    until [ -e "$d/virtfn$i" ]; do sleep 0.01; done
    i=$((i + 1))
done
echo 1 >"$d/sriov_drivers_autoprobe"
SH
chmod +x "$plain"

# ms CMD...: run it, print its wall time in ms; fail the bench if it fails.
# The clock is read without a subshell, so only the command's fork, exec, run
# and exit fall between the two readings.
ms() {
    local t0 t1 rc=0
    t0=${EPOCHREALTIME/,/.}
    "$@" >/dev/null 2>"$SRIOV_VM_SCRATCH/bench-err" || rc=$?
    t1=${EPOCHREALTIME/,/.}
    [ "$rc" = 0 ] || { echo "bench: $* failed: $(cat "$SRIOV_VM_SCRATCH/bench-err")" >&2; return 1; }
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }'
}
# What both must leave: N VFs, all linked, none bound, autoprobe back to 1.
state_ok() {
    [ "$(cat "$dev/sriov_numvfs")" = "$n" ] || return 1
    [ -e "$dev/virtfn$((n - 1))" ] && [ ! -e "$dev/virtfn$n" ] || return 1
    [ "$(cat "$dev/sriov_drivers_autoprobe")" = 1 ] || return 1
    ! ls "$dev"/virtfn*/driver >/dev/null 2>&1
}
to_zero() {
    echo 0 >"$dev/sriov_numvfs" && wait_until 30 test ! -e "$dev/virtfn0"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "BENCH: vm-enable: PF $pf ($(cat "$dev/vendor"):$(cat "$dev/device"), driver nvme), N=$n VFs (sriov_totalvfs), $runs runs each, alternating"
echo "BENCH: vm-enable: peer: echo 0 > sriov_drivers_autoprobe; echo $n > sriov_numvfs; wait for virtfn0..$((n - 1)); echo 1 > sriov_drivers_autoprobe (as pf-enable: VFs left unbound)"
# One run of each first, not counted: the first VFs the kernel ever
# makes, and the first start of xl-sriov and its libraries over 9p, cost more.
to_zero
w1=$(ms "$plain" "$dev" "$n") || { fail vm-enable "plain enable failed"; exit 1; }
to_zero
w2=$(ms "$XL" pf-enable "$pf" "$n") || { fail vm-enable "pf-enable failed"; exit 1; }
echo "BENCH: vm-enable: warm-up (not counted): echo $w1 ms, then pf-enable $w2 ms"
ours=() theirs=() bad=0
for r in $(seq 1 "$runs"); do
    # Alternate which goes first, so that neither always follows the other.
    for who in $( [ $((r % 2)) = 1 ] && echo "xl plain" || echo "plain xl"); do
        to_zero || { fail vm-enable "could not go back to 0 VFs"; exit 1; }
        if [ "$who" = xl ]; then
            t=$(ms "$XL" pf-enable "$pf" "$n") || { fail vm-enable "pf-enable failed"; exit 1; }
            ours+=("$t")
        else
            t=$(ms "$plain" "$dev" "$n") || { fail vm-enable "plain enable failed"; exit 1; }
            theirs+=("$t")
        fi
        state_ok || { echo "bench: after $who run $r: not $n unbound VFs with autoprobe 1" >&2; bad=1; }
    done
done
to_zero
echo "BENCH: vm-enable: pf-enable ms: ${ours[*]}"
echo "BENCH: vm-enable: echo ms:      ${theirs[*]}"
mo=$(printf '%s\n' "${ours[@]}" | median)
mt=$(printf '%s\n' "${theirs[@]}" | median)
echo "BENCH: vm-enable: median pf-enable $mo ms, echo $mt ms"
echo "RATIO: pf-enable/echo N=$n median $(awk -v a="$mo" -v b="$mt" 'BEGIN { printf "%.2f", a / b }') (goal <= 1.2)"
# The same from each run's pair (the two ran next to each other, under the same
# load): less swayed by load that comes and goes over the minutes of the bench.
paired=$(for i in "${!ours[@]}"; do awk -v a="${ours[$i]}" -v b="${theirs[$i]}" 'BEGIN { print a / b }'; done | median)
echo "BENCH: vm-enable: median of the $runs paired ratios pf-enable/echo: $(awk -v r="$paired" 'BEGIN { printf "%.2f", r }')"

# What pf-enable costs besides the kernel: starting a program linked with libxl
# and the rest (25 shared libraries) against starting /bin/sh, and the same
# pf-enable when the N VFs are there already (start-up, PF and VF scans, lock,
# records; no kernel work).  Fastest of the runs: the machine's load only adds.
fastest() { printf '%s\n' "$@" | sort -n | head -n 1; }
sh_t=() help_t=() noop_t=() sh9_t=() help9_t=()
echo "$n" >"$dev/sriov_numvfs"
for r in $(seq 1 "$runs"); do
    sh_t+=("$(ms "$local/sh" -c :)")
    help_t+=("$(ms "$XL" --help)")
    noop_t+=("$(ms "$XL" pf-enable "$pf" "$n")")
    sh9_t+=("$(LD_LIBRARY_PATH='' ms /bin/sh -c :)")
    help9_t+=("$(LD_LIBRARY_PATH=$SRIOV_BUILDDIR/libsriov/.libs ms "$XL9P" --help)")
done
to_zero
echo "BENCH: vm-enable: start-up: sh -c : $(fastest "${sh_t[@]}") ms, xl-sriov --help $(fastest "${help_t[@]}") ms;" \
    "pf-enable with the $n VFs already there $(fastest "${noop_t[@]}") ms (fastest of $runs, from tmpfs)"
echo "BENCH: vm-enable: start-up over 9p: sh -c : $(fastest "${sh9_t[@]}") ms, xl-sriov --help $(fastest "${help9_t[@]}") ms (fastest of $runs)"

# Where pf-enable's time goes: SRIOV_BENCH_STRACE=1 keeps an strace -f -tt of
# one run in the logs (out/pf-enable.strace).
if [ -n "${SRIOV_BENCH_STRACE:-}" ] && command -v strace >/dev/null; then
    strace -f -tt -o "$SRIOV_VM_OUT/pf-enable.strace" "$XL" -v pf-enable "$pf" "$n" >/dev/null 2>&1
    to_zero
fi
if [ "$bad" = 0 ]; then pass vm-enable; else fail vm-enable "a run left another state (see log)"; fi
exit "$FAILED"
