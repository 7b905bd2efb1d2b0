#!/bin/bash
# xl-sriov reconcile on the synthetic host: records rebuilt after the state file
# is lost, emptied or corrupt; orphaned VFs given back; VFs set up by hand left
# alone; --dry-run changes nothing.
HOSTLIB_NAME=reconcile HOSTLIB_BASE=1
. "$(dirname "$0")/hostlib.sh"

dev=$T/sys/bus/pci/devices
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

mount_host "82599 vfs=4 numvfs=4"
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
# The records a dry run would rebuild explain g1's xenstore node: not "would be removed".
check dry-run-keeps-live-node bash -c "! grep -q '\"removed\"' <<<'$out'"
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

# --- a VF given on by hand to another domain is in use: not given back -------------
printf 'name = "g3"\n' >"$T/g3.cfg"
X create "$T/g2.cfg" >/dev/null
vf=$(X pci-attach g2 network=lan,mac=00:16:3e:00:00:42 2>/dev/null)
u3=$(X create "$T/g3.cfg" 2>/dev/null)
rm -f "$(grep -l '^name g2$' "$T"/hv/domains/*)"     # g2 destroyed, no gc
echo "pci $vf" >>"$T/hv/domains/$u3"                  # then xl pci-attach g3 by hand
dry=$(X reconcile --dry-run | grep -v "^dry-run:")
out=$(X reconcile)
check other-holder-dry-run-agrees test "$dry" = "$(sed 's/ held by/ is held by/; s/record rebuilt from the host/the record would be rebuilt/; s/^\(removed.*\)$/\1: would be removed/' <<<"$out")"
check other-holder-not-released bash -c "! grep -q '^released\|^kept *$vf' <<<'$out'"
check other-holder-override test "$(cat "$dev/$vf/driver_override")" = pciback
check other-holder-driver test "$(drv "$vf")" = pciback
check other-holder-l2-kept grep -q 'mac=00:16:3e:00:00:42' "$T/hv/netlink/enp1s0f0/vf${vf: -1}"
check other-holder-rebuilt grep -q "^rebuilt *$vf: held by domain g3 ($u3)" <<<"$out"
check other-holder-own-node grep -q "^/xen-sriov/$u3/.*/mac 00:16:3e:00:00:42" "$T/hv/xenstore"
check other-holder-quiet-after bash -c "! '$XL_SRIOV' reconcile | grep -q '$vf\|^removed'"
# ... and the same while the record's domain still runs (xl pci-detach, then attach).
u2=$(X create "$T/g2.cfg" 2>/dev/null)
vf2=$(X pci-attach g2 network=lan 2>/dev/null)
sed -i "/^pci $vf2\$/d" "$T/hv/domains/$u2"; echo "pci $vf2" >>"$T/hv/domains/$u3"
out=$(X reconcile)
check other-holder-alive-rebuilt grep -q "^rebuilt *$vf2: held by domain g3" <<<"$out"
check other-holder-alive-override test "$(cat "$dev/$vf2/driver_override")" = pciback
rm -f "$T"/hv/domains/*; X gc >/dev/null 2>&1

# --- hostile xenstore: values and names that are not ours ------------------------
u=$(X create "$T/g2.cfg" 2>/dev/null)
vf=$(X pci-attach g2 network=lan 2>/dev/null)
node=/xen-sriov/$u/$(tr ':.' '--' <<<"$vf")
sed -i "s|^$node/mac .*|$node/mac zz:not:a:mac|; s|^$node/network .*|$node/network l\xffan|" "$T/hv/xenstore"
echo "/xen-sriov/not-a-uuid/0000-01-10-1/pf 0000:01:00.0" >>"$T/hv/xenstore"
long=$(printf 'a%.0s' $(seq 200))
echo "/xen-sriov/$long/foo 1" >>"$T/hv/xenstore"      # cut short, it names another node
rm "$T/state/assignments.json"
out=$(X reconcile --json 2>"$T/err"); rc=$?
check hostile-xs-succeeds test "$rc" = 0 -a ! -s "$T/err"
check hostile-xs-rebuilt bash -c "'$XL_SRIOV' list --json | grep -q '\"vf\": \"$vf\"'"
check hostile-xs-no-garbage-mac bash -c "! '$XL_SRIOV' list --json | grep -q zz:not"
check hostile-xs-non-uuid-not-adopted bash -c "! grep -q '\"released\"' <<<'$out'"
check hostile-xs-long-name-kept grep -q "^/xen-sriov/$long/foo" "$T/hv/xenstore"
check hostile-xs-long-name-reported grep -q '"detail": "a node with a name of 200 bytes' <<<"$out"
X pci-detach g2 "$vf" >/dev/null 2>&1
rm -f "$T"/hv/domains/*; X gc >/dev/null 2>&1

# --- a FIFO in the state file's place is refused, not waited on ---------------------
rm -f "$T/state/assignments.json"; mkfifo "$T/state/assignments.json"
timeout 20 "$XL_SRIOV" list >/dev/null 2>&1; rc=$?
check fifo-state-refused test "$rc" = 1
rm -f "$T/state/assignments.json"
