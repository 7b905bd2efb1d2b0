# shellcheck shell=bash
# Helpers for the scripts in tests/vm/tier*/ (sourced: . "$SRIOV_VM_TESTLIB").
# Protocol: a test prints "PASS: name", "FAIL: name: reason" or
# "SKIP: name: reason" lines; anything else is kept in its log only.
# Environment: SRIOV_BUILDDIR (project build dir, read-only), SRIOV_SRCDIR,
# SRIOV_VM_TIER, SRIOV_VM_ASSETS (vmlinuz, initrd-domu.cpio, netdevsim.ko),
# SRIOV_VM_SCRATCH (writable tmpfs), SRIOV_VM_OUT (writable, kept on the host).

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; FAILED=1; }
skip() { echo "SKIP: $1: $2"; }
FAILED=0

# check NAME COMMAND...: PASS if the command succeeds, else FAIL with its output.
# A command killed by SIGILL, SIGABRT, SIGBUS or SIGSEGV runs once more, with
# a RECHECK line: under TCG, processes in tier 3's dom0 have been seen to crash
# on corrupted memory (tests/vm/README, explore/passthrough-loop.sh), and our
# commands must finish on a second run what a crash interrupted anyway.
check() {
    local name=$1 out rc=0
    shift
    out=$("$@" 2>&1) || rc=$?
    case $rc in
    132|134|135|139)
        echo "RECHECK: $name: killed by signal $((rc - 128)) ($(echo "$out" | tail -n 2 | tr '\n' ' ')); ran again"
        rc=0; out=$("$@" 2>&1) || rc=$?
        ;;
    esac
    if [ "$rc" = 0 ]; then pass "$name"; else fail "$name" "$* -> $(echo "$out" | tail -n 3 | tr '\n' ' ')"; fi
}

# wait_until SECONDS COMMAND...: poll every 0.5 s until the command succeeds.
wait_until() {
    local end=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$end" ] || return 1
        sleep 0.5
    done
}

# timed LABEL COMMAND...: run the command, print "TIMING: LABEL SECS s rc=RC",
# return its status.
timed() {
    local label=$1 t0=${EPOCHREALTIME/,/.} rc=0
    shift
    "$@" || rc=$?
    echo "TIMING: $label $(awk -v a="$t0" -v b="${EPOCHREALTIME/,/.}" 'BEGIN { printf "%.1f", b - a }') s rc=$rc"
    return "$rc"
}

# nvme_sriov_pf: BDF of the first NVMe function that can have VFs.
nvme_sriov_pf() {
    local d
    for d in /sys/bus/pci/devices/*; do
        [ "$(cat "$d/class")" = 0x010802 ] && [ -e "$d/sriov_totalvfs" ] &&
            [ "$(cat "$d/sriov_totalvfs")" -gt 0 ] && { basename "$d"; return 0; }
    done
    return 1
}

# igb_pf_up: the 82576 (8086:10c9, QEMU 10's igb) under its igb driver with
# its interface up; sets pf (BDF) and pfdev, or fails the named check and
# returns 1. dom0 has no udev: the drivers are loaded by hand.
igb_pf_up() {
    local d
    pf="" pfdev=""
    for d in /sys/bus/pci/devices/*; do
        [ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x8086:0x10c9 ] && { pf=${d##*/}; break; }
    done
    [ -n "$pf" ] || { fail igb-pf "no 82576 (8086:10c9) in dom0"; return 1; }
    modprobe igb && modprobe 8021q && modprobe xen-pciback 2>/dev/null
    wait_until 20 ls "/sys/bus/pci/devices/$pf/net" ||
        { fail igb-pf-netdev "igb did not bind $pf"; return 1; }
    pfdev=$(ls "/sys/bus/pci/devices/$pf/net" | head -n 1)
    ip link set "$pfdev" up
}

