#!/bin/bash
# Why does an igb VF hot-added to a running HVM guest now and then carry
# nothing (tests/vm/README, "a VF hot-added to a running HVM guest now and
# then never carries a frame")? The HVM guest of 60-igb-hvm-migrate (bond of
# VF and netfront) has its VF detached and attached again by xl-sriov, CYCLES
# times; before each attach, per SRIOV_BENCH_REATTACH (a list, one word per
# cycle): "plain" (nothing), "migrate" (plain xl migrate on netfront only,
# as 60's netfront turn). After each attach: can dom0 reach the guest, and
# xen-pciback's backends in xenstore. (The card's registers cannot be read
# from dom0: Debian's kernel refuses to map a BAR a driver holds.) With
# QEMU's trace on the host (e1000e_core_write: every register write, a VF's
# at the PF's address of it):
#   SRIOV_VM_QEMU_ARGS="-trace enable=igb_core_vf_reset
#     -trace enable=igb_set_vfmailbox -trace enable=igb_set_pfmailbox
#     -trace enable=igbvf_write_config -trace enable=e1000e_tx_disabled
#     -trace enable=e1000e_core_write
#     -msg timestamp=on -D /tmp/igb-trace.log"
#   tests/vm/run-tier3 --timeout 3000 --tests tests/vm/explore/igb-hvm-reattach.sh
set -uo pipefail
. "$SRIOV_VM_TESTLIB"
. "$SRIOV_SRCDIR/tests/vm/movelib.sh"
MAC=02:5a:00:00:00:62 GUEST=169.254.62.2 dom=igb-reattach
move_setup igb-reattach 62
cycles=${SRIOV_BENCH_REATTACH:-migrate plain migrate plain migrate plain}

cleanup() {
    for f in "$(domu_log "$dom")" "$(hvm_log "$dom")"; do
        [ -e "$f" ] && tr -d '\r' <"$f" >"$SRIOV_VM_OUT/${f##*/}"
    done
    cp /var/log/xen/qemu-dm-"$dom"*.log "$SRIOV_VM_OUT/" 2>/dev/null
    move_cleanup "$dom" "$dom--incoming" "$dom--migratedaway"
}
trap cleanup EXIT
console_reopen() { pkill -HUP -x xenconsoled; sleep 1; }

backends() { xenstore-ls /local/domain/0/backend/pci 2>/dev/null | grep -E '^ *[0-9]+ =|state|dev-|num_devs' | tr -s ' ' | tr '\n' ';'; echo; }

cfg=$SRIOV_VM_SCRATCH/$dom.cfg
HVM_CMDLINE="console=hvc0 vmdefer=igbvf vmbond=$MAC,$GUEST/16" hvm_cfg "$cfg" "$dom" \
    "vif = [ 'mac=$MAC,bridge=xenbr0,type=vif' ]" "vf = [ 'network=lan,mac=$MAC' ]"
if uuid=$(xs -v create "$cfg"); then pass create; else fail create "see log"; exit 1; fi
echo "domain $uuid"
guest_on_vf 400

good=0 silent=0 i=0
for how in $cycles; do
    i=$((i + 1))
    vf=$(vfs_of | head -n 1)
    mark "cycle $i ($how): detach $vf"
    check "detach$i" xs pci-detach "$dom" "$vf"
    on_netfront 60 || echo "cycle $i: not on netfront"
    echo "cycle $i backends after detach: $(backends)"
    if [ "$how" = migrate ]; then
        mark "cycle $i: xl migrate"
        timed "migrate$i" xl migrate -s env "$dom" XX=1 || { fail "migrate$i" "xl migrate"; break; }
        console_reopen
        echo "cycle $i backends after migrate: $(backends)"
    fi
    sleep 2
    mark "cycle $i: attach"
    check "attach$i" xs pci-attach "$dom" "network=lan,mac=$MAC"
    vf=$(vfs_of | head -n 1)
    echo "cycle $i: VF $vf (virtfn$(vf_number "$pf" "$vf")), backends after attach: $(backends)"
    mark "cycle $i: probe in guest"
    check "vf-probed$i" vf_in_guest
    on_vf 120 || echo "cycle $i: the VF is not the bond's active slave"
    mark "cycle $i: on VF"
    if reachable "reach$i"; then
        good=$((good + 1)); echo "RESULT cycle $i ($how): ok"
    else
        silent=$((silent + 1)); echo "RESULT cycle $i ($how): silent"
        vf_state_log
        echo "cycle $i backends: $(backends)"
    fi
    [ "$(crash_count)" = 0 ] || { echo "the guest crashed: stopping"; guest_crashes 0 quick; break; }
done
echo "reattach: $good carried traffic, $silent silent, of $i"
exit "$FAILED"
