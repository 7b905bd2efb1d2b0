#!/bin/bash
# The hook scripts for other orchestrators (tools/migration/), on two synthetic
# hosts: the source ($T) and the destination ($D), each with its own sysfs,
# simulated hypervisor, netlink, state and config.  The "orchestrator" moves the
# domain file between the two simulated hypervisors, as test-migrate.sh does.
#   - xen-sriov-migrate-hook: pre (the VF entries to a file; the VF taken back),
#     post on the destination (a VF with the same MAC there), done on the source
#     (the move forgotten), failed (the VF back here); the argv it gives
#     xl-sriov; bad entries, an empty file and bad usage run nothing.
#   - xen-sriov-xe-migrate with a stand-in xe (tests/xapi/xe) that runs the xapi
#     plugin on either host: the call sequence and every argument as given (no
#     shell: a VM name and a vm-migrate argument with spaces, quotes and $(...)),
#     vm-migrate failing (post_migrate on the source: VF back, exit 1), no free
#     VF on the destination (exit 5), VFs not coming back (exit 6), and the
#     refusals that call nothing.
# The hook cases start the destination's PF with no VFs (enabled when the domain
# arrives), the xe cases with its VFs there already.
HOSTLIB_NAME=migration-hooks
. "$(dirname "$0")/hostlib.sh"
: "${SRIOV_SRCDIR:?}"
HOOK=$SRIOV_SRCDIR/tools/migration/xen-sriov-migrate-hook
XE_MIGRATE=$SRIOV_SRCDIR/tools/migration/xen-sriov-xe-migrate
if ! command -v python3 >/dev/null; then
    echo "SKIP: migration-hooks: needs python3"
    exit 0
fi

D=$T/dest
for cfg in "$T/sriov.cfg" "$T/dest.cfg"; do
    cat >"$cfg" <<'CFG'
network = [ [ "name=lan", "pf=enp1s0f0", "vlan=100", "bridge=xenbr0" ] ]
CFG
done
UUID=a1a1a1a1-0000-4000-8000-000000000001
cat >"$T/g1.cfg" <<CFG
name = "g1"
uuid = "$UUID"
type = "hvm"
vf = [ 'network=lan,spoofchk=off' ]
CFG
mount_dest() {
    fusermount3 -u "$D/sys" 2>/dev/null
    rm -rf "$D" && mkdir -p "$D/sys" "$D/hv" "$D/state" "$D/run"
    "$SRIOV_SIM" mount --faults "$D/sysfs-fail-at" --host "$1" "$D/sys" ||
        { echo "FAIL: mount: $1"; exit 1; }
}
trap 'fusermount3 -u "$D/sys" 2>/dev/null; cleanup' EXIT
ENV_D=(env SRIOV_SYSFS="$D/sys" SRIOV_HYPERVISOR="sim:$D/hv" SRIOV_NETLINK="sim:$D/hv"
       SRIOV_STATE_DIR="$D/state" SRIOV_RUN_DIR="$D/run" SRIOV_CONFIG="$T/dest.cfg")
XD() { "${ENV_D[@]}" "$XL_SRIOV" "$@"; }
dom_file() { grep -l "^name $2\$" "$1"/domains/* 2>/dev/null | head -1; }
vf_of() { "$PY3" -c 'import json,sys
try: recs = json.load(open(sys.argv[1]))
except OSError: recs = []
print(" ".join(r["vf"] + "/" + r["mac"] + "/" + r["phase"] for r in recs if r["domain_name"] == sys.argv[2]))' "$1/state/assignments.json" "$2"; }
journals() { ls "$1/state/moves" 2>/dev/null; }
# The orchestrator's move: the domain file to the destination, a new domid there.
move_domain() {
    local f
    f=$(dom_file "$T/hv" g1)
    sed 's/^domid .*/domid 7/' "$f" >"$D/hv/domains/$(basename "$f")" && rm "$f"
}
setup() {
    mount_host "82599 vfs=4 numvfs=0"
    mount_dest "${1:-82599 vfs=4 numvfs=0}"
    mkdir -p "$D/hv/domains"
    X create "$T/g1.cfg" >/dev/null || fail setup "create"
    MAC=$(vf_of "$T" g1 | cut -d/ -f2)
    SPEC="network=lan,spoofchk=off,mac=$MAC"
}
# A stand-in xl-sriov: records its argv (one line, arguments separated by |).
SPY=$T/spy
printf '#!/bin/sh\n(IFS="|"; echo "$*") >>"%s"\n[ "$1" = pre-migrate ] && echo "network=lan,mac=00:16:3e:00:00:01"\nexit 0\n' \
    "$T/spy.log" >"$SPY"
