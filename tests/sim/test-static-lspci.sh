#!/bin/bash
# sriov-sim build: the static tree must read like a real host to lspci and to
# anything walking /sys/bus/pci by hand.
#   SRIOV_SIM=/path/to/sriov-sim bash tests/sim/test-static-lspci.sh
set -u
. "$(dirname "$0")/lib.sh"

WORK=$(mktemp -d /tmp/sriov-sim-static.XXXXXX)
trap 'rm -rf "$WORK"' EXIT INT TERM
SYS=$WORK/sys

# bus 01-02: 82599s, 03: x710, 04: cx5, 05: nvme, 06: e1000e, 07-09: e810
# with 256 VFs per PF, then a cx5 in domain 1.
HOST="82599 x2 numvfs=4; x710 numvfs=2; cx5 numvfs=3; nvme numvfs=2; e1000e;
      e810 vfs=256 numvfs=256; cx5 domain=1 numvfs=1"

if ! "$SRIOV_SIM" build --host "$HOST" "$SYS"; then
    bad "sriov-sim build failed"
    finish
    exit 1
fi
ok "build"

# --- the device list -------------------------------------------------------
listed=$(lspci_at "$SYS" -D | awk '{print $1}' | sort)
described=$("$SRIOV_SIM" describe --host "$HOST" | awk '{print $1}' | sort)
check "lspci lists exactly what describe says" "$described" "$listed"
check "device count (8 root ports, 14 PFs, 542 VFs)" 564 "$(printf '%s\n' "$listed" | wc -l)"

expected_bdfs="0000:00:01.0 0000:01:00.0 0000:01:00.1
0000:01:10.0 0000:01:10.2 0000:01:10.4 0000:01:10.6
0000:01:10.1 0000:01:10.3 0000:01:10.5 0000:01:10.7
0000:03:02.0 0000:03:02.1 0000:03:0a.0 0000:03:0a.1
0000:04:00.2 0000:04:00.3 0000:04:00.4 0000:04:02.2 0000:04:02.3 0000:04:02.4
0000:05:00.1 0000:05:00.2 0000:06:00.0
0000:07:01.0 0000:07:1f.7 0000:08:00.7 0000:08:01.0 0000:09:00.7
0001:00:01.0 0001:01:00.0 0001:01:00.1 0001:01:00.2"
missing=""
for b in $expected_bdfs; do
    printf '%s\n' "$listed" | grep -qx "$b" || missing="$missing $b"
done
check "hand-computed BDFs (82599 interleave, x710/cx5 offsets, e810 across buses)" "" "$missing"
check "no 82599 VF beyond numvfs" "" "$(printf '%s\n' "$listed" | grep -x '0000:01:11.0')"

# --- names -----------------------------------------------------------------
names() { lspci_at "$SYS" -D -s "$1"; }
check_grep "root port named" "Sky Lake-E PCI Express Root Port A" "$(names 0000:00:01.0)"
check_grep "82599 PF named" "82599ES 10-Gigabit SFI/SFP+ Network Connection" "$(names 0000:01:00.0)"
check_grep "82599 VF named" "82599 Ethernet Controller Virtual Function" "$(names 0000:01:10.3)"
check_grep "X710 PF named" "Ethernet Controller X710 for 10GbE SFP+" "$(names 0000:03:00.1)"
check_grep "X710 VF named" "Ethernet Virtual Function 700 Series" "$(names 0000:03:0a.1)"
check_grep "CX-5 VF named" "ConnectX-5 Virtual Function" "$(names 0000:04:02.4)"
check_grep "NVMe named" "QEMU NVM Express Controller" "$(names 0000:05:00.2)"
check_grep "82574L named" "82574L Gigabit Network Connection" "$(names 0000:06:00.0)"
check_grep "E810 VF on the third bus named" "Ethernet Adaptive Virtual Function" "$(names 0000:09:00.7)"
check_grep "numeric IDs" "8086:10ed" "$(lspci_at "$SYS" -n -s 0000:01:10.0)"

