#!/bin/bash
# Does the HVM guest of 60-igb-hvm-migrate triple-fault under TCG when it is
# live-migrated by plain xl, with no VF ever? (not in the default run)
#   SRIOV_VM_TEST_TIMEOUT=1700 run-tier3 --tests tests/vm/explore/hvm-migrate-crash.sh --timeout 1800
# SRIOV_BENCH_MIGRATIONS (default 8) local live migrations of the same
# guest (kernel, memory, vCPU, tsc_mode="native"), netfront only, pinged
# every 10 ms from dom0 as in the bench. SRIOV_BENCH_PASSTHROUGH=1 creates
# it with passthrough="enabled", as xl-sriov does, though it never gets a
# device.
# After each migration Xen's log is searched for "Triple fault"; the last
# line says how many migrations ran and how many crashed.
set -uo pipefail
. "$SRIOV_VM_TESTLIB"
S=$SRIOV_VM_SCRATCH
N=${SRIOV_BENCH_MIGRATIONS:-8}
GUEST=169.254.61.2

modprobe bridge
ip link add xenbr0 type bridge && ip addr add 169.254.61.1/16 dev xenbr0 && ip link set xenbr0 up
extra=()
[ "${SRIOV_BENCH_PASSTHROUGH:-0}" = 1 ] && extra+=('passthrough = "enabled"')
HVM_CMDLINE="console=hvc0 vmip=$GUEST/16" hvm_cfg "$S/hvm.cfg" hvm1 \
    "vif = [ 'mac=02:5a:00:00:00:61,bridge=xenbr0,type=vif' ]" "${extra[@]}"
collect() {
    cp "$(hvm_log hvm1)" /var/log/xen/qemu-dm-hvm1*.log "$SRIOV_VM_OUT/" 2>/dev/null
    xl dmesg >"$SRIOV_VM_OUT/xl-dmesg" 2>&1
    xl destroy hvm1 2>/dev/null
}
trap collect EXIT
trap 'echo "killed (timeout?)"; exit 1' TERM

crashes() { xl dmesg | grep -c "Triple fault"; }
reachable() { timeout 5 busybox ping -c1 -W1 "$GUEST"; }

timed hvm-create xl create "$S/hvm.cfg" || { fail hvm-create "xl create failed"; exit 1; }
wait_until 300 reachable || { fail hvm-boot "no answer from the guest"; exit 1; }
pass hvm-boot
python3 "$SRIOV_SRCDIR/tests/vm/ping-probe" "$GUEST" "$S/stop" $((N * 300)) >"$S/probe" 2>&1 &
probe=$!
done_n=0
for ((i = 1; i <= N; i++)); do
    before=$(crashes)
    if timed "migrate$i" timeout 300 xl migrate -s env hvm1 XX=1 >"$S/migrate$i" 2>&1; then
        pass "migrate$i"
    else
        fail "migrate$i" "$(tail -n 3 "$S/migrate$i" | tr '\n' ' ')"
    fi
    done_n=$i
    sleep 20    # the crashes seen came within seconds of the guest's resume
    if [ "$(crashes)" != "$before" ]; then
        fail "migrate$i-no-crash" "$(xl dmesg | grep -A3 'Triple fault' | tail -n 4 | tr '\n' ' ')"
        wait_until 300 reachable || { fail "migrate$i-reboot" "the restarted guest does not answer"; break; }
    else
        pass "migrate$i-no-crash"
    fi
done
touch "$S/stop"
wait "$probe"
cat "$S/probe"
echo "hvm-migrate-crash: passthrough=${SRIOV_BENCH_PASSTHROUGH:-0} migrations $done_n triple faults $(crashes)"
