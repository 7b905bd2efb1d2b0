#!/bin/bash
# xl-sriov create / pci-attach / pci-detach / gc on the simulated hypervisor over the
# FUSE host simulator: allocation, state, xenstore, driver restore, rollback at
# every step (host exactly as before), config errors and concurrent allocation.
HOSTLIB_NAME=assign HOSTLIB_BASE=1
. "$(dirname "$0")/hostlib.sh"
# mount_host DESC (hostlib.sh): a fresh synthetic host, hypervisor, state.
# The simulated hypervisor and rtnetlink share $T/hv: its fail-at names the
# operations that fail; $T/sysfs-fail-at names the sysfs attributes whose writes fail.
# Everything the host and the hypervisor hold, for before/after comparisons.
snapshot() {
    local d
    for d in "$T"/sys/bus/pci/devices/*; do
        printf '%s %s' "${d##*/}" "$(basename "$(readlink "$d/driver" 2>/dev/null)" 2>/dev/null)"
        [ -e "$d/sriov_numvfs" ] && printf ' numvfs=%s' "$(cat "$d/sriov_numvfs")"
        [ -e "$d/driver_override" ] && printf ' override=%s' "$(cat "$d/driver_override")"
        echo
    done
    echo "state: $({ tr -d ' \n' <"$T/state/assignments.json"; } 2>/dev/null)" | sed 's/: $/: []/'
    echo "xs: $(cat "$T/hv/xenstore" 2>/dev/null)"
    echo "assignable: $(cat "$T/hv/assignable" 2>/dev/null)"
    for d in "$T"/hv/domains/*; do [ -f "$d" ] && cat "$d"; done
    # VF settings as the PF holds them (a VF without a file has a new VF's).
    for d in "$T"/hv/netlink/*/*; do [ -f "$d" ] && echo "${d#$T/hv/netlink/}: $(tr '\n' ' ' <"$d")"; done
    ls "$T/state/vf-config" 2>/dev/null
}
# rollback_case NAME STEP COMMAND...: COMMAND fails, its error names STEP (if
# given), and the host, the hypervisor and the VF settings are as they were.
rollback_case() {
    local name=$1 step=$2 out; shift 2
    if out=$("$@" 2>&1); then
        fail "$name" "succeeded"
    elif [ -n "$step" ] && ! grep -q "step '$step' failed" <<<"$out"; then
        fail "$name" "error does not name the step: $out"
    elif [ "$(snapshot)" != "$before" ]; then
        fail "$name" "host changed: $(diff <(echo "$before") <(snapshot) | tr '\n' ' ')"
    else
        pass "$name"
    fi
    heal
}

cat >"$T/sriov.cfg" <<'CFG'
# the two PFs of one card, one network each (a PF belongs to one network)
network = [
    [ "name=lan", "pf=enp1s0f0", "vlan=100", "bridge=xenbr0" ],
    [ "name=one", "pf=0000:01:00.1" ],
]
CFG
cat >"$T/g1.cfg" <<'CFG'
name = "g1"
type = "pv"
kernel = "/boot/vmlinuz"
memory = 256
vf = [ 'network=lan,mac=00:16:3e:12:34:56', 'pf=enp1s0f1,vf=2,permissive=1' ]
CFG

