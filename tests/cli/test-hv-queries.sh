#!/bin/bash
# Who holds which device is asked of the hypervisor once per command, however
# many VFs the host has and however many domains hold them: create and
# pci-attach (weighing every VF of a network), list, pci-detach, gc (with every
# domain alive, and with one destroyed) and reconcile, counted in the simulated
# hypervisor's trace, on a small host with one domain and on a larger one with
# many.  (bench/alloc measures what that saves.)
HOSTLIB_NAME=hv-queries HOSTLIB_BASE=1
. "$(dirname "$0")/hostlib.sh"

# host DESC DOMAINS: a static synthetic host, a network over all its PFs, and
# DOMAINS domains with a VF each, given by xl-sriov create.
host() {
    local k pfs=()
    rm -rf "$T/sys" "$T/hv" "$T/state" "$T/run"
    mkdir -p "$T/hv" "$T/state" "$T/run"
    "$SRIOV_SIM" build --host "$1" "$T/sys" >/dev/null || { echo "FAIL: build: $1"; exit 1; }
    for k in "$T"/sys/bus/pci/devices/*; do [ -e "$k/sriov_totalvfs" ] && pfs+=("pf=${k##*/}"); done
    echo "network = [ [ \"name=all\"$(printf ', "%s"' "${pfs[@]}") ] ]" >"$T/sriov.cfg"
    for ((k = 0; k < $2; k++)); do
        printf 'name = "d%d"\nvf = [ "network=all" ]\n' "$k" >"$T/d.cfg"
        X create "$T/d.cfg" >/dev/null || { echo "FAIL: create d$k"; exit 1; }
    done
    printf 'name = "new"\nvf = [ "network=all" ]\n' >"$T/new.cfg"
}

# traced NAME COMMAND...: run COMMAND with the sim's trace on; Q[NAME] is how
# often it asked who holds a device or whether a domain exists, XS[NAME] how
# often it asked xenstore.
declare -A Q XS
traced() {
    local name=$1; shift
    rm -f "$T/trace"
    echo "trace:$T/trace" >"$T/hv/fail-at"
    "$@" >"$T/out" 2>"$T/err" || fail "$name" "$*: $(tr '\n' ' ' <"$T/err")"
    rm -f "$T/hv/fail-at"
    touch "$T/trace"
    Q[$name]=$(grep -c '^hv:\(device_owner\|assigned_devices\|domain_by_uuid\)#' "$T/trace")
    XS[$name]=$(grep -c '^hv:xs_\(read\|list\)#' "$T/trace")
}

# run SIZE: every command once, traced.
run() {
    local size=$1 vf
    traced "create/$size" X create "$T/new.cfg"
    traced "pci-attach/$size" X pci-attach new network=all
    vf=$(cat "$T/out")
    traced "list/$size" X list --json
    traced "pci-detach/$size" X pci-detach new "$vf"
    traced "gc/$size" X gc
    check "gc-kept/$size" grep -q '"domain": "d0"' <(X list --json)
    rm "$(grep -l '^name d0$' "$T"/hv/domains/*)"   # xl destroy d0
    traced "gc-gone/$size" X gc
    check "gc-gone-released/$size" \
        bash -c "! grep -q '\"domain\": \"d0\"' <('$XL_SRIOV' list --json)"
    traced "reconcile/$size" X reconcile
}

host "e810 x2 ports=1 vfs=4 numvfs=4" 1
run small
small_vfs=8
host "e810 x8 ports=1 vfs=32 numvfs=32" 24
run large
large_vfs=256

for c in create pci-attach list pci-detach gc gc-gone reconcile; do
    echo "# $c: ownership questions: $small_vfs VFs, 1 domain: ${Q[$c/small]};" \
         "$large_vfs VFs, 24 domains: ${Q[$c/large]}"
    check "$c-once" test "${Q[$c/small]}" -le 1 -a "${Q[$c/large]}" -le 1
    check "$c-same-at-scale" test "${Q[$c/large]}" = "${Q[$c/small]}"
done
check list-asks-nothing test "${Q[list/small]}" = 0 -a "${Q[list/large]}" = 0
# reconcile reads our xenstore nodes once, not once per VF and domain.
echo "# reconcile: xenstore questions: $large_vfs VFs, 24 domains: ${XS[reconcile/large]}"
check reconcile-xenstore-not-per-vf test "${XS[reconcile/large]}" -lt "$large_vfs"
exit 0
