#!/bin/bash
# A guest on an igb VF keeps its network while it is moved (xl-sriov(1),
# MIGRATION), measured with traffic. QEMU 10's igb (Intel 82576) in dom0;
# the PF on dom0's bridge xenbr0 (169.254.60.1/16) with the guest's vif, so
# that the VF (through the card's switch) and netfront (through the bridge)
# lead to the same dom0 address. The PV guest (init-domu's vmbond=: bond0,
# active-backup, the VF primary, netfront backup, one MAC) is 169.254.60.2.
#  - `xl-sriov save` + `xl-sriov restore` while dom0 pings it every 10 ms,
#    against plain `xl save` + `xl restore` of the same guest on netfront
#    only, in the same boot; afterwards the guest is on a VF again with its
#    MAC (the bond's active slave in the guest; `ip -d link show PF`).
#    Prints "save/restore: xl-sriov lost N pings (longest gap G ms), xl
#    netfront-only lost M (gap H ms), ratio R, after: vf MAC" for bench/migration
#    (SRIOV_BENCH_ROUNDS turns, medians, and the median of the turns' own
#    ratios; 1 in make check).
#    Debian's Xen cannot live-migrate a PV guest: save/restore is its move
#    (60-igb-hvm-migrate.sh live-migrates an HVM guest).
#  - `xl-sriov migrate` whose `xl migrate` fails (PV: no log-dirty): exit 1,
#    the guest is back on a VF with its MAC.
#  - `xl-sriov migrate` to a destination with no free VF in the network (a
#    second domain holds the other one): exit 3, nothing changed, the guest
#    never left its VF.
#  - `xl-sriov restore` where the VF cannot be set up (its rate, refused by
#    igb while the PF's link is down): exit 5, the guest runs on netfront and
#    answers, nothing reserved, the VF's MAC back on the PF.
set -uo pipefail
. "$SRIOV_VM_TESTLIB"

. "$SRIOV_SRCDIR/tests/vm/movelib.sh"
MAC=02:5a:00:00:00:60 GUEST=169.254.60.2 dom=igb-move
move_setup igb-move 60
# The create enables the network's VFs. They must stay enabled while the
# guest's VF steps aside (its move journal holds them): writing sriov_numvfs
# resets igb's PF, the bridge's uplink, which netfront needs just then.
check no-vfs-yet test "$(numvfs)" = 0

cleanup() {
    tr -d '\r' <"$(domu_log "$dom")" >"$SRIOV_VM_OUT/igb-move-console.log" 2>/dev/null
    move_cleanup "$dom" igb-filler
}
trap cleanup EXIT
trap 'exit 143' TERM

# --- a guest on its VF, netfront as backup ------------------------------------
cfg=$SRIOV_VM_SCRATCH/$dom.cfg
DOMU_EXTRA="vmdefer=igbvf vmbond=$MAC,$GUEST/16" domu_cfg "$cfg" "$dom" \
    "vif = [ 'mac=$MAC,bridge=xenbr0' ]" "vf = [ 'network=lan,mac=$MAC' ]"
# Save and restore copy all of its memory, under TCG.
sed -i 's/^memory = .*/memory = 128/' "$cfg"
if uuid=$(xs -v create "$cfg"); then pass create; else fail create "see log"; exit 1; fi
echo "domain $uuid"
guest_on_vf 150

# --- xl-sriov save + restore against plain xl, pinged, ROUNDS turns --------------
# One turn: xl-sriov save + restore (the VF steps aside, netfront carries the
# guest, the VF comes back); then the VF is detached, the same guest goes
# through plain xl save + restore on netfront only, and gets a VF again.
ROUNDS=${SRIOV_BENCH_ROUNDS:-1}
sriov_turn() {
    local r=$1 t0=$SECONDS vf n
    probe_start "sriov$r"
    mark "save$r"
    if timed "xl-sriov-save$r" xs -v save "$dom" "$W/$dom.save"; then pass "save$r"; else fail "save$r" "see log"; fi
    check "save$r-vfs-kept" test "$(numvfs)" = 2
    mark "restore$r"
    if timed "xl-sriov-restore$r" xs -v restore "$W/$dom.save" >/dev/null; then pass "restore$r"; else fail "restore$r" "see log"; fi
    mark "restored$r"
    check "restore$r-vf-probed" vf_in_guest
    mark "vf-probed$r"
    if on_vf 90; then pass "restore$r-guest-on-vf"; else fail "restore$r-guest-on-vf" "the bond's active slave is not the VF"; fi
    mark "on-vf$r"
    echo "xl-sriov save to VF again: $((SECONDS - t0)) s"
    sleep 2
    probe_stop "sriov$r"
    rm -f "$W/$dom.save"
    vf=$(vfs_of | head -n 1)
    after=$(vfline "$vf")
    echo "after restore: VF $vf: $after"
    check "restore$r-pf-vf-mac" grep -q "link/ether $MAC " <<<"$after"
    after_guest=$(gactive)
}
netfront_turn() {
    local r=$1
    check "detach$r" xs pci-detach "$dom" "$(vfs_of | head -n 1)"
    if on_netfront 60; then pass "guest$r-on-netfront"; else fail "guest$r-on-netfront" "the bond's active slave is not netfront"; fi
    probe_start "netfront$r"
    mark "xl-save$r"
    check "xl-save$r" timed "xl-save$r" xl save "$dom" "$W/$dom.nf.save"
    mark "xl-restore$r"
    check "xl-restore$r" timed "xl-restore$r" xl restore "$W/$dom.nf.save"
    mark "xl-restored$r"
    sleep 2
    probe_stop "netfront$r"
    rm -f "$W/$dom.nf.save"
    check "reattach$r" xs pci-attach "$dom" "network=lan,mac=$MAC"
    check "reattach$r-vf-probed" vf_in_guest
    if on_vf 90; then pass "reattach$r-guest-on-vf"; else fail "reattach$r-guest-on-vf" "not on the VF"; fi
}
for ((r = 1; r <= ROUNDS; r++)); do
    sriov_turn "$r"
    netfront_turn "$r"