# --- vertical slice: create, record, destroy, gc -------------------------------
mount_host "82599 vfs=4 numvfs=0"
check network-list X network-list
check network-list-json bash -c "'$XL_SRIOV' network-list --json | grep -q '\"bridge\": \"xenbr0\"'"
uuid=$(X -v create "$T/g1.cfg" 2>"$T/err") || fail create "$(cat "$T/err")"
check create-uuid test -n "$uuid" -a -f "$T/hv/domains/$uuid"
check create-pci grep -q '^pci 0000:01:10.0$' "$T/hv/domains/$uuid"
check create-pci-2 grep -q '^pci 0000:01:10.5$' "$T/hv/domains/$uuid"
check create-pciback test "$(drv 0000:01:10.0) $(drv 0000:01:10.5)" = "pciback pciback"
check create-numvfs test "$(cat "$T/sys/bus/pci/devices/0000:01:00.0/sriov_numvfs")" = 4
check create-xenstore grep -q "^/xen-sriov/$uuid/0000-01-10-0/mac 00:16:3e:12:34:56$" "$T/hv/xenstore"
check create-state grep -q "\"domain_uuid\": \"$uuid\"" "$T/state/assignments.json"
check create-state-mode test "$(stat -c %a "$T/state/assignments.json")" = 600
check create-pv-settings grep -q 'e820_host=1' "$T/err"
check list-json bash -c "'$XL_SRIOV' list --json | grep -c '\"state\": \"attached\"' | grep -qx 2"
# L2 settings reach the PF through the netlink seam, whatever the sysfs root:
# the entry's MAC, the network's VLAN, and the guest defaults (spoof check on).
check create-l2-set grep -qx 'vlan=100' "$T/hv/netlink/enp1s0f0/vf0"
check create-l2-mac bash -c "'$XL_SRIOV' vf-show enp1s0f0/0 | grep -q '00:16:3e:12:34:56'"
check create-l2-saved test -f "$T/state/vf-config/0000:01:00.0-vf0"
# The second entry derives its MAC from the UUID and slot: the same on a re-create.
mac2=$(X list --json | grep -A8 '"vf": "0000:01:10.5"' | sed -n 's/.*"mac": "\(.*\)".*/\1/p')
rm "$T/hv/domains/$uuid"                       # xl destroy
check gc X gc
check gc-empty bash -c "'$XL_SRIOV' list --json | tr -d ' \n' | grep -qx '\[\]'"
check gc-xenstore bash -c "! grep -q xen-sriov '$T/hv/xenstore'"
check gc-numvfs test "$(cat "$T/sys/bus/pci/devices/0000:01:00.0/sriov_numvfs")" = 0
check gc-assignable test ! -s "$T/hv/assignable"
check gc-l2-restored test ! -e "$T/hv/netlink/enp1s0f0/vf0" -a ! -e "$T/hv/netlink/enp1s0f1/vf2"
check gc-l2-record-gone bash -c "! ls '$T/state/vf-config/'* 2>/dev/null"
uuid2=$(X create "$T/g1.cfg" uuid=\"$uuid\" 2>/dev/null)
mac2b=$(X list --json | grep -A8 '"vf": "0000:01:10.5"' | sed -n 's/.*"mac": "\(.*\)".*/\1/p')
check stable-mac test -n "$mac2" -a "$mac2" = "$mac2b" -a "$uuid2" = "$uuid"
rm -f "$T/hv/domains/$uuid"; X gc

# --- the kernel still counting a VF as assigned a moment after its domain died ---
# (xen-pciback lets go of it once the domain's backend is torn down): the PF
# driver refuses to remove the VFs with EPERM; gc asks again, and gives up with
# the driver's error and the reason once the settle time (10 s) has passed.
mount_host "82599 vfs=4 numvfs=0"
before=$(snapshot)
uuid=$(X create "$T/g1.cfg" 2>/dev/null)
rm -f "$T/hv/domains/$uuid"
printf 'EPERM:sriov_numvfs=0#1\nEPERM:sriov_numvfs=0#2\n' >"$T/sysfs-fail-at"
check assigned-gc-waits X gc
check assigned-gc-restores test "$(snapshot)" = "$before"
heal
uuid=$(X create "$T/g1.cfg" 2>/dev/null)
rm -f "$T/hv/domains/$uuid"
echo 'EPERM:sriov_numvfs=0' >"$T/sysfs-fail-at"
t0=$SECONDS
out=$(X gc 2>&1)
rc=$?
check assigned-gc-gives-up test "$rc" -ne 0 -a $((SECONDS - t0)) -ge 9
check assigned-gc-says-why grep -q "still counts a VF as assigned" <<<"$out"
# A refused removal changed nothing: no rollback to try, the VFs still there.
check assigned-gc-no-rollback test -z "$(grep rollback <<<"$out")"
check assigned-gc-vfs-kept test "$(cat "$T"/sys/bus/pci/devices/0000:01:00.[01]/sriov_numvfs | tr '\n' ' ')" != "0 0 "
check assigned-gc-keeps-record grep -q '"phase": "releasing"' "$T/state/assignments.json"
heal
check assigned-gc-later X gc
check assigned-gc-later-restores test "$(snapshot)" = "$before"

# --- original driver restored ---------------------------------------------------
mount_host "82599 vfs=4 numvfs=2"
printf 'name = "g2"\ntype = "hvm"\n' >"$T/g2.cfg"
X -v create "$T/g2.cfg" >/dev/null 2>"$T/err"
# libxl recreates a moved domain from its config as given: passthrough must be
# in it, or the domain arrives unable to take a VF.
check create-hvm-passthrough grep -q 'passthrough="enabled"' "$T/err"
check create-hvm-no-e820 bash -c "! grep -q e820_host '$T/err'"
# Not where libxl refuses passthrough: PVH, populate-on-demand HVM, no IOMMU;
# passthrough="default" is no setting; a value libxl does not know is an error.
for c in 'pvh:type = "pvh"' 'pod:type = "hvm"\nmemory = 512\nmaxmem = 1024' \
    'default:type = "hvm"\npassthrough = "Default"'; do
    printf "name = \"p-${c%%:*}\"\n${c#*:}\n" >"$T/p.cfg"
    X -v create "$T/p.cfg" >/dev/null 2>"$T/err"; rc=$?
    case ${c%%:*} in
    default) check "create-${c%%:*}-passthrough" grep -q 'passthrough="enabled"' "$T/err" ;;
    *) check "create-${c%%:*}-no-passthrough" test "$rc" = 0 -a -z "$(grep 'passthrough=' "$T/err")" ;;
    esac
