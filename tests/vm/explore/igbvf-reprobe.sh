#!/bin/bash
# Does an igb VF carry traffic when its driver probes it a second time, with
# no reset of the PF in between (tests/vm/README, "a VF hot-added to a
# running HVM guest now and then never carries a frame")? In dom0 alone, no
# guest and no xl-sriov: igbvf binds VF 0 in a network namespace of its own,
# pings the PF, unbinds, and binds again, PROBES times; before each probe the
# kernel's messages are kept, with QEMU's trace (below) they say whether
# the VF's reset handshake with the PF worked.
# What happens before each probe (SRIOV_BENCH_REPROBE, a list): "plain"
# (nothing), "flr" (a function reset through sysfs, as pciback and libxl
# do), "recreate" (the VFs removed and created again: igb resets the PF),
# "recreate-pciback" (that, then pciback seizes the VF, as in an attach),
# "recreate-settled" (the same once the PF's link is back). Run alone:
#   tests/vm/run-tier3 --timeout 1200 --tests tests/vm/explore/igbvf-reprobe.sh
set -uo pipefail
. "$SRIOV_VM_TESTLIB"

probes=${SRIOV_BENCH_PROBES:-4}
variants=${SRIOV_BENCH_REPROBE:-plain flr recreate recreate-pciback recreate-settled}
igb_pf_up || exit 1
sys=/sys/bus/pci/devices
echo 0 >"$sys/$pf/sriov_drivers_autoprobe"
set_numvfs "$pf" 2 || { fail numvfs "cannot enable VFs"; exit 1; }
vf=$(vf_bdf "$pf" 0)
ip link set "$pfdev" vf 0 mac 02:5a:00:00:00:09
ip addr add 169.254.77.1/24 dev "$pfdev"
modprobe igbvf
ip netns add vfns
trap 'ip netns del vfns 2>/dev/null; echo 1 >"$sys/$pf/sriov_drivers_autoprobe"' EXIT

carrier_on() { [ "$(ip netns exec vfns cat "/sys/class/net/$1/carrier" 2>/dev/null)" = 1 ]; }
# the host's QEMU trace (SRIOV_VM_QEMU_ARGS="-trace enable=igb_core_vf_reset
# -trace enable=igb_set_vfmailbox -trace enable=igb_set_pfmailbox -trace
# enable=e1000e_tx_disabled -msg timestamp=on") shows the handshakes; this
# mark lines them up with the probes
mark_trace() { echo "=== $1 at $(date +%s.%N)"; }

# prepare VARIANT: what happens to the VF before each probe
prepare() {
    case $1 in
        plain) ;;
        flr) echo 1 >"$sys/$vf/reset" ;;
        recreate|recreate-pciback|recreate-settled)
            set_numvfs "$pf" 2 || return 1      # through 0: igb resets the PF
            vf=$(vf_bdf "$pf" 0)
            [ "$1" != recreate-settled ] || wait_until 20 pf_link_up
            ip link set "$pfdev" vf 0 mac 02:5a:00:00:00:09
            if [ "$1" != recreate ]; then       # what xl-sriov does: pciback seizes it (an FLR)
                echo pciback >"$sys/$vf/driver_override"
                echo "$vf" >/sys/bus/pci/drivers_probe
                echo "$vf" >/sys/bus/pci/drivers/pciback/unbind
            fi ;;
        *) echo "unknown variant $1"; return 1 ;;
    esac
    echo "prepared: $1, PF link $(cat "/sys/class/net/$pfdev/carrier" 2>/dev/null)"
}
pf_link_up() { [ "$(cat "/sys/class/net/$pfdev/carrier" 2>/dev/null)" = 1 ]; }

for variant in $variants; do
good=0
for i in $(seq 1 "$probes"); do
    prepare "$variant" || { fail "prepare-$variant" "see log"; break; }
    mark_trace "$variant probe $i"
    mark=$(dmesg | wc -l)
    echo igbvf >"$sys/$vf/driver_override"
    echo "$vf" >/sys/bus/pci/drivers_probe
    wait_until 20 ls "$sys/$vf/net" >/dev/null || { fail "probe$i" "igbvf did not bind"; break; }
    dev=$(ls "$sys/$vf/net" | head -n 1)
    ip link set "$dev" netns vfns
    ip -n vfns addr add 169.254.77.2/24 dev "$dev"
    ip -n vfns link set "$dev" up
    wait_until 15 carrier_on "$dev"
    if ip netns exec vfns busybox ping -c 3 -W 2 169.254.77.1 >/dev/null; then
        good=$((good + 1)); r=ok
    else
        r=silent
    fi
    ip -n vfns -s link show "$dev"
    echo "igbvf says ($variant probe $i):"; dmesg | tail -n +"$((mark + 1))" | grep -v 'MAC filter' | sed 's/^/   /'
    echo "RESULT $variant probe $i: $r"
    ip -n vfns link set "$dev" netns 1
    echo "$vf" >/sys/bus/pci/drivers/igbvf/unbind
    echo >"$sys/$vf/driver_override"
done
echo "SUMMARY: $good of $probes probes carried traffic ($variant)"
done
pass igbvf-reprobe-measured
