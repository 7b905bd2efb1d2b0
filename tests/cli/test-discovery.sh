#!/bin/bash
# Discovery against a static synthetic host, checked against lspci reading the same tree.
. "$(dirname "$0")/lib.sh"

root=$(sim_static host "82599 x2 numvfs=12; cx5 vfs=8 numvfs=3 numa=1; nvme vfs=4 numvfs=2; e1000e; x710 domain=0001 numvfs=2") || exit 1
lspci_() { lspci -D -O "sysfs.path=$root/bus/pci" "$@" 2>/dev/null; }

run_xl "$root" pf-list --json
expect_rc "pf-list --json succeeds" 0
echo "$OUT" >"$WORK/pf.json"
q() { jq_py "$1" <"$WORK/pf.json"; }

# PFs: 4 x 82599 ports, 2 x cx5, 1 nvme, 2 x x710; e1000e has no SR-IOV.
[ "$(q 'len(d)')" = 9 ] && pass "nine PFs found" || fail "nine PFs found" "got $(q 'len(d)')"
[ "$(q '[p["bdf"] for p in d] == sorted(p["bdf"] for p in d)')" = True ] &&
    pass "PFs sorted by BDF" || fail "PFs sorted by BDF" "$(q '[p["bdf"] for p in d]')"
e1000e=$(lspci_ -d 8086:10d3 | awk '{print $1}')
[ -n "$e1000e" ] && [ "$(q "[p for p in d if p['bdf']=='$e1000e']")" = "[]" ] &&
    pass "function without SR-IOV is not a PF" || fail "function without SR-IOV is not a PF" "$e1000e"
[ "$(q '[p["bdf"][:4] for p in d if p["driver"]=="i40e"]')" = "['0001', '0001']" ] &&
    pass "PCI domain 0001 discovered" || fail "PCI domain 0001 discovered" "$(q '[p["bdf"] for p in d]')"

# Every PF's SR-IOV values agree with lspci -vvv's reading of the config space.
for bdf in $(q '" ".join(p["bdf"] for p in d)'); do
    cap=$(lspci_ -vvv -s "$bdf")
    get() { q "[p for p in d if p['bdf']=='$bdf'][0]['$1']"; }
    total=$(sed -nE 's/.*Total VFs: ([0-9]+).*/\1/p' <<<"$cap")
    num=$(sed -nE 's/.*Number of VFs: ([0-9]+).*/\1/p' <<<"$cap")
    off=$(sed -nE 's/.*VF offset: ([0-9]+).*/\1/p' <<<"$cap")
    stride=$(sed -nE 's/.*stride: ([0-9]+).*/\1/p' <<<"$cap")
    vfdev=$(sed -nE 's/.*stride: [0-9]+, Device ID: ([0-9a-f]+).*/\1/p' <<<"$cap")
    mine="$(get totalvfs) $(get numvfs) $(get vf_offset) $(get vf_stride) $(get vf_device)"
    theirs="$total $num $off $stride 0x$vfdev"
    [ "$mine" = "$theirs" ] && pass "$bdf SR-IOV capability matches lspci -vvv" ||
        fail "$bdf SR-IOV capability matches lspci -vvv" "libsriov '$mine', lspci '$theirs'"
    name=$(lspci_ -s "$bdf" | sed -E 's/^[^ ]+ [^:]+: //; s/ \(rev [0-9a-f]+\)$//')
    mname="$(get vendor_name) $(get device_name)"
    [ "$name" = "$mname" ] && pass "$bdf names match lspci" || fail "$bdf names match lspci" "'$mname' vs '$name'"
done

# VFs: exactly the functions lspci lists that are neither bridges, PFs nor the e1000e.
ours=$(q '"\n".join(v["bdf"] for p in d for v in p["vfs"])' | sort)
theirs=$(comm -23 <(lspci_ | awk '{print $1}' | sort) \
    <( (lspci_ -d ::0604 | awk '{print $1}'; q '"\n".join(p["bdf"] for p in d)'; echo "$e1000e") | sort))
[ "$ours" = "$theirs" ] && pass "VF set equals lspci's functions minus bridges and PFs" ||
    fail "VF set equals lspci's functions minus bridges and PFs" "$(diff <(echo "$ours") <(echo "$theirs") | head -5 | tr '\n' ' ')"
