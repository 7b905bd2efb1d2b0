#!/bin/bash
# Moving a domain with a VF on real Xen (xl-sriov(1), MIGRATION), with the NVMe
# PF's VFs: a PV guest created by xl-sriov with a vf= entry
#   - save: the VF is taken back (Xen refuses to save a domain that has one),
#     `xl save` writes the domain, the VF is free again and its entry is kept;
#   - restore: `xl restore`, then the guest gets a VF again and sees it through
#     pcifront (its console);
#   - the same with a CONFIG of the user's that sets no uuid=: the domain keeps
#     its UUID and its VF; one without passthrough is refused first;
#   - migrate within the host: Debian's Xen cannot live-migrate a PV guest (no
#     shadow paging: log-dirty fails), so `xl migrate` fails after the VF was
#     taken back; xl-sriov must give it back here (exit 1), and the
#     destination side (migrate-incoming, reached through --sriov-transport)
#     must have released what it reserved;
#   - destroy + gc: the host as before.
# Oracles: xl list, xl pci-list, xl pci-assignable-list, the driver links,
# xenstore, the guest's console.
set -uo pipefail
. "$SRIOV_VM_TESTLIB"

xs_setup "$SRIOV_VM_SCRATCH/xl-sriov-move"
drv() { basename "$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null)" 2>/dev/null; }

pf=$(nvme_sriov_pf) || { fail nvme-pf "no NVMe SR-IOV function in dom0"; exit 1; }
wait_until 10 test -e "/sys/bus/pci/devices/$pf/driver" || modprobe nvme
modprobe xen-pciback 2>/dev/null
set_numvfs "$pf" 0
cat >"$W/sriov.cfg" <<CFG
network = [ [ "name=nvme", "pf=$pf", "numvfs=2" ] ]
CFG

name=sriov-move
cfg=$SRIOV_VM_SCRATCH/$name.cfg
domu_cfg "$cfg" "$name" "vf = [ 'network=nvme' ]"
# Half the usual memory: save and restore copy all of it, under TCG.
sed -i 's/^memory = .*/memory = 128/' "$cfg"
uuid=$(xs -v create "$cfg") || { fail create "see log"; exit 1; }
trap 'xl destroy "$name" 2>/dev/null; xs gc' EXIT
vf=$(vfs_of)
check create-vf test -n "$vf"
domu_sees "$name" '0x1b36:0x0010' 150 && pass guest-sees-vf || fail guest-sees-vf "not in the console"

# --- save and restore ---------------------------------------------------------
if timed xl-sriov-save xs -v save "$name" "$W/$name.save"; then pass save; else fail save "see log"; fi
check save-domain-gone sh -c "! xl list '$name' >/dev/null 2>&1"
check save-vf-free sh -c "! xl pci-assignable-list | grep -q '${vf#0000:}' && test '$(drv "$vf")' != pciback"
check save-kept-entry test -f "$W/state/moves/$uuid.json"
if timed xl-sriov-restore xs -v restore "$W/$name.save"; then pass restore; else fail restore "see log"; fi
vf=$(vfs_of)
check restore-vf-recorded test -n "$vf"
check restore-xl-pci-list sh -c "xl pci-list '$name' | grep -q '${vf#0000:}'"
check restore-entry-used sh -c "! test -e '$W/state/moves/$uuid.json'"
domu_sees "$name" '0x1b36:0x0010' 90 && pass restore-guest-sees-vf || fail restore-guest-sees-vf "not in the console"

# --- save and restore with a CONFIG of the user's -------------------------------
# xl builds the domain from that file, and gives it the uuid= it sets, a new
# one if none: xl-sriov hands xl a copy that sets the domain's, and refuses a
# CONFIG without passthrough before restoring anything (hv-call: which domain
# a file xl saved holds, read from it as restore does first).
hvcall=$SRIOV_BUILDDIR/tests/unit/hv-call
check saved-file-names-domain sh -c "'$hvcall' libxl saved '$W/$name.save' | grep -q ' $uuid\$'"
head -c 200 "$W/$name.save" >"$W/cut.save"
printf "%0100d" 0 >"$W/junk.save"      # as long as a header, another magic
check saved-file-cut-short sh -c "'$hvcall' libxl saved '$W/cut.save' 2>&1 | grep -q 'cut short'"
check saved-file-junk sh -c "'$hvcall' libxl saved '$W/junk.save' 2>&1 | grep -q 'not a domain saved by xl'"
mkfifo "$W/fifo.save"
check saved-file-fifo sh -c "timeout 20 '$hvcall' libxl saved '$W/fifo.save' 2>&1 | grep -q 'not a regular file'"
{ cat "$cfg"; echo 'passthrough = "enabled"'; } >"$W/user.cfg"
check user-config-sets-no-uuid sh -c "! grep -q '^uuid' '$W/user.cfg'"
if timed xl-sriov-save-config xs -v save "$name" "$W/$name-c.save" "$W/user.cfg"; then
    pass save-config; else fail save-config "see log"; fi
check save-config-same-uuid sh -c "'$hvcall' libxl saved '$W/$name-c.save' | grep -q ' $uuid\$'"
out=$(xs restore "$cfg" "$W/$name-c.save" 2>&1); rc=$?
echo "$out"
check restore-nopt-refused test "$rc" = 1
check restore-nopt-says-why grep -q 'does not set passthrough="enabled"' <<<"$out"
check restore-nopt-nothing-restored sh -c "! xl list '$name' >/dev/null 2>&1 && test -f '$W/state/moves/$uuid.json'"
if timed xl-sriov-restore-config xs -v restore "$W/user.cfg" "$W/$name-c.save"; then
    pass restore-config; else fail restore-config "see log"; fi
check restore-config-same-uuid sh -c "xl list -v '$name' | grep -q '$uuid'"
vf=$(vfs_of)
check restore-config-xl-pci-list sh -c "test -n '$vf' && xl pci-list '$name' | grep -q '${vf#0000:}'"
check restore-config-entry-used sh -c "! test -e '$W/state/moves/$uuid.json'"

# --- migrate: xl fails (PV, no log-dirty here), the VF comes back --------------
out=$(timed xl-sriov-migrate-pv xs -v migrate --sriov-transport "$(xs_transport)" -s env "$name" XX=1 2>&1)
rc=$?
echo "$out" | tail -n 15
check migrate-pv-exit-1 test "$rc" = 1
check migrate-pv-said-why grep -q "xl migrate failed" <<<"$out"
vf2=$(vfs_of)
check migrate-pv-vf-back test -n "$vf2" -a "$(echo "$vf2" | wc -l)" = 1
check migrate-pv-xl-pci-list sh -c "xl pci-list '$name' | grep -q '${vf2#0000:}'"
check migrate-pv-no-reservation sh -c "! xs list --json | grep -q reserved"
check migrate-pv-no-journal sh -c "! ls '$W/state/moves/' 2>/dev/null | grep -q ."
check migrate-pv-still-running sh -c "xl list '$name' >/dev/null"

check destroy xl destroy "$name"
check gc xs -v gc
trap - EXIT
check gc-empty test "$(xs list --json | tr -d ' \n')" = '[]'
check gc-numvfs-zero test "$(cat "/sys/bus/pci/devices/$pf/sriov_numvfs")" = 0
check gc-xenstore-gone sh -c "! xenstore-ls /xen-sriov 2>/dev/null | grep -q '$uuid'"
exit "$FAILED"
