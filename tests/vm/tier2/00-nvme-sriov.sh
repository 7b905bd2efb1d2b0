#!/bin/bash
# SR-IOV on a real PCIe function: QEMU's NVMe with sriov_max_vfs=
# $SRIOV_VM_NVME_VFS (run-tier2: 127) behind a root port. Enable 2 VFs through
# sysfs, see them, bind one to a stub driver with driver_override, disable again.
set -uo pipefail
. "$SRIOV_VM_TESTLIB"

pf=$(nvme_sriov_pf) || { fail nvme-pf "no NVMe function with SR-IOV capability"; exit 1; }
dev=/sys/bus/pci/devices/$pf
[ -e "$dev/driver" ] || modprobe nvme
wait_until 10 test -e "$dev/driver" || { fail nvme-pf "nvme driver not bound to $pf"; exit 1; }
check nvme-pf-driver test "$(basename "$(readlink "$dev/driver")")" = nvme
check nvme-totalvfs test "$(cat "$dev/sriov_totalvfs")" = "${SRIOV_VM_NVME_VFS:-4}"

# Leave the VFs unbound (QEMU's VFs are "not ready" for the nvme driver
# until the PF hands them resources), so the binding below starts clean.
echo 0 >"$dev/sriov_drivers_autoprobe"
check nvme-enable-2vfs set_numvfs "$pf" 2
check nvme-numvfs-readback test "$(cat "$dev/sriov_numvfs")" = 2
check nvme-virtfn0-1 test -e "$dev/virtfn0" -a -e "$dev/virtfn1" -a ! -e "$dev/virtfn2"
vf0=$(vf_bdf "$pf" 0)
vf1=$(vf_bdf "$pf" 1)
echo "PF $pf VFs $vf0 $vf1"
lspci -nn -D | tee /dev/stderr | grep -c "1b36:0010" | grep -qx 3 &&
    pass nvme-lspci-vfs || fail nvme-lspci-vfs "lspci does not list PF + 2 VFs"
check nvme-vf-physfn test "$(basename "$(readlink "/sys/bus/pci/devices/$vf0/physfn")")" = "$pf"

bind_to() {   # bind_to VF DRIVER: driver_override + drivers_probe
    local vf=$1 drv=$2
    modprobe "$drv" 2>/dev/null
    echo "$drv" >"/sys/bus/pci/devices/$vf/driver_override"
    echo "$vf" >/sys/bus/pci/drivers_probe
    test "$(basename "$(readlink "/sys/bus/pci/devices/$vf/driver")")" = "$drv"
}
unbind() {
    echo "$1" >"/sys/bus/pci/devices/$1/driver/unbind" 2>/dev/null
    echo >"/sys/bus/pci/devices/$1/driver_override"
    test ! -e "/sys/bus/pci/devices/$1/driver"
}
check nvme-vf-bind-pci-stub bind_to "$vf0" pci-stub
check nvme-vf-unbind-pci-stub unbind "$vf0"
if [ -e "/sys/bus/pci/devices/$vf1/iommu_group" ]; then
    check nvme-vf-bind-vfio-pci bind_to "$vf1" vfio-pci
    check nvme-vf-unbind-vfio-pci unbind "$vf1"
else
    skip nvme-vf-bind-vfio-pci "no IOMMU in this guest (vfio-pci needs an iommu_group)"
fi

# Changing a non-zero count directly must fail like real drivers do.
if echo 1 >"$dev/sriov_numvfs" 2>/dev/null; then
    fail nvme-numvfs-nonzero-change "2 -> 1 without going through 0 was accepted"
else
    pass nvme-numvfs-nonzero-change
fi
check nvme-disable set_numvfs "$pf" 0
check nvme-virtfn-gone test ! -e "$dev/virtfn0"
echo 1 >"$dev/sriov_drivers_autoprobe"
exit "$FAILED"
