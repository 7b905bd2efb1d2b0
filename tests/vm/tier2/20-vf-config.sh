#!/bin/bash
# VF network settings through xl-sriov (libsriov over libnl-route-3) on a real
# kernel's netdevsim PF, with iproute2 as the independent oracle:
#  - every setting through vf-set, read back by `ip -d link show`, `ip -j` and
#    vf-show --json, then vf-restore back to the original `ip` line;
#  - bad values rejected before anything changes (no record, no change);
#  - a "crash" between save and restore: a fresh vf-restore --all repairs it;
#  - 256 VFs (ip prints "Truncated VF list"): vf-show never shows a wrong value,
#    setting works for every VF, restore --all puts them all back;
#  - 512 VFs: VFs past the kernel's cut are "not readable", and restoring one
#    applies the documented defaults and says so.
set -uo pipefail
. "$SRIOV_VM_TESTLIB"

XL=$SRIOV_BUILDDIR/xl-plugin/xl-sriov
[ -x "$XL" ] || { fail vfcfg-binary "no $XL (build first)"; exit 1; }
# The libtool wrapper is a shell script that runs sed on every call: 1 s each
# under TCG.  Run the real binary when it is there.
if [ -x "$SRIOV_BUILDDIR/xl-plugin/.libs/xl-sriov" ]; then
    XL=$SRIOV_BUILDDIR/xl-plugin/.libs/xl-sriov
    export LD_LIBRARY_PATH=$SRIOV_BUILDDIR/libsriov/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
command -v python3 >/dev/null || { skip vfcfg "no python3 on the host root"; exit 0; }

[ -d /sys/bus/netdevsim ] || { modprobe psample && insmod "$SRIOV_VM_ASSETS/netdevsim.ko"; } ||
    { fail vfcfg-netdevsim-load "cannot load netdevsim"; exit 1; }
id=20
sys=/sys/bus/netdevsim/devices/netdevsim$id
dbg=/sys/kernel/debug/netdevsim/netdevsim$id
state=$(mktemp -d "${SRIOV_VM_SCRATCH:-/tmp}/vfstate.XXXXXX")
export SRIOV_STATE_DIR=$state
echo "$id 1" >/sys/bus/netdevsim/new_device
trap 'echo 0 >"$sys/sriov_numvfs" 2>/dev/null; echo "$id" >/sys/bus/netdevsim/del_device; rm -rf "$state"' EXIT
wait_until 10 ls "$sys/net" || { fail vfcfg-netdevsim-new "no netdev for netdevsim$id"; exit 1; }
pf=$(ls "$sys/net" | head -n 1)
ip link set "$pf" up

numvfs() {   # numvfs N: through 0, raising netdevsim's max_vfs as needed
    echo 0 >"$sys/sriov_numvfs" || return 1
    [ "$(cat "$dbg/max_vfs")" -ge "$1" ] || echo "$1" >"$dbg/max_vfs" || return 1
    echo "$1" >"$sys/sriov_numvfs"
}
vfline() { ip -d link show "$pf" | grep -E "^ +vf $1 " | sed 's/ *$//'; }
xl() { "$XL" "$@"; }
records() { ls "$state/vf-config" 2>/dev/null | grep -vc '\.tmp\.' ; }

check vfcfg-numvfs-4 numvfs 4
# VF 2 starts from non-default settings, so restore must bring back more than defaults.
ip link set dev "$pf" vf 2 mac 02:00:00:00:02:02 vlan 7 qos 1 spoofchk on trust on rate 50 ||
    fail vfcfg-preset "ip link set vf 2 failed"
for i in 0 1 2 3; do eval "orig$i=\$(vfline $i)"; done
echo "original VF lines:"; ip -d link show "$pf" | grep -E '^ +vf '

# ---------------------------------------------------------------- bad values
bad() {   # bad NAME key=value...: refused, nothing changed, no record
    local name=$1 before err
    shift
    before=$(vfline 1)
    if err=$(xl vf-set "$pf/1" "$@" 2>&1 >/dev/null); then
        fail "vfcfg-reject-$name" "accepted: $*"
    elif ! echo "$err" | grep -q "invalid VF setting"; then
        fail "vfcfg-reject-$name" "refused for another reason: $err"
    elif [ "$(vfline 1)" != "$before" ] || [ "$(records)" != 0 ]; then
        fail "vfcfg-reject-$name" "refused but something changed: $*"
    else
        pass "vfcfg-reject-$name"
    fi
}
bad malformed-mac mac=02:00:00:00:00
bad multicast-mac mac=01:00:5e:00:00:01
bad vlan-4096 vlan=4096
bad qos-8 vlan=5 qos=8
bad qos-without-vlan qos=3
bad min-above-max min_rate=500 max_rate=100
bad unknown-key mtu=1500
bad late-bad-value mac=02:00:00:00:01:01 vlan=9999    # first value fine, second bad
out=$(xl vf-set "$pf/1" vlan=5000 2>&1)
echo "$out" | grep -q "0 to 4095" && pass vfcfg-reject-message ||
    fail vfcfg-reject-message "no range in: $out"

