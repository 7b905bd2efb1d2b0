#!/bin/bash
# xl-sriov with a real network PF on real Xen: QEMU's igb (Intel 82576) in
# dom0 under its igb driver, VFs enabled with `xl-sriov pf-enable`.
#  - `xl-sriov create` of a PV guest with a vf= entry carrying mac, vlan,
#    spoofchk, trust and rate on VF 0; `xl-sriov pci-attach` of VF 1 with
#    other settings (VF 1 starts from non-default settings of its own);
#  - dom0's `ip -d link show PF` reads every setting back;
#  - in the guest (commands through its console, domu_run): igbvf drives the
#    VFs, each with its admin MAC and link up; the guest pings dom0 over VLAN
#    100 (the VF's port VLAN, link-local addresses, traffic never leaves the
#    VM: the NIC's backend is restrict=on) and cannot reach dom0 untagged;
#  - pci-detach, then destroy + gc: each VF's `ip -d link` line is the one
#    from before.
set -uo pipefail
. "$SRIOV_VM_TESTLIB"

xs_setup "$SRIOV_VM_SCRATCH/xl-sriov-igb"
drv() { basename "$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null)" 2>/dev/null; }
vfline() { vf_line "$pfdev" "$1"; }
NS=sriov-vlan100

igb_pf_up || exit 1
check igb-pf-driver test "$(drv "$pf")" = igb
wait_until 20 grep -qx 1 "/sys/class/net/$pfdev/carrier" && pass igb-pf-link-up ||
    fail igb-pf-link-up "$pfdev has no carrier"
echo "PF $pf ($pfdev), totalvfs $(cat "/sys/bus/pci/devices/$pf/sriov_totalvfs")"

: >"$W/sriov.cfg"
cleanup() {
    tr -d '\r' <"$(domu_log "$dom")" >"$SRIOV_VM_OUT/igb-guest-console.log" 2>/dev/null
    xl dmesg >"$SRIOV_VM_OUT/igb-xl-dmesg.log" 2>&1
    xl destroy "$dom" 2>/dev/null
    xs gc >/dev/null 2>&1
    ip netns del "$NS" 2>/dev/null
    ip addr flush dev "$pfdev" 2>/dev/null
    xs pf-disable "$pf" >/dev/null 2>&1
}
dom=sriov-igb
trap cleanup EXIT
trap 'exit 143' TERM          # the per-test timeout: clean up all the same

check pf-enable xs pf-enable "$pf" 2
check pf-enable-numvfs test "$(cat "/sys/bus/pci/devices/$pf/sriov_numvfs")" = 2
vf0=$(vf_bdf "$pf" 0) vf1=$(vf_bdf "$pf" 1)
check pf-enable-vfs-unbound sh -c "test -z '$(drv "$vf0")$(drv "$vf1")'"
# VF 1 starts from settings of its own: pci-detach must bring these back, not defaults.
ip link set "$pfdev" vf 1 mac 02:5a:00:00:01:99 vlan 7 ||
    fail vf1-preset "ip link set $pfdev vf 1 failed"
before0=$(vfline 0) before1=$(vfline 1)
echo "before: $before0"
echo "before: $before1"

# dom0 end of the traffic test: VLAN 100 in a namespace of its own, so that
# only frames tagged 100 reach 169.254.100.1, and 169.254.200.1 untagged on
# the PF (the namespace cannot answer for it).
ip netns add "$NS"
ip link add link "$pfdev" name "$pfdev.100" type vlan id 100 &&
    ip link set "$pfdev.100" netns "$NS" &&
    ip -n "$NS" addr add 169.254.100.1/24 dev "$pfdev.100" &&
    ip -n "$NS" link set "$pfdev.100" up &&
    ip -n "$NS" link set lo up &&
    ip addr add 169.254.200.1/24 dev "$pfdev" || fail dom0-vlan-setup "see log"

