#!/bin/bash
# xl-sriov on real Xen: `xl-sriov create` of a PV guest with vf= gives it a VF of the
# NVMe PF that the guest sees through pcifront; pci-attach/pci-detach at run time;
# after `xl destroy` + `xl-sriov gc` the VF is back (not assignable, not bound to
# pciback, VFs disabled again, xenstore record gone).  Oracles: xl pci-list,
# xl pci-assignable-list, xenstore-read/ls, the guest's console.
set -uo pipefail
. "$SRIOV_VM_TESTLIB"

XS=$SRIOV_BUILDDIR/xl-plugin/xl-sriov
W=$SRIOV_VM_SCRATCH/xl-sriov
mkdir -p "$W/state" "$W/run"
xs() { "$XS" --config "$W/sriov.cfg" --state-dir "$W/state" --run-dir "$W/run" "$@"; }
drv() { basename "$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null)" 2>/dev/null; }

pf=$(nvme_sriov_pf) || { fail nvme-pf "no NVMe SR-IOV function in dom0"; exit 1; }
dev=/sys/bus/pci/devices/$pf
wait_until 10 test -e "$dev/driver" || modprobe nvme
modprobe xen-pciback 2>/dev/null
set_numvfs "$pf" 0
cat >"$W/sriov.cfg" <<CFG
network = [ [ "name=nvme", "pf=$pf", "numvfs=2" ] ]
CFG
check network-list sh -c "'$XS' --config '$W/sriov.cfg' network-list | grep -q '^nvme'"

name=sriov-vf
cfg=$SRIOV_VM_SCRATCH/$name.cfg
domu_cfg "$cfg" "$name" "vf = [ 'network=nvme' ]"
if uuid=$(xs -v create "$cfg"); then pass xl-sriov-create; else fail xl-sriov-create "see log"; exit 1; fi
trap 'xl destroy "$name" 2>/dev/null; xs gc' EXIT
vf=$(xs list --json | sed -n 's/.*"vf": "\(.*\)".*/\1/p' | head -n 1)
echo "domain $uuid VF $vf"
check vf-recorded test -n "$vf"
check vf-pciback test "$(drv "$vf")" = pciback
check xl-pci-list sh -c "xl pci-list '$name' | grep -q '${vf#0000:}'"
check xenstore-record sh -c "test \"\$(xenstore-read /xen-sriov/$uuid/$(echo $vf | tr :. --)/pf)\" = '$pf'"
check xl-uuid sh -c "xl list -v '$name' | grep -q '$uuid'"
if domu_sees "$name" '0x1b36:0x0010' 90; then pass domu-sees-vf; else fail domu-sees-vf "not in the console"; fi

if vf2=$(xs pci-attach "$name" 'network=nvme'); then pass xl-sriov-pci-attach; else fail xl-sriov-pci-attach "see log"; fi
check pci-attach-xl-pci-list sh -c "xl pci-list '$name' | grep -q '${vf2#0000:}'"
check xl-sriov-pci-detach xs pci-detach "$name" "$vf2"
check pci-detach-xl-pci-list sh -c "! xl pci-list '$name' | grep -q '${vf2#0000:}'"
check pci-detach-not-assignable sh -c "! xl pci-assignable-list | grep -q '$vf2'"
check pci-detach-not-pciback test "$(drv "$vf2")" != pciback
check domu-still-sees-first domu_sees "$name" '0x1b36:0x0010' 30

check xl-destroy xl destroy "$name"
check xl-sriov-gc xs -v gc
trap - EXIT
check gc-list-empty sh -c "test \"\$('$XS' --state-dir '$W/state' --run-dir '$W/run' list --json | tr -d ' \n')\" = '[]'"
check gc-not-assignable sh -c "! xl pci-assignable-list | grep -q '$vf'"
check gc-numvfs-zero test "$(cat "$dev/sriov_numvfs")" = 0
check gc-xenstore-gone sh -c "! xenstore-ls /xen-sriov 2>/dev/null | grep -q '$uuid'"
echo "--- guest console"
cat "$(domu_log "$name")"
exit "$FAILED"