# --------------------------------------------------------- every setting, VF 1
check vfcfg-set-all xl vf-set "$pf/1" mac=02:00:00:00:20:01 vlan=100 qos=3 vlan_proto=802.1ad \
    spoofchk=on trust=on state=disable min_rate=100 max_rate=1000 query_rss=on
rec=$state/vf-config/$pf-vf1
check vfcfg-record-exists test -f "$rec"
check vfcfg-record-mode test "$(stat -c %a "$rec")" = 600
echo "--- record:"; cat "$rec"
line=$(vfline 1)
echo "after vf-set: $line"
has() { echo "$line" | grep -qF -- "$1"; }
check vfcfg-ip-mac has "link/ether 02:00:00:00:20:01"
check vfcfg-ip-vlan-qos-proto has "vlan 100, qos 3, vlan protocol 802.1ad"
check vfcfg-ip-spoofchk has "spoof checking on"
check vfcfg-ip-state has "link-state disable"
check vfcfg-ip-trust has "trust on"
check vfcfg-ip-query-rss has "query_rss on"
check vfcfg-ip-rates has "max_tx_rate 1000Mbps, min_tx_rate 100Mbps"
check vfcfg-ip-json python3 -c '
import json, sys
v = {v["vf"]: v for v in json.loads(sys.argv[1])[0]["vfinfo_list"]}[1]
assert v["address"] == "02:00:00:00:20:01", v
assert v["vlan_list"][0] == {"vlan": 100, "qos": 3, "protocol": "802.1ad"}, v
assert v["spoofchk"] is True and v["trust"] is True and v["query_rss_en"] is True, v
assert v["link_state"] == "disable" and v["rate"] == {"max_tx": 1000, "min_tx": 100}, v
' "$(ip -j -d link show "$pf")"
check vfcfg-show-json python3 -c '
import json, sys
v = json.loads(sys.argv[1])
want = {"pf": sys.argv[2], "vf": 1, "readable": True, "mac": "02:00:00:00:20:01",
        "vlan": 100, "qos": 3, "vlan_proto": "802.1ad", "spoofchk": True, "trust": True,
        "state": "disable", "min_rate": 100, "max_rate": 1000, "query_rss": True}
bad = {k: (v.get(k), w) for k, w in want.items() if v.get(k) != w}
assert not bad, bad
' "$(xl vf-show "$pf/1" --json)" "$pf"
xl vf-show "$pf/1"

# A second change keeps the first record (the settings from before xen-sriov).
cp "$rec" "$state/rec1.before"
check vfcfg-set-again xl vf-set "$pf/1" vlan=200 rate=2000
check vfcfg-record-kept cmp -s "$rec" "$state/rec1.before"
rm -f "$state/rec1.before"
out=$(xl vf-set "$pf/1" vlan=200 2>&1)
echo "$out" | grep -q "nothing changed" && pass vfcfg-set-unchanged ||
    fail vfcfg-set-unchanged "$out"

check vfcfg-restore xl vf-restore "$pf/1"
check vfcfg-restored-ip test "$(vfline 1)" = "$orig1"
check vfcfg-record-deleted test ! -e "$rec"
if xl vf-restore "$pf/1" >/dev/null 2>&1; then fail vfcfg-restore-twice "second restore succeeded"
else pass vfcfg-restore-twice; fi

# Non-default original settings (VF 2, set with ip above) come back exactly.
check vfcfg-set-vf2 xl vf-set "$pf/2" mac=02:00:00:00:20:02 vlan=0 spoofchk=off trust=off rate=0
check vfcfg-restore-vf2 xl vf-restore "$pf/2"
check vfcfg-restored-vf2-ip test "$(vfline 2)" = "$orig2"

