#!/bin/bash
# Not in the default tier-2 run yet: it passed 59/59 in three runs, but once, on a
# heavily loaded machine, the ifupdown unplug probe lost its last 0.4 s of answers
# (5.6 s after the failover, which itself had worked), not explained yet.  Run it with
#   tests/vm/run-tier2 --tests tests/vm/explore/guest-failover.sh
# The guest side of live migration with a VF (tools/guest), on a real kernel:
# the installer's files, run by the real ifupdown + ifenslave, udevd and
# systemd-networkd, in a network namespace "guest" standing for the domU.
#   "VF"       a veth (vf0, later vf1) whose peer is on br0
#   "netfront" a macvlan (nf0) on "mig", a bond of two veths on br0 (hostA,
#              hostB): switching mig's active slave moves the guest's path to
#              another bridge port, as migrating to a new host does, and
#              raises NETDEV_NOTIFY_PEERS on nf0 as netfront does on reconnect
#   br0        the host's network, 169.254.0.1/16; the guest is 169.254.10.10
# Checks: the bond (VF primary and active), pings, VF unplug -> netfront
# with few lost pings and a gratuitous ARP from the kernel, "migration" ->
# the announcer's gratuitous ARP + unsolicited NA (none without it), VF
# hotplug (a new name, brought up before udev runs) -> the udev rule
# enslaves it and it is active again; then networkd with the networkd
# flavour. Link-local addresses only; nothing leaves the VM.
set -uo pipefail
. "$SRIOV_VM_TESTLIB"

SETUP=$SRIOV_SRCDIR/tools/guest/xen-sriov-guest-setup
MAC=02:16:3e:5a:00:01
GUEST_IP=169.254.10.10
HOST_IP=169.254.0.1
G=(ip netns exec guest)          # run in the guest's namespace
# Tests run in a chroot: without this udevadm ignores control requests.
export SYSTEMD_IGNORE_CHROOT=1
S=$SRIOV_VM_SCRATCH/guest-failover
mkdir -p "$S"

command -v python3 >/dev/null || { skip guest-failover "no python3 on the host root"; exit 0; }
for m in bonding veth macvlan bridge; do
    modprobe "$m" || { fail guest-modules "cannot load $m"; exit 1; }
done
pass guest-modules

