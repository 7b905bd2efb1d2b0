#!/bin/bash
# Migration, save and restore of a domain with VFs (xl-sriov(1), MIGRATION), on
# two synthetic hosts: the source ($T) and the destination ($D), each with its
# own sysfs, simulated hypervisor, netlink, state and config.  The simulated xl
# refuses to migrate or save a domain that still has a PCI device, as Xen does.
# xl-sriov reaches the destination through --sriov-transport (an `env` setting
# the destination's paths: the same code path as ssh).  Checked:
#   - migrate: the VF leaves the source (settings restored, driver back, no
#     record), a vif with the VF's MAC on the network's bridge goes with the
#     domain, and on the destination the domain has a VF with the same MAC and
#     the destination network's settings;
#   - the destination cannot take it (no free VF): exit 3, nothing changed;
#   - the domain's config does not set passthrough (libxl would recreate it
#     unable to take a VF): exit 1, nothing changed;
#   - xl migrate fails: exit 1, the domain has a VF with its MAC again here and
#     the destination's reservation is gone;
#   - the destination cannot give the VF: exit 5, the domain runs there on
#     netfront, nothing left reserved;
#   - --dry-run changes nothing on either host and lists both hosts' changes;
#   - save and restore; pre-migrate and post-migrate;
#   - a move's CONFIG reaches xl only as checked just before the VFs leave
#     (a library caller that skips that step is refused: tests/unit/move-call);
#   - kill -9 of the migrating process after the VFs were taken back: the
#     destination gives its reservation back, gc here gives the domain its VF;
#   - VFs a create enabled stay enabled while their domain moves (disabling
#     them would reset the PF: the fallback bridge's uplink), and are disabled
#     by the last user of the PF: after a migration, or by whoever holds them
#     once a save, restore, failed migration or crash is over.
HOSTLIB_NAME=migrate
. "$(dirname "$0")/hostlib.sh"

D=$T/dest
BIN=$T/bin
mkdir -p "$BIN" && ln -s "$XL_SRIOV" "$BIN/xl-sriov"
for cfg in "$T/sriov.cfg" "$T/dest.cfg"; do
    cat >"$cfg" <<'CFG'
network = [ [ "name=lan", "pf=enp1s0f0", "vlan=100", "bridge=xenbr0" ] ]
CFG
done
cat >"$T/g1.cfg" <<'CFG'
name = "g1"
uuid = "a1a1a1a1-0000-4000-8000-000000000001"
type = "hvm"
vf = [ 'network=lan,spoofchk=off' ]
CFG
mount_dest() {
    fusermount3 -u "$D/sys" 2>/dev/null
    rm -rf "$D" && mkdir -p "$D/sys" "$D/hv" "$D/state" "$D/run"
    "$SRIOV_SIM" mount --faults "$D/sysfs-fail-at" --host "$1" "$D/sys" ||
        { echo "FAIL: mount: $1"; exit 1; }
    echo "$D/hv desthost" >"$T/hv/peers"
}
trap 'fusermount3 -u "$D/sys" 2>/dev/null; cleanup' EXIT
ENV_D=(env SRIOV_SYSFS="$D/sys" SRIOV_HYPERVISOR="sim:$D/hv" SRIOV_NETLINK="sim:$D/hv"
       SRIOV_STATE_DIR="$D/state" SRIOV_RUN_DIR="$D/run" SRIOV_CONFIG="$T/dest.cfg")
