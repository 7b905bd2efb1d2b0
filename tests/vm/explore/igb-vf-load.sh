#!/bin/bash
# What a PV guest driving an igb VF costs the bench (see tests/vm/README,
# "igb"): per phase (guest without igbvf, igbvf loaded, link up, igbvf
# unloaded), over 10 s of dom0 sleeping: the CPU time Xen charged to each
# domain (xl list), the guest's interrupts by source, dom0's interrupts.
# Plain xl, no xl-sriov. Run alone:
#   SRIOV_VM_TEST_TIMEOUT=900 tests/vm/run-tier3 --timeout 1200 \
#       --tests tests/vm/explore/igb-vf-load.sh
set -uo pipefail
. "$SRIOV_VM_TESTLIB"

igb_pf_up || exit 1
echo 0 >"/sys/bus/pci/devices/$pf/sriov_drivers_autoprobe"
set_numvfs "$pf" 1 || { fail numvfs "cannot enable a VF"; exit 1; }
vf=$(vf_bdf "$pf" 0)
echo pciback >"/sys/bus/pci/devices/$vf/driver_override"
xl pci-assignable-add "$vf" || { fail assignable "see log"; exit 1; }
ip link set "$pfdev" vf 0 mac 02:5a:00:00:00:09
cmd=$(setpci -s "$vf" COMMAND) && setpci -s "$vf" COMMAND="$(printf %04x $((0x$cmd | 0x2)))"

dom=igb-load
cfg=$SRIOV_VM_SCRATCH/$dom.cfg
S=$SRIOV_VM_SCRATCH
save() { tr -d '\r' <"$(domu_log "$dom")" >"$SRIOV_VM_OUT/igb-load-console.log"; xl dmesg >"$SRIOV_VM_OUT/igb-load-xl-dmesg.log"; }
trap 'save; xl destroy "$dom"' EXIT
trap 'exit 143' TERM

# cpu: "NAME SECONDS" per domain, from xl list
cpu() { xl list | awk 'NR > 1 { print $1, $NF }'; }
# the guest's /proc/interrupts as "IRQ TOTAL NAME", read with builtins (no fork)
gintr() {
    domu_run "$dom" 'while read -r l; do echo "$l"; done </proc/interrupts' 60 |
        awk '$1 ~ /:$/ { s = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i; print $1, s, $NF }'
}
sample() {
    echo "=== $1"
    cpu >"$S/c.0"; gintr >"$S/g.0"; cat /proc/interrupts >"$S/d.0"
    timed "sleep-10-$1" sleep 10
    cpu >"$S/c.1"; gintr >"$S/g.1"; cat /proc/interrupts >"$S/d.1"
    echo "CPU seconds charged by Xen in that time:"
    awk 'NR == FNR { a[$1] = $2; next } { printf "   %s %.1f\n", $1, $2 - a[$1] }' "$S/c.0" "$S/c.1"
    echo "guest interrupts:"
    awk 'NR == FNR { a[$1] = $2; next } $2 > a[$1] { print "  ", $2 - a[$1], $1, $3 }' "$S/g.0" "$S/g.1" |
        sort -k1 -rn | head -n 6
    echo "dom0 interrupts:"
    awk 'FNR == 1 { next } { s = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i }
        NR == FNR { a[$1] = s; next } s > a[$1] { print "  ", s - a[$1], $1, $NF }' \
        "$S/d.0" "$S/d.1" | sort -k1 -rn | head -n 6
}

sample 0-no-guest
DOMU_EXTRA=vmdefer=igbvf domu_cfg "$cfg" "$dom" "pci = [ '$vf' ]"
xl create "$cfg" || { fail xl-create "see log"; exit 1; }
domu_sees "$dom" '0x8086:0x10ca' 300 || { fail domu-sees-vf "not seen"; exit 1; }
sample 1-guest-no-igbvf
timed load-igbvf domu_run "$dom" 'load igbvf' 120
sample 2-igbvf-loaded
timed link-up domu_run "$dom" 'ip link set eth0 up; sleep 5; read -r c </sys/class/net/eth0/carrier; echo carrier $c' 120
sample 3-igbvf-up
timed rmmod-igbvf domu_run "$dom" 'rmmod igbvf' 120
sample 4-igbvf-unloaded
domu_run "$dom" 'dmesg | tail -n 30' 60
pass igb-vf-load-measured
