#!/bin/bash
# The exit statuses xl-sriov(1) documents, each produced by the case it names,
# for the real command and for its --dry-run (which must predict it).
HOSTLIB_NAME=exit-codes
HOSTLIB_BASE=1
. "$(dirname "$0")/hostlib.sh"

cat >"$T/sriov.cfg" <<'CFG'
network = [ [ "name=lan", "pf=enp1s0f0" ] ]
CFG
printf 'name = "g2"\nuuid = "a2a2a2a2-0000-4000-8000-000000000002"\ntype = "hvm"\n' >"$T/g2.cfg"
# status NAME WANT COMMAND...: the dry run, then the real run, exit with WANT.
status() {
    local name=$1 want=$2 rc; shift 2
    case $1 in
    pf-enable | pf-disable | create | pci-attach | pci-detach | gc | vf-set | vf-restore)
        "$XL_SRIOV" "$1" --dry-run "${@:2}" >/dev/null 2>&1; rc=$?
        check "$name-dry-run($want)" test "$rc" = "$want" ;;
    esac
    "$XL_SRIOV" "$@" >/dev/null 2>&1; rc=$?
    check "$name($want)" test "$rc" = "$want"
}

mount_host "82599 vfs=2 numvfs=0"
status ok 0 pf-enable enp1s0f0 2
status no-such-pf 1 pf-enable enp9s9f9 2
status unknown-command 2 frobnicate
status unknown-option 2 pf-enable --frob enp1s0f0 2
status bad-count 2 pf-enable enp1s0f0 two
status missing-operand 2 pci-attach g2
X create "$T/g2.cfg" >/dev/null
status attach-first 0 pci-attach g2 network=lan
status attach-second 0 pci-attach g2 network=lan
status network-full 3 pci-attach g2 network=lan
X pci-detach g2 enp1s0f0/1 >/dev/null
echo "iommu 0" >"$T/hv/platform"
status not-isolated 4 pci-attach g2 network=lan
rm -f "$T/hv/platform"
status help 0 help pf-enable
exit $((FAILS > 0))