done
check create-pod-warns grep -q "populate-on-demand" <<<"$(printf 'name = "p-pod2"\ntype = "hvm"\nmemory = 512\nmaxmem = 1024\n' >"$T/p.cfg"; X create "$T/p.cfg" 2>&1 >/dev/null)"
printf 'name = "p-bad"\ntype = "hvm"\npassthrough = "sometimes"\n' >"$T/p.cfg"
out=$(X create "$T/p.cfg" 2>&1); rc=$?
check create-unknown-passthrough test "$rc" = 1 -a -z "$(grep -l '^name p-bad$' "$T"/hv/domains/* 2>/dev/null)"
check create-unknown-passthrough-says grep -q 'line 3: unknown passthrough="sometimes"' <<<"$out"
# With vf= entries those are refused before anything changes.
for c in 'pvh:type = "pvh"' 'pod:type = "hvm"\nmemory = 512\nmaxmem = 1024'; do
    printf "name = \"v-${c%%:*}\"\n${c#*:}\nvf = [ 'network=lan' ]\n" >"$T/p.cfg"
    before=$(snapshot)
    out=$(X create "$T/p.cfg" 2>&1); rc=$?
    check "create-${c%%:*}-vf-refused" test "$rc" = 1 -a "$(snapshot)" = "$before"