XD() { "${ENV_D[@]}" "$XL_SRIOV" "$@"; }
TRANSPORT="env PATH=$BIN:$PATH ${ENV_D[*]:1}"
migrate() { X migrate --sriov-transport "$TRANSPORT" -s '' "$@" g1 desthost; }
PF=0000:01:00.0
moves_duty() { "$PY3" -c 'import glob,json,sys
print(" ".join(p for f in sorted(glob.glob(sys.argv[1] + "/*.json")) for p in json.load(open(f))["enabled_vfs"]))' "$T/state/moves"; }
dom_file() { grep -l "^name $2\$" "$1"/domains/* 2>/dev/null | head -1; }
vf_of() { "$PY3" -c 'import json,sys
try: recs = json.load(open(sys.argv[1]))
except OSError: recs = []
print(" ".join(r["vf"] + "/" + r["mac"] + "/" + r["phase"] for r in recs if r["domain_name"] == sys.argv[2]))' "$1/state/assignments.json" "$2"; }
dsnap() { (T=$D; snapshot); }
setup() {
    mount_host "82599 vfs=4 numvfs=0"
    mount_dest "${1:-82599 vfs=4 numvfs=0}"
    X create "$T/g1.cfg" >/dev/null || fail setup "create"
    MAC=$(vf_of "$T" g1 | cut -d/ -f2)
}

# --- a good migration -------------------------------------------------------
mount_host "82599 vfs=4 numvfs=0"
clean_src=$(snapshot)
setup
out=$(migrate 2>&1); rc=$?
check migrate-ok test "$rc" = 0
check migrate-left-source test -z "$(dom_file "$T/hv" g1)" -a -z "$(vf_of "$T" g1)"
src_now=$(snapshot | grep -v '^state:')
check migrate-source-clean test "$src_now" = "$(grep -v '^state:' <<<"$clean_src")"
check migrate-source-vfs-disabled test "$(numvfs $PF)" = 0
f=$(dom_file "$D/hv" g1)
check migrate-arrived test -n "$f"
check migrate-vif-went-along grep -q "^nic $MAC xenbr0\$" "$f"
dvf=$(vf_of "$D" g1)
check migrate-vf-there grep -q "/$MAC/attached" <<<"$dvf"
check migrate-vf-held grep -q "^pci ${dvf%%/*}\$" "$f"
nl=$(cat "$D"/hv/netlink/*/vf* 2>/dev/null | tr '\n' ' ')
check migrate-vf-settings grep -q "mac=$MAC vlan=100 .*spoofchk=off" <<<"$nl"
check migrate-consistent-there test -z "$(T=$D consistent)"

# --- the destination has no free VF: nothing changes ---------------------------
setup "82599 vfs=1 numvfs=0"
printf 'name = "other"\nvf = [ "network=lan" ]\n' >"$T/other.cfg"
XD create "$T/other.cfg" >/dev/null
before=$(snapshot) dbefore=$(dsnap)
out=$(migrate 2>&1); rc=$?
check full-exit-3 test "$rc" = 3
check full-source-unchanged test "$(snapshot)" = "$before"
check full-dest-unchanged test "$(dsnap)" = "$dbefore"
check full-says-why grep -q "desthost cannot take g1" <<<"$out"

# --- a domain whose config does not set passthrough: refused, nothing changes ----
# (created by plain xl with the VF in pci=, or attached later: libxl would
# recreate it after the move with passthrough disabled, unable to take a VF)
setup
check created-with-passthrough grep -qx 'passthrough enabled' "$(dom_file "$T/hv" g1)"
sed -i '/^passthrough /d' "$(dom_file "$T/hv" g1)"
before=$(snapshot) dbefore=$(dsnap)
out=$(migrate 2>&1); rc=$?
check no-passthrough-exit-1 test "$rc" = 1
check no-passthrough-says-why grep -q 'created without passthrough="enabled"' <<<"$out"
check no-passthrough-source-unchanged test "$(snapshot)" = "$before"
check no-passthrough-dest-unchanged test "$(dsnap)" = "$dbefore"
out=$(X save g1 "$T/g1.save" 2>&1); rc=$?
check no-passthrough-save-refused test "$rc" = 1 -a ! -e "$T/g1.save"
check no-passthrough-save-unchanged test "$(snapshot)" = "$before"
# xl migrate -C and xl save's CONFIG recreate it from that file instead: its
# passthrough is the one that counts, either way.
printf 'name = "g1"\ntype = "hvm"\n' >"$T/nopt.cfg"
printf 'name = "g1"\ntype = "hvm"\npassthrough = "Share_PT"\n' >"$T/pt.cfg"
out=$(X save g1 "$T/g1.save" "$T/nopt.cfg" 2>&1); rc=$?
check no-passthrough-save-config-refused test "$rc" = 1 -a ! -e "$T/g1.save"
check no-passthrough-save-config-names grep -q "nopt.cfg does not set passthrough" <<<"$out"
# A hand-over (pre-migrate): the orchestrator builds the domain there itself.
check no-passthrough-pre-migrate-allowed X pre-migrate g1
check no-passthrough-post-migrate-back X post-migrate g1
check no-passthrough-vf-back grep -q "/attached" <<<"$(vf_of "$T" g1)"
before=$(snapshot) dbefore=$(dsnap)
out=$(migrate -C "$T/nopt.cfg" 2>&1); rc=$?
check no-passthrough-migrate-bad-config-refused test "$rc" = 1 -a "$(snapshot)" = "$before" -a "$(dsnap)" = "$dbefore"
check no-passthrough-migrate-bad-config-names grep -q "nopt.cfg does not set passthrough" <<<"$out"
out=$(migrate -C "$T/pt.cfg" 2>&1); rc=$?
check no-passthrough-migrate-config-ok test "$rc" = 0
check no-passthrough-migrate-config-arrived grep -q "/$MAC/attached" <<<"$(vf_of "$D" g1)"
check no-passthrough-migrate-config-same-uuid test -f "$D/hv/domains/a1a1a1a1-0000-4000-8000-000000000001"
destroy_all; (T=$D; destroy_all); X gc >/dev/null; XD gc >/dev/null

# --- restore with a CONFIG of the user's: checked before anything -----------------
# xl restore CONFIG builds the domain from CONFIG: without passthrough it could
# take none of its VFs, and without uuid= xl gives it a new UUID (its VFs are
# recorded under the saved one). So CONFIG is checked first, and xl is handed
# a copy that names the saved UUID.
U1=a1a1a1a1-0000-4000-8000-000000000001
setup
check nopt-save X save g1 "$T/g1.save"
before=$(snapshot) journal=$(cat "$T/state/moves/$U1.json")
out=$(X restore "$T/nopt.cfg" "$T/g1.save" 2>&1); rc=$?
check nopt-restore-refused test "$rc" = 1 -a -z "$(dom_file "$T/hv" g1)"
check nopt-restore-says-why grep -q "nopt.cfg does not set passthrough=\"enabled\".*nothing was restored" <<<"$out"
check nopt-restore-unchanged test "$(snapshot)" = "$before" -a "$(cat "$T/state/moves/$U1.json")" = "$journal"
printf 'name = "g1"\ntype = "hvm"\npassthrough = "enabled"\nuuid = "b2b2b2b2-0000-4000-8000-000000000001"\n' >"$T/other.cfg"
out=$(X restore "$T/other.cfg" "$T/g1.save" 2>&1); rc=$?
check other-uuid-restore-refused test "$rc" = 1 -a "$(snapshot)" = "$before"
check other-uuid-restore-says-why grep -q "other.cfg line 4: uuid=.* is not the domain's UUID ($U1)" <<<"$out"
out=$(X -v restore "$T/pt.cfg" "$T/g1.save" 2>&1); rc=$?
check config-restore-ok test "$rc" = 0
check config-restore-same-uuid test -f "$T/hv/domains/$U1" -a "$(grep -c . <<<"$(ls "$T/hv/domains")")" = 1
check config-restore-prints-uuid grep -qx "$U1" <<<"$out"
check config-restore-says-copy grep -q "pt.cfg sets no uuid=: xl reads it from /proc/[0-9]*/fd/[0-9]*, with uuid = \"$U1\" added" <<<"$out"
check config-restore-vf grep -q "/$MAC/attached" <<<"$(vf_of "$T" g1)"
check config-restore-passthrough grep -qx 'passthrough Share_PT' "$T/hv/domains/$U1"
check config-restore-journal-gone test -z "$(ls "$T/state/moves" 2>/dev/null)" -a -z "$(consistent)"
# xl save's CONFIG: the image holds the domain's UUID, not a new one.
out=$(X save g1 "$T/g1c.save" "$T/pt.cfg" 2>&1); rc=$?
check config-save-ok test "$rc" = 0
check config-save-same-uuid grep -qx "uuid $U1" "$T/g1c.save"
out=$(X restore "$T/g1c.save" 2>&1); rc=$?
check config-saved-restore-vf test "$rc" = 0 -a -n "$(vf_of "$T" g1)" -a -f "$T/hv/domains/$U1"
# CONFIG is read once, when it is checked just before the VFs leave: xl reads
# that text, whatever becomes of the file meanwhile (paused and resume:
# hostlib.sh).
other_cfg() { printf 'name = "g1"\ntype = "hvm"\nuuid = "b2b2b2b2-0000-4000-8000-000000000001"\n' >"$1"; }
# Save: stopped while its VF is taken back (its pciback binding undone), the
# file rewritten without passthrough and with another uuid=.
cp "$T/pt.cfg" "$T/live.cfg"
paused assignable_remove live-config-save "$XL_SRIOV" -v save g1 "$T/g1l.save" "$T/live.cfg"
other_cfg "$T/live.cfg"
resume
check live-config-save-ok test "$rc" = 0
check live-config-save-checked-text grep -qx "uuid $U1" "$T/g1l.save"
check live-config-save-checked-passthrough grep -qx "passthrough Share_PT" "$T/g1l.save"
check live-config-save-says-copy grep -q "live.cfg sets no uuid=: xl reads it from /proc/[0-9]*/fd/[0-9]*" "$T/paused.out"
# Restore: stopped just before xl restore, the file rewritten the same way.
cp "$T/pt.cfg" "$T/live.cfg"
paused domain_restore live-config-restore "$XL_SRIOV" restore "$T/live.cfg" "$T/g1l.save"
other_cfg "$T/live.cfg"
resume
check live-config-restore-vf test "$rc" = 0 -a -n "$(vf_of "$T" g1)" -a -f "$T/hv/domains/$U1"
check live-config-restore-checked-passthrough grep -qx 'passthrough Share_PT' "$T/hv/domains/$U1"
# A CONFIG that sets the domain's own uuid= is handed over as checked too.
printf 'name = "g1"\ntype = "hvm"\npassthrough = "enabled"\nuuid = "%s"\n' "$U1" >"$T/own.cfg"
paused assignable_remove own-uuid-save "$XL_SRIOV" -v save g1 "$T/g1o.save" "$T/own.cfg"
other_cfg "$T/own.cfg"
resume
check own-uuid-save-ok test "$rc" = 0 -a -n "$(grep -x "uuid $U1" "$T/g1o.save")"
check own-uuid-save-checked-passthrough grep -qx 'passthrough enabled' "$T/g1o.save"
check own-uuid-save-reads-copy grep -q "xl reads .*own.cfg as checked, from /proc/[0-9]*/fd/[0-9]*" "$T/paused.out"
out=$(X restore "$T/g1o.save" 2>&1); rc=$?
check own-uuid-restore-vf test "$rc" = 0 -a -n "$(vf_of "$T" g1)"
# Changed between the first check and the one before the VFs leave (here
# while the first asks for the domain's vifs): refused, nothing changed.
cp "$T/pt.cfg" "$T/live.cfg"
before=$(snapshot)
paused nic_list recheck "$XL_SRIOV" save g1 "$T/g1r.save" "$T/live.cfg"
other_cfg "$T/live.cfg"
resume
check recheck-refused test "$rc" = 1 -a ! -e "$T/g1r.save" -a "$(snapshot)" = "$before"
check recheck-says-why grep -q "live.cfg does not set passthrough" "$T/paused.out"
# A library caller that runs xl before sriov_move_leave() has checked CONFIG
# (no command does; tests/unit/move-call does): refused, xl never runs, so the
# user's file cannot reach it unchecked.
out=$("${SRIOV_BUILDDIR:-.}/tests/unit/move-call" xl-unleft g1 "$T/pt.cfg" \
    g1 "$T/g1u.save" "$T/pt.cfg" 2>&1); rc=$?
check unleft-xl-refused test "$rc" = 22 -a ! -e "$T/g1u.save" -a "$(snapshot)" = "$before"
check unleft-xl-says-why grep -q "sriov_move_leave() has not checked .*/pt.cfg yet" <<<"$out"
# migrate -C given twice: xl takes the last, and that one is the checked copy.
cp "$T/pt.cfg" "$T/live.cfg"
paused assignable_remove twice-c "$XL_SRIOV" migrate --sriov-transport "$TRANSPORT" -s '' \
    -C "$T/live.cfg" -C "$T/live.cfg" g1 desthost
other_cfg "$T/live.cfg"
resume
check twice-c-migrate-ok test "$rc" = 0
check twice-c-same-uuid test -f "$D/hv/domains/$U1"
check twice-c-passthrough grep -qx 'passthrough Share_PT' "$D/hv/domains/$U1"
check twice-c-vf grep -q "/attached" <<<"$(vf_of "$D" g1)"
(T=$D; destroy_all); XD gc >/dev/null
destroy_all; X gc >/dev/null
check config-restore-nothing-left test -z "$(consistent)" -a "$(numvfs $PF)" = 0
# A file that is not a save file: refused before xl runs.
echo "not a save file" >"$T/bad.save"
out=$(X restore "$T/bad.save" 2>&1); rc=$?
check bad-save-file-refused test "$rc" = 1
check bad-save-file-says grep -q "wrong magic" <<<"$out"
# A FIFO (no writer): refused at once, not waited on.
mkfifo "$T/fifo.save"
out=$(timeout 20 "$XL_SRIOV" restore "$T/fifo.save" 2>&1); rc=$?
check fifo-save-file-refused test "$rc" = 1
# A domain built with passthrough off takes no VF at run time either.
printf 'name = "off"\ntype = "hvm"\npassthrough = "disabled"\n' >"$T/off.cfg"
X create "$T/off.cfg" >/dev/null
before=$(snapshot)
out=$(X pci-attach off network=lan 2>&1); rc=$?
check passthrough-off-attach-refused test "$rc" = 1 -a "$(snapshot)" = "$before"
check passthrough-off-attach-says grep -q "no IOMMU" <<<"$out"
destroy_all; X gc >/dev/null

# --- xl migrate fails: the VF comes back here ----------------------------------
setup
rm -f "$T/trace"
inject hv:domain_migrate "sysfs:trace:$T/trace"
dbefore=$(dsnap)
out=$(migrate 2>&1); rc=$?
heal
check xl-fails-exit-1 test "$rc" = 1
check xl-fails-vf-back grep -q "/$MAC/attached" <<<"$(vf_of "$T" g1)"
check xl-fails-held grep -q "^pci " "$(dom_file "$T/hv" g1)"
check xl-fails-consistent test -z "$(consistent)"
check xl-fails-dest-unchanged test "$(dsnap)" = "$dbefore"
check xl-fails-no-journal test -z "$(ls "$T/state/moves" 2>/dev/null)"
# The move never disabled the VFs (sysfs saw no sriov_numvfs write), and the
# VF given back holds the duty again: the last user disables them.
check xl-fails-vfs-never-disabled test "$(numvfs $PF)" = 4 -a -s "$T/trace"
check xl-fails-numvfs-untouched sh -c "! grep -q '^sysfs:sriov_numvfs=' '$T/trace'"
destroy_all; X gc >/dev/null
check xl-fails-duty-back test "$(numvfs $PF)" = 0

# --- the destination cannot give the VF: netfront there, exit 5 -----------------
setup
echo pci_add >"$D/hv/fail-at"
out=$(migrate 2>&1); rc=$?
rm -f "$D/hv/fail-at"
check no-vf-there-exit-5 test "$rc" = 5
f=$(dom_file "$D/hv" g1)
check no-vf-there-arrived test -n "$f"
check no-vf-there-netfront grep -q "^nic $MAC xenbr0\$" "$f"
check no-vf-there-no-pci test -z "$(grep '^pci ' "$f")"
check no-vf-there-nothing-left test -z "$(vf_of "$D" g1)" -a -z "$(T=$D consistent)"

# --- dry run: nothing changes, both hosts' changes listed -----------------------
setup
before=$(snapshot) dbefore=$(dsnap)
out=$(migrate --dry-run 2>&1); rc=$?
check dry-run-ok test "$rc" = 0
check dry-run-source-unchanged test "$(snapshot)" = "$before"
check dry-run-dest-unchanged test "$(dsnap)" = "$dbefore"
check dry-run-lists-vif grep -q "^dry-run: hypervisor libxl_device_nic_add domain g1 .*mac=$MAC bridge=xenbr0" <<<"$out"
check dry-run-lists-detach grep -q "^dry-run: hypervisor libxl_device_pci_remove domain g1" <<<"$out"
check dry-run-lists-xl grep -q "^dry-run: hypervisor xl migrate .*'g1' 'desthost'" <<<"$out"
check dry-run-lists-dest grep -q "^dry-run: desthost: hypervisor libxl_device_pci_add" <<<"$out"

# --- save and restore -------------------------------------------------------
setup
out=$(X save g1 "$T/g1.save" 2>&1); rc=$?
check save-ok test "$rc" = 0
check save-vfs-kept test "$(numvfs $PF)" = 4
check save-journal-has-duty test "$(moves_duty)" = "$PF"
check save-gone test -z "$(dom_file "$T/hv" g1)" -a -z "$(vf_of "$T" g1)"
check save-journal test -f "$T/state/moves/a1a1a1a1-0000-4000-8000-000000000001.json"
X gc >/dev/null
check save-journal-kept-by-gc test -f "$T/state/moves/a1a1a1a1-0000-4000-8000-000000000001.json"
out=$(X restore "$T/g1.save" 2>&1); rc=$?
check restore-ok test "$rc" = 0
check restore-vf grep -q "/$MAC/attached" <<<"$(vf_of "$T" g1)"
check restore-held grep -q "^pci " "$(dom_file "$T/hv" g1)"
check restore-journal-gone test -z "$(ls "$T/state/moves" 2>/dev/null)"
check restore-consistent test -z "$(consistent)"
check restore-vfs-kept test "$(numvfs $PF)" = 4
destroy_all; X gc >/dev/null
check restore-duty-back test "$(numvfs $PF)" = 0

# --- a saved domain keeps the VFs enabled that another domain's create enabled ---
setup
printf 'name = "g2"\nuuid = "a1a1a1a1-0000-4000-8000-000000000002"\nvf = [ "network=lan" ]\n' >"$T/g2.cfg"
X create "$T/g2.cfg" >/dev/null || fail duty-setup "create g2"
X save g2 "$T/g2.save" >/dev/null 2>&1 || fail duty-setup "save g2"
# g1's VF, which enabled them, goes: g2's journal takes the duty over.
X pci-detach g1 "$(vf_of "$T" g1 | cut -d/ -f1)" >/dev/null 2>&1
check saved-keeps-vfs test "$(numvfs $PF)" = 4
check saved-journal-has-duty test "$(moves_duty)" = "$PF"
out=$(X restore "$T/g2.save" 2>&1); rc=$?
check saved-restore-vf test "$rc" = 0 -a -n "$(vf_of "$T" g2)"
destroy_all; X gc >/dev/null
check saved-last-user-disables test "$(numvfs $PF)" = 0 -a -z "$(ls "$T/state/moves" 2>/dev/null)"

# --- pre-migrate / post-migrate for another orchestrator -------------------------
setup
specs=$(X pre-migrate g1); rc=$?
check pre-migrate-ok test "$rc" = 0
check pre-migrate-spec grep -q "^network=lan,spoofchk=off,mac=$MAC\$" <<<"$specs"
check pre-migrate-vf-gone test -z "$(vf_of "$T" g1)"
X gc >/dev/null
check pre-migrate-gc-leaves-it test -z "$(vf_of "$T" g1)" -a -n "$(ls "$T/state/moves")"
# The orchestrator moves the domain (here: its file, with a new domid there).
f=$(dom_file "$T/hv" g1)
mkdir -p "$D/hv/domains"
sed 's/^domid .*/domid 7/' "$f" >"$D/hv/domains/$(basename "$f")" && rm "$f"
out=$(XD post-migrate g1 $specs 2>&1); rc=$?
check post-migrate-dest-ok test "$rc" = 0
check post-migrate-dest-vf grep -q "/$MAC/attached" <<<"$(vf_of "$D" g1)"
check pre-migrate-vfs-kept test "$(numvfs $PF)" = 4
out=$(X post-migrate a1a1a1a1-0000-4000-8000-000000000001 2>&1); rc=$?
check post-migrate-source-forgets test "$rc" = 0 -a -z "$(ls "$T/state/moves")"
check post-migrate-source-vfs-disabled test "$(numvfs $PF)" = 0

# --- kill -9 after the VFs were taken back --------------------------------------
setup
echo kill:domain_migrate >"$T/hv/fail-at"
migrate >/dev/null 2>&1
rm -f "$T/hv/fail-at"
sleep 1   # the destination sees the transport close and gives its VF back
check kill-dest-gave-back test -z "$(vf_of "$D" g1)" -a -z "$(T=$D consistent)"
check kill-source-no-vf test -z "$(vf_of "$T" g1)"
check kill-vfs-kept test "$(numvfs $PF)" = 4
X gc >/dev/null 2>&1
check kill-gc-vf-back grep -q "/$MAC/attached" <<<"$(vf_of "$T" g1)"
check kill-gc-consistent test -z "$(consistent)" -a -z "$(ls "$T/state/moves")"
destroy_all; X gc >/dev/null
check kill-duty-back test "$(numvfs $PF)" = 0
# --- save and restore killed at every side effect --------------------------------
# From a PF whose VFs the create enabled.  Right after the kill the VFs are
# still enabled (a move never disables them: the journal or a record holds the
# duty); gc leaves host and records consistent, a domain still here has its VF
# again; one that is saved is restored; after destroy + gc the host is as
# before the create: whoever held the duty disabled them, nothing was lost.
# The points: every hypervisor call and sysfs write (killed before it, and
# after it for a change), every state file written (killed at its rename) and
# every journal deleted (at its unlink).
mount_host "82599 vfs=4 numvfs=0"
clean=$(snapshot)
prep_save() { mount_host "82599 vfs=4 numvfs=0"; X create "$T/g1.cfg" >/dev/null; rm -f "$T/g1.save"; }
prep_restore() { prep_save; X save g1 "$T/g1.save" >/dev/null 2>&1; }
# unlink_points COMMAND...: "unlink:K" for each unlink of a journal (the Kth
# unlink of the run).
unlink_points() {
    [ -n "$STRACE" ] || return 0
    ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 "$STRACE" -f -qq -e signal=none -o "$T/strace-u" \
        -e trace=unlink,unlinkat "$@" >/dev/null 2>&1
    awk -v s="$T/state/moves/" '/unlink/ { k++; if (index($0, s) > 0) print "unlink:" k }' "$T/strace-u"
}
# killed_at POINT COMMAND...: COMMAND killed by SIGKILL at POINT; its status.
killed_at() {
    local p=$1; shift
    case $p in
    state:* | unlink:*)
        local set=rename,renameat,renameat2
        [ "${p%%:*}" = unlink ] && set=unlink,unlinkat
        ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 "$STRACE" -f -qq -e signal=none -o /dev/null \
            -e trace=$set -e inject=$set:signal=KILL:when="${p#*:}" "$@" >/dev/null 2>&1 ;;
    *) inject "$p"; "$@" >/dev/null 2>&1 ;;
    esac
    local rc=$?
    heal
    return $rc
}
# kill_sweep NAME PREP COMMAND...
kill_sweep() {
    local name=$1 prep=$2 p kp kps rc why c expected=0 kills=0; shift 2
    $prep
    local points
    points=$(trace_points "$@" | sed 's/#1$//' | sort -u)
    $prep
    points="$points $(unlink_points "$@")"
    for p in $points; do
        case $p in
        # A question changes nothing: killed after it is killed before the next step.
        hv:device_owner* | hv:domain_by_* | hv:domain_passthrough* | hv:*_list* | \
            hv:assigned_devices* | hv:device_group* | hv:platform* | hv:saved_domain*) kps="hv:kill:${p#hv:}" ;;
        hv:*) kps="hv:kill:${p#hv:} hv:kill-after:${p#hv:}" ;;
        sysfs:*) kps="sysfs:kill:${p#sysfs:}" ;;
        state:* | unlink:*) kps=$p ;;
        *) continue ;;
        esac
        for kp in $kps; do
            expected=$((expected + 1))
            $prep
            killed_at "$kp" "$@"; rc=$?
            why=""
            [ "$rc" = 137 ] || why="not killed (exit $rc)"
            [ -n "$why" ] || [ "$(numvfs $PF)" = 4 ] || why="VFs disabled mid-move: numvfs $(numvfs $PF)"
            [ -n "$why" ] || X gc >/dev/null 2>&1 || why="gc failed"
            [ -n "$why" ] || ! c=$(consistent) || [ -z "$c" ] || why="after gc: $c"
            if [ -z "$why" ] && [ -n "$(dom_file "$T/hv" g1)" ]; then
                grep -q "/attached" <<<"$(vf_of "$T" g1)" || why="still here without its VF"
            elif [ -z "$why" ]; then
                [ -s "$T/g1.save" ] || why="gone without a save file"
                [ -n "$why" ] || X restore "$T/g1.save" >/dev/null 2>&1 || why="restore failed"
                [ -n "$why" ] || grep -q "/attached" <<<"$(vf_of "$T" g1)" || why="restored without its VF"
            fi
            if [ -z "$why" ]; then
                destroy_all
                X gc >/dev/null 2>&1
                [ "$(snapshot)" = "$clean" ] || why="after destroy + gc: $(diff <(echo "$clean") <(snapshot) | grep '^[<>]' | tr '\n' ' ')"
            fi
            if [ -n "$why" ]; then fail "$name-killed-at-${kp#*:}" "$why"; else kills=$((kills + 1)); fi
        done
    done
    echo "$name killed at $kills of $expected points:" $points
    check "$name-kill-points" test "$kills" = "$expected" -a "$kills" -ge 10
}
kill_sweep save prep_save "$XL_SRIOV" save g1 "$T/g1.save"
kill_sweep restore prep_restore "$XL_SRIOV" restore "$T/g1.save"
# A save killed right after xl saved the domain leaves its journal "leaving":
# restore refuses it (nothing restored, it says why and what finishes it),
# and once gc has finished the save, restore gives the VF back.
prep_save
killed_at hv:kill-after:domain_save "$XL_SRIOV" save g1 "$T/g1.save"
out=$(X restore "$T/g1.save" 2>&1); rc=$?
check restore-cut-save-refused test "$rc" = 1 -a -z "$(dom_file "$T/hv" g1)"
check restore-cut-save-says grep -q "not saved (a move still under way, or cut short: xl-sriov gc" <<<"$out"
X gc >/dev/null 2>&1
check restore-after-gc X restore "$T/g1.save"
check restore-after-gc-vf grep -q "/attached" <<<"$(vf_of "$T" g1)"
destroy_all; X gc >/dev/null 2>&1

