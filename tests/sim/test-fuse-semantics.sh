#!/bin/bash
# sriov-sim mount: the kernel's write semantics, errno for errno (Linux 6.1),
# through plain writes on the FUSE mount.
#   SRIOV_SIM=/path/to/sriov-sim bash tests/sim/test-fuse-semantics.sh
set -u
. "$(dirname "$0")/lib.sh"

WORK=$(mktemp -d /tmp/sriov-sim-fuse.XXXXXX)
SYS=$WORK/sys
PIDFILE=$WORK/pid
mkdir -p "$SYS"
cleanup() {
    if mountpoint -q "$SYS" 2>/dev/null; then
        fusermount3 -u "$SYS" 2>/dev/null || fusermount3 -uz "$SYS" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# The daemon's stderr is /dev/null: have sanitizer reports (when SRIOV_SIM is
# the ASan/UBSan build) written where we can look at them after it exits.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$WORK/sanitizer"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$WORK/sanitizer:print_stacktrace=1"

# bus 01: 82599, 02: 82599 with autoprobe off, 03: nvme, 04: e1000e,
# 05: cx5 without a PF driver.
HOST="82599; 82599 autoprobe=0; nvme; e1000e; cx5 nodriver"
if ! "$SRIOV_SIM" mount --host "$HOST" --pidfile "$PIDFILE" "$SYS"; then
    bad "sriov-sim mount failed"
    finish
    exit 1
fi
check_true "mounted when the command returns" mountpoint -q "$SYS"
check_true "pidfile names a live process" kill -0 "$(cat "$PIDFILE")"

D=$SYS/bus/pci/devices
DRV=$SYS/bus/pci/drivers
PF=$D/0000:01:00.0
PF2=$D/0000:02:00.0
drv_of() { [ -L "$D/$1/driver" ] && basename "$(readlink "$D/$1/driver")" || echo none; }
exists() { [ -e "$1" ] && echo yes || echo no; }

# --- sriov_numvfs ----------------------------------------------------------
expect_write "numvfs: not a number -> EINVAL" "$PF/sriov_numvfs" abc EINVAL
expect_write "numvfs: negative -> EINVAL" "$PF/sriov_numvfs" -1 EINVAL
expect_write "numvfs: over u16 -> EINVAL (kstrtou16's ERANGE is reported as EINVAL)" \
    "$PF/sriov_numvfs" 70000 EINVAL
expect_write "numvfs: leading space -> EINVAL" "$PF/sriov_numvfs" " 2" EINVAL
expect_write "numvfs: above totalvfs -> ERANGE" "$PF/sriov_numvfs" 64 ERANGE
expect_write "numvfs: same value (0) is a no-op" "$PF/sriov_numvfs" 0 OK
expect_write "numvfs: PF without driver -> ENOENT" "$D/0000:05:00.0/sriov_numvfs" 2 ENOENT
expect_write "numvfs: same value on a driverless PF is fine" "$D/0000:05:00.0/sriov_numvfs" 0 OK
echo 4 > "$PF/sriov_numvfs"; rc=$?
check "numvfs: echo 4 succeeds" 0 "$rc"
check "numvfs reads back" 4 "$(cat "$PF/sriov_numvfs")"
check "virtfn links" "../0000:01:10.0 ../0000:01:10.2 ../0000:01:10.4 ../0000:01:10.6" \
    "$(for i in 0 1 2 3; do readlink "$PF/virtfn$i"; done | xargs)"
check "physfn link" "../0000:01:00.0" "$(readlink "$D/0000:01:10.6/physfn")"
check "VFs bound to ixgbevf (autoprobe=1)" "ixgbevf ixgbevf ixgbevf ixgbevf" \
    "$(for f in 0 2 4 6; do drv_of 0000:01:10.$f; done | xargs)"
check "VF netdevs" "yes yes" "$(exists "$SYS/class/net/enp1s16f0") $(exists "$D/0000:01:10.6/net/enp1s16f6")"
check "driver dir links the VF" "yes" "$(exists "$DRV/ixgbevf/0000:01:10.2")"
check_grep "config NumVFs follows" "Total VFs: 63, Number of VFs: 4" "$(lspci_at "$SYS" -vvv -s 0000:01:00.0)"
check_grep "lspci sees the new VFs" "0000:01:10.6 Ethernet controller: Intel Corporation 82599 Ethernet Controller Virtual Function" \
    "$(lspci_at "$SYS" -D)"
expect_write "numvfs: non-zero to another non-zero -> EBUSY" "$PF/sriov_numvfs" 2 EBUSY
expect_write "numvfs: same non-zero value (as 0x4) is a no-op" "$PF/sriov_numvfs" 0x4 OK
expect_write "numvfs: 0 disables" "$PF/sriov_numvfs" 0 OK
check "VFs gone" "no no no" \
    "$(exists "$D/0000:01:10.0") $(exists "$SYS/class/net/enp1s16f0") $(exists "$DRV/ixgbevf/0000:01:10.0")"
check "virtfn links gone" no "$(exists "$PF/virtfn0")"
check_grep "config VF Enable off again" "IOVCtl:	Enable- Migration- Interrupt- MSE-" \
    "$(lspci_at "$SYS" -vvv -s 0000:01:00.0)"

# --- sriov_drivers_autoprobe -------------------------------------------------
check "autoprobe=0 from the description" 0 "$(cat "$PF2/sriov_drivers_autoprobe")"
expect_write "autoprobe: 'maybe' -> EINVAL" "$PF2/sriov_drivers_autoprobe" maybe EINVAL
expect_write "autoprobe: 'on' accepted" "$PF2/sriov_drivers_autoprobe" on OK
check "autoprobe: 'on' is 1" 1 "$(cat "$PF2/sriov_drivers_autoprobe")"
expect_write "autoprobe: 'N' accepted" "$PF2/sriov_drivers_autoprobe" N OK
check "autoprobe: 'N' is 0" 0 "$(cat "$PF2/sriov_drivers_autoprobe")"
expect_write "numvfs 2 with autoprobe=0" "$PF2/sriov_numvfs" 2 OK
check "VFs exist but stay unbound" "yes none none" \
    "$(exists "$D/0000:02:10.2") $(drv_of 0000:02:10.0) $(drv_of 0000:02:10.2)"
check "no netdev for unbound VFs" no "$(exists "$D/0000:02:10.0/net")"
expect_write "bind to ixgbevf without override -> ENODEV (pci_device_can_probe)" \
    "$DRV/ixgbevf/bind" 0000:02:10.0 ENODEV
expect_write "drivers_probe succeeds but binds nothing" "$SYS/bus/pci/drivers_probe" 0000:02:10.0 OK
check "still unbound" none "$(drv_of 0000:02:10.0)"

# --- driver_override ---------------------------------------------------------
VF=$D/0000:02:10.0
expect_write "driver_override set" "$VF/driver_override" vfio-pci OK
check "driver_override reads back without the newline" vfio-pci "$(cat "$VF/driver_override")"
expect_write "drivers_probe binds the override driver" "$SYS/bus/pci/drivers_probe" 0000:02:10.0 OK
check "bound to vfio-pci" vfio-pci "$(drv_of 0000:02:10.0)"
check "no netdev under vfio-pci" no "$(exists "$VF/net")"
expect_write "bind while bound -> EBUSY" "$DRV/vfio-pci/bind" 0000:02:10.0 EBUSY
expect_write "unbind from the wrong driver -> ENODEV" "$DRV/ixgbevf/unbind" 0000:02:10.0 ENODEV
expect_write "unbind from vfio-pci" "$DRV/vfio-pci/unbind" 0000:02:10.0 OK
expect_write "unbind again -> ENODEV" "$DRV/vfio-pci/unbind" 0000:02:10.0 ENODEV
expect_write "override excludes other drivers: ixgbevf bind -> ENODEV" \
    "$DRV/ixgbevf/bind" 0000:02:10.0 ENODEV
expect_write "bind to the override driver" "$DRV/vfio-pci/bind" 0000:02:10.0 OK
expect_write "unbind" "$DRV/vfio-pci/unbind" 0000:02:10.0 OK
expect_write "driver_override: lone newline clears" "$VF/driver_override" "" OK
check "cleared" "(null)" "$(cat "$VF/driver_override")"
expect_write "driver_override: set to pciback" "$VF/driver_override" pciback OK
check "driver_override: first newline ends it (one write)" "OK pciback" \
    "$(wr_n "$VF/driver_override" $'pciback\nxyz') $(cat "$VF/driver_override")"
check "driver_override: a page -> EINVAL" EINVAL "$(wr_n "$VF/driver_override" "$(head -c 4095 /dev/zero | tr '\0' a)")"
expect_write "drivers_probe with override pciback binds pciback" "$SYS/bus/pci/drivers_probe" 0000:02:10.0 OK
check "bound to pciback" pciback "$(drv_of 0000:02:10.0)"
expect_write "drivers_probe: unknown device -> ENODEV" "$SYS/bus/pci/drivers_probe" 0000:99:00.0 ENODEV

# --- bind / unbind -------------------------------------------------------------
expect_write "bind: no such device -> ENODEV" "$DRV/ixgbe/bind" 0000:99:00.0 ENODEV
expect_write "bind: driver does not match -> ENODEV" "$DRV/ixgbe/bind" 0000:04:00.0 ENODEV
expect_write "bind: already bound -> EBUSY" "$DRV/e1000e/bind" 0000:04:00.0 EBUSY
expect_write "unbind e1000e" "$DRV/e1000e/unbind" 0000:04:00.0 OK
check "netdev removed with the driver" "no no" \
    "$(exists "$SYS/class/net/enp4s0") $(exists "$D/0000:04:00.0/net")"
expect_write "unbind: not bound -> ENODEV" "$DRV/e1000e/unbind" 0000:04:00.0 ENODEV
expect_write "bind e1000e back" "$DRV/e1000e/bind" 0000:04:00.0 OK
check "netdev back" yes "$(exists "$SYS/class/net/enp4s0")"
expect_write "vfio-pci refuses a bridge -> EINVAL" "$D/0000:00:01.0/driver_override" vfio-pci OK
expect_write "pcieport unbind" "$DRV/pcieport/unbind" 0000:00:01.0 OK
expect_write "vfio-pci bind of a root port -> EINVAL" "$DRV/vfio-pci/bind" 0000:00:01.0 EINVAL

# --- pciback slots -----------------------------------------------------------------
expect_write "e1000e unbind for pciback" "$DRV/e1000e/unbind" 0000:04:00.0 OK
expect_write "pciback bind without a slot -> ENODEV" "$DRV/pciback/bind" 0000:04:00.0 ENODEV
expect_write "pciback new_slot" "$DRV/pciback/new_slot" 0000:04:00.0 OK
expect_write "pciback new_slot: garbage -> EINVAL" "$DRV/pciback/new_slot" garbage EINVAL
check "pciback slots" "0000:04:00.0" "$(cat "$DRV/pciback/slots")"
expect_write "pciback bind with a slot" "$DRV/pciback/bind" 0000:04:00.0 OK
check "bound to pciback" pciback "$(drv_of 0000:04:00.0)"
expect_write "pciback permissive" "$DRV/pciback/permissive" 0000:04:00.0 OK
check "permissive lists it" 0000:04:00.0 "$(cat "$DRV/pciback/permissive")"
expect_write "permissive: device pciback does not hold -> ENODEV" "$DRV/pciback/permissive" 0000:03:00.0 ENODEV
expect_write "pciback remove_slot" "$DRV/pciback/remove_slot" 0000:04:00.0 OK
expect_write "pciback remove_slot again -> ENOENT" "$DRV/pciback/remove_slot" 0000:04:00.0 ENOENT
expect_write "pciback unbind" "$DRV/pciback/unbind" 0000:04:00.0 OK
expect_write "e1000e rebind" "$DRV/e1000e/bind" 0000:04:00.0 OK

# --- new_id / remove_id ------------------------------------------------------------
expect_write "numvfs 4 on the first 82599" "$PF/sriov_numvfs" 4 OK
expect_write "unbind VF 01:10.0" "$DRV/ixgbevf/unbind" 0000:01:10.0 OK
expect_write "unbind VF 01:10.2" "$DRV/ixgbevf/unbind" 0000:01:10.2 OK
expect_write "new_id: too few fields -> EINVAL" "$DRV/vfio-pci/new_id" 8086 EINVAL
expect_write "new_id: id ixgbevf already has -> EEXIST" "$DRV/ixgbevf/new_id" "8086 10ed" EEXIST
expect_write "new_id 8086 10ed on vfio-pci" "$DRV/vfio-pci/new_id" "8086 10ed" OK
check "new_id grabbed every unbound matching VF" "vfio-pci vfio-pci ixgbevf ixgbevf" \
    "$(for f in 0 2 4 6; do drv_of 0000:01:10.$f; done | xargs)"
check "...but not VFs of an autoprobe=0 PF" none "$(drv_of 0000:02:10.2)"
expect_write "new_id again -> EEXIST" "$DRV/vfio-pci/new_id" "8086 10ed" EEXIST
expect_write "remove_id" "$DRV/vfio-pci/remove_id" "8086 10ed" OK
expect_write "remove_id again -> ENODEV" "$DRV/vfio-pci/remove_id" "8086 10ed" ENODEV

# --- PF unbind, other attributes -------------------------------------------------------
expect_write "unbind the PF" "$DRV/ixgbe/unbind" 0000:01:00.0 OK
check "its VFs went with the driver" "0 no no" \
    "$(cat "$PF/sriov_numvfs") $(exists "$D/0000:01:10.4") $(exists "$SYS/class/net/enp1s0f0")"
expect_write "numvfs on an unbound PF -> ENOENT" "$PF/sriov_numvfs" 2 ENOENT
expect_write "rebind the PF" "$DRV/ixgbe/bind" 0000:01:00.0 OK
expect_write "nvme numvfs 2" "$D/0000:03:00.0/sriov_numvfs" 2 OK
check "nvme VFs bound to nvme, no netdev" "nvme nvme no" \
    "$(drv_of 0000:03:00.1) $(drv_of 0000:03:00.2) $(exists "$D/0000:03:00.1/net")"
expect_write "reset 1" "$D/0000:03:00.1/reset" 1 OK
expect_write "reset 2 -> EINVAL" "$D/0000:03:00.1/reset" 2 EINVAL
check "enable of a bound device" 1 "$(cat "$D/0000:04:00.0/enable")"
expect_write "enable 0" "$D/0000:04:00.0/enable" 0 OK
expect_write "enable 0 when disabled -> EIO" "$D/0000:04:00.0/enable" 0 EIO
expect_write "enable 1" "$D/0000:04:00.0/enable" 1 OK
expect_write "read-only vendor -> EACCES" "$D/0000:04:00.0/vendor" 0x1234 EACCES
expect_write "read-only sriov_totalvfs -> EACCES" "$PF/sriov_totalvfs" 1 EACCES
check_false "write-only bind cannot be read" cat "$DRV/ixgbe/bind" 2>/dev/null
expect_write "uevent: bad action -> EINVAL" "$D/0000:04:00.0/uevent" bogus EINVAL
expect_write "uevent: change" "$D/0000:04:00.0/uevent" change OK
check "uevent names the driver" "DRIVER=e1000e" "$(head -1 "$D/0000:04:00.0/uevent")"
check "creating files is refused" 1 "$(touch "$SYS/bus/pci/newfile" 2>/dev/null; echo $?)"
check "config reads 4096 bytes" 4096 "$(cat "$PF/config" | wc -c)"

# --- unmount ------------------------------------------------------------------------
pid=$(cat "$PIDFILE")
fusermount3 -u "$SYS"; rc=$?
check "fusermount3 -u" 0 "$rc"
for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
check_false "daemon exited" kill -0 "$pid" 2>/dev/null
check "mount point left empty" "" "$(ls -A "$SYS")"
check "pidfile removed" no "$(exists "$PIDFILE")"
reports=$(cat "$WORK"/sanitizer.* 2>/dev/null)
check "no sanitizer reports from the daemon" "" "$reports"

finish
