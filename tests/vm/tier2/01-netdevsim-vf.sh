#!/bin/bash
# VF settings over rtnetlink on netdevsim: set with "ip link set PF vf N ..."
# and read back with "ip -d link show" and "ip -j -d link show".
set -uo pipefail
. "$SRIOV_VM_TESTLIB"

[ -d /sys/bus/netdevsim ] || { modprobe psample && insmod "$SRIOV_VM_ASSETS/netdevsim.ko"; } ||
    { fail netdevsim-load "cannot load netdevsim"; exit 1; }
id=10
sys=/sys/bus/netdevsim/devices/netdevsim$id
echo "$id 1" >/sys/bus/netdevsim/new_device
trap 'echo "$id" >/sys/bus/netdevsim/del_device' EXIT
wait_until 10 ls "$sys/net" || { fail netdevsim-new "no netdev for netdevsim$id"; exit 1; }
pf=$(ls "$sys/net" | head -n 1)
ip link set "$pf" up
pass netdevsim-new

check netdevsim-numvfs-4 sh -c "echo 4 >$sys/sriov_numvfs"
check netdevsim-ip-lists-vfs test "$(ip link show "$pf" | grep -c '^    vf ')" = 4

set_vf() { ip link set dev "$pf" vf "$@"; }
check vf-set-mac set_vf 0 mac 02:00:00:00:10:01
check vf-set-vlan-qos set_vf 1 vlan 100 qos 3
check vf-set-vlan-8021ad set_vf 2 vlan 200 proto 802.1ad
check vf-set-spoofchk set_vf 0 spoofchk on
check vf-set-trust set_vf 0 trust on
check vf-set-state set_vf 1 state disable
check vf-set-rates set_vf 3 max_tx_rate 1000 min_tx_rate 100

text=$(ip -d link show "$pf")
echo "$text"
vfline() { echo "$text" | grep -E "^ +vf $1 "; }
check vf-read-mac sh -c "echo '$(vfline 0)' | grep -q 'link/ether 02:00:00:00:10:01'"
check vf-read-vlan-qos sh -c "echo '$(vfline 1)' | grep -q 'vlan 100, qos 3'"
check vf-read-spoof-trust sh -c "echo '$(vfline 0)' | grep -q 'spoof checking on.*trust on'"
check vf-read-state sh -c "echo '$(vfline 1)' | grep -q 'link-state disable'"
check vf-read-rates sh -c "echo '$(vfline 3)' | grep -q 'max_tx_rate 1000Mbps, min_tx_rate 100Mbps'"

# JSON read back: the form a program would parse.
json=$(ip -j -d link show "$pf")
if command -v python3 >/dev/null; then
    check vf-json-readback python3 -c '
import json, sys
vfs = {v["vf"]: v for v in json.loads(sys.argv[1])[0]["vfinfo_list"]}
assert vfs[0]["address"] == "02:00:00:00:10:01", vfs[0]
assert vfs[0]["spoofchk"] is True and vfs[0]["trust"] is True, vfs[0]
assert vfs[1]["vlan_list"][0]["vlan"] == 100 and vfs[1]["vlan_list"][0]["qos"] == 3, vfs[1]
assert vfs[2]["vlan_list"][0]["protocol"] == "802.1ad", vfs[2]
assert vfs[1]["link_state"] == "disable", vfs[1]
assert vfs[3]["rate"] == {"max_tx": 1000, "min_tx": 100}, vfs[3]
' "$json"
else
    skip vf-json-readback "no python3 on the host root"
fi

# Errors come back as errors.
if set_vf 4 mac 02:00:00:00:10:09 2>/dev/null; then fail vf-out-of-range "vf 4 of 4 accepted"
else pass vf-out-of-range; fi
if set_vf 0 mac 01:00:5e:00:00:01 2>/dev/null; then fail vf-multicast-mac "multicast MAC accepted"
else pass vf-multicast-mac; fi

# More VFs: max_vfs in debugfs, changes only through 0.
if echo 2 >"$sys/sriov_numvfs" 2>/dev/null; then fail netdevsim-numvfs-via-0 "4 -> 2 accepted"
else pass netdevsim-numvfs-via-0; fi
echo 0 >"$sys/sriov_numvfs"
check netdevsim-max-vfs sh -c "echo 16 >/sys/kernel/debug/netdevsim/netdevsim$id/max_vfs && echo 16 >$sys/sriov_numvfs"
check netdevsim-16vfs-listed test "$(ip link show "$pf" | grep -c '^    vf ')" = 16
echo 0 >"$sys/sriov_numvfs"
exit "$FAILED"