# --- a domain without VFs moves as plain xl would ------------------------------------
mount_host "82599 vfs=4 numvfs=0"
printf 'name = "g0"\ntype = "pv"\n' >"$T/g0.cfg"
X create "$T/g0.cfg" >/dev/null || fail no-vf-setup "create"
out=$(X save g0 "$T/g0.save" 2>&1); rc=$?
check no-vf-save-ok test "$rc" = 0
check no-vf-save-quiet test -z "$out"
out=$(X restore "$T/g0.save" 2>&1); rc=$?
check no-vf-restore-ok test "$rc" = 0 -a -n "$(dom_file "$T/hv" g0)"
destroy_all

# --- a journal that cannot be read does not keep other PFs' VFs enabled ------------------
mount_host "82599 vfs=4 numvfs=0"
X create "$T/g1.cfg" >/dev/null || fail bad-journal-setup "create"
mkdir -p "$T/state/moves"
printf '{"format":99}' >"$T/state/moves/b0b0b0b0-0000-4000-8000-000000000009.json"
out=$(X pci-detach g1 "$(vf_of "$T" g1 | cut -d/ -f1)" 2>&1); rc=$?
check bad-journal-detach-ok test "$rc" = 0
check bad-journal-said grep -q "cannot read" <<<"$out"
check bad-journal-vfs-disabled test "$(numvfs $PF)" = 0
rm -f "$T/state/moves/b0b0b0b0-0000-4000-8000-000000000009.json"
exit $((FAILS > 0))
