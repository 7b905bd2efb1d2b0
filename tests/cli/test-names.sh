#!/bin/bash
# Names that are not plain text must not poison the state (issue 9, defects 1, 6,
# 11), end to end on the simulated hypervisor over the FUSE host simulator:
# a guest named "caf\xe9" gets its VF and every later command still works; a
# network name that is not printable UTF-8 is refused when sriov.cfg is read;
# a state file from an older version with such bytes, or with a record out of
# range, fails closed with a reason (exit 1, no sanitizer report); a temp file a
# crashed writer left is removed by the next command.
HOSTLIB_NAME=names HOSTLIB_BASE=1
. "$(dirname "$0")/hostlib.sh"

mount_host "82599 vfs=4 numvfs=0"
utf8() { iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1; }
# A command that fails as a command should: exit status 1 (not a sanitizer's 98/99).
fails_cleanly() { "$@" >/dev/null 2>"$T/err"; test $? -eq 1; }

cat >"$T/sriov.cfg" <<'CFG'
network = [ [ "name=lan", "pf=enp1s0f0" ], [ "name=one", "pf=0000:01:00.1" ] ]
CFG
name=$(printf 'caf\xe9')
printf 'name = "%s"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nvf = [ "network=lan" ]\n' "$name" \
    >"$T/odd.cfg"

# --- a guest whose name is not UTF-8 gets its VF; nothing is poisoned ----------
uuid=$(X create "$T/odd.cfg" 2>"$T/err") || fail odd-create "$(cat "$T/err")"
check odd-create-vf test "$(drv 0000:01:10.0)" = pciback
check odd-state-utf8 utf8 "$T/state/assignments.json"
check odd-state-hex grep -q '"hex": "636166e9"' "$T/state/assignments.json"
check odd-list X list
check odd-list-name bash -c "'$XL_SRIOV' list | grep -qa '$name'"
# JSON for scripts stays valid: the byte that is not UTF-8 shows as U+FFFD.
check odd-list-json bash -c "'$XL_SRIOV' list --json | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(d[0][\"domain\"] != \"caf\ufffd\")'"
vf=$(X pci-attach "$name" network=one 2>"$T/err") || fail odd-attach "$(cat "$T/err")"
check odd-attach-vf test "${vf:-}" = 0000:01:10.1
check odd-detach X pci-detach "$name" 0000:01:10.1
check odd-xenstore-text utf8 "$T/hv/xenstore"
rm -f "$T/hv/domains/$uuid"                    # xl destroy
check odd-gc X gc
check odd-gc-empty bash -c "'$XL_SRIOV' list --json | tr -d ' \n' | grep -qx '\[\]'"
check odd-gc-driver test "$(drv 0000:01:10.0)" != pciback
check odd-gc-numvfs test "$(cat "$T/sys/bus/pci/devices/0000:01:00.0/sriov_numvfs")" = 0

# --- a network name that is not printable UTF-8 is refused before anything -----
printf 'network = [ [ "name=%s", "pf=enp1s0f0" ] ]\n' "$name" >"$T/badnet.cfg"
check badnet-refused fails_cleanly X --config "$T/badnet.cfg" network-list
check badnet-says-why grep -q 'printable UTF-8' "$T/err"
check badnet-create-refused fails_cleanly X --config "$T/badnet.cfg" create "$T/odd.cfg"
check badnet-host-untouched test "$(cat "$T/sys/bus/pci/devices/0000:01:00.0/sriov_numvfs")" = 0

# --- state written by an older version, or out of range: fails closed -----------
u=7b1b2a4e-1c1d-4a6e-9a8e-0123456789ab
rec="\"domain_uuid\": \"$u\", \"pf\": \"0000:01:00.0\", \"vf\": \"0000:01:10.0\", \"phase\": \"attached\""
printf '[{%s, "index": 0, "domain_name": "%s"}]\n' "$rec" "$name" >"$T/state/assignments.json"
check legacy-bytes-fail fails_cleanly X list
check legacy-bytes-says-why grep -q 'is corrupt: lexical error: invalid bytes in UTF8 string' "$T/err"
check legacy-bytes-error-text utf8 "$T/err"
printf '[{%s, "index": 4294967296}]\n' "$rec" >"$T/state/assignments.json"
check index-range-fail fails_cleanly X gc
check index-range-says-why grep -q 'record 1 (VF 0000:01:10.0): "index" 4294967296 is out of range' "$T/err"
printf '[{%s, "index": 0}, {%s, "index": 0}]\n' "$rec" "$rec" >"$T/state/assignments.json"
check duplicate-fail fails_cleanly X list
check duplicate-says-why grep -q 'records 1 and 2 both name VF 0 of PF 0000:01:00.0' "$T/err"
echo '[]' >"$T/state/assignments.json"

# --- a crashed writer's temp file goes with the next command ---------------------
bash -c 'exit 0' & dead=$!; wait "$dead"
sleep 300 & live=$!
echo '[' >"$T/state/assignments.json.tmp.$dead"
echo '[' >"$T/state/assignments.json.tmp.$live"
check temps-list X list
check temps-dead-removed test ! -e "$T/state/assignments.json.tmp.$dead"
check temps-live-kept test -e "$T/state/assignments.json.tmp.$live"
kill "$live" 2>/dev/null; wait "$live" 2>/dev/null
rm -f "$T/state/assignments.json.tmp.$live"
