#!/bin/bash
# Create overhead on a real Xen (run in dom0 by bench/vm-create, through
# tests/vm/run-tier3): `xl-sriov create` of a PV guest with one vf= entry
# against plain `xl create` of the same guest with the same VF in pci=.
#   peer:  the VF is already assignable (driver_override + xl pci-assignable-add,
#          done before the clock starts); the timed command is `xl create CFG`.
#   ours:  the network's VFs are already enabled (sriov_numvfs set, as for the
#          peer) and nothing else: the timed command is `xl-sriov create CFG`,
#          which picks the VF, checks its isolation, records it, makes it
#          assignable (driver_override + libxl pci-assignable-add, the peer's
#          untimed setup), runs xl create and records the domain.
# Both configs are the same guest with passthrough="enabled" and e820_host=1
# (what xl-sriov would add), so that both xl creates get the same config.  Only
# the create command's wall time counts; between runs the guest is destroyed
# (and for ours `xl-sriov gc` gives the VF back; for the peer the VF stays
# assignable) so that each run starts from the same state.  Runs alternate,
# ABBA, in the same boot; figures are medians.
# Prints BENCH:/RATIO:/BREAKDOWN: lines (and PASS/FAIL for the test protocol).
# Environment: SRIOV_BENCH_RUNS (default 9 per side; passed on into the VM,
# unlike the older BENCH_RUNS, still read).
set -uo pipefail
. "$SRIOV_VM_TESTLIB"

runs=${SRIOV_BENCH_RUNS:-${BENCH_RUNS:-9}}
XS=$SRIOV_BUILDDIR/xl-plugin/xl-sriov
# The program itself, not libtool's wrapper script, whose shell would be counted.
if [ -x "$SRIOV_BUILDDIR/xl-plugin/.libs/xl-sriov" ]; then
    XS=$SRIOV_BUILDDIR/xl-plugin/.libs/xl-sriov
    export LD_LIBRARY_PATH=$SRIOV_BUILDDIR/libsriov/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
W=$SRIOV_VM_SCRATCH/bench-create
mkdir -p "$W/state" "$W/run"
xs() { "$XS" --config "$W/sriov.cfg" --state-dir "$W/state" --run-dir "$W/run" "$@"; }
now() { echo "${EPOCHREALTIME/,/.}"; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%d", (b - a) * 1000 }'; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
drv() { basename "$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null)" 2>/dev/null; }

pf=$(nvme_sriov_pf) || { fail bench-nvme-pf "no NVMe SR-IOV function in dom0"; exit 1; }
dev=/sys/bus/pci/devices/$pf
wait_until 10 test -e "$dev/driver" || modprobe nvme
modprobe xen-pciback 2>/dev/null
echo 0 >"$dev/sriov_drivers_autoprobe"     # keep dom0's nvme off the VFs (both sides)
set_numvfs "$pf" 2 || { fail bench-numvfs "cannot enable 2 VFs on $pf"; exit 1; }
vf=$(vf_bdf "$pf" 0)
echo "PF $pf, VF $vf"
# One VF: the peer uses it through pci=, ours gets it from the network (vf=0 is
# the one allocation picks first, checked below).
cat >"$W/sriov.cfg" <<CFG
network = [ [ "name=nvme", "pf=$pf", "numvfs=2" ] ]
CFG

peer_cfg=$SRIOV_VM_SCRATCH/bench-peer.cfg ours_cfg=$SRIOV_VM_SCRATCH/bench-ours.cfg
domu_cfg "$peer_cfg" bench-peer "pci = [ '$vf' ]" 'passthrough = "enabled"' 'e820_host = 1'
domu_cfg "$ours_cfg" bench-ours "vf = [ 'network=nvme' ]" 'passthrough = "enabled"' 'e820_host = 1'
trap 'xl destroy bench-peer 2>/dev/null; xl destroy bench-ours 2>/dev/null; xs gc 2>/dev/null' EXIT

peer_setup() {
    echo pciback >"/sys/bus/pci/devices/$vf/driver_override"
    xl pci-assignable-add "$vf"
}
peer_teardown() {
    xl pci-assignable-remove "$vf" && echo >"/sys/bus/pci/devices/$vf/driver_override"
}

# run SIDE: one timed create (wall ms in $t), then destroy (+ gc), untimed.
run() {
    local t0 t1 rc=0
    case $1 in
    peer)
        t0=$(now); xl create "$peer_cfg" >"$W/out" 2>&1 || rc=$?; t1=$(now)
        xl destroy bench-peer ;;
    ours)
        # -v: its last line says how long its xl create took (timing:).
        t0=$(now); xs -v create "$ours_cfg" >"$W/out" 2>&1 || rc=$?; t1=$(now)
        xl destroy bench-ours
        xs gc || rc=1 ;;
    esac
    t=$(ms "$t0" "$t1")
    if [ "$1" = ours ]; then
        t_xl=$(sed -n 's/.*timing: .* xl create \([0-9.]*\) s.*/\1/p' "$W/out" | tail -n 1)
        t_xl=$(awk -v s="${t_xl:-0}" 'BEGIN { printf "%d", s * 1000 }')
        ours_xl+=("$t_xl") ours_own+=("$((t - t_xl))")
        echo "BENCH-RUN: ours $t ms rc=$rc (its xl create $t_xl ms, the rest $((t - t_xl)) ms)"
    else
        echo "BENCH-RUN: $1 $t ms rc=$rc"
    fi
    [ "$rc" = 0 ] || { cat "$W/out"; return 1; }
}

