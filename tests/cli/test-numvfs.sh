#!/bin/bash
# VF lifecycle on a FUSE synthetic host that emulates the kernel's sysfs writes.
. "$(dirname "$0")/lib.sh"

root=$(sim_mount host "82599 x1; nvme vfs=4 nodriver") || exit 1
dev=$root/bus/pci/devices
pf=$(basename "$(readlink "$root/class/net/$(ls "$root/class/net" | sort | head -1)/device")")
pfif=$(ls "$dev/$pf/net")
nvme=$(lspci -D -O "sysfs.path=$root/bus/pci" -d ::0108 | awk '{print $1; exit}')
vfdrivers() { # driver of each VF, "-" when unbound
    local l
    for l in "$dev/$pf"/virtfn*; do
        [ -e "$l/driver" ] && basename "$(readlink "$l/driver")" || echo -
    done | sort | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' '
}

run_xl "$root" pf-enable "$pfif" 4
expect_rc "pf-enable by interface" 0
[ "$(cat "$dev/$pf/sriov_numvfs")" = 4 ] && pass "kernel count is 4" || fail "kernel count is 4" "$(cat "$dev/$pf/sriov_numvfs")"
[ "$(ls -d "$dev/$pf"/virtfn* | wc -l)" = 4 ] && pass "four virtfn links" || fail "four virtfn links" "$(ls "$dev/$pf")"
[ "$(vfdrivers)" = "-x4 " ] && pass "new VFs stay unbound for assignment" || fail "new VFs stay unbound for assignment" "$(vfdrivers)"
[ "$(cat "$dev/$pf/sriov_drivers_autoprobe")" = 1 ] && pass "autoprobe restored afterwards" ||
    fail "autoprobe restored afterwards" "$(cat "$dev/$pf/sriov_drivers_autoprobe")"
n=$(lspci -D -O "sysfs.path=$root/bus/pci" | grep -c 'Virtual Function')
[ "$n" = 4 ] && pass "lspci sees the 4 VFs" || fail "lspci sees the 4 VFs" "$n"

run_xl "$root" pf-enable "$pf" 6
expect_rc "changing 4 -> 6 goes through 0" 0
[ "$(cat "$dev/$pf/sriov_numvfs")" = 6 ] && pass "kernel count is 6" || fail "kernel count is 6" "$(cat "$dev/$pf/sriov_numvfs")"

run_xl "$root" pf-enable --host-probe "$pf" 2
expect_rc "pf-enable --host-probe" 0
[ "$(vfdrivers)" = "ixgbevfx2 " ] && pass "--host-probe lets ixgbevf take the VFs" || fail "--host-probe lets ixgbevf take the VFs" "$(vfdrivers)"
vfif=$(ls "$dev/$pf/virtfn0/net" 2>/dev/null)
run_xl "$root" vf-list "$pf" --json
[ "$(jq_py 'd[0]["netdev"]' <<<"$OUT")" = "$vfif" ] && [ -n "$vfif" ] && pass "VF netdev reported" ||
    fail "VF netdev reported" "$OUT"

run_xl "$root" pf-enable "$pf" 64
expect_rc "more than totalvfs refused" 1
expect_err "refusal names the limit" "supports at most 63 VFs"
[ "$(cat "$dev/$pf/sriov_numvfs")" = 2 ] && pass "refused change leaves VFs alone" || fail "refused change leaves VFs alone" "$(cat "$dev/$pf/sriov_numvfs")"

run_xl "$root" pf-enable "$pf" 2
expect_rc "same count is a no-op" 0
[ "$(vfdrivers)" = "ixgbevfx2 " ] && pass "no-op keeps bindings" || fail "no-op keeps bindings" "$(vfdrivers)"

# A VF taken by pciback (as libxl does it) is assigned or assignable: refuse to remove it.
vf1=$(basename "$(readlink "$dev/$pf/virtfn1")")
echo "$vf1" >"$root/bus/pci/drivers/ixgbevf/unbind"
echo pciback >"$dev/$vf1/driver_override"
echo "$vf1" >"$root/bus/pci/drivers_probe"
[ "$(basename "$(readlink "$dev/$vf1/driver")")" = pciback ] && pass "setup: VF bound to pciback" || fail "setup: VF bound to pciback" "$(ls -l "$dev/$vf1/driver")"
run_xl "$root" pf-disable "$pf"
expect_rc "pf-disable refuses while a VF is with pciback" 1
expect_err "refusal names the VF" "$vf1"
[ "$(cat "$dev/$pf/sriov_numvfs")" = 2 ] && pass "refusal changed nothing" || fail "refusal changed nothing" "$(cat "$dev/$pf/sriov_numvfs")"
run_xl "$root" pf-enable "$pf" 3
expect_rc "pf-enable refuses too" 1
run_xl "$root" pf-disable --force "$pf"
expect_rc "pf-disable --force" 0
[ "$(cat "$dev/$pf/sriov_numvfs")" = 0 ] && ! ls -d "$dev/$pf"/virtfn* >/dev/null 2>&1 &&
    pass "all VFs gone" || fail "all VFs gone" "$(ls "$dev/$pf")"
[ ! -e "$dev/$vf1" ] && pass "VF device removed" || fail "VF device removed" "$vf1 still there"

# The kernel's refusal is passed on with the device and a hint.
run_xl "$root" pf-enable "$nvme" 2
expect_rc "PF without a driver: kernel refuses" 1
expect_err "refusal explains the missing driver" "no driver bound"
[ "$(cat "$dev/$nvme/sriov_drivers_autoprobe")" = 1 ] && pass "failed enable restores autoprobe" ||
    fail "failed enable restores autoprobe" "$(cat "$dev/$nvme/sriov_drivers_autoprobe")"

# Usage errors never touch the host.
run_xl "$root" pf-enable "$pf" 4x
expect_rc "malformed count is a usage error" 2
run_xl "$root" pf-enable "$pf" -1
expect_rc "negative count is a usage error" 2
run_xl "$root" pf-enable "$pf"
expect_rc "missing count is a usage error" 2
run_xl "$root" pf-disable
expect_rc "missing PF is a usage error" 2
[ "$(cat "$dev/$pf/sriov_numvfs")" = 0 ] && pass "usage errors changed nothing" || fail "usage errors changed nothing" "$(cat "$dev/$pf/sriov_numvfs")"
exit $FAILED
