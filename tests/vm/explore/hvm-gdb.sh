#!/bin/bash
# The host side of explore/hvm-boot.sh's debugger wait (tests/vm/README, "HVM
# guests"): stops the HVM guest at its kernel's first early exception and
# prints what the outer QEMU's vCPU and the guest's VMCB say just after the
# next exit to Xen. Run it first, then, in another shell:
#   SRIOV_VM_QEMU_ARGS=-s SRIOV_BENCH_GDB_WAIT=120 \
#       tests/vm/run-tier3 --builddir build --tests tests/vm/explore/hvm-boot.sh
# Needs gdb; one tier-3 VM at a time (it looks for /tmp/sriov-vm.*).
set -uo pipefail
command -v gdb >/dev/null || { echo "hvm-gdb: needs gdb" >&2; exit 2; }
for _ in $(seq 600); do
    f=$(ls /tmp/sriov-vm.*/share/out/kallsyms.txt 2>/dev/null | head -n 1)
    [ -n "$f" ] && [ -s "$f" ] && break
    sleep 1
done
[ -s "${f:-}" ] || { echo "hvm-gdb: no kallsyms.txt from the VM" >&2; exit 1; }
# dom0 runs the same kernel; the guest has nokaslr: the link address.
at() {
    awk -v s="$1" '$3 == s { t = $1 } $3 == "_text" { b = $1 } END { print t, b }' "$f" |
        python3 -c 'import sys; t, b = sys.stdin.read().split(); print(hex(int(t, 16) - int(b, 16) + 0xffffffff81000000))'
}
handler=$(at do_early_exception)
cmds=$(mktemp)
trap 'rm -f "$cmds"' EXIT
cat >"$cmds" <<G
set pagination off
set confirm off
target remote :1234
break *$handler
continue
delete
printf "guest: do_early_exception(trap %d), cr2 %lx, cr3 %lx\n", \$rsi, \$cr2, \$cr3
set \$n = 0
while ((unsigned long) \$rip >> 40) == 0xffffff
  printf "guest: rip %lx rdi %lx\n", \$rip, \$rdi
  stepi
  set \$n = \$n + 1
  if \$n > 64
    loop_break
  end
end
printf "exit to Xen at %lx; VMCB (rax) at %lx, physical:\n", \$rip, \$rax
maintenance packet Qqemu.PhyMemMode:1
printf "CR read/write intercepts: "
x/wx \$rax
printf "exitcode, exitinfo1, exitinfo2: "
x/3gx \$rax+0x70
printf "guest rip: "
x/gx \$rax+0x578
printf "guest cr2: "
x/gx \$rax+0x640
maintenance packet Qqemu.PhyMemMode:0
detach
quit
G
touch "$(dirname "$f")/gdb-ready"
timeout 400 gdb -batch -x "$cmds" 2>&1 | grep -v '^warning\|Try using\|^sending\|^received'