# What a guest with a VF costs dom0 (tests/vm/README, "igb"), kept in the
# log: a fixed amount of shell work, 5 s of interrupts by source, xentop.
load_sample() {
    echo "--- load sample: $1"
    cat /proc/interrupts >"$W/irq.0"
    timed "dom0-work-10k-$1" sh -c 'i=0; while [ $i -lt 10000 ]; do i=$((i + 1)); done'
    timed "dom0-sleep-5-$1" sleep 5
    cat /proc/interrupts >"$W/irq.1"
    awk 'FNR == 1 { next } { s = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i }
        NR == FNR { a[$1] = s; next } s > a[$1] { print "irq", s - a[$1], $1, $NF }' \
        "$W/irq.0" "$W/irq.1" | sort -k2 -rn | head -n 8
    timeout 20 xentop -b -i 2 -d 3 | awk '/NAME/ { n++ } n == 2'
    echo "dom0 processes by CPU time since boot:"
    ps -eo time,comm --sort=-time | head -n 6
}
load_sample before-guest

mac0=02:5a:00:00:00:01 mac1=02:5a:00:00:00:02
cfg=$SRIOV_VM_SCRATCH/$dom.cfg
DOMU_EXTRA=vmdefer=igbvf domu_cfg "$cfg" "$dom" \
    "vf = [ 'pf=$pf,vf=0,mac=$mac0,vlan=100,spoofchk=on,trust=on,rate=100' ]"
t0=$SECONDS
if uuid=$(xs -v create "$cfg"); then pass xl-sriov-create; else fail xl-sriov-create "see log"; exit 1; fi
echo "domain $uuid, xl-sriov create took $((SECONDS - t0)) s"
check create-vf-pciback test "$(drv "$vf0")" = pciback
check create-xl-pci-list sh -c "xl pci-list '$dom' | grep -q '${vf0#0000:}'"
line=$(vfline 0)
echo "after create: $line"
check create-ip-mac grep -q "link/ether $mac0 " <<<"$line"
check create-ip-vlan grep -q "vlan 100," <<<"$line"
check create-ip-spoofchk grep -q "spoof checking on" <<<"$line"
check create-ip-trust grep -q "trust on" <<<"$line"
check create-ip-rate grep -q "max_tx_rate 100Mbps" <<<"$line"
check create-vf1-untouched test "$(vfline 1)" = "$before1"

# The emulation quirk of vf_mem_enable (testlib.sh).
check qemu-quirk-vf0-mem-enable vf_mem_enable "$vf0"

# Guest side, through its console; shell builtins where they do (a fork in
# a PV guest under TCG costs many emulated hypercalls).
gsh() { domu_run "$dom" "$@"; }      # (not $name: check has a local of that name)
gnet() {   # gnet MAC: the guest's interface with that MAC, waiting up to 60 s
    local n end=$((SECONDS + 60))
    while [ "$SECONDS" -lt "$end" ]; do
        n=$(gsh "for d in /sys/class/net/*; do read -r a <\$d/address; [ \"\$a\" = $1 ] && echo \${d##*/}; done; true" 20)
        [ -z "$n" ] || { echo "$n"; return 0; }
        sleep 2
    done
    return 1
}
gdriver() { local d; d=$(gsh "cd /sys/class/net/$1/device/driver && pwd -P") && echo "${d##*/}"; }
gcarrier() {   # gcarrier NETDEV: set it up, wait for its link
    gsh "ip link set $1 up && i=0 && while [ \$i -lt 40 ]; do read -r c </sys/class/net/$1/carrier; [ \"\$c\" = 1 ] && exit 0; sleep 1; i=\$((i + 1)); done; exit 1" 90
}
glist() { gsh 'for d in /sys/class/net/*; do read -r a <$d/address; echo "${d##*/} $a"; done'; }

if domu_sees "$dom" '0x8086:0x10ca' 120; then pass domu-sees-vf0; else fail domu-sees-vf0 "not in the console"; fi
echo "guest saw the VF $((SECONDS - t0)) s after xl-sriov create"
if timed domu-load-igbvf gsh 'load igbvf'; then pass domu-load-igbvf; else fail domu-load-igbvf "insmod failed"; fi
if g0=$(gnet "$mac0"); then pass domu-vf0-admin-mac; else fail domu-vf0-admin-mac "no interface with $mac0: $(glist | tr '\n' ';')"; fi
g0=${g0:-eth0}
check domu-vf0-igbvf test "$(gdriver "$g0")" = igbvf
if timed domu-vf0-link gcarrier "$g0"; then pass domu-vf0-link-up; else fail domu-vf0-link-up "no carrier on $g0"; fi

