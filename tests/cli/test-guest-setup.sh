#!/bin/bash
# The guest side (tools/guest/xen-sriov-guest-setup), written into an image
# (--root), for both flavours: the bond's options, and the failover
# announcements' count (the configuration) and spacing (the announcer, since
# networkd and ifenslave cannot set it) agreeing with each other, with the
# bond's miimon and with the test guests' own copy (tests/vm/init-domu);
# switching flavour removes the other's files; bad input is refused with a
# message and writes nothing.  The bond at work is tested on a real kernel
# (tests/vm/explore/guest-failover.sh) and in tier 3's guests.
. "$(dirname "$0")/lib.sh"
: "${SRIOV_SRCDIR:?}"
SETUP=$SRIOV_SRCDIR/tools/guest/xen-sriov-guest-setup
INIT_DOMU=$SRIOV_SRCDIR/tests/vm/init-domu
MAC=02:5A:00:00:00:42 mac=02:5a:00:00:00:42

# setup ROOT ARGS...: run it into ROOT; sets OUT, ERR and RC.
setup() {
    local root=$1
    shift
    OUT=$(sh "$SETUP" --root "$root" "$@" 2>"$WORK/stderr") && RC=0 || RC=$?
    ERR=$(cat "$WORK/stderr")
}
# value FILE KEY: KEY's value in FILE (KEY=VALUE or KEY VALUE, leading blanks allowed).
value() { sed -nE "s/^[[:space:]]*$2[= ]([^[:space:]]*).*/\\1/p" "$1" | head -n 1; }

# --- networkd
R=$WORK/nd
mkdir -p "$R"
setup "$R" "$MAC" networkd 169.254.7.2/16
expect_rc "networkd: written" 0
nd=$R/etc/systemd/network
netdev=$nd/10-xen-sriov-bond0.netdev
check "networkd: the bond, the VF, netfront and the address" \
    test -f "$netdev" -a -f "$nd/10-xen-sriov-bond0-vf.network" \
    -a -f "$nd/10-xen-sriov-bond0-pv.network" -a -f "$nd/10-xen-sriov-bond0.network"
check "networkd: active-backup, VF back as soon as up, MACs left alone" \
    test "$(value "$netdev" Mode) $(value "$netdev" PrimaryReselectPolicy) $(value "$netdev" FailOverMACPolicy)" = \
    "active-backup always none"
check "networkd: the bond has the slaves' MAC (lower case)" test "$(value "$netdev" MACAddress)" = "$mac"
check "networkd: slaves found by permanent MAC" grep -q "^PermanentMACAddress=$mac$" "$nd/10-xen-sriov-bond0-vf.network"
check "networkd: the VF is primary" grep -q '^PrimarySlave=yes$' "$nd/10-xen-sriov-bond0-vf.network"
check "networkd: the address on the bond" grep -q '^Address=169.254.7.2/16$' "$nd/10-xen-sriov-bond0.network"
check "the conf the helpers read" grep -qx "MAC=$mac" "$R/etc/xen-sriov-guest.conf"
check "the announcer, installed and enabled" \
    test -x "$R/usr/local/sbin/xen-sriov-guest-announce" -a \
    -L "$R/etc/systemd/system/multi-user.target.wants/xen-sriov-guest-announce.service"
check "the slave helper installed" test -x "$R/usr/local/sbin/xen-sriov-guest-slave"

# The announcements: count from the configuration, spacing from the announcer.
count_nd=$(value "$netdev" GratuitousARP)
miimon_ms=$(value "$netdev" MIIMonitorSec | sed 's/ms$//')
delay=$(value "$R/usr/local/sbin/xen-sriov-guest-announce" NOTIFY_DELAY)
case "$count_nd $delay $miimon_ms" in
*[!0-9\ ]* | *"  "* | " "* | *" ") fail "announcements: numbers found" "count '$count_nd', delay '$delay', miimon '$miimon_ms'" ;;
*) pass "announcements: numbers found" ;;
esac
# The kernel rounds a peer_notif_delay that is no multiple of miimon down.
check "announcements: spaced by a multiple of miimon" test $((delay % miimon_ms)) = 0
# A new VF's first frames can be lost: the documented cover is 3.6 s.
check "announcements: cover 3.6 s" test $((count_nd * delay)) = 3600
check "announcements: at most 255 (the kernel's limit)" test "$count_nd" -le 255

