#!/bin/bash
# Does an HVM guest of Xen boot on this bench? (tests/vm/README, "HVM
# guests": under Debian's QEMU 10 it powered off early in its kernel's boot;
# with the benches' build, tests/vm/build-qemu, it boots to userspace.)
#   tests/vm/run-tier3 --tests tests/vm/explore/hvm-boot.sh        # ~3 min
# HVM_EXTRA adds to the guest's kernel command line; SRIOV_VM_CPU and
# SRIOV_VM_XEN_ARGS vary the outer CPU model and Xen's options. Every
# shutdown is preserved, so the state and reason are seen, not a vanished
# domain.
# (Into the VM these come as SRIOV_BENCH_HVM_EXTRA and SRIOV_BENCH_GDB_WAIT.)
# With SRIOV_BENCH_GDB_WAIT=N the script writes the guest kernel's early
# exception handler's addresses (from dom0's kallsyms: the same kernel, and
# nokaslr in the guest) to kallsyms.txt in the output folder, then waits up
# to N s for a file gdb-ready there, so that a debugger attached to the outer
# QEMU (SRIOV_VM_QEMU_ARGS=-s) can stop the guest where it fails.
set -uo pipefail
. "$SRIOV_VM_TESTLIB"
log=$(hvm_log hvmboot)
HVM_EXTRA=${SRIOV_BENCH_HVM_EXTRA:-${HVM_EXTRA:-}}
if [ -n "${SRIOV_BENCH_GDB_WAIT:-}" ]; then
    grep -E ' (_text|early_fixup_exception|early_idt_handler_common|do_early_exception|x86_64_start_kernel|start_kernel|setup_arch|early_top_pgt|init_top_pgt|early_dynamic_pgts|next_early_pgt|phys_base|early_make_pgtable|__early_make_pgtable|copy_bootdata|early_pmd_flags|page_offset_base|__pgtable_l5_enabled)$' \
        /proc/kallsyms >"$SRIOV_VM_OUT/kallsyms.txt"
    cat "$SRIOV_VM_OUT/kallsyms.txt"
    wait_until "$SRIOV_BENCH_GDB_WAIT" test -e "$SRIOV_VM_OUT/gdb-ready"
fi
HVM_CMDLINE="earlyprintk=ttyS0 loglevel=7 nokaslr $HVM_EXTRA" hvm_cfg "$SRIOV_VM_SCRATCH/hvmboot.cfg" hvmboot \
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
# Where its vCPU stopped (preserved): registers and stack, with the kernel's
# symbols when they are at hand (nokaslr keeps its addresses).
domid=$(xl domid hvmboot 2>/dev/null)
map=$(ls "/boot/System.map-$(uname -r)" 2>/dev/null)
if [ -n "$domid" ]; then
    echo "--- xenctx of d$domid vCPU 0:"
    /usr/lib/xen-4.17/bin/xenctx -a -t ${map:+-s "$map"} "$domid" 0 2>&1 | head -n 80
fi
exit "$FAILED"
