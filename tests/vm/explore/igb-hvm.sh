#!/bin/bash
# Can an HVM guest (the shape bench/migration needs: live migration works
# only for HVM on Debian's Xen) take an igb VF? VF 0 of QEMU 10's 82576 to
# pciback, an HVM guest booting the test kernel with it in pci=, then what
# the guest's serial console says (DOMU-PCI lines; igbvf's messages).
#   tests/vm/run-tier3 --tests tests/vm/explore/igb-hvm.sh
# Under Debian's QEMU 10 (the only one with igb) the HVM guest powered off
# early in its kernel's boot, VF or not; the benches' build of it fixes that
# (tests/vm/README, "HVM guests"; hvm-boot.sh). Seen with it: the guest sees
# the VF after ~140 s.
set -uo pipefail
. "$SRIOV_VM_TESTLIB"
igb_pf_up || exit 1
echo 0 >"/sys/bus/pci/devices/$pf/sriov_drivers_autoprobe"
check enable-vfs set_numvfs "$pf" 1
vf=$(vf_bdf "$pf" 0)
ip link set "$pfdev" vf 0 mac 02:5a:00:00:00:42
echo pciback >"/sys/bus/pci/devices/$vf/driver_override"
check assignable xl pci-assignable-add "$vf"
# The emulation quirk of 30-igb-vf.sh: the VF's memory-enable bit.
cmd=$(setpci -s "$vf" COMMAND) && setpci -s "$vf" COMMAND="$(printf %04x $((0x$cmd | 0x2)))"
log=$(hvm_log igbhvm)
HVM_CMDLINE=loglevel=7 hvm_cfg "$SRIOV_VM_SCRATCH/igbhvm.cfg" igbhvm 'on_poweroff = "preserve"' 'on_crash = "preserve"' \
    "pci = [ \"$vf\" ]"
trap 'cp "$log" /var/log/xen/qemu-dm-igbhvm.log "$SRIOV_VM_OUT/" 2>/dev/null; xl dmesg >"$SRIOV_VM_OUT/igbhvm-xl-dmesg.log"; xl destroy igbhvm 2>/dev/null' EXIT
t0=$SECONDS
if timed hvm-create xl create "$SRIOV_VM_SCRATCH/igbhvm.cfg"; then pass hvm-create
else fail hvm-create "xl create failed"; fi
if wait_until 400 grep -aq "DOMU-PCI:.*0x8086:0x10ca" "$log"; then
    pass hvm-sees-vf; echo "guest saw the VF after $((SECONDS - t0)) s"
else
    fail hvm-sees-vf "no 8086:10ca in the guest"
fi
wait_until 60 grep -aq "igbvf.*\(Link is Up\|Intel(R) Gigabit Virtual Function\)" "$log" &&
    pass hvm-igbvf-probe || fail hvm-igbvf-probe "no igbvf probe message"
sleep 20
grep -a "igbvf\|DOMU\|pcifront\|MSI\|error" "$log" | tail -n 30
xl list; xl pci-list igbhvm
exit "$FAILED"
