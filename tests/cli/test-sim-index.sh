#!/bin/bash
# The simulated hypervisor's index of its domain files (hv/domains.index,
# tools/sim-backend/hv_sim_index.c) is only a cache: a domain file changed by
# hand right after the index took it (a rename written in place, same size and
# inode; a device added with >>; xl destroy as rm) is seen by the next command,
# and a broken index is rebuilt.
HOSTLIB_NAME=sim-index HOSTLIB_BASE=1
. "$(dirname "$0")/hostlib.sh"

mkdir -p "$T/hv" "$T/state" "$T/run"
"$SRIOV_SIM" build --host "e810 x2 ports=1 vfs=4 numvfs=4" "$T/sys" >/dev/null ||
    { echo "FAIL: build"; exit 1; }
pfs=()
for k in "$T"/sys/bus/pci/devices/*; do [ -e "$k/sriov_totalvfs" ] && pfs+=("pf=${k##*/}"); done
echo "network = [ [ \"name=all\"$(printf ', "%s"' "${pfs[@]}") ] ]" >"$T/sriov.cfg"
for d in d0 d1 d2; do
    printf 'name = "%s"\nvf = [ "network=all" ]\n' "$d" >"$T/d.cfg"
    X create "$T/d.cfg" >/dev/null || { echo "FAIL: create $d"; exit 1; }
done
file_of() { grep -l "^name $1\$" "$T"/hv/domains/* 2>/dev/null; }
attach() { X pci-attach "$@" >/dev/null; }
vfs_of() { X list | awk -v d="$1" '$1 == d { print $4 }' | sort | tr '\n' ' '; }

# Files over a second old are kept in the index (newer ones are always read).
sleep 2
X pci-attach d0 network=all >"$T/vf" || fail attach "$(cat "$T/vf")"
check index-written test -s "$T/hv/domains.index"
free_vf=$(cat "$T/vf")
X pci-detach d0 "$free_vf" || fail detach "$free_vf"

# A rename written in place: same inode, same size, within the same second.
f=$(file_of d1)
sed 's/^name d1$/name e1/' "$f" >"$T/edit" && cat "$T/edit" >"$f"
check renamed-in-place-seen attach e1 network=all
check old-name-gone bash -c "! '$XL_SRIOV' pci-attach d1 network=all 2>/dev/null"

# A device given by hand to d2 (xl pci-attach without xl-sriov): not free any more.
echo "pci $free_vf" >>"$(file_of d2)"
X pci-attach d0 network=all >"$T/vf2" || fail attach-2 "$(cat "$T/vf2")"
check appended-device-seen test "$(cat "$T/vf2")" != "$free_vf"
sed -i "/^pci $free_vf\$/d" "$(file_of d2)"

# xl destroy: gc gives the VFs of the domain that is gone back.
before=$(vfs_of d2)
rm "$(file_of d2)"
X gc >/dev/null 2>&1
check destroyed-seen test -n "$before" -a -z "$(vfs_of d2)"

# A broken index is no index.
sleep 2
X list >/dev/null
printf 'sim-domains-index 1\nnot an entry\n' >"$T/hv/domains.index"
check broken-index-attach attach e1 network=all
check broken-index-names bash -c "! '$XL_SRIOV' pci-attach d1 network=all 2>/dev/null"
check broken-index-rebuilt bash -c "! grep -q 'not an entry' '$T/hv/domains.index'"
exit 0