# ------------------------------------------ crash between save and restore
check vfcfg-crash-set xl vf-set "$pf/3" mac=02:00:00:00:20:03 vlan=42 state=enable
check vfcfg-crash-record test -f "$state/vf-config/$pf-vf3"
check vfcfg-crash-changed test "$(vfline 3)" != "$orig3"
out=$(xl vf-restore --all 2>&1)
echo "$out"
check vfcfg-crash-restore-all test "$(vfline 3)" = "$orig3"
check vfcfg-crash-no-records test "$(records)" = 0
check vfcfg-others-untouched test "$(vfline 0)" = "$orig0"

# --------------------------------------------------------------- 256 VFs
if ! numvfs 256; then
    fail vfcfg-256-numvfs "cannot create 256 VFs"
    exit 1
fi
pass vfcfg-256-numvfs
ipout=$(ip -d link show "$pf" 2>&1)
if echo "$ipout" | grep -q "Truncated VF list"; then
    pass vfcfg-256-ip-truncated
else
    skip vfcfg-256-ip-truncated "ip printed every VF on this kernel/iproute2"
fi
echo "ip lists $(echo "$ipout" | grep -cE '^ +vf ') of 256 VFs"
mac_of() { printf '02:00:00:01:%02x:%02x' $(($1 / 256)) $(($1 % 256)); }
t0=$SECONDS failed=0
for i in $(seq 0 255); do
    xl vf-set "$pf/$i" mac="$(mac_of "$i")" vlan=$((i + 1)) >/dev/null 2>"$state/err" ||
        { failed=$((failed + 1)); [ "$failed" -gt 3 ] || cat "$state/err"; }
done
echo "256 x vf-set: $((SECONDS - t0)) s"
check vfcfg-256-set-all test "$failed" = 0
check vfcfg-256-records test "$(records)" = 256
xl vf-show "$pf" --json >"$state/show.json" 2>"$state/err" || { cat "$state/err"; }
check vfcfg-256-show-correct python3 -c '
import json, sys
vfs = json.load(open(sys.argv[1]))
assert len(vfs) == 256, len(vfs)
readable = 0
for v in vfs:
    i = v["vf"]
    if not v["readable"]:
        assert "not readable" in v["error"], v
        continue
    readable += 1
    mac = "02:00:00:01:%02x:%02x" % (i // 256, i % 256)
    assert v["mac"] == mac and v["vlan"] == i + 1, v   # never a wrong value
ipvfs = json.loads(sys.argv[2])[0].get("vfinfo_list", [])
assert readable >= len(ipvfs), (readable, len(ipvfs))
for v in ipvfs:                                          # agrees with iproute2
    i = v["vf"]
    assert v["address"] == "02:00:00:01:%02x:%02x" % (i // 256, i % 256), v
print("vf-show read %d of 256 VFs correctly, ip %d" % (readable, len(ipvfs)))
' "$state/show.json" "$(ip -j -d link show "$pf" 2>/dev/null)"
t0=$SECONDS
out=$(xl vf-restore --all 2>&1)
echo "restore --all of 256: $((SECONDS - t0)) s"
check vfcfg-256-restore-all test "$(records)" = 0
xl vf-show "$pf" --json >"$state/show.json" 2>&1
check vfcfg-256-restored python3 -c '
import json, sys
for v in json.load(open(sys.argv[1])):
    if v["readable"]:
        assert v["mac"] == "00:00:00:00:00:00" and v["vlan"] == 0, v
' "$state/show.json"

# --------------------------------------------------------------- 512 VFs
if ! numvfs 512; then
    skip vfcfg-512 "netdevsim refused 512 VFs"
    exit "$FAILED"
fi
last=511
out=$(xl vf-show "$pf/$last" 2>&1)
echo "$out"
if echo "$out" | grep -q "not readable: the kernel truncated the VF list at [0-9]* VFs"; then
    pass vfcfg-512-not-readable
    check vfcfg-512-set-unreadable xl vf-set "$pf/$last" mac=02:00:00:02:01:ff trust=on
    check vfcfg-512-record-unreadable grep -qx "readable=no" "$state/vf-config/$pf-vf$last"
    out=$(xl vf-restore "$pf/$last" 2>&1)
    echo "$out"
    echo "$out" | grep -q "restored the defaults of a new VF" && pass vfcfg-512-restore-defaults ||
        fail vfcfg-512-restore-defaults "$out"
    check vfcfg-512-record-gone test ! -e "$state/vf-config/$pf-vf$last"
else
    fail vfcfg-512-not-readable "vf-show of VF $last: $out"
fi
check vfcfg-512-vf0-readable xl vf-show "$pf/0" --json
exit "$FAILED"