# vf_mem_enable VF: QEMU 10.0.2's igb VFs serve their BARs only while the
# VF's own PCI command register has memory enable set. Real VFs hardwire that
# bit to 0 (the PF's VF MSE governs), so neither Linux nor pciback sets it,
# and without it every register reads 0 in the guest ("PF still in reset
# state", a random MAC, MSI-X failing). An emulation quirk, not the product's
# business: the benches set it once the VF is assignable, before the guest's
# igbvf probes it (the VF's reset on assignment clears it again).
vf_mem_enable() {
    local cmd
    cmd=$(setpci -s "$1" COMMAND) && setpci -s "$1" COMMAND="$(printf %04x $((0x$cmd | 0x2)))"
}

# vf_bdf PF N: BDF of virtual function N of PF.
vf_bdf() { basename "$(readlink "/sys/bus/pci/devices/$1/virtfn$2")"; }

# vf_number PF VF: N, where VF is virtual function N of PF (virtfnN).
vf_number() {
    local f
    for f in /sys/bus/pci/devices/"$1"/virtfn*; do
        [ "$(basename "$(readlink "$f")")" = "$2" ] && { echo "${f##*virtfn}"; return 0; }
    done
    return 1
}

# vf_line PFDEV N: VF N's line of `ip -d link show PFDEV`, trailing blanks cut.
vf_line() { ip -d link show "$1" | grep -E "^ +vf $2 " | sed 's/ *$//'; }

# set_numvfs PF N: set sriov_numvfs, through 0 as the kernel requires.
set_numvfs() {
    local f=/sys/bus/pci/devices/$1/sriov_numvfs
    [ "$(cat "$f")" = 0 ] || echo 0 >"$f" || return 1
    [ "$2" = 0 ] || echo "$2" >"$f"
}

# Tier 3 helpers ----------------------------------------------------------

# xs_setup DIR: XS, the xl-sriov program itself (libtool's wrapper runs sed on
# every call: seconds under TCG), and W=DIR with state/ and run/ for xs().
xs_setup() {
    XS=$SRIOV_BUILDDIR/xl-plugin/xl-sriov
    if [ -x "$SRIOV_BUILDDIR/xl-plugin/.libs/xl-sriov" ]; then
        XS=$SRIOV_BUILDDIR/xl-plugin/.libs/xl-sriov
        export LD_LIBRARY_PATH=$SRIOV_BUILDDIR/libsriov/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    fi
    W=$1
    mkdir -p "$W/state" "$W/run"
}
# xs ARGS...: xl-sriov with W's sriov.cfg, state and run directories.
xs() { "$XS" --config "$W/sriov.cfg" --state-dir "$W/state" --run-dir "$W/run" "$@"; }
# vfs_of [DOMAIN]: the VFs xs's records hold (DOMAIN's only, if given), one
# per line.  Each record is a flat object whose first key is "domain".
vfs_of() {
    xs list --json | tr -d ' \n' | grep -o "{\"domain\":\"${1:-[^\"]*}\"[^}]*" |
        grep -o '"vf":"[^"]*"' | cut -d'"' -f4
}
# xs_transport: migrate's --sriov-transport to this host as the destination,
# with xs's configuration and state.
xs_transport() {
    echo "env PATH=$(dirname "$XS"):$PATH SRIOV_CONFIG=$W/sriov.cfg SRIOV_STATE_DIR=$W/state SRIOV_RUN_DIR=$W/run"
}

