#!/bin/bash
# PCI passthrough of an SR-IOV VF with the standard toolstack: make a VF of
# the NVMe PF assignable, give it to a PV guest (pcifront), detach and
# re-attach it at run time, destroy the guest, give the VF back.
set -uo pipefail
. "$SRIOV_VM_TESTLIB"

xl info | grep '^virt_caps' | grep -q 'hvm_directio.*pv_directio\|pv_directio.*hvm_directio' &&
    pass xl-virt-caps-directio || fail xl-virt-caps-directio "$(xl info | grep '^virt_caps')"

pf=$(nvme_sriov_pf) || { fail nvme-pf "no NVMe SR-IOV function in dom0"; exit 1; }
dev=/sys/bus/pci/devices/$pf
wait_until 10 test -e "$dev/driver" || modprobe nvme
echo 0 >"$dev/sriov_drivers_autoprobe"     # keep dom0's nvme off the VFs
check dom0-enable-vfs set_numvfs "$pf" 2
vf=$(vf_bdf "$pf" 0)
short=${vf#0000:}
echo "PF $pf VF $vf"

# With sriov_drivers_autoprobe=0 a VF binds to no driver unless its
# driver_override names it: without the override pciback's bind (what
# xl pci-assignable-add writes) fails with ENODEV.
if xl pci-assignable-add "$vf" >/dev/null 2>&1; then
    fail vf-no-autoprobe-needs-override "pci-assignable-add worked without driver_override"
    xl pci-assignable-remove "$vf" >/dev/null 2>&1
else
    pass vf-no-autoprobe-needs-override
fi
echo pciback >"/sys/bus/pci/devices/$vf/driver_override"
check xl-pci-assignable-add xl pci-assignable-add "$vf"
check xl-pci-assignable-list sh -c "xl pci-assignable-list | grep -q '$vf'"
check vf-bound-to-pciback test "$(basename "$(readlink "/sys/bus/pci/devices/$vf/driver")")" = pciback

name=sriov-pv
cfg=$SRIOV_VM_SCRATCH/$name.cfg
domu_cfg "$cfg" "$name" "pci = [ '$vf' ]" 'passthrough = "enabled"'
t0=$SECONDS
if xl create "$cfg"; then pass xl-create-with-vf; else fail xl-create-with-vf "see log"; exit 1; fi
trap 'xl destroy "$name" 2>/dev/null' EXIT
if domu_sees "$name" '0x1b36:0x0010' 90; then
    pass domu-sees-vf
    echo "guest saw the VF $((SECONDS - t0)) s after xl create"
else
    fail domu-sees-vf "no 1b36:0010 in the guest console"
fi
check xl-pci-list sh -c "xl pci-list '$name' | grep -q '$short'"

check xl-pci-detach xl pci-detach "$name" "$vf"
check domu-vf-gone domu_sees "$name" 'none' 60
check xl-pci-attach xl pci-attach "$name" "$vf"
check domu-vf-back domu_sees "$name" '0x1b36:0x0010' 60

check xl-destroy xl destroy "$name"
trap - EXIT
check xl-pci-assignable-remove xl pci-assignable-remove "$vf"
check vf-not-assignable sh -c "! xl pci-assignable-list | grep -q '$vf'"
check vf-left-pciback test "$(basename "$(readlink "/sys/bus/pci/devices/$vf/driver" 2>/dev/null)")" != pciback
echo >"/sys/bus/pci/devices/$vf/driver_override"
check dom0-disable-vfs set_numvfs "$pf" 0
echo 1 >"$dev/sriov_drivers_autoprobe"
echo "--- guest console"
cat "$(domu_log "$name")"
exit "$FAILED"