# --- ifupdown, over the networkd image: the other flavour's files go
mkdir -p "$R/etc/network/if-pre-up.d"
: >"$R/etc/network/if-pre-up.d/ifenslave"
setup "$R" "$MAC" ifupdown 169.254.7.2/16 --gateway 169.254.0.1
expect_rc "ifupdown: options only before the operands (usage)" 2
setup "$R" --gateway 169.254.0.1 "$MAC" ifupdown 169.254.7.2/16
expect_rc "ifupdown: written" 0
ifaces=$R/etc/network/interfaces.d/xen-sriov-bond0
check "ifupdown: networkd's files removed" test ! -e "$netdev" -a ! -e "$nd/10-xen-sriov-bond0-vf.network"
check "ifupdown: static address and gateway" \
    test "$(value "$ifaces" address) $(value "$ifaces" gateway)" = "169.254.7.2/16 169.254.0.1"
check "ifupdown: active-backup, VF back as soon as up, MACs left alone" \
    test "$(value "$ifaces" bond-mode) $(value "$ifaces" bond-primary-reselect) $(value "$ifaces" bond-fail-over-mac)" = \
    "active-backup always none"
check "ifupdown: the same miimon as networkd" test "$(value "$ifaces" bond-miimon)" = "$miimon_ms"
check "ifupdown: as many announcements as networkd" test "$(value "$ifaces" bond-num-grat-arp)" = "$count_nd"
check "ifupdown: the udev rule matches the MAC" grep -q "ATTR{address}==\"$mac\"" "$R/etc/udev/rules.d/90-xen-sriov-guest.rules"
check "ifupdown: the bond's hook" test -x "$R/etc/network/if-pre-up.d/xen-sriov-guest"
# Back to networkd: ifupdown's files go.
setup "$R" "$MAC" networkd dhcp
expect_rc "networkd again: written" 0
check "networkd again: ifupdown's files removed" \
    test ! -e "$ifaces" -a ! -e "$R/etc/udev/rules.d/90-xen-sriov-guest.rules" -a ! -e "$R/etc/network/if-pre-up.d/xen-sriov-guest"
check "networkd again: DHCP" grep -q '^DHCP=yes$' "$nd/10-xen-sriov-bond0.network"

# The test guests set their bond up by hand, as tools/guest does.
check "test guests: the same announcement count" grep -q "echo $count_nd >\$b/num_grat_arp" "$INIT_DOMU"
check "test guests: the same spacing" grep -q "echo $delay >\$b/peer_notif_delay" "$INIT_DOMU"
check "test guests: the same miimon" grep -q "echo $miimon_ms >\$b/miimon" "$INIT_DOMU"

# --- bad input: a message, exit 1 (2 for usage), and nothing written
E=$WORK/empty
mkdir -p "$E"
refused() {   # refused NAME WANT_RC TEXT ARGS...
    local name=$1 want=$2 text=$3
    shift 3
    setup "$E" "$@"
    expect_rc "refused: $name" "$want"
    [ -z "$text" ] || expect_err "refused: $name says why" "$text"
    if [ -z "$(ls -A "$E")" ]; then pass "refused: $name writes nothing"; else
        fail "refused: $name writes nothing" "$(find "$E" | head -n 5 | tr '\n' ' ')"; rm -rf "${E:?}"/*; fi
}
refused "bad MAC" 1 "bad MAC" 02:5a:00:00:00 networkd dhcp
refused "multicast MAC" 1 "multicast" 03:5a:00:00:00:42 networkd dhcp
refused "zero MAC" 1 "not an address" 00:00:00:00:00:00 networkd dhcp
refused "bad flavour" 1 "bad flavour" "$MAC" netplan dhcp
refused "bad address" 1 "bad address" "$MAC" networkd 169.254.7.300/16
refused "no prefix" 1 "ADDRESS/PREFIX" "$MAC" networkd 169.254.7.2
refused "prefix out of range" 1 "out of range" "$MAC" networkd 169.254.7.2/33
refused "gateway with dhcp" 1 "static address" --gateway 169.254.0.1 "$MAC" networkd dhcp
refused "gateway of another family" 1 "same family" --gateway fe80::1 "$MAC" networkd 169.254.7.2/16
refused "bond name with a slash" 1 "bad bond name" --bond a/b "$MAC" networkd dhcp
refused "bond name too long" 1 "longer than 15" --bond abcdefghijklmnop "$MAC" networkd dhcp
refused "relative --prefix" 1 "absolute" --prefix usr "$MAC" networkd dhcp
refused "ifupdown without ifenslave" 1 "ifenslave is not installed" "$MAC" ifupdown dhcp
refused "missing operand" 2 "usage:" "$MAC" networkd
refused "unknown option" 1 "unknown option" --frobnicate "$MAC" networkd dhcp
setup "$WORK/no-such-dir" "$MAC" networkd dhcp
expect_rc "refused: --root that does not exist" 1
expect_err "refused: --root that does not exist says why" "is not a directory"
setup relative "$MAC" networkd dhcp
expect_rc "refused: relative --root" 1
expect_err "refused: relative --root says why" "absolute"

exit "$FAILED"