# hvm_cfg FILE NAME [xl config lines...]: an HVM guest (Xen's device model,
# PV drivers) booting Debian's kernel with the tiny initramfs, 256 MiB, 1
# vCPU, its serial console in hvm_log NAME. tsc_mode="native": without it the
# guest reboot-loops on an RDTSCP emulation failure. HVM_CMDLINE, then
# SRIOV_BENCH_HVM_ARGS (experiments), add to its kernel command line.
hvm_cfg() {
    local file=$1 name=$2
    shift 2
    rm -f "$(hvm_log "$name")"
    {
        echo "name = \"$name\""
        echo "type = \"hvm\""
        echo "memory = 256"
        echo "vcpus = 1"
        echo "tsc_mode = \"native\""
        echo "kernel = \"$SRIOV_VM_ASSETS/vmlinuz\""
        echo "ramdisk = \"$SRIOV_VM_ASSETS/initrd-domu.cpio\""
        echo "cmdline = \"console=ttyS0 loglevel=4${HVM_CMDLINE:+ $HVM_CMDLINE}${SRIOV_BENCH_HVM_ARGS:+ $SRIOV_BENCH_HVM_ARGS}\""
        echo "serial = \"file:$(hvm_log "$name")\""
        echo "vnc = 0"
        echo "sdl = 0"
        echo "vga = \"none\""
        printf '%s\n' "$@"
    } >"$file"
}
hvm_log() { echo "/var/log/xen/$1-serial.log"; }

# domu_cfg FILE NAME [xl config lines...]: a PV guest booting Debian's kernel
# with the tiny initramfs (init-domu), 256 MiB, 1 vCPU. DOMU_EXTRA adds to
# its kernel command line (e.g. vmdefer=igbvf).
domu_cfg() {
    local file=$1 name=$2
    shift 2
    {
        echo "name = \"$name\""
        echo "type = \"pv\""
        echo "kernel = \"$SRIOV_VM_ASSETS/vmlinuz\""
        echo "ramdisk = \"$SRIOV_VM_ASSETS/initrd-domu.cpio\""
        echo "extra = \"console=hvc0 loglevel=4${DOMU_EXTRA:+ $DOMU_EXTRA}\""
        echo "memory = 256"
        echo "vcpus = 1"
        echo "on_crash = \"preserve\""
        printf '%s\n' "$@"
    } >"$file"
}

# domu_log NAME: the guest console as logged by xenconsoled --log=guest.
domu_log() { echo "/var/log/xen/console/guest-$1.log"; }

# domu_sees NAME PATTERN [SECONDS]: wait until the last DOMU-PCI line of the
# guest's console matches PATTERN (extended regex).
domu_sees() {
    local end=$((SECONDS + ${3:-60}))
    while [ "$SECONDS" -lt "$end" ]; do
        grep -a '^DOMU-PCI:' "$(domu_log "$1")" 2>/dev/null | tail -n 1 | grep -qE "$2" && return 0
        sleep 1
    done
    echo "last DOMU-PCI line: $(grep -a '^DOMU-PCI:' "$(domu_log "$1")" 2>/dev/null | tail -n 1)"
    return 1
}

# domu_run NAME COMMAND [SECONDS]: run COMMAND (one line, busybox sh; "load MOD"
# loads a module left out by vmdefer=) in the guest. It is written to the
# guest's console pty (xenconsoled's, named in xenstore), init-domu runs it and
# answers on the console: prints the command's output, returns its status, or
# 124 when no answer came within SECONDS (default 60).
domu_run() {
    local name=$1 cmd=$2 end=$((SECONDS + ${3:-60})) domid tty id log rc
    domid=$(xl domid "$name" 2>/dev/null) || { echo "domu_run: no domain $name"; return 1; }
    tty=$(xenstore-read "/local/domain/$domid/console/tty" 2>/dev/null) ||
        { echo "domu_run: no console pty for $name"; return 1; }
    id=${EPOCHREALTIME/[.,]/}      # unique, also from $(domu_run ...) subshells
    log=$(domu_log "$name")
    printf 'DOMU-RUN: %s %s\n' "$id" "$cmd" >"$tty" || return 1
    while ! rc=$(tr -d '\r' <"$log" | sed -n "s/^DOMU-RC: $id //p" | head -n 1) || [ -z "$rc" ]; do
        [ "$SECONDS" -lt "$end" ] || { echo "domu_run: no answer from $name to: $cmd"; return 124; }
        sleep 0.5
    done
    tr -d '\r' <"$log" | sed -n "s/^DOMU-OUT: $id //p"
    return "$rc"
}