chmod +x "$SPY"
spy() { rm -f "$T/spy.log"; XEN_SRIOV_XL_SRIOV=$SPY "$@"; }
spied() { cat "$T/spy.log" 2>/dev/null; }
export XEN_SRIOV_XL_SRIOV=$XL_SRIOV

# --- hook: pre, post there, done here --------------------------------------------
mount_host "82599 vfs=4 numvfs=0"
clean_src=$(snapshot | grep -v '^state:')
setup
"$HOOK" pre g1 "$T/specs"; rc=$?
check hook-pre-ok test "$rc" = 0
check hook-pre-specfile test "$(cat "$T/specs")" = "$SPEC"
check hook-pre-vf-taken-back test -z "$(vf_of "$T" g1)"
check hook-pre-netfront grep -q "^nic $MAC xenbr0\$" "$(dom_file "$T/hv" g1)"
check hook-pre-no-pci test -z "$(grep '^pci ' "$(dom_file "$T/hv" g1)")"
check hook-pre-journal test "$(journals "$T")" = "$UUID.json"
move_domain
"${ENV_D[@]}" "$HOOK" post g1 "$T/specs"; rc=$?
check hook-post-ok test "$rc" = 0
dvf=$(vf_of "$D" g1)
check hook-post-same-mac grep -q "/$MAC/attached" <<<"$dvf"
check hook-post-held grep -q "^pci ${dvf%%/*}\$" "$(dom_file "$D/hv" g1)"
check hook-post-consistent-there test -z "$(T=$D consistent)"
"$HOOK" "done" "$UUID"; rc=$?
check hook-done-ok test "$rc" = 0
check hook-done-journal-gone test -z "$(journals "$T")"
check hook-done-source-clean test "$(snapshot | grep -v '^state:')" = "$clean_src"
check hook-done-consistent test -z "$(consistent)"

# --- hook: the migration failed: the VF comes back ----------------------------------
setup
specs=$("$HOOK" pre g1); rc=$?
check hook-pre-stdout test "$rc" = 0 -a "$specs" = "$SPEC"
check hook-pre-stdout-taken-back test -z "$(vf_of "$T" g1)"
"$HOOK" failed g1; rc=$?
check hook-failed-ok test "$rc" = 0
check hook-failed-vf-back grep -q "/$MAC/attached" <<<"$(vf_of "$T" g1)"
check hook-failed-held grep -q "^pci " "$(dom_file "$T/hv" g1)"
check hook-failed-journal-gone test -z "$(journals "$T")"
check hook-failed-consistent test -z "$(consistent)"

# --- hook: the entries from standard input; no free VF there: exit 5 (netfront) ------
setup "82599 vfs=1 numvfs=0"
printf 'name = "other"\nvf = [ "network=lan" ]\n' >"$T/other.cfg"
XD create "$T/other.cfg" >/dev/null
"$HOOK" pre g1 "$T/specs" >/dev/null
move_domain
"${ENV_D[@]}" "$HOOK" post g1 <"$T/specs" 2>"$T/err"; rc=$?
check hook-post-full-exit-5 test "$rc" = 5
check hook-post-full-says-why grep -q "no free VF" "$T/err"
check hook-post-full-netfront grep -q "^nic $MAC xenbr0\$" "$(dom_file "$D/hv" g1)"
check hook-post-full-no-vf test -z "$(vf_of "$D" g1)" -a -z "$(T=$D consistent)"

# --- hook: a failed pre leaves no file; bad input runs nothing -----------------------
setup
rm -f "$T/specs"
"$HOOK" pre nosuch "$T/specs" 2>"$T/err"; rc=$?
check hook-pre-fails-exit-1 test "$rc" = 1
check hook-pre-fails-no-file test ! -e "$T/specs"
check hook-pre-fails-no-temp test -z "$(compgen -G "$T/specs*")"
check hook-pre-fails-says-why grep -q "nosuch" "$T/err"
i=0
for bad in 'network=lan;reboot' '--dry-run' '-n' 'network=lan $(reboot)' 'network=lan mac=x' \
           '=x' 'network="lan"' "network=lan,mac=$(printf '%600s' x | tr ' ' 0)"; do
    i=$((i + 1))
    printf '%s\n%s\n' "$SPEC" "$bad" >"$T/bad.specs"
    spy "$HOOK" post g1 "$T/bad.specs" 2>"$T/err"; rc=$?
    check "hook-bad-spec-refused-$i" test "$rc" = 1 -a -z "$(spied)"
