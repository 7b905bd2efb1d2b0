#!/bin/bash
# Repeats what 00-xl-passthrough does first (VF to pciback, PV guest with the
# VF, wait until the guest sees it, destroy) 8 times and
# prints each round's time to the console too, to catch the rare run where
# the VM stops making progress after xl create.
#   SRIOV_VM_TEST_TIMEOUT=1500 tests/vm/run-tier3 --timeout 1700 \
#       --tests tests/vm/explore/passthrough-loop.sh
set -uo pipefail
. "$SRIOV_VM_TESTLIB"
rounds=8
say() { echo "$*"; echo "loop: $*" >/dev/console; }

pf=$(nvme_sriov_pf) || { fail nvme-pf "no NVMe SR-IOV function in dom0"; exit 1; }
dev=/sys/bus/pci/devices/$pf
wait_until 10 test -e "$dev/driver" || modprobe nvme
echo 0 >"$dev/sriov_drivers_autoprobe"
check enable-vfs set_numvfs "$pf" 1
vf=$(vf_bdf "$pf" 0)
echo pciback >"/sys/bus/pci/devices/$vf/driver_override"
check assignable xl pci-assignable-add "$vf"
name=loop-pv
cfg=$SRIOV_VM_SCRATCH/$name.cfg
domu_cfg "$cfg" "$name" "pci = [ '$vf' ]"
trap 'xl destroy "$name" 2>/dev/null' EXIT
for r in $(seq 1 "$rounds"); do
    t0=$SECONDS
    say "round $r: xl create (uptime $(cut -d' ' -f1 /proc/uptime))"
    rm -f "$(domu_log "$name")"
    xl create "$cfg" >/dev/null 2>&1 || { fail "round$r-create" "xl create"; continue; }
    say "round $r: created after $((SECONDS - t0)) s"
    if domu_sees "$name" '0x1b36:0x0010' 120; then pass "round$r-sees-vf"
    else fail "round$r-sees-vf" "no VF in the guest"; fi
    say "round $r: guest saw the VF after $((SECONDS - t0)) s"
    check "round$r-destroy" xl destroy "$name"
    say "round $r: done in $((SECONDS - t0)) s"
done
trap - EXIT
check assignable-remove xl pci-assignable-remove -r "$vf"
echo >"/sys/bus/pci/devices/$vf/driver_override"
set_numvfs "$pf" 0
echo 1 >"$dev/sriov_drivers_autoprobe"
exit "$FAILED"
