#!/bin/bash
# Migration exploration, HVM part (not in the default run, ~3-5 minutes):
#   SRIOV_VM_TEST_TIMEOUT=600 run-tier3 --tests tests/vm/explore/migrate-hvm.sh --timeout 900
# HVM guest (device model from qemu-system-xen, tsc_mode="native") with
# netfront on a dom0 bridge: boot, local live migration
# (xl migrate -s env DOM XX=1 runs "env XX=1 xl migrate-receive" locally),
# network outage seen by a ping from dom0. Guest serial and device-model
# logs are copied to $SRIOV_VM_OUT.
set -uo pipefail
. "$SRIOV_VM_TESTLIB"
S=$SRIOV_VM_SCRATCH

collect() { cp /var/log/xen/hvm1-serial.log /var/log/xen/qemu-dm-hvm1*.log "$SRIOV_VM_OUT/" 2>/dev/null; }
trap collect EXIT
trap 'echo "killed (timeout?)"; xl list; exit 1' TERM

# HVM + netfront + local live migration
modprobe bridge
ip link add xenbr0 type bridge && ip addr add 169.254.99.1/24 dev xenbr0 && ip link set xenbr0 up
HVM_CMDLINE="vmip=169.254.99.2/24" hvm_cfg "$S/hvm.cfg" hvm1 'vif = [ "bridge=xenbr0,type=vif" ]'
t0=$SECONDS
if ! timed hvm-create xl create "$S/hvm.cfg"; then
    fail hvm-create "xl create failed"; exit 1
fi
until timeout 5 busybox ping -c1 -W1 169.254.99.2 >/dev/null 2>&1; do
    [ $((SECONDS - t0)) -lt 240 ] || break
    sleep 2
done
echo "TIMING: hvm-boot-to-ping $((SECONDS - t0)) s"
tail -n 5 /var/log/xen/hvm1-serial.log
if busybox ping -c1 -W1 169.254.99.2 >/dev/null 2>&1; then
    pass hvm-netfront-ping
    busybox ping -i 0.2 -W 1 169.254.99.2 >"$S/ping.log" 2>&1 &
    pingpid=$!
    if timed hvm-live-migrate timeout 300 xl migrate -s env hvm1 XX=1; then
        pass hvm-local-live-migrate
    else
        fail hvm-local-live-migrate "xl migrate failed"
    fi
    sleep 3
    kill "$pingpid"; wait "$pingpid" 2>/dev/null
    # Outage: the longest run of missing icmp_seq numbers, at 0.2 s each.
    awk -F'seq=' '/seq=/{split($2,a," "); s=a[1]; if (seen && s-p-1 > gap) gap=s-p-1; p=s; seen=1}
        END{printf "TIMING: hvm-migrate-outage %.1f s (%d pings lost in a row)\n", gap*0.2, gap}' "$S/ping.log"
    tail -n 2 "$S/ping.log"
    busybox ping -c1 -W2 169.254.99.2 >/dev/null && pass hvm-ping-after-migrate || fail hvm-ping-after-migrate "no reply"
    xl list
else
    fail hvm-netfront-ping "guest did not answer within 240 s"
    xl list; xl network-list hvm1; ip -br link; ip -br addr
    tail -n 30 /var/log/xen/hvm1-serial.log
fi
xl destroy hvm1 2>/dev/null
exit 0