# --- capabilities ----------------------------------------------------------
v=$(lspci_at "$SYS" -vvv -s 0000:01:00.0)
check_grep "82599 PF has SR-IOV" "Single Root I/O Virtualization (SR-IOV)" "$v"
check_grep "82599 PF: Total VFs 63, Number of VFs 4" "Total VFs: 63, Number of VFs: 4" "$v"
check_grep "82599 PF: offset 128 stride 2 device 10ed" "VF offset: 128, stride: 2, Device ID: 10ed" "$v"
check_grep "82599 PF: VF Enable and MSE" "IOVCtl:	Enable+ Migration- Interrupt- MSE+ ARIHierarchy+" "$v"
check_grep "82599 PF: FLR" "FLReset+" "$v"
check_grep "82599 PF: MSI-X" "MSI-X: Enable+ Count=64" "$v"
check_grep "82599 PF: Express endpoint" "Express (v2) Endpoint" "$v"
v=$(lspci_at "$SYS" -vvv -s 0000:03:00.1)
check_grep "X710 PF1: offset 79 stride 1 device 154c" "VF offset: 79, stride: 1, Device ID: 154c" "$v"
check_grep "X710 PF1: Total 64, Number 2" "Total VFs: 64, Number of VFs: 2" "$v"
v=$(lspci_at "$SYS" -vvv -s 0000:07:00.1)
check_grep "E810 PF1: Total 256, Number 256" "Total VFs: 256, Number of VFs: 256" "$v"
check_grep "E810 PF1: offset 263" "VF offset: 263, stride: 1, Device ID: 1889" "$v"
v=$(lspci_at "$SYS" -vvv -s 0000:00:01.0)
check_grep "root port is a Root Port" "Express (v2) Root Port" "$v"
check_grep "root port has ACS" "Access Control Services" "$v"
check_grep "root port ACS SV/RR/CR/UF enabled" \
    "ACSCtl:	SrcValid+ TransBlk- ReqRedir+ CmpltRedir+ UpstreamFwd+" "$v"
check_grep "E810 root port covers buses 07-09" "Bus: primary=00, secondary=07, subordinate=09" \
    "$(lspci_at "$SYS" -vvv -s 0000:00:07.0)"
v=$(lspci_at "$SYS" -vvv -s 0000:06:00.0)
check_false "e1000e has no SR-IOV" grep -q "SR-IOV" <<<"$v"
check_grep "e1000e has no FLR" "FLReset-" "$v"
check_grep "VF driver shown by lspci -k" "Kernel driver in use: ixgbevf" \
    "$(lspci_at "$SYS" -k -s 0000:01:10.1)"

# --- the files -------------------------------------------------------------
D=$SYS/bus/pci/devices
check "sriov_totalvfs" 63 "$(cat "$D/0000:01:00.0/sriov_totalvfs")"
check "sriov_numvfs" 4 "$(cat "$D/0000:01:00.0/sriov_numvfs")"
check "sriov_offset" 128 "$(cat "$D/0000:01:00.0/sriov_offset")"
check "sriov_stride" 2 "$(cat "$D/0000:01:00.0/sriov_stride")"
check "sriov_vf_device (hex, no 0x)" 10ed "$(cat "$D/0000:01:00.0/sriov_vf_device")"
check "sriov_drivers_autoprobe" 1 "$(cat "$D/0000:01:00.0/sriov_drivers_autoprobe")"
check "vendor" 0x8086 "$(cat "$D/0000:01:10.0/vendor")"
check "class" 0x020000 "$(cat "$D/0000:01:10.0/class")"
check "driver_override unset" "(null)" "$(cat "$D/0000:01:10.0/driver_override")"
check "modalias" "pci:v00008086d000010EDsv00008086sd0000000Cbc02sc00i00" \
    "$(cat "$D/0000:01:10.0/modalias")"
check "config is 4096 bytes" 4096 "$(stat -c %s "$D/0000:01:00.0/config")"
check "resource has 13 lines" 13 "$(wc -l < "$D/0000:01:00.0/resource")"
check "reset is write-only" "--w-------" "$(stat -c %A "$D/0000:01:10.0/reset")"
check_false "e1000e (no FLR) has no reset" test -e "$D/0000:06:00.0/reset"
check_false "e1000e has no sriov_numvfs" test -e "$D/0000:06:00.0/sriov_numvfs"
check_false "VF has no sriov_numvfs" test -e "$D/0000:01:10.0/sriov_numvfs"