# Warm-up, one each (not counted): caches, first pciback bind, first domain.
t_add=() peer=() ours=() ours_xl=() ours_own=()
peer_setup || { fail bench-peer-setup "xl pci-assignable-add $vf"; exit 1; }
run peer || { fail bench-peer-create "see log"; exit 1; }
peer_teardown
xs create "$ours_cfg" >"$W/out" 2>&1 || { cat "$W/out"; fail bench-ours-create "see log"; exit 1; }
got=$(xs list --json | sed -n 's/.*"vf": "\(.*\)".*/\1/p' | head -n 1)
xl destroy bench-ours; xs gc
[ "$got" = "$vf" ] && pass bench-same-vf || fail bench-same-vf "xl-sriov picked $got, the peer uses $vf"
# Where ours spends its time: one create with -v, whose last line says it
# (per-phase wall time, libsriov's timing: line), not counted in the medians.
xs -v create "$ours_cfg" >"$W/out" 2>"$W/verbose" || { cat "$W/verbose"; fail bench-ours-verbose "see log"; exit 1; }
cat "$W/verbose"
grep 'timing: ' "$W/verbose" | sed 's/^.*timing: /BREAKDOWN: xl-sriov -v /'
xl destroy bench-ours; xs gc
for ((k = 0; k < runs; k++)); do
    # ABBA: each side goes first half of the time.
    if ((k % 2)); then order="ours peer"; else order="peer ours"; fi
    for side in $order; do
        if [ "$side" = peer ]; then
            t0=$(now); peer_setup || { fail bench-peer-setup "run $k"; exit 1; }; t_add+=("$(ms "$t0" "$(now)")")
            run peer || { fail bench-peer-create "run $k"; exit 1; }
            peer_teardown
            peer+=("$t")
        else
            run ours || { fail bench-ours-create "run $k"; exit 1; }
            ours+=("$t")
        fi
    done
done
mp=$(median "${peer[@]}") mo=$(median "${ours[@]}") ma=$(median "${t_add[@]}")
echo "BENCH: xl create, VF assignable beforehand (peer): median $mp ms over $runs runs (${peer[*]})"
echo "BENCH: xl-sriov create, VFs enabled beforehand (ours): median $mo ms over $runs runs (${ours[*]})"
echo "BENCH: peer's untimed setup (driver_override + xl pci-assignable-add): median $ma ms (${t_add[*]})"
# Where ours' extra time goes: its own xl create (the same command as the
# peer's, with the VF in pci= and the UUID as overrides) against the peer's,
# and everything else it does (start-up, scan, checks, pciback, state, xenstore).
echo "BENCH: ours split: its xl create median $(median "${ours_xl[@]}") ms (${ours_xl[*]}), the rest median $(median "${ours_own[@]}") ms (${ours_own[*]})"
pairs=()
for ((k = 0; k < runs; k++)); do pairs+=("$(awk -v a="${ours[k]}" -v b="${peer[k]}" 'BEGIN { printf "%d", 1000 * a / b }')"); done
echo "RATIO: create $(awk -v a="$mo" -v b="$mp" 'BEGIN { printf "%.3f", a / b }')x, ratio of medians (goal <= 1.1)"
list=$(for v in "${pairs[@]}"; do awk -v v="$v" 'BEGIN { printf "%.2f ", v / 1000 }'; done)
echo "RATIO: create $(awk -v a="$(median "${pairs[@]}")" 'BEGIN { printf "%.3f", a / 1000 }')x, median of the $runs same-turn ratios (${list% })"
# The two xl creates are the same command (no difference between xl create,
# xl -v create and xl create with ours' overrides was measured), so what ours
# adds is the rest, which single runs of xl create (+-25% under TCG) do not
# blur: the peer's median plus the rest's.
echo "RATIO: create $(awk -v p="$mp" -v r="$(median "${ours_own[@]}")" 'BEGIN { printf "%.3f", (p + r) / p }')x, the peer's median plus the median of ours' own work"

pass bench-create
trap - EXIT
set_numvfs "$pf" 0
echo 1 >"$dev/sriov_drivers_autoprobe"
exit "$FAILED"
