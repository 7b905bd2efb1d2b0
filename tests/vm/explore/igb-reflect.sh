#!/bin/bash
# Where do the frames come from that teach dom0's bridge the guest's MAC on the
# igb PF's port after the guest failed over to netfront? (tier3/50 and 60 log
# the bridge's port flapping between the vif and the PF during the bond's
# gratuitous ARPs, and pings then go to the PF and are lost.)
# A PV guest on a VF with init-domu's bond, as 50-igb-move; a raw socket on
# the PF prints every frame carrying the guest's MAC as source, with its
# direction (out: sent by dom0, in: received), type and, for ARP, the
# addresses, while the VF is detached and for 8 s after.
#   tests/vm/run-tier3 --tests tests/vm/explore/igb-reflect.sh    # ~2 min
# Found: QEMU's igb gives the PF back each broadcast it sends (its Tx
# switching forgets the source pool); qemu-patches/igb-tx-switch-source-pool.patch
# fixes it (tests/vm/README, "Pitfalls seen"). With it "in" should be 0.
set -uo pipefail
. "$SRIOV_VM_TESTLIB"

. "$SRIOV_SRCDIR/tests/vm/movelib.sh"
MAC=02:5a:00:00:00:62 GUEST=169.254.62.2 dom=igb-reflect
move_setup igb-reflect 62
trap 'move_cleanup "$dom"' EXIT

cfg=$SRIOV_VM_SCRATCH/$dom.cfg
DOMU_EXTRA="vmdefer=igbvf vmbond=$MAC,$GUEST/16" domu_cfg "$cfg" "$dom" \
    "vif = [ 'mac=$MAC,bridge=xenbr0' ]" "vf = [ 'network=lan,mac=$MAC' ]"
if xs -v create "$cfg"; then pass create; else fail create "see log"; exit 1; fi
guest_on_vf 150
echo "PF $pfdev: $(ip -br link show "$pfdev")"; ip -d link show "$pfdev" | grep -E '^ +vf '

sniff() {   # sniff IFACE MAC SECONDS
    python3 - "$@" <<'PY'
import socket, struct, sys, time
iface, mac, secs = sys.argv[1], bytes.fromhex(sys.argv[2].replace(':', '')), float(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((iface, 0))
s.settimeout(0.2)
end = time.time() + secs
kinds = {0: 'in-host', 1: 'in-bcast', 2: 'in-mcast', 3: 'in-other', 4: 'OUT'}
while time.time() < end:
    try:
        data, addr = s.recvfrom(2048)
    except socket.timeout:
        continue
    if data[6:12] != mac:
        continue
    et = struct.unpack('!H', data[12:14])[0]
    what = 'type %04x' % et
    if et == 0x0806:
        op = struct.unpack('!H', data[20:22])[0]
        what = 'ARP op %d %s -> %s' % (op, socket.inet_ntoa(data[28:32]), socket.inet_ntoa(data[38:42]))
    elif et == 0x0800:
        what = 'IPv4 proto %d %s -> %s' % (data[23], socket.inet_ntoa(data[26:30]), socket.inet_ntoa(data[30:34]))
    print('%.3f %-8s dst %s %s' % (time.time(), kinds.get(addr[2], addr[2]), data[0:6].hex(':'), what), flush=True)
PY
}
sniff "$pfdev" "$MAC" 14 >"$W/sniff" 2>&1 &
sp=$!
fdb_watch_until() { local last=none now; while kill -0 "$sp" 2>/dev/null; do
    now=$(bridge fdb show br xenbr0 2>/dev/null | awk -v m="$MAC" '$1 == m { print $3; exit }')
    [ "${now:-none}" = "$last" ] || echo "fdb: $MAC on ${now:-none} at ${EPOCHREALTIME/,/.}"; last=${now:-none}; sleep 0.2; done; }
fdb_watch_until &
sleep 2
echo "detach at ${EPOCHREALTIME/,/.}"
check detach xs -v pci-detach "$dom" "$(vfs_of | head -n 1)"
echo "detached at ${EPOCHREALTIME/,/.}"
wait "$sp"
wait
cat "$W/sniff"
echo "frames with the guest's MAC as source on $pfdev: out $(grep -c ' OUT ' "$W/sniff"), in $(grep -c ' in-' "$W/sniff")"
exit "$FAILED"