check "bus link" "../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0" \
    "$(readlink "$D/0000:01:00.0")"
check "PF driver link" "../../../../bus/pci/drivers/ixgbe" "$(readlink "$D/0000:01:00.0/driver")"
check "root port driver link" "../../../bus/pci/drivers/pcieport" \
    "$(readlink "$D/0000:00:01.0/driver")"
check_true "iommu_group link form" \
    grep -qx '../../../../kernel/iommu_groups/[0-9]*' <<<"$(readlink "$D/0000:01:10.0/iommu_group")"
check "virtfn1 of PF1 interleaves" "../0000:01:10.3" "$(readlink "$D/0000:01:00.1/virtfn1")"
check "physfn of the last E810 VF" "../0000:07:00.1" "$(readlink "$D/0000:09:00.7/physfn")"
check_true "VF on bus 09 sits beside its PF under the root port" \
    test -d "$SYS/devices/pci0000:00/0000:00:07.0/0000:09:00.7"
check "driver dir link" "../../../../devices/pci0000:00/0000:00:01.0/0000:01:10.1" \
    "$(readlink "$SYS/bus/pci/drivers/ixgbevf/0000:01:10.1")"
g=$(basename "$(readlink "$D/0000:01:10.0/iommu_group")")
check "iommu group links back" "$(readlink -f "$D/0000:01:10.0")" \
    "$(readlink -f "$SYS/kernel/iommu_groups/$g/devices/0000:01:10.0")"
for drv in ixgbe ixgbevf i40e iavf ice mlx5_core nvme e1000e pciback pci-stub vfio-pci; do
    for f in bind unbind new_id remove_id uevent; do
        [ -e "$SYS/bus/pci/drivers/$drv/$f" ] || bad "drivers/$drv/$f missing"
    done
done
for f in new_slot remove_slot slots permissive; do
    [ -e "$SYS/bus/pci/drivers/pciback/$f" ] || bad "drivers/pciback/$f missing"
done
for f in drivers_probe drivers_autoprobe rescan slots; do
    [ -e "$SYS/bus/pci/$f" ] || bad "bus/pci/$f missing"
done
ok "driver and bus control files present"

# --- netdevs ---------------------------------------------------------------
check "PF netdev" "$(readlink -f "$D/0000:01:00.0")" \
    "$(readlink -f "$SYS/class/net/enp1s0f0/device")"
check "VF netdev enp1s16f1 is 0000:01:10.1" "$(readlink -f "$D/0000:01:10.1")" \
    "$(readlink -f "$SYS/class/net/enp1s16f1/device")"
check_true "single-function e1000e is enp6s0" test -d "$SYS/class/net/enp6s0"
check_true "domain 1 names enP1p1s0f0" test -d "$SYS/class/net/enP1p1s0f0"
check_false "nvme has no netdev" test -e "$D/0000:05:00.0/net"
check_true "netdev address is a MAC" \
    grep -qx '02:\([0-9a-f]\{2\}:\)\{4\}[0-9a-f]\{2\}' "$SYS/class/net/enp1s0f0/address"
check "no broken symlinks" "" "$(find "$SYS" -xtype l | head -5)"

# --- bad descriptions ------------------------------------------------------
for desc in "82598" "82599 vfz=4" "82599 vfs=4 numvfs=5" "e1000e vfs=4" "cx5 nodriver numvfs=1" \
            "82599 ports=0" "82599 x0" "nvme domain=xyz"; do
    "$SRIOV_SIM" describe --host "$desc" >/dev/null 2>"$WORK/err"
    rc=$?
    if [ $rc -eq 2 ] && [ -s "$WORK/err" ]; then
        ok "rejects '$desc' with exit 2: $(head -1 "$WORK/err")"
    else
        bad "'$desc' gave exit $rc"
    fi
done
check "a spec file with comments" "$(printf '%s\n' "$described" | wc -l)" \
    "$(printf '# a host\n82599 x2 numvfs=4 # two\nx710 numvfs=2\ncx5 numvfs=3; nvme numvfs=2\ne1000e\ne810 vfs=256 numvfs=256\ncx5 domain=1 numvfs=1\n' \
       > "$WORK/spec"; "$SRIOV_SIM" describe --spec "$WORK/spec" | wc -l)"

finish