# Traffic: the card tags the VF's frames with VLAN 100 and hands it only
# frames of VLAN 100, so dom0's VLAN-100 address answers and its untagged
# one cannot be reached.
gsh "ip addr add 169.254.100.2/24 dev $g0 && ip addr add 169.254.200.2/24 dev $g0" ||
    fail domu-addr "cannot address $g0"
check domu-ping-dom0-vlan100 gsh 'ping -c 3 -W 5 169.254.100.1' 90
check dom0-ping-domu-vlan100 ip netns exec "$NS" busybox ping -c 3 -W 5 169.254.100.2
check domu-untagged-unreachable gsh '! ping -c 2 -W 3 169.254.200.1' 90
load_sample after-vf0

# The second VF at run time. The guest probes new devices only when told,
# so that the bench can set the same memory-enable bit first.
check domu-autoprobe-off gsh 'echo 0 >/sys/bus/pci/drivers_autoprobe'
t1=$SECONDS
if got=$(xs pci-attach "$dom" "pf=$pfdev,vf=1,mac=$mac1,vlan=200,qos=3,spoofchk=off,trust=off,rate=50"); then
    pass xl-sriov-pci-attach
else
    fail xl-sriov-pci-attach "see log"
fi
echo "xl-sriov pci-attach took $((SECONDS - t1)) s"
check pci-attach-vf1 test "$got" = "$vf1"
check pci-attach-pciback test "$(drv "$vf1")" = pciback
line=$(vfline 1)
echo "after pci-attach: $line"
check pci-attach-ip-mac grep -q "link/ether $mac1 " <<<"$line"
check pci-attach-ip-vlan-qos grep -q "vlan 200, qos 3," <<<"$line"
check pci-attach-ip-spoofchk grep -q "spoof checking off" <<<"$line"
check pci-attach-ip-trust grep -q "trust off" <<<"$line"
check pci-attach-ip-rate grep -q "max_tx_rate 50Mbps" <<<"$line"
check qemu-quirk-vf1-mem-enable vf_mem_enable "$vf1"
two='0x8086:0x10ca .*0x8086:0x10ca'
if domu_sees "$dom" "$two" 90; then pass domu-sees-vf1; else fail domu-sees-vf1 "not in the console"; fi
gsh 'for d in /sys/bus/pci/devices/*; do [ -e $d/driver ] || echo ${d##*/} >/sys/bus/pci/drivers_probe; done; true'
if g1=$(gnet "$mac1"); then pass domu-vf1-admin-mac; else fail domu-vf1-admin-mac "no interface with $mac1: $(glist | tr '\n' ';')"; fi
g1=${g1:-eth1}
check domu-vf1-igbvf test "$(gdriver "$g1")" = igbvf
check domu-vf1-link-up gcarrier "$g1"

load_sample after-vf1

check xl-sriov-pci-detach timed xl-sriov-pci-detach xs pci-detach "$dom" "$vf1"
check pci-detach-domu-gone domu_sees "$dom" '^DOMU-PCI: [^ ]+$' 60
check pci-detach-released test "$(drv "$vf1")" != pciback
check pci-detach-restored test "$(vfline 1)" = "$before1"
check domu-vf0-still-up gsh 'ping -c 1 -W 5 169.254.100.1' 60

check xl-destroy xl destroy "$dom"
check xl-sriov-gc xs -v gc
check gc-list-empty sh -c "test \"\$('$XS' --state-dir '$W/state' --run-dir '$W/run' list --json | tr -d ' \n')\" = '[]'"
check gc-released test "$(drv "$vf0")" != pciback
check gc-restored test "$(vfline 0)" = "$before0"
check gc-vf1-still-restored test "$(vfline 1)" = "$before1"
check gc-numvfs-kept test "$(cat "/sys/bus/pci/devices/$pf/sriov_numvfs")" = 2
ip link set "$pfdev" vf 1 mac 00:00:00:00:00:00 vlan 0 2>/dev/null
check pf-disable xs pf-disable "$pf"
check pf-disable-numvfs test "$(cat "/sys/bus/pci/devices/$pf/sriov_numvfs")" = 0
trap - EXIT
cleanup
echo "--- guest console"
tr -d '\r' <"$(domu_log "$dom")" | grep -v '^DOMU-OUT: '
exit "$FAILED"
