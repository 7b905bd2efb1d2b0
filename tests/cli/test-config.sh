#!/bin/bash
# Config files as users write them (issue 9, defect 8-10): decimal VF indexes,
# duplicate keys, booleans, the all-zero MAC, NUL bytes, symlinked configs, the
# line of an empty entry, sriov.cfg's cross-network rules (one network per PF,
# missing PFs, numvfs above totalvfs, an explicitly named file that is missing),
# quotes in pci= entries, and Xen's command-line syntax for the quarantine.
# The simulated hypervisor over the FUSE host simulator, as test-assign.sh.
. "$(dirname "$0")/lib.sh"
if [ ! -x "$SRIOV_SIM" ] || [ ! -e /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
    echo "SKIP: config: needs the FUSE host simulator ($SRIOV_SIM) and /dev/fuse"
    exit 0
fi
T=$WORK
SYS=$(sim_mount sys "82599 vfs=4 numvfs=0") || { fail mount "sriov-sim"; exit 1; }
mkdir -p "$T/hv" "$T/state" "$T/run"
export SRIOV_SYSFS=$SYS SRIOV_HYPERVISOR=sim:$T/hv SRIOV_NETLINK=sim:$T/hv
export SRIOV_STATE_DIR=$T/state SRIOV_RUN_DIR=$T/run SRIOV_CONFIG=$T/sriov.cfg
# X ARGS...: xl-sriov; sets OUT, ERR and RC.
X() { run_xl "$SYS" "$@"; }
# expect_fail NAME TEXT ARGS...: exit status 1 (or $WANT_RC) and TEXT in the error.
expect_fail() {
    local name=$1 want=$2 rc=${WANT_RC:-1}
    shift 2
    X "$@"
    if [ "$RC" -ne "$rc" ]; then fail "$name" "exit $RC, want $rc: $ERR"
    elif ! grep -qF -- "$want" <<<"$ERR"; then fail "$name" "stderr lacks '$want': $ERR"
    else pass "$name"; fi
}
net() { printf '%s\n' "$@" >"$T/sriov.cfg"; }
# Host state that a refused command must leave alone.
state() {
    cat "$SYS"/bus/pci/devices/*/sriov_numvfs 2>/dev/null
    cat "$T/state/assignments.json" 2>/dev/null
    cat "$T/hv/assignable" 2>/dev/null
}

net 'network = [ [ "name=lan", "pf=enp1s0f0", "vlan=100" ], [ "name=one", "pf=0000:01:00.1" ] ]'
printf 'name = "g"\ntype = "hvm"\n' >"$T/g.cfg"
X create "$T/g.cfg"
expect_rc create-plain 0
before=$(state)

# --- vf= values: decimal only, each key once, xl's booleans, no all-zero MAC ---
expect_fail vf-index-decimal "has no VF 10" pci-attach g 'pf=enp1s0f0,vf=010'
expect_fail vf-index-hex "bad value for 'vf': '0x3'" pci-attach g 'pf=enp1s0f0,vf=0x3'
expect_fail vf-index-blank "bad value for 'vf'" pci-attach g 'pf=enp1s0f0,vf= 3'
expect_fail vf-dup-index "'vf' is given twice" pci-attach g 'pf=enp1s0f0,vf=1,vf=2'
expect_fail vf-dup-vlan "'vlan' is given twice" pci-attach g 'network=lan,vlan=1,vlan=2'
expect_fail vf-permissive-yes "bad value for 'permissive': 'yes'" pci-attach g 'network=lan,permissive=yes'
expect_fail vf-permissive-2 "bad value for 'permissive': '2'" pci-attach g 'network=lan,permissive=2'
expect_fail vf-zero-mac "all-zero" pci-attach g 'network=lan,mac=00:00:00:00:00:00'
[ "$(state)" = "$before" ] && pass vf-refusals-no-change || fail vf-refusals-no-change "host changed"

# --- domain configs: symlinks, NUL bytes, the line of an empty entry ---------------
printf 'name = "s"\ntype = "hvm"\n\nvf = [ "network=one" ]\n' >"$T/real.cfg"
mkdir -p "$T/auto" && ln -s "$T/real.cfg" "$T/auto/s.cfg"
X create "$T/auto/s.cfg"
expect_rc cfg-symlink 0
X list --json
grep -q '"domain": "s"' <<<"$OUT" && pass cfg-symlink-listed || fail cfg-symlink-listed "$OUT"
printf 'name = "n"\nvf = [ "network=one" ]\x00\n' >"$T/nul.cfg"
expect_fail cfg-nul "line 2: a NUL byte" create "$T/nul.cfg"
printf 'name = "e"\n\nvf = [ %s ]\n' "''" >"$T/empty.cfg"
expect_fail cfg-empty-entry-line "empty.cfg line 3: vf entry 1" create "$T/empty.cfg"
printf 'name = "m"\nvf = [ "network=one",\n\n  "network=lan,colour=red" ]\n' >"$T/multi.cfg"
expect_fail cfg-entry-line "multi.cfg line 4: vf entry 2: unknown key 'colour'" create "$T/multi.cfg"
# "+=" appends to the list (libxlutil): entry 3 is the second item of the second
# assignment, and its line is found there.
printf 'name = "a"\nvf = [ "network=one" ]\nvf += [ "network=one",\n  "network=lan,colour=red", ]\n' >"$T/addto.cfg"
expect_fail cfg-addto-entry-line "addto.cfg line 4: vf entry 3: unknown key 'colour'" create "$T/addto.cfg"

# --- pci= entries are quoted again for xl create ----------------------------------
# The simulated xl create reads the override back: the entry must arrive whole
# (libxlutil then refuses it), not break the generated pci=[...] line.
before=$(state)
printf 'name = "q"\npci = [ "0000:05:00.0,rdm_policy=str\\"ict%s" ]\nvf = [ "network=one" ]\n' "'" >"$T/quote.cfg"
X create "$T/quote.cfg"
if [ "$RC" -ne 1 ]; then fail pci-quote "exit $RC: $ERR"
elif grep -qi 'syntax' <<<"$ERR"; then fail pci-quote "the override broke: $ERR"
elif ! grep -qF "bad pci= entry '0000:05:00.0,rdm_policy=str\"ict''" <<<"$ERR"; then fail pci-quote "$ERR"
else pass pci-quote; fi
[ "$(state)" = "$before" ] && pass pci-quote-given-back || fail pci-quote-given-back "host changed"

# --- sriov.cfg ---------------------------------------------------------------------
expect_fail net-config-missing "no such config file" --config "$T/nonexistent.cfg" network-list
net '# one PF, two spellings' 'network = [ [ "name=a", "pf=enp1s0f0" ],' '  [ "name=b", "pf=0000:01:00.0" ] ]'
expect_fail net-pf-two-networks "line 3: PF 0000:01:00.0 (0000:01:00.0) is also in network a as enp1s0f0 (line 2)" network-list
expect_fail net-pf-two-networks-use "a PF belongs to one network" pci-attach g network=a
net 'network = [ [ "name=a", "pf=enp1s0f0" ],' '  [ "name=b", "pf=enp1s0f0" ] ]'
expect_fail net-pf-two-networks-text "line 2: PF enp1s0f0 is already in network a (line 1)" network-list
net 'network = "lan"'
expect_fail net-not-list "line 1: network must be a list" network-list
net 'network = [ [ "name=a", "pf=enp1s0f0",' '  "vlan=1", "vlan=2" ] ]'
expect_fail net-dup-key "line 2: network: 'vlan' is given twice" network-list
net 'network = [ [ "name=ghost", "pf=enp1s0f0",' '  "pf=enp9s0" ] ]'
X network-list
expect_rc net-missing-pf-listed 0
grep -q 'enp9s0(missing)' <<<"$OUT" && pass net-missing-pf-marked || fail net-missing-pf-marked "$OUT"
X network-list --json
tr -d ' \n' <<<"$OUT" | grep -q '"missing_pfs":\["enp9s0"\]' && pass net-missing-pf-json || fail net-missing-pf-json "$OUT"
expect_fail net-missing-pf-use "line 2: network ghost: pf=enp9s0" pci-attach g network=ghost
net 'network = [ [ "name=big", "pf=enp1s0f0",' '   "numvfs=70" ] ]'
expect_fail net-numvfs-above-total "line 2: network big: numvfs=70, but PF 0000:01:00.0 can have 4 VFs at most" pci-attach g network=big
[ "$(state)" = "$before" ] && pass net-refusals-no-change || fail net-refusals-no-change "host changed"

# --- the quarantine, read from Xen's command line ---------------------------------
net 'network = [ [ "name=lan", "pf=enp1s0f0" ] ]'
for c in "iommu=quarantine=off" "iommu=force,no-quarantine" "iommu=quarantine=0 dom0_mem=1G"; do
    echo "cmdline placeholder $c" >"$T/hv/platform"
    # 4: xl-sriov's exit status for "not isolated enough" (xl-sriov(1)).
    WANT_RC=4 expect_fail "quarantine-off-${c%% *}" "Xen's PCI quarantine is off" pci-attach g network=lan
done
echo "cmdline iommu=no-quarantine iommu=quarantine=enable" >"$T/hv/platform"
X pci-attach g network=lan
expect_rc quarantine-on-last-wins 0
exit $FAILED