stop_pid() {   # stop_pid VAR: kill the process whose pid VAR holds
    local v=$1
    [ -n "${!v:-}" ] || return 0
    kill "${!v}" 2>/dev/null
    wait "${!v}" 2>/dev/null
    eval "$v="
}
cleanup() {
    stop_pid ANN_PID
    stop_pid ND_PID
    stop_pid UDEV_PID
    ip netns del guest 2>/dev/null
    ip link del br0 2>/dev/null
    ip link del mig 2>/dev/null
    for l in hostA hostB vfh0 vfh1; do ip link del "$l" 2>/dev/null; done
    rm -f /etc/xen-sriov-guest.conf /etc/network/interfaces.d/xen-sriov-bond0 \
        /etc/network/if-pre-up.d/xen-sriov-guest /etc/udev/rules.d/90-xen-sriov-guest.rules \
        /etc/systemd/network/10-xen-sriov-bond0* /usr/local/sbin/xen-sriov-guest-* \
        /etc/systemd/system/xen-sriov-guest-announce.service \
        /etc/systemd/system/multi-user.target.wants/xen-sriov-guest-announce.service
    rm -rf /run/network /run/systemd/netif
    mkdir -p "$SRIOV_VM_OUT/guest-failover" &&
        cp "$S"/*.log "$S"/*.out "$SRIOV_VM_OUT/guest-failover/" 2>/dev/null
}
trap cleanup EXIT

# ------------------------------------------------------------ probe tool
# probe.py SECS IFACE MAC READY: from the root namespace, ICMP echo to the
# guest every 10 ms for SECS, and meanwhile a capture of the frames from MAC
# received on IFACE (opened as soon as it exists). Prints
#   sent N received N lost N outage_ms T tail_ok 0|1 lost_seqs RANGES
# (T: the longest time without answers around lost requests; tail_ok: 45 of
# the last 50 were answered), then one line
# per announcement seen: "garp IP t=TIME" (ARP with sender IP = target IP)
# and "una ADDR t=TIME" (unsolicited neighbour advertisement), TIME in
# seconds since the epoch. One process per event: python starts slowly
# under TCG.
cat >"$S/probe.py" <<'EOF'
import os, select, socket, struct, sys, time
secs, ifname, mac, ready = float(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
mac = bytes.fromhex(mac.replace(':', ''))
dst = os.environ['GUEST_IP']

def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff

def open_cap():
    try:
        c = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
        c.bind((ifname, 0)); return c
    except OSError:
        return None

def frame(f, addr, out):
    if addr[2] == socket.PACKET_OUTGOING or f[6:12] != mac: return
    et = struct.unpack('!H', f[12:14])[0]
    if et == 0x0806 and f[28:32] == f[38:42]:
        out.append('garp %s t=%.3f' % (socket.inet_ntoa(f[28:32]), time.time()))
    elif et == 0x86dd and f[20] == 58 and f[54] == 136 and not f[58] & 0x40:
        out.append('una %s t=%.3f' % (socket.inet_ntop(socket.AF_INET6, f[62:78]), time.time()))

s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
cap = open_cap()
ident, n = os.getpid() & 0xffff, int(secs / 0.01)
sent, got, seen = {}, set(), []
open(ready, 'w').close()
nxt = time.monotonic(); seq = 0
while True:
    now = time.monotonic()
    if seq < n and now >= nxt:
        body = struct.pack('!HH', ident, seq) + b'x' * 16
        s.sendto(struct.pack('!BBH', 8, 0, csum(b'\x08\0\0\0' + body)) + body, (dst, 0))
        sent[seq] = now; seq += 1; nxt += 0.01
    if seq >= n and now > sent[n - 1] + 2.0: break
    if cap is None: cap = open_cap()
    r, _, _ = select.select([x for x in (s, cap) if x], [], [], max(0.0, min(nxt - now, 0.01)))
    if s in r:
        d = s.recv(2048); ihl = (d[0] & 15) * 4
        t, _, _, i, q = struct.unpack('!BBHHH', d[ihl:ihl + 8])
        if t == 0 and i == ident: got.add(q)
    if cap in r:
        try: frame(*cap.recvfrom(65535), seen)
        except OSError: pass            # ENETDOWN: bound while the port was down
runs, first = [], None                  # lost sequence numbers, as ranges
for q in range(n + 1):
    if q < n and q not in got:
        first = q if first is None else first
    elif first is not None:
        runs.append((first, q - 1)); first = None
outage = 0.0
for a, b in runs:
    outage = max(outage, sent[min(b + 1, n - 1)] - sent[max(a - 1, 0)])
tail = sum(q in got for q in range(n - 50, n)) >= 45
print('sent %d received %d lost %d outage_ms %d tail_ok %d lost_seqs %s' % (n, len(got),
      n - len(got), outage * 1000, tail, ','.join('%d-%d' % r for r in runs[:20]) or '-'))
print('\n'.join(seen))
EOF

# probe NAME SECS IFACE: start probe.py in the background, return once it
# sends; probe_wait NAME: its results (in $S/NAME.out).
probe() {
    rm -f "$S/$1.ready"
    GUEST_IP=$GUEST_IP python3 "$S/probe.py" "$2" "$3" "$MAC" "$S/$1.ready" >"$S/$1.out" 2>&1 &
    eval "PROBE_$1=\$!"
    wait_until 30 test -e "$S/$1.ready"
}
probe_wait() { local v="PROBE_$1"; wait "${!v}"; echo "$1:"; cat "$S/$1.out"; }
lost_of() { sed -n 's/.* lost \([0-9]*\) .*/\1/p' "$S/$1.out"; }
outage_of() { sed -n 's/.* outage_ms \([0-9]*\) .*/\1/p' "$S/$1.out"; }
# few_lost NAME: the guest answered again by the end (tail_ok) and no more
# than 200 requests (2 s) went unanswered. Without a failover
# all requests after the event (5.5 s of 6) would be.
few_lost() { grep -q ' tail_ok 1 ' "$S/$1.out" && [ "$(lost_of "$1")" -le 200 ]; }
event() { echo "EVENT: $* t=${EPOCHREALTIME/,/.}"; }
figure() { echo "FIGURE: $1: lost $(lost_of "$2") of $3 pings 10 ms apart, outage $(outage_of "$2") ms${4:+; $4}"; }

# udevd in the guest's namespace: it gets only that namespace's net events.
# Its debug log says which rule ran what.
udevd() {
    SYSTEMD_LOG_TIME=1 "${G[@]}" /lib/systemd/systemd-udevd --debug >>"$S/udevd.log" 2>&1 &
    UDEV_PID=$!
    wait_until 20 "${G[@]}" udevadm control --ping ||
        { fail guest-udevd "systemd-udevd did not start in the guest namespace"; exit 1; }
}
since() { awk -v a="${1/,/.}" -v b="${EPOCHREALTIME/,/.}" 'BEGIN { printf "%.2f", b - a }'; }
enslaved() { [ -n "$("${G[@]}" readlink "/sys/class/net/$1/master" 2>/dev/null)" ]; }
bond_attr() { "${G[@]}" cat "/sys/class/net/bond0/bonding/$1" 2>/dev/null; }
active_is() { [ "$(bond_attr active_slave)" = "$1" ]; }
fdb_port() { bridge fdb show br br0 | awk -v m="$MAC" '$1 == m && $2 == "dev" { print $3; exit }'; }

# ------------------------------------------------------------ the host side
ip netns add guest
"${G[@]}" ip link set lo up
# A fixed MAC, as a host bridge has (Xen's vifs are fe:ff:ff:ff:ff:ff so as
# not to lend it theirs): otherwise it takes its lowest port's, and changes
# when the VF's port goes, which the guest would have to re-learn.
ip link add br0 address 02:00:00:00:00:01 type bridge
ip addr add "$HOST_IP/16" dev br0
ip link set br0 up
ip link add mig type bond mode active-backup miimon 100
for h in hostA hostB; do
    ip link add "$h" type veth peer name "$h-br"
    ip link set "$h-br" master br0 up
    ip link set "$h" master mig
done
ip link set mig up
ip link set mig type bond active_slave hostA

# ------------------------------------------------------------ installer
# Bad input is refused and writes nothing.
mkdir -p "$S/root/etc/network/if-pre-up.d"
bad_input() {   # bad_input NAME ARGS...
    local name=$1 out
    shift
    if out=$("$SETUP" --root "$S/root" "$@" 2>&1); then
        fail "guest-setup-refuses-$name" "accepted: $*"
    elif [ -n "$(find "$S/root" -type f)" ]; then
        fail "guest-setup-refuses-$name" "refused but wrote: $(find "$S/root" -type f)"
    elif ! echo "$out" | grep -q '^xen-sriov-guest-setup: '; then
        fail "guest-setup-refuses-$name" "no message: $out"
    else
        pass "guest-setup-refuses-$name"
    fi
}
bad_input mac 02:16:3e:5a:00 networkd dhcp
bad_input multicast-mac 01:00:5e:00:00:01 networkd dhcp
bad_input flavour "$MAC" netplan dhcp
bad_input address "$MAC" networkd '169.254.10.10/16;reboot'
bad_input prefix "$MAC" networkd 169.254.10.10/33
bad_input bond-name --bond 'bond0 x' "$MAC" networkd dhcp
bad_input no-ifenslave "$MAC" ifupdown dhcp          # $S/root has no ifenslave hook

if ! command -v ifup >/dev/null || [ ! -e /etc/network/if-pre-up.d/ifenslave ]; then
    skip guest-ifupdown "ifupdown and ifenslave are not installed on the host root"
else
# The netfront stand-in is a macvlan: the driver that tells it from the VF.
check guest-setup-ifupdown "$SETUP" --pv-driver macvlan "$MAC" ifupdown "$GUEST_IP/16"

# ------------------------------------------------------------ boot: devices first, then the bond
udevd
ip link add name vfh0 type veth peer name vf0 address "$MAC" netns guest
ip link set vfh0 master br0 up
ip link add link mig name nf0 address "$MAC" type macvlan mode bridge
ip link set nf0 netns guest
"${G[@]}" udevadm settle -t 30
mkdir -p /run/network
check guest-ifup "${G[@]}" ifup bond0
echo "--- bond after ifup:"; "${G[@]}" cat /proc/net/bonding/bond0

check guest-bond-mode test "$(bond_attr mode)" = "active-backup 1"
check guest-bond-fail-over-mac test "$(bond_attr fail_over_mac)" = "none 0"
check guest-bond-primary-reselect test "$(bond_attr primary_reselect)" = "always 0"
check guest-bond-miimon test "$(bond_attr miimon)" = 100
check guest-bond-num-grat-arp test "$(bond_attr num_grat_arp)" = 36
check guest-bond-slaves-by-mac test "$(tr ' ' '\n' <<<"$(bond_attr slaves)" | sort | xargs)" = "nf0 vf0"
check guest-bond-primary-vf test "$(bond_attr primary)" = vf0
wait_until 10 active_is vf0
check guest-bond-active-vf active_is vf0
for d in bond0 vf0 nf0; do
    check "guest-mac-$d" test "$("${G[@]}" cat "/sys/class/net/$d/address")" = "$MAC"
done
check guest-address "${G[@]}" sh -c "ip -4 addr show dev bond0 | grep -q 'inet $GUEST_IP/16'"
check guest-ping busybox ping -c 3 -W 2 "$GUEST_IP"
check guest-fdb-on-vf test "$(fdb_port)" = vfh0

# ------------------------------------------------------------ VF unplug: fail over to netfront
probe unplug 6 hostA-br
sleep 0.5
event VF unplug
ip link del vfh0                       # takes vf0 with it: the VF is gone
probe_wait unplug
figure "VF unplug" unplug 600
check guest-unplug-active-netfront active_is nf0
check guest-unplug-few-lost few_lost unplug
check guest-unplug-garp-by-kernel grep -q "^garp $GUEST_IP " "$S/unplug.out"
check guest-unplug-fdb-moved test "$(fdb_port)" = hostA-br

# ------------------------------------------------------------ migration: netfront now reaches br0 through hostB
# Control: without the announcer, and without IPv6 (whose MLD reports,
# resent on netfront's reconnection, would teach br0 too), nothing tells
# br0 that the guest moved. Then, with IPv6 and the announcer, the bond's
# addresses are announced on the new port.
ipv6() { "${G[@]}" sh -c "echo $((1 - $1)) >/proc/sys/net/ipv6/conf/bond0/disable_ipv6"; }
ll_ready() {   # bond0's IPv6 link-local address, once DAD is done
    local a
    a=$("${G[@]}" ip -6 -o addr show dev bond0 scope link)
    [ -n "$a" ] && ! grep -q tentative <<<"$a"
}
ipv6 0
probe control 6 hostB-br
sleep 0.5
event migration without the announcer
ip link set mig type bond active_slave hostB
probe_wait control
figure "migration, IPv4 only, without the announcer" control 600
if grep -q '^garp' "$S/control.out"; then
    fail guest-migrate-control "a gratuitous ARP without the announcer: the next check proves nothing"
else
    pass guest-migrate-control
fi
ip link set mig type bond active_slave hostA
ipv6 1
wait_until 10 ll_ready
ll6=$("${G[@]}" ip -6 -o addr show dev bond0 scope link | awk '{ print $4 }' | cut -d/ -f1)
wait_until 20 busybox ping -c 1 -W 1 "$GUEST_IP"
"${G[@]}" /usr/local/sbin/xen-sriov-guest-announce >"$S/announce.log" 2>&1 &
ANN_PID=$!
notify_delay_is() { [ "$(bond_attr peer_notif_delay)" = "$1" ]; }
check guest-announcer-spaces-announcements wait_until 10 notify_delay_is 100
probe migrate 6 hostB-br
sleep 0.5
event migration
ip link set mig type bond active_slave hostB
probe_wait migrate
figure "migration" migrate 600
check guest-migrate-garp grep -q "^garp $GUEST_IP " "$S/migrate.out"
check guest-migrate-unsolicited-na grep -q "^una $ll6 " "$S/migrate.out"
check guest-migrate-fdb-moved test "$(fdb_port)" = hostB-br
check guest-migrate-few-lost few_lost migrate
check guest-migrate-netfront-stays active_is nf0

# ------------------------------------------------------------ VF hotplug: the udev rule, then primary again
# The new VF has another name and is up before udev runs the rule (as if
# something had brought it up): the script must take it down to enslave it.
check guest-udev-queue-stopped "${G[@]}" udevadm control --stop-exec-queue
probe hotplug 10 vfh1
ip link add name vfh1 type veth peer name vf1 address "$MAC" netns guest
ip link set vfh1 master br0 up
"${G[@]}" ip link set vf1 up
check guest-hotplug-up-before-udev "${G[@]}" sh -c "ip link show dev vf1 | grep -q '[<,]UP[,>]'"
t0=$EPOCHREALTIME
event udev runs
"${G[@]}" udevadm control --start-exec-queue
wait_until 20 enslaved vf1
t_ens=$(since "$t0")
wait_until 20 active_is vf1
t_act=$(since "$t0")
event vf1 seen active
probe_wait hotplug
figure "VF hotplug" hotplug 1000 "enslaved by the udev rule $t_ens s after udev ran, active after $t_act s"
grep -a 'vf1: .*\(queued\|Running command\|Process\)' "$S/udevd.log"
check guest-hotplug-by-udev-rule grep -q "vf1: Process '/usr/local/sbin/xen-sriov-guest-slave add vf1' succeeded" "$S/udevd.log"
check guest-hotplug-enslaved test "$(basename "$("${G[@]}" readlink /sys/class/net/vf1/master)")" = bond0
check guest-hotplug-primary test "$(bond_attr primary)" = vf1
check guest-hotplug-active-vf active_is vf1
check guest-hotplug-few-lost few_lost hotplug
check guest-hotplug-garp-by-kernel grep -q "^garp $GUEST_IP " "$S/hotplug.out"
check guest-hotplug-fdb-on-vf test "$(fdb_port)" = vfh1
echo "--- announcer's log:"; cat "$S/announce.log"
# It acts on netfront's announcement only, not on failovers (the kernel's).
check guest-announcer-once test "$(grep -c 'nf0 moved: announced' "$S/announce.log") $(grep -c announced "$S/announce.log")" = "1 1"

stop_pid ANN_PID
"${G[@]}" ifdown bond0 >/dev/null 2>&1
stop_pid UDEV_PID
ip netns del guest
ip link del vfh1 2>/dev/null
fi

# ------------------------------------------------------------ networkd flavour
# Run as shipped: networkd creates the bond from the .netdev and puts the
# address on it. Slaves are matched by PermanentMACAddress=, which veth and
# macvlan do not have (the kernel records a permanent MAC only for drivers
# that register one, as netfront and VF drivers do): a copy matching the
# current MAC instead checks the rest of the slave files, including
# networkd's own handling of a hot-plugged VF.
if [ ! -x /lib/systemd/systemd-networkd ]; then
    skip guest-networkd "systemd-networkd is not installed on the host root"
    exit 0
fi
check guest-setup-networkd "$SETUP" --pv-driver macvlan "$MAC" networkd "$GUEST_IP/16"
check guest-networkd-no-udev-rule test ! -e /etc/udev/rules.d/90-xen-sriov-guest.rules
ip link set mig type bond active_slave hostA
ip netns add guest
"${G[@]}" ip link set lo up
udevd
ip link add name vfh0 type veth peer name vf0 address "$MAC" netns guest
ip link set vfh0 master br0 up
ip link add link mig name nf0 address "$MAC" type macvlan mode bridge
ip link set nf0 netns guest
"${G[@]}" udevadm settle -t 30
# What systemd-networkd.service's RuntimeDirectory= would provide.
mkdir -p /run/systemd/netif/links /run/systemd/netif/leases /run/systemd/netif/lldp
chown -R systemd-network: /run/systemd/netif 2>/dev/null
networkd() {
    "${G[@]}" /lib/systemd/systemd-networkd >>"$S/networkd.log" 2>&1 &
    ND_PID=$!
}
networkd
wait_until 30 "${G[@]}" test -e /sys/class/net/bond0/bonding
echo "--- bond from networkd:"; "${G[@]}" cat /proc/net/bonding/bond0
check guest-networkd-bond-mode test "$(bond_attr mode)" = "active-backup 1"
check guest-networkd-bond-options test "$(bond_attr fail_over_mac) $(bond_attr primary_reselect) $(bond_attr miimon) $(bond_attr num_grat_arp)" = "none 0 always 0 100 36"
check guest-networkd-bond-mac test "$("${G[@]}" cat /sys/class/net/bond0/address)" = "$MAC"
echo "slaves by PermanentMACAddress= (veth/macvlan have none): '$(bond_attr slaves)'"

kill "$ND_PID"; wait "$ND_PID" 2>/dev/null
for f in /etc/systemd/network/10-xen-sriov-bond0-vf.network /etc/systemd/network/10-xen-sriov-bond0-pv.network; do
    sed -i 's/^PermanentMACAddress=/Kind=!bond\nMACAddress=/' "$f"
done
networkd
wait_until 30 active_is vf0
echo "--- bond from networkd, slaves by current MAC:"; "${G[@]}" cat /proc/net/bonding/bond0
check guest-networkd-slaves test "$(tr ' ' '\n' <<<"$(bond_attr slaves)" | sort | xargs)" = "nf0 vf0"
check guest-networkd-primary test "$(bond_attr primary)" = vf0
check guest-networkd-active-vf active_is vf0
wait_until 20 "${G[@]}" sh -c "ip -4 addr show dev bond0 | grep -q 'inet $GUEST_IP/16'"
check guest-networkd-address "${G[@]}" sh -c "ip -4 addr show dev bond0 | grep -q 'inet $GUEST_IP/16'"
wait_until 10 busybox ping -c 1 -W 1 "$GUEST_IP"
probe nd_unplug 6 hostA-br
sleep 0.5
event VF unplug
ip link del vfh0
probe_wait nd_unplug
figure "networkd, VF unplug" nd_unplug 600
check guest-networkd-unplug-active-netfront active_is nf0
check guest-networkd-unplug-few-lost few_lost nd_unplug
check guest-networkd-unplug-garp-by-kernel grep -q "^garp $GUEST_IP " "$S/nd_unplug.out"
probe nd_hotplug 10 vfh1
t0=$EPOCHREALTIME
event VF plugged
ip link add name vfh1 type veth peer name vf1 address "$MAC" netns guest
ip link set vfh1 master br0 up
wait_until 20 enslaved vf1
t_ens=$(since "$t0")
wait_until 20 active_is vf1
t_act=$(since "$t0")
probe_wait nd_hotplug
figure "networkd, VF hotplug" nd_hotplug 1000 "enslaved by networkd $t_ens s after the plug, active after $t_act s"
check guest-networkd-hotplug-primary test "$(bond_attr primary)" = vf1
check guest-networkd-hotplug-active-vf active_is vf1
check guest-networkd-hotplug-few-lost few_lost nd_hotplug
check guest-networkd-hotplug-garp-by-kernel grep -q "^garp $GUEST_IP " "$S/nd_hotplug.out"
echo "--- networkd log:"; cat "$S/networkd.log"
exit 0