done
move_summary save/restore "$ROUNDS"

# --- xl migrate fails: the VF comes back ---------------------------------------
out=$(timed xl-sriov-migrate-fails xs -v migrate --sriov-transport "$(xs_transport)" -s env "$dom" XX=1 2>&1)
rc=$?
echo "$out" | tail -n 8
check migrate-fails-exit-1 test "$rc" = 1
check migrate-fails-said-why grep -q "xl migrate failed" <<<"$out"
check migrate-fails-vf-back vf_in_guest
if on_vf 90; then pass migrate-fails-guest-on-vf; else fail migrate-fails-guest-on-vf "not on the VF"; fi
check migrate-fails-pf-vf-mac grep -q "link/ether $MAC " <<<"$(vfline "$(vfs_of | head -n 1)")"
check migrate-fails-no-reservation no_reservation
check migrate-fails-no-journal sh -c "! ls '$W/state/moves/' 2>/dev/null | grep -q ."

# --- no free VF at the destination: refused before anything changes -----------
domu_cfg "$SRIOV_VM_SCRATCH/igb-filler.cfg" igb-filler "vf = [ 'network=lan' ]"
sed -i 's/^memory = .*/memory = 128/' "$SRIOV_VM_SCRATCH/igb-filler.cfg"
check filler-takes-last-vf xs create "$SRIOV_VM_SCRATCH/igb-filler.cfg"
before=$(xl pci-list "$dom")
out=$(xs -v migrate --sriov-transport "$(xs_transport)" -s env "$dom" XX=1 2>&1)
rc=$?
echo "$out" | tail -n 4
check no-free-vf-exit-3 test "$rc" = 3
check no-free-vf-pci-list-unchanged test "$(xl pci-list "$dom")" = "$before"
if on_vf 5; then pass no-free-vf-guest-on-vf; else fail no-free-vf-guest-on-vf "not on the VF"; fi
check no-free-vf-no-reservation no_reservation
check no-free-vf-no-journal sh -c "! ls '$W/state/moves/' 2>/dev/null | grep -q ."
check filler-destroy xl destroy igb-filler

# --- the VF cannot be set up where the guest is restored: netfront, exit 5 ------
# (the filler's record stays until gc: only the guest's own records count)
no_vf_of_guest() { [ -z "$(vfs_of "$dom")" ]; }
# igb refuses a VF's rate while the PF's link is down (EINVAL): the guest,
# saved on a VF with rate=, is restored with its PF down. The restore must
# finish on netfront, say so (exit 5), and leave nothing reserved or set.
check rate-detach xs pci-detach "$dom" "$(vfs_of "$dom" | head -n 1)"
check rate-attach xs pci-attach "$dom" "network=lan,mac=$MAC,rate=100"
check rate-pf-vf-mac sh -c "ip -d link show '$pfdev' | grep -q ' vf .*link/ether $MAC '"
if no_vf_of_guest; then fail rate-vf-recorded "no record names $dom"; else pass rate-vf-recorded; fi
check rate-vf-probed vf_in_guest
if on_vf 90; then pass rate-guest-on-vf; else fail rate-guest-on-vf "not on the VF"; fi
check rate-save xs -v save "$dom" "$W/$dom.save"
ip link set "$pfdev" down
out=$(timed xl-sriov-restore-no-vf xs -v restore "$W/$dom.save" 2>&1)
rc=$?
echo "$out" | tail -n 8
rm -f "$W/$dom.save"
check no-vf-there-exit-5 test "$rc" = 5
check no-vf-there-says-netfront grep -q "runs on netfront" <<<"$out"
check no-vf-there-says-why grep -q "cannot set rate" <<<"$out"
check no-vf-there-running xl domid "$dom"
if on_netfront 60; then pass no-vf-there-guest-on-netfront; else fail no-vf-there-guest-on-netfront "the bond's active slave is not netfront"; fi
check no-vf-there-reachable reachable novfthere
check no-vf-there-no-vf no_vf_of_guest
check no-vf-there-no-reservation no_reservation
check no-vf-there-no-journal sh -c "! ls '$W/state/moves/' 2>/dev/null | grep -q ."
check no-vf-there-pf-mac-back sh -c "! ip -d link show '$pfdev' | grep -q ' vf .*link/ether $MAC '"
check no-vf-there-pf-up ip link set "$pfdev" up

check destroy xl destroy "$dom"
check gc xs -v gc
check gc-empty test "$(xs list --json | tr -d ' \n')" = '[]'
check gc-last-user-disables-vfs test "$(numvfs)" = 0
trap - EXIT
cleanup
exit "$FAILED"