done
check hook-bad-spec-names-line grep -q "bad.specs, line 2:" "$T/err"
: >"$T/empty.specs"
spy "$HOOK" post g1 "$T/empty.specs"; rc=$?
check hook-post-empty-runs-nothing test "$rc" = 0 -a -z "$(spied)"
spy "$HOOK" post g1 "$T/no-such-file" 2>/dev/null; rc=$?
check hook-post-no-file test "$rc" = 1 -a -z "$(spied)"
# Each case: its arguments, separated by |.
i=0
for args in "" "pre" "bogus|g1" "pre|-x" "pre|--all" "pre|g 1" "post|g1;reboot" \
            "failed|g1|extra" "done|g1|x" "pre|g1|a|b" "pre|" "post|\$(reboot)" "pre|.g1" \
            "pre|../g1" "pre|$(printf '%65s' | tr ' ' x)"; do
    i=$((i + 1))
    IFS='|' read -r -a argv <<<"$args"
    spy "$HOOK" "${argv[@]}" 2>/dev/null; rc=$?
    check "hook-usage-exit-2-$i" test "$rc" = 2 -a -z "$(spied)"
done
# The argv xl-sriov gets: options ended, operands as they are.
printf '%s\n\n%s\n' "network=lan,mac=00:16:3e:00:00:01" "pf=enp1s0f0,vf=2,trust=on" >"$T/two.specs"
spy "$HOOK" post g1 "$T/two.specs"
check hook-argv-post test "$(spied)" = "post-migrate|--|g1|network=lan,mac=00:16:3e:00:00:01|pf=enp1s0f0,vf=2,trust=on"
spy "$HOOK" pre g1 "$T/spied.specs"
check hook-argv-pre test "$(spied)" = "pre-migrate|--|g1" -a \
    "$(cat "$T/spied.specs")" = "network=lan,mac=00:16:3e:00:00:01"
spy "$HOOK" failed "$UUID"
check hook-argv-failed test "$(spied)" = "post-migrate|--|$UUID"
spy "$HOOK" "done" 7
check hook-argv-done test "$(spied)" = "post-migrate|--|7"

