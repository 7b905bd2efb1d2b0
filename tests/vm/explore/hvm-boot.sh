#!/bin/bash
# Does an HVM guest of Xen boot on this bench? (tests/vm/README, "HVM
# guests": under QEMU 10 it powers off early in its kernel's boot.)
#   tests/vm/run-tier3 --tests tests/vm/explore/hvm-boot.sh        # ~3 min
# HVM_EXTRA adds to the guest's kernel command line; SRIOV_VM_CPU and
# SRIOV_VM_XEN_ARGS vary the outer CPU model and Xen's options. Every
# shutdown is preserved, so the state and reason are seen, not a vanished
# domain.
set -uo pipefail
. "$SRIOV_VM_TESTLIB"
log=$(hvm_log hvmboot)
HVM_CMDLINE="earlyprintk=ttyS0 loglevel=7 nokaslr ${HVM_EXTRA:-}" hvm_cfg "$SRIOV_VM_SCRATCH/hvmboot.cfg" hvmboot \
    'on_poweroff = "preserve"' 'on_reboot = "preserve"' 'on_crash = "preserve"'
trap 'cp "$log" "$SRIOV_VM_OUT/" 2>/dev/null; xl dmesg >"$SRIOV_VM_OUT/hvmboot-xl-dmesg.log"; xl destroy hvmboot 2>/dev/null' EXIT
check hvm-create timed hvm-create xl create "$SRIOV_VM_SCRATCH/hvmboot.cfg"
t0=$SECONDS state=""
while [ $((SECONDS - t0)) -lt 300 ]; do
    sleep 3
    state=$(xl list hvmboot 2>/dev/null | awk 'NR == 2 { print $5 }')
    case $state in *s* | *c*) break ;; esac
    grep -aq DOMU-UP "$log" && break
done
echo "after $((SECONDS - t0)) s: state '$state'; last of its console:"
tail -c 400 "$log"; echo
if grep -aq DOMU-UP "$log"; then pass hvm-boot; else fail hvm-boot "no DOMU-UP (state '$state')"; fi
exit "$FAILED"