want_vfs=$((4 * 12 + 2 * 3 + 2 + 2 * 2))
[ "$(echo "$ours" | wc -l)" = "$want_vfs" ] && pass "all $want_vfs VFs discovered" ||
    fail "all $want_vfs VFs discovered" "got $(echo "$ours" | wc -l)"
unseen=$(for v in $ours; do lspci_ -s "$v" | grep -q . || echo "$v"; done)
[ -z "$unseen" ] && pass "every VF is a function lspci sees" || fail "every VF is a function lspci sees" "$unseen"
[ "$(q '[v["index"] for v in d[0]["vfs"]]')" = "$(python3 -c 'print(list(range(12)))')" ] &&
    pass "VFs in numeric index order (virtfn10 after virtfn9)" ||
    fail "VFs in numeric index order (virtfn10 after virtfn9)" "$(q '[v["index"] for v in d[0]["vfs"]]')"
pf0=$(q 'd[0]["bdf"]')
v10=$(basename "$(readlink "$root/bus/pci/devices/$pf0/virtfn10")")
[ "$(q 'd[0]["vfs"][10]["bdf"]')" = "$v10" ] && pass "VF 10 is virtfn10's device" ||
    fail "VF 10 is virtfn10's device" "$(q 'd[0]["vfs"][10]["bdf"]') vs $v10"

# Drivers, netdevs and NUMA as sysfs says.
[ "$(q '[p["netdev"] for p in d if p["driver"]=="nvme"]')" = "[None]" ] &&
    pass "NVMe PF is a PF without netdev" || fail "NVMe PF is a PF without netdev" "$(q '[(p["driver"],p["netdev"]) for p in d]')"
[ "$(q 'sorted(set(p["numa_node"] for p in d if p["driver"]=="mlx5_core"))')" = "[1]" ] &&
    pass "NUMA node read" || fail "NUMA node read" "$(q '[p["numa_node"] for p in d]')"
pfnet=$(q '[p["netdev"] for p in d if p["driver"]=="ixgbe"][0]')
[ -e "$root/class/net/$pfnet" ] && pass "PF netdev is a real interface" || fail "PF netdev is a real interface" "$pfnet"
[ "$(q 'all(isinstance(p["totalvfs"],int) and p["vendor"].startswith("0x") and len(p["vendor"])==6 for p in d)')" = True ] &&
    pass "JSON contract types" || fail "JSON contract types" "$(q 'd[0]')"

# Selectors.
run_xl "$root" vf-list "$pfnet" --json
expect_rc "vf-list by interface name" 0
[ "$(jq_py 'len(d)' <<<"$OUT")" = 12 ] && pass "vf-list lists that PF's VFs" || fail "vf-list lists that PF's VFs" "$OUT"
short=${pf0#0000:}
run_xl "$root" vf-list "$short"
expect_rc "vf-list by short BDF" 0
run_xl "$root" vf-list 0000:7f:00.0
expect_rc "unknown BDF is an error" 1
expect_err "unknown BDF says so" "no such PCI function"
run_xl "$root" vf-list "$e1000e"
expect_rc "non-SR-IOV BDF is an error" 1
expect_err "non-SR-IOV BDF explained" "without SR-IOV"
e1000e_if=$(ls "$root/bus/pci/devices/$e1000e/net")
run_xl "$root" vf-list "$e1000e_if"
expect_rc "non-PF interface is an error" 1
expect_err "non-PF interface explained" "does not belong to an SR-IOV PF"
run_xl "$root" vf-list ../../etc
expect_rc "path-escaping selector rejected" 1
expect_err "path-escaping selector explained" "neither a PCI address"
run_xl "$root" vf-list nosuchif0
expect_rc "unknown interface is an error" 1
run_xl "$root" pf-list extra
expect_rc "pf-list with an extra argument is a usage error" 2
run_xl "$root" frobnicate
expect_rc "unknown subcommand is a usage error" 2

# Human output looks like xl list: a header and one row per PF.
run_xl "$root" pf-list
[ "$(wc -l <<<"$OUT")" = 10 ] && head -1 <<<"$OUT" | grep -q '^BDF ' && pass "pf-list table" || fail "pf-list table" "$OUT"

# SRIOV_SYSFS works like --sysfs.
n=$(SRIOV_SYSFS=$root "$XL_SRIOV" pf-list --json | jq_py 'len(d)')
[ "$n" = 9 ] && pass "SRIOV_SYSFS selects the tree" || fail "SRIOV_SYSFS selects the tree" "$n"
exit $FAILED