done
check create-pvh-vf-says grep -q "PVH guests cannot take VFs" <<<"$(printf 'name = "v"\ntype = "pvh"\nvf = [ "network=lan" ]\n' >"$T/p.cfg"; X create "$T/p.cfg" 2>&1)"
[ ! -e "$T/hv/platform" ] || fail platform-file "expected none here"
echo "iommu 0" >"$T/hv/platform"
printf 'name = "p-noiommu"\ntype = "pv"\n' >"$T/p.cfg"
X -v create "$T/p.cfg" >/dev/null 2>"$T/err"; rc=$?
check create-no-iommu-no-passthrough test "$rc" = 0 -a -z "$(grep 'passthrough=' "$T/err")"
rm -f "$T/hv/platform"
for f in "$T"/hv/domains/*; do grep -q '^name p-' "$f" && rm -f "$f"; done
check host-driver-before test "$(drv 0000:01:10.1)" = ixgbevf
vf=$(X pci-attach g2 'network=one' 2>/dev/null)
check attach-pciback test "$vf" = 0000:01:10.1 -a "$(drv 0000:01:10.1)" = pciback
check attach-driver-recorded grep -q '"driver": "ixgbevf"' "$T/state/assignments.json"
check detach X pci-detach g2 enp1s0f1/0
check detach-driver-restored test "$(drv 0000:01:10.1)" = ixgbevf
check detach-numvfs-kept test "$(cat "$T/sys/bus/pci/devices/0000:01:00.1/sriov_numvfs")" = 2
# A guest slow to eject its VF (as libxl and Debian 12's device model behave):
# libxl stops waiting for the device model after 10 s, which finishes the
# removal when the guest ejects it; meanwhile it refuses a second unplug, and
# after it libxl's remove fails on "Device ... not found" while the VF stays
# assigned. pci-detach asks again and finishes the removal by force once the
# device model no longer has it.
g2_file=$(grep -l '^name g2$' "$T"/hv/domains/*)
vf=$(X pci-attach g2 'network=one' 2>/dev/null)
echo "$vf late" >"$T/hv/dm-slow"
out=$(X pci-detach g2 "$vf" 2>&1); rc=$?
check detach-late-eject-ok test "$rc" = 0
check detach-late-eject-asks-again grep -q "$vf: domain g2 has not let go of it yet.*timed out waiting for DM to remove pci-pt-01_10.1" <<<"$out"
check detach-late-eject-forced grep -q "no longer has it .*finishing it by force" <<<"$out"
check detach-late-eject-gone test -z "$(grep "pci $vf\|dm-" "$g2_file")" -a "$(drv "$vf")" = ixgbevf
check detach-late-eject-no-record bash -c "! grep -q '\"$vf\"' '$T/state/assignments.json'"
vf=$(X pci-attach g2 'network=one' 2>/dev/null)
echo "$vf never" >"$T/hv/dm-slow"
start=$SECONDS
out=$(X pci-detach g2 "$vf" 2>&1); rc=$?
check detach-never-ejects-fails test "$rc" != 0
check detach-never-ejects-says grep -q "$vf: domain g2 did not let go of it: its device model still had it after 20 s (.*already in the process of unplug)" <<<"$out"
check detach-never-ejects-waited test "$((SECONDS - start))" -ge 19
check detach-never-ejects-kept grep -q "pci $vf" "$g2_file"
check detach-never-ejects-record-kept grep -q "\"vf\": \"$vf\".*\"phase\": \"releasing\"" <<<"$(tr -d '\n' <"$T/state/assignments.json")"
rm -f "$T/hv/dm-slow"
sed -i '/^dm-/d' "$g2_file"       # the guest ejected it at last
check detach-after-eject X pci-detach g2 "$vf"
check detach-after-eject-driver test "$(drv "$vf")" = ixgbevf

# --- rollback at every step leaves the host exactly as it was -------------------
mount_host "82599 vfs=4 numvfs=0"
X create "$T/g2.cfg" >/dev/null
before=$(snapshot)
# Each injection point and the step it must be reported as.  (The reserve step
# fails without touching the host: see create-second-entry and the concurrency cases.)
for c in sysfs:sriov_numvfs=enable_vfs hv:platform=isolation hv:vf_set:vlan=l2 \
         sysfs:driver_override=driver_override hv:assignable_add=assignable_add \
         hv:pci_add=pci_add hv:xs_write=record; do
    inject "${c%%=*}"
    rollback_case "rollback-${c##*=}" "${c##*=}" X pci-attach g2 'network=lan'
done
# pci_add failing, then the rollback's assignable_remove too (seen on Xen with a
# domain that was rebooting): the VF stays with pciback, so its VFs stay enabled;
# the command says the rollback is incomplete, the record keeps what is left, and
# gc finishes it once the hypervisor answers again.
printf 'pci_add\nassignable_remove\n' >"$T/hv/fail-at"
out=$(X pci-attach g2 'network=lan' 2>&1)
rc=$?
check rollback-incomplete-exit test "$rc" -ne 0
check rollback-incomplete-said grep -q "rollback incomplete" <<<"$out"
check rollback-incomplete-names-step grep -q "assignable_remove" <<<"$out"
check rollback-incomplete-kept grep -q '"phase": "releasing"' "$T/state/assignments.json"
check rollback-incomplete-left test "$(snapshot)" != "$before"
heal
check rollback-incomplete-gc eval 'X gc 2>/dev/null'
check rollback-incomplete-gc-restores test "$(snapshot)" = "$before"
before=$(snapshot)
for c in sysfs:sriov_numvfs hv:vf_set:mac hv:assignable_add hv:domain_create; do
    inject "$c"
    rollback_case "create-rollback-${c#*:}" "" X create "$T/g1.cfg"
done
# Recording failing after xl create: the guest keeps its VFs, gc returns them later.
for step in xs_write; do
    inject "hv:$step"
    if X create "$T/g1.cfg" >/dev/null 2>&1; then fail "create-late-$step" "create succeeded"; fi
    heal
    d=$(grep -l '^name g1$' "$T"/hv/domains/* 2>/dev/null)
    if [ -z "$d" ]; then fail "create-late-$step" "the domain is gone"; continue; fi
    X gc 2>/dev/null
    check "create-late-$step-kept" grep -q '^pci ' "$d"
    rm -f "$d"
    X gc 2>/dev/null
    check "create-late-$step-gc" test "$(snapshot)" = "$before"
done
# A second entry failing undoes the first entry's VF too.
printf 'name = "g3"\nvf = [ "network=one", "pf=enp1s0f0,vf=9" ]\n' >"$T/g3.cfg"
if X create "$T/g3.cfg" 2>/dev/null; then fail create-second-entry "succeeded"
elif [ "$(snapshot)" != "$before" ]; then fail create-second-entry "host changed"
else pass create-second-entry; fi
# A sysfs refusal part-way through libxl's steps (pciback not loaded: no new_slot).
echo "pci_remove" >"$T/hv/fail-at"
vf=$(X pci-attach g2 'network=one' 2>/dev/null)
if X pci-detach g2 "$vf" 2>/dev/null; then fail detach-retry "detach succeeded despite pci_remove failing"
else
    rm -f "$T/hv/fail-at"
    check detach-retry X pci-detach g2 "$vf"
fi

# --- config errors name the line and key ---------------------------------------
bad() {
    local name=$1 entry=$2 want=$3 out
    printf 'name = "b"\n\nvf = [ %s ]\n' "$entry" >"$T/bad.cfg"
    out=$(X create "$T/bad.cfg" 2>&1)
    if [ $? -ne 1 ]; then fail "$name" "exit status not 1: $out"
    elif ! grep -q "line 3" <<<"$out" || ! grep -q -- "$want" <<<"$out"; then fail "$name" "$out"
    else pass "$name"; fi
}
bad cfg-unknown-key "'network=lan,colour=blue'" "unknown key 'colour'"
bad cfg-bad-vlan "'network=lan,vlan=5000'" "line 3: vf entry 1: vlan=5000: a VLAN id is 0 to 4095"
bad cfg-bad-mac "'network=lan,mac=01:00:00:00:00:01'" "mac=01:00:00:00:00:01: a multicast address"
bad cfg-both "'network=lan,pf=enp1s0f0'" "exactly one of network= or pf="
bad cfg-bad-pci-opt "'network=lan,rdm_policy=sometimes'" "rdm_policy"
bad cfg-no-network "'network=wan'" "no network 'wan'"
check cfg-errors-no-change test "$(snapshot)" = "$before"
printf 'network = [ [ "name=x", "pf=enp1s0f0", "speed=9" ] ]\n' >"$T/badnet.cfg"
out=$(X --config "$T/badnet.cfg" network-list 2>&1)
check cfg-network-unknown-key grep -q "line 1: network: unknown key 'speed'" <<<"$out"

# --- concurrency: 16 attaches racing for 4 VFs -----------------------------------
mount_host "82599 vfs=4 numvfs=0"
X create "$T/g2.cfg" >/dev/null
for i in $(seq 16); do
    ( X pci-attach g2 'network=one' >"$T/out.$i" 2>/dev/null; echo $? >"$T/rc.$i" ) &
done
wait
ok=$(grep -lx 0 "$T"/rc.* | wc -l)
full=$(grep -lx 3 "$T"/rc.* | wc -l)
check concurrent-four test "$ok" = 4 -a "$full" = 12
check concurrent-distinct test "$(cat "$T"/out.* | sort -u | grep -c .)" = 4
check concurrent-state test "$(grep -c '"phase": "attached"' "$T/state/assignments.json")" = 4
check concurrent-domain test "$(grep -c '^pci ' "$T/hv/domains/"*)" = 4
