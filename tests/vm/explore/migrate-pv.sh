#!/bin/bash
# Migration exploration, PV part (not in the default run, ~1 minute):
#   run-tier3 --tests tests/vm/explore/migrate-pv.sh
# Records what works with PASS/FAIL lines and "TIMING:" lines in its log.
#  1. PV xl save / xl restore (to dom0 tmpfs)
#  2. PV live migration to localhost (expected to fail: no shadow paging)
#  3. PV xl save with a VF passed through (does the toolstack refuse it?)
# Local migration without ssh: xl migrate -s env DOM XX=1 makes xl run
# "env XX=1 xl migrate-receive" on this host as the "remote" side.
set -uo pipefail
. "$SRIOV_VM_TESTLIB"
S=$SRIOV_VM_SCRATCH

# 1. PV save/restore
domu_cfg "$S/pv.cfg" pv1
timed pv-create xl create "$S/pv.cfg" && domu_sees pv1 . 60 >/dev/null
if timed pv-save xl save pv1 "$S/pv1.save" && timed pv-restore xl restore "$S/pv1.save"; then
    sleep 2
    xl list pv1 >/dev/null 2>&1 && pass pv-save-restore || fail pv-save-restore "not running after restore"
else
    fail pv-save-restore "save or restore failed"
fi
rm -f "$S/pv1.save"

# 2. PV live migration to localhost
out=$(timed pv-live-migrate timeout 120 xl migrate -s env pv1 XX=1 2>&1)
echo "$out"
if echo "$out" | grep -q 'rc=0'; then
    pass pv-live-migrate-works
else
    echo "$out" | grep -q 'logdirty' &&
        pass "pv-live-migrate-impossible (logdirty: $(echo "$out" | grep -o 'logdirty[^)]*' | head -n1))" ||
        fail pv-live-migrate "failed for another reason"
fi
xl destroy pv1 2>/dev/null; xl destroy pv1--incoming 2>/dev/null

# 3. PV save with a VF
pf=$(nvme_sriov_pf)
echo 0 >"/sys/bus/pci/devices/$pf/sriov_drivers_autoprobe"
set_numvfs "$pf" 1
vf=$(vf_bdf "$pf" 0)
echo pciback >"/sys/bus/pci/devices/$vf/driver_override"
xl pci-assignable-add "$vf"
domu_cfg "$S/pvpci.cfg" pvpci "pci = [ '$vf' ]"
xl create "$S/pvpci.cfg" && domu_sees pvpci 0x1b36 60 >/dev/null
if timed pv-save-with-vf xl save pvpci "$S/pvpci.save"; then
    echo "OBSERVED: xl save of a PV guest with a VF is NOT refused"
    timed pv-restore-with-vf xl restore "$S/pvpci.save"
    sleep 8
    tail -n 5 "$(domu_log pvpci)"
    grep -q 'pciback not responding' "$(domu_log pvpci)" &&
        echo "OBSERVED: after restore the guest's pcifront reports 'pciback not responding'"
    pass "pv-save-with-vf-accepted (restored guest loses the device)"
else
    pass pv-save-with-vf-refused
fi
xl destroy pvpci 2>/dev/null
rm -f "$S/pvpci.save"
xl pci-assignable-remove "$vf"
echo >"/sys/bus/pci/devices/$vf/driver_override"
set_numvfs "$pf" 0
exit 0