# --- xen-sriov-xe-migrate through a stand-in xe ------------------------------------------
BIN=$T/bin
mkdir -p "$BIN"
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$PY3" "$SRIOV_SRCDIR/tests/xapi/xe" >"$BIN/xe"
chmod +x "$BIN/xe"
export XE_POOL=$T/pool.json XE_LOG=$T/xe.log XE_PLUGIN=$SRIOV_SRCDIR/tools/xapi/xen-sriov
SRC=11111111-1111-4111-8111-111111111111
DST=22222222-2222-4222-8222-222222222222
NAME='web "1"; $(touch '"$T"'/pwned) `id` '"'x'"
EXTRA='note=a  b "c" '"'d'"' $(touch '"$T"'/pwned); e'
# pool [FAIL [ON_VM_MIGRATE-JSON]]: the pool file, the VM resident on SRC, running.
pool() {
    "$PY3" - "$T" "$D" "$UUID" "$NAME" "$SRC" "$DST" "${1:-}" "${2:-[]}" <<'PY' >"$XE_POOL"
import json, sys
t, d, uuid, name, src, dst, fail, on = sys.argv[1:]
def env(root, cfg):
    return {"env": {"SRIOV_SYSFS": root + "/sys", "SRIOV_HYPERVISOR": "sim:" + root + "/hv",
                    "SRIOV_NETLINK": "sim:" + root + "/hv", "SRIOV_STATE_DIR": root + "/state",
                    "SRIOV_RUN_DIR": root + "/run", "SRIOV_CONFIG": cfg}, "hv": root + "/hv"}
print(json.dumps({"vms": {uuid: {"name_label": name, "power_state": "running", "resident_on": src},
                          "33333333-3333-4333-8333-333333333333":
                              {"name_label": "twin", "power_state": "running", "resident_on": src},
                          "44444444-4444-4444-8444-444444444444":
                              {"name_label": "twin", "power_state": "halted",
                               "resident_on": "<not in database>"}},
                  "hosts": {src: env(t, t + "/sriov.cfg"), dst: env(d, t + "/dest.cfg")},
                  "fail": fail.split(), "on_vm_migrate": json.loads(on)}))
PY
    rm -f "$XE_LOG"
}
# calls: the xe calls made, one line each, arguments separated by |.
calls() { "$PY3" -c 'import json, sys
for line in open(sys.argv[1]): print("|".join(json.loads(line)))' "$XE_LOG" 2>/dev/null; }
xe_migrate() { PATH=$BIN:$PATH "$XE_MIGRATE" "$@"; }
resident() { "$PY3" -c 'import json, sys; print(json.load(open(sys.argv[1]))["vms"][sys.argv[2]]["resident_on"])' "$XE_POOL" "$UUID"; }
LOOKUP="vm-list|name-label=$NAME|is-control-domain=false|params=uuid|--minimal
vm-param-get|uuid=$UUID|param-name=power-state
vm-param-get|uuid=$UUID|param-name=resident-on"
PRE="host-call-plugin|host-uuid=$SRC|plugin=xen-sriov|fn=pre_migrate|args:domain=$UUID"
MIGRATE="vm-migrate|uuid=$UUID|host-uuid=$DST|live=true|$EXTRA"
POST_SRC="host-call-plugin|host-uuid=$SRC|plugin=xen-sriov|fn=post_migrate|args:domain=$UUID"

# A good migration: the whole sequence, every argument as given.  (The destination
# has its VFs already here; the hook cases above start it with none.)
setup "82599 vfs=4 numvfs=2"
pool
xe_migrate "$NAME" "$DST" live=true "$EXTRA" 2>"$T/err"; rc=$?
check xe-ok test "$rc" = 0
expected="$LOOKUP
$PRE
$MIGRATE
host-call-plugin|host-uuid=$DST|plugin=xen-sriov|fn=post_migrate|args:domain=$UUID|args:vfs=[\"$SPEC\"]
$POST_SRC"
check xe-call-sequence test "$(calls)" = "$expected"
[ "$(calls)" = "$expected" ] || diff <(echo "$expected") <(calls) | sed 's/^/    /'
check xe-no-shell test ! -e "$T/pwned"
check xe-moved test "$(resident)" = "$DST" -a -z "$(dom_file "$T/hv" g1)"
dvf=$(vf_of "$D" g1)
check xe-vf-there-same-mac grep -q "/$MAC/attached" <<<"$dvf"
check xe-vf-there-held grep -q "^pci ${dvf%%/*}\$" "$(dom_file "$D/hv" g1)"
check xe-consistent-there test -z "$(T=$D consistent)"
check xe-journals-gone test -z "$(journals "$T")$(journals "$D")"
check xe-source-clean test "$(snapshot | grep -v '^state:')" = "$clean_src"
check xe-says-moved grep -q "moved to $DST with 1 VF" "$T/err"

# By UUID; vm-migrate fails: post_migrate on the source, the VF back, exit 1.
setup
pool vm-migrate
xe_migrate "$UUID" "$DST" 2>"$T/err"; rc=$?
check xe-fails-exit-1 test "$rc" = 1
expected="vm-list|uuid=$UUID|is-control-domain=false|params=uuid|--minimal
vm-param-get|uuid=$UUID|param-name=power-state
vm-param-get|uuid=$UUID|param-name=resident-on
$PRE
vm-migrate|uuid=$UUID|host-uuid=$DST
vm-param-get|uuid=$UUID|param-name=resident-on
$POST_SRC"
check xe-fails-call-sequence test "$(calls)" = "$expected"
[ "$(calls)" = "$expected" ] || diff <(echo "$expected") <(calls) | sed 's/^/    /'
check xe-fails-vf-back grep -q "/$MAC/attached" <<<"$(vf_of "$T" g1)"
check xe-fails-held grep -q "^pci " "$(dom_file "$T/hv" g1)"
check xe-fails-consistent test -z "$(consistent)" -a -z "$(journals "$T")"
check xe-fails-dest-untouched test -z "$(vf_of "$D" g1)" -a -z "$(ls "$D/hv/domains")"
check xe-fails-passes-xe-error grep -q "VM_MIGRATION_FAILED" "$T/err"

# No free VF on the destination: moved, on netfront there, exit 5.
setup "82599 vfs=1 numvfs=0"
XD create "$T/other.cfg" >/dev/null
pool
xe_migrate "$UUID" "$DST" 2>"$T/err"; rc=$?
check xe-no-vf-there-exit-5 test "$rc" = 5
check xe-no-vf-there-moved test "$(resident)" = "$DST"
f=$(dom_file "$D/hv" g1)
check xe-no-vf-there-netfront grep -q "^nic $MAC xenbr0\$" "$f"
check xe-no-vf-there-no-pci test -z "$(grep '^pci ' "$f")"
check xe-no-vf-there-code grep -q "XEN_SRIOV_ON_NETFRONT" "$T/err"
check xe-no-vf-there-source-forgot test -z "$(journals "$T")" -a -z "$(vf_of "$T" g1)"

# vm-migrate fails and the VF cannot come back (the source's hypervisor refuses
# PCI devices meanwhile): exit 6, the guest on netfront here.
setup
pool vm-migrate "[[\"$T/hv/fail-at\", \"pci_add\\n\"]]"
xe_migrate "$UUID" "$DST" 2>"$T/err"; rc=$?
rm -f "$T/hv/fail-at"
check xe-not-back-exit-6 test "$rc" = 6
check xe-not-back-netfront grep -q "^nic $MAC xenbr0\$" "$(dom_file "$T/hv" g1)"
check xe-not-back-code grep -q "XEN_SRIOV_VFS_NOT_BACK" "$T/err"

# pre_migrate fails (no such domain on that host): nothing else is called.
setup
pool
"$PY3" - "$XE_POOL" "$UUID" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p["vms"]["55555555-5555-4555-8555-555555555555"] = dict(p["vms"][sys.argv[2]], name_label="ghost")
json.dump(p, open(sys.argv[1], "w"))
PY
xe_migrate ghost "$DST" 2>"$T/err"; rc=$?
check xe-pre-fails-exit-1 test "$rc" = 1
check xe-pre-fails-no-migrate test -z "$(calls | grep -v '^vm-list\|^vm-param-get\|fn=pre_migrate')"
check xe-pre-fails-says-why grep -q "XEN_SRIOV_COMMAND_FAILED" "$T/err"
check xe-pre-fails-vf-kept grep -q "/$MAC/attached" <<<"$(vf_of "$T" g1)"

# Refusals before anything changes: usage (2), and VMs that cannot go (1).
before=$(snapshot)
i=0
for args in "" "$UUID" "$UUID|not-a-uuid" "$UUID|$DST|host-uuid=$SRC" "$UUID|$DST|uuid=$UUID" \
            "$UUID|$DST|vm=x" "$UUID|$DST|host=x" "$UUID|$DST|remote-master=169.254.0.1" \
            "|$DST" "$UUID|${DST^^}x"; do
    i=$((i + 1))
    pool
    IFS='|' read -r -a argv <<<"$args"
    xe_migrate "${argv[@]}" 2>/dev/null; rc=$?
    check "xe-usage-exit-2-$i" test "$rc" = 2 -a -z "$(calls)"
done
pool
xe_migrate "$UUID
name-label=x" "$DST" 2>/dev/null; rc=$?
check xe-newline-refused test "$rc" = 2 -a -z "$(calls)"
for vm in nosuch twin 44444444-4444-4444-8444-444444444444; do
    pool
    xe_migrate "$vm" "$DST" 2>/dev/null; rc=$?
    check "xe-refused-exit-1-${vm:0:8}" test "$rc" = 1 -a -z "$(calls | grep -v '^vm-list\|^vm-param-get')"
done
pool
xe_migrate "$UUID" "$SRC" 2>"$T/err"; rc=$?
check xe-same-host-refused test "$rc" = 1 -a -z "$(calls | grep -v '^vm-list\|^vm-param-get')"
check xe-refusals-changed-nothing test "$(snapshot)" = "$before"
check xe-help bash -c '"$1" --help | grep -q "^Usage: xen-sriov-xe-migrate"' _ "$XE_MIGRATE"
check hook-help bash -c '"$1" --help | grep -q "^Usage: xen-sriov-migrate-hook"' _ "$HOOK"
# POSIX sh: both parse with dash (Debian's /bin/sh) when it is there.
if command -v dash >/dev/null; then
    check hook-dash-parse dash -n "$HOOK"
    check xe-dash-parse dash -n "$XE_MIGRATE"
fi
exit $((FAILS > 0))
