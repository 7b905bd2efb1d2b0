#!/bin/bash
# xl-sriov reconcile on the synthetic host: records rebuilt after the state file
# is lost, emptied or corrupt; orphaned VFs given back; VFs set up by hand left
# alone; --dry-run changes nothing.
set -u
: "${XL_SRIOV:?}" "${SRIOV_SIM:?}"
if [ ! -x "$SRIOV_SIM" ] || [ ! -e /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
    echo "SKIP: reconcile: needs the FUSE host simulator ($SRIOV_SIM) and /dev/fuse"
    exit 0
fi
T=$(mktemp -d)
cleanup() { fusermount3 -u "$T/sys" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; }
check() { local n=$1; shift; if "$@"; then pass "$n"; else fail "$n" "$*"; fi; }

export SRIOV_SYSFS=$T/sys SRIOV_HYPERVISOR=sim:$T/hv SRIOV_NETLINK=sim:$T/hv
export SRIOV_STATE_DIR=$T/state SRIOV_RUN_DIR=$T/run SRIOV_CONFIG=$T/sriov.cfg
X() { "$XL_SRIOV" "$@"; }
dev=$T/sys/bus/pci/devices
drv() { basename "$(readlink "$dev/$1/driver" 2>/dev/null)" 2>/dev/null || echo -; }
# The host as VFs, drivers, overrides, assignable list, xenstore and VF settings.
snapshot() {
    local d
    for d in "$dev"/*; do
        printf '%s %s' "${d##*/}" "$(basename "$(readlink "$d/driver" 2>/dev/null)" 2>/dev/null)"
        [ -e "$d/driver_override" ] && printf ' override=%s' "$(cat "$d/driver_override")"
        echo
    done
    echo "xs: $(grep xen-sriov "$T/hv/xenstore" 2>/dev/null)"
    echo "assignable: $(cat "$T/hv/assignable" 2>/dev/null)"
    for d in "$T"/hv/netlink/*/*; do [ -f "$d" ] && echo "${d#$T/hv/}: $(tr '\n' ' ' <"$d")"; done
}
records() { X list --json | tr -d ' \n'; }

mkdir -p "$T/sys" "$T/hv" "$T/state" "$T/run"
"$SRIOV_SIM" mount --host "82599 vfs=4 numvfs=4" "$T/sys" || { echo "FAIL: mount"; exit 1; }
cat >"$T/sriov.cfg" <<'CFG'
network = [ [ "name=lan", "pf=enp1s0f0", "vlan=100" ] ]
CFG
printf 'name = "g1"\nvf = [ "network=lan,mac=00:16:3e:12:34:56", "pf=enp1s0f1,vf=2" ]\n' >"$T/g1.cfg"
printf 'name = "g2"\n' >"$T/g2.cfg"
before=$(snapshot)

# --- the state file lost while a guest holds two VFs ---------------------------
uuid=$(X create "$T/g1.cfg" 2>/dev/null)
check setup-create test -n "$uuid"
held=$(snapshot)
rm "$T/state/assignments.json"
check lost-detach-refused bash -c "! '$XL_SRIOV' pci-detach g1 0000:01:10.0 2>/dev/null"
out=$(X reconcile --dry-run --json)
check dry-run-reports test "$(grep -o '"action": *"rebuilt"' <<<"$out" | wc -l)" = 2
check dry-run-no-state test ! -e "$T/state/assignments.json"
check dry-run-no-change test "$(snapshot)" = "$held"
out=$(X reconcile)
check rebuilt-two test "$(grep -c '^rebuilt' <<<"$out")" = 2
check rebuilt-records test "$(records | grep -o '"state":"attached"' | wc -l)" = 2
check rebuilt-mac-from-xenstore bash -c "'$XL_SRIOV' list --json | grep -q '00:16:3e:12:34:56'"
check rebuilt-network bash -c "'$XL_SRIOV' list --json | grep -q '\"network\": \"lan\"'"
check rebuilt-host-unchanged test "$(snapshot)" = "$held"
check second-run-quiet test -z "$(X reconcile)"
check detach-after-rebuild X pci-detach g1 0000:01:10.0
check detach-restored test "$(drv 0000:01:10.0)" = ixgbevf -a ! -e "$T/hv/netlink/enp1s0f0/vf0"
rm "$T/hv/domains/$uuid"; X gc >/dev/null 2>&1
check gc-after-rebuild test "$(snapshot)" = "$before"

# --- an orphan: record emptied, then the domain destroyed ----------------------
X create "$T/g2.cfg" >/dev/null
vf=$(X pci-attach g2 network=lan 2>/dev/null)
check orphan-setup test "$(drv "$vf")" = pciback
echo '[]' >"$T/state/assignments.json"
rm -f "$T"/hv/domains/*
out=$(X reconcile)
check orphan-released grep -q "^released *$vf" <<<"$out"
check orphan-host-restored test "$(snapshot)" = "$before"

# --- detached behind our back (xl pci-detach), the domain still running ---------
X create "$T/g2.cfg" >/dev/null
vf=$(X pci-attach g2 network=lan 2>/dev/null)
d=$(grep -l '^name g2$' "$T"/hv/domains/*)
sed -i "/^pci $vf\$/d" "$d"
out=$(X reconcile)
check detached-released grep -q "^released *$vf.*no longer holds" <<<"$out"
check detached-host-restored test "$(snapshot)" = "$before"
check detached-no-record test "$(records)" = "[]"
rm -f "$d"

# --- a corrupt state file is kept aside -------------------------------------------
X create "$T/g2.cfg" >/dev/null
vf=$(X pci-attach g2 network=lan 2>/dev/null)
printf '{"truncated' >"$T/state/assignments.json"
check corrupt-list-fails bash -c "! '$XL_SRIOV' list 2>/dev/null"
out=$(X reconcile)
check corrupt-moved-aside bash -c "ls '$T/state/'assignments.json.corrupt.* >/dev/null 2>&1"
check corrupt-rebuilt grep -q "^rebuilt *$vf" <<<"$out"
check corrupt-list-works X list
X pci-detach g2 "$vf" >/dev/null 2>&1
rm -f "$T"/hv/domains/*; X gc >/dev/null 2>&1

# --- a VF made assignable by hand is not ours --------------------------------------
echo 0000:01:10.3 >"$T/hv/assignable"
echo 0000:01:10.3 >"$dev/0000:01:10.3/driver/unbind"
echo 0000:01:10.3 >"$T/sys/bus/pci/drivers/pciback/new_slot" 2>/dev/null
echo 0000:01:10.3 >"$T/sys/bus/pci/drivers/pciback/bind"
hand=$(snapshot)
out=$(X reconcile)
check by-hand-kept grep -q "^kept *0000:01:10.3.*by hand" <<<"$out"
check by-hand-untouched test "$(snapshot)" = "$hand"
