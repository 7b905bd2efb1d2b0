# shellcheck shell=bash disable=SC2154  # tier, default_timeout, test_timeout, probe_timeout: set by run-tierN
# Host side of the VM benches, sourced by run-tier2 and run-tier3.
# The runner defines tier, default_timeout, test_timeout and qemu_cmd (fills the array
# QEMU from $accel, $probe and $assets, starting with "${QEMU_BIN[@]}": the
# QEMU 10 that fetch-qemu unpacked, run through tests/vm/qemu), then calls
# vm_main "$@".

# Physical paths (pwd -P): the VM must find them at the same place (see vm_paths).
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
SRCDIR=$(cd "$VM_DIR/../.." && pwd -P)
QEMU_PID=""
QEMU_BIN=()
WORK=""

die() { echo "tier$tier: $*" >&2; exit 1; }

usage() {
    cat <<USAGE
usage: run-tier$tier [--builddir DIR] [--tests FILE|DIR]... [--logs DIR] [--timeout SECS]
  --builddir DIR  project build dir (binaries), visible read-only in the VM
                  (default: \$SRIOV_BUILDDIR, else the source tree)
  --tests PATH    test scripts to run (default: tests/vm/tier$tier/*.sh)
  --logs DIR      where to keep serial log, test logs and results
                  (default: BUILDDIR/tests/vm/logs/tier$tier)
  --timeout SECS  global limit for the whole boot + run (default: $default_timeout)
environment: SRIOV_VM_CACHE SRIOV_VM_ACCEL=kvm|tcg SRIOV_VM_KVER SRIOV_VM_XEN
             SRIOV_VM_TEST_TIMEOUT (per test, default $test_timeout)
             SRIOV_VM_QEMU_ARGS (more QEMU arguments, split at blanks)
USAGE
    exit 2
}

cleanup() {
    set +e   # a failing kill must not cut the cleanup short
    stop_qemu
    [ -z "$WORK" ] || rm -rf "$WORK"
}

stop_qemu() {   # TERM, then KILL after 2 s; reap it
    [ -n "$QEMU_PID" ] || return 0
    local _
    kill "$QEMU_PID" 2>/dev/null || true
    for _ in 1 2 3 4; do
        kill -0 "$QEMU_PID" 2>/dev/null || break
        sleep 0.5
    done
    kill -9 "$QEMU_PID" 2>/dev/null || true
    { wait "$QEMU_PID"; } 2>/dev/null || true
    QEMU_PID=""
}

# Guest kernel: newest installed linux-image package with modules and vmlinuz.
find_kver() {
    local k
    if [ -n "${SRIOV_VM_KVER:-}" ]; then echo "$SRIOV_VM_KVER"; return; fi
    for k in $(dpkg-query -W -f='${db:Status-Status} ${Package}\n' 'linux-image-[0-9]*' 2>/dev/null |
        awk '$1 == "installed" { sub(/^linux-image-/, "", $2); sub(/-unsigned$/, "", $2); print $2 }' |
        sort -uV -r); do
        [ -r "/boot/vmlinuz-$k" ] && [ -d "/lib/modules/$k/kernel" ] && { echo "$k"; return; }
    done
    return 1
}

# boot TIMEOUT SERIAL_LOG: run $QEMU in the background, wait for it to exit.
# Returns QEMU's status, 124 on timeout, 125 when KVM could not run the guest
# (QEMU then keeps the VM stopped instead of exiting); QEMU is then killed.
boot() {
    local log=$2 end=$((SECONDS + $1)) extra=()
    read -r -a extra <<<"${SRIOV_VM_QEMU_ARGS:-}"    # e.g. -trace enable=igb_*
    "${QEMU[@]}" "${extra[@]}" -serial "file:$log" </dev/null >"$log.qemu" 2>&1 &
    QEMU_PID=$!
    local rc=0
    {   # (braces: keep bash's "Aborted" job notices out of the output)
        while kill -0 "$QEMU_PID" 2>/dev/null; do
            if [ "$SECONDS" -ge "$end" ]; then
                stop_qemu
                return 124
            fi
            if grep -q '^KVM internal error' "$log.qemu" 2>/dev/null; then
                stop_qemu
                return 125
            fi
            sleep 0.5
        done
        wait "$QEMU_PID" || rc=$?
    } 2>/dev/null
    QEMU_PID=""
    return "$rc"
}

# pick_accel: kvm if it boots this configuration (probe, result cached), else tcg.
pick_accel() {
    if [ -n "${SRIOV_VM_ACCEL:-}" ]; then accel=$SRIOV_VM_ACCEL; return; fi
    accel=tcg
    [ -r /dev/kvm ] && [ -w /dev/kvm ] || return 0
    local stamp
    stamp=$cache/accel-tier$tier-$( { uname -r; "${QEMU_BIN[@]}" --version | head -n1;
        grep -m1 -oE '\b(vmx|svm)\b' /proc/cpuinfo; basename "$assets"; } | sha256sum | cut -c1-12)
    if [ -s "$stamp" ]; then accel=$(cat "$stamp"); return; fi
    local t0=$SECONDS
    accel=kvm probe=1
    qemu_cmd
    if boot "$probe_timeout" "$WORK/probe.log" && grep -q VMPROBE-OK "$WORK/probe.log"; then
        accel=kvm
    else
        accel=tcg
    fi
    probe=0
    echo "tier$tier: KVM probe: $accel ($((SECONDS - t0)) s, cached in $stamp)"
    echo "$accel" >"$stamp"
}

# vm_paths DIR...: the host directories the VM must see at the same path,
# one per line for init-vm, leaving out those inside another one. init-vm
# keeps them visible over the VM's private tmpfs (/tmp, /run...).
vm_paths() {
    local p q
    for p in "$@"; do
        for q in "$@"; do
            case $p in "$q"/*) continue 2 ;; esac
        done
        printf '%s\n' "$p"
    done | sort -u
}

vm_main() {
    local builddir=${SRIOV_BUILDDIR:-$SRCDIR} logs="" timeout=${SRIOV_VM_TIMEOUT:-$default_timeout}
    local -a tests=()
    while [ $# -gt 0 ]; do
        case $1 in
        --builddir) builddir=${2:?}; shift 2 ;;
        --builddir=*) builddir=${1#*=}; shift ;;
        --tests) tests+=("${2:?}"); shift 2 ;;
        --logs) logs=${2:?}; shift 2 ;;
        --timeout) timeout=${2:?}; shift 2 ;;
        -h|--help) usage ;;
        *) echo "run-tier$tier: unknown argument: $1" >&2; usage ;;
        esac
    done
    [ ${#tests[@]} -gt 0 ] || tests=("$VM_DIR/tier$tier")
    builddir=$(cd "$builddir" && pwd -P) || die "no build dir $builddir"
    logs=${logs:-$builddir/tests/vm/logs/tier$tier}

    if ! command -v qemu-system-x86_64 >/dev/null; then
        echo "SKIP: qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"
        exit 77
    fi
    local kver
    kver=$(find_kver) || { echo "SKIP: no installed Debian linux-image with modules"; exit 77; }

    trap cleanup EXIT
    trap 'exit 130' INT TERM
    local t_start=$SECONDS
    cache=${SRIOV_VM_CACHE:-$builddir/tests/vm/cache}
    cache=$(mkdir -p "$cache" && cd "$cache" && pwd -P) || die "no cache dir $cache"
    assets=$("$VM_DIR/prepare" "$cache" "$kver") || die "could not build the VM images"
    local qemu_root
    qemu_root=$("$VM_DIR/fetch-qemu" "$cache") ||
        die "could not fetch QEMU from backports (tests/vm/fetch-qemu $cache)"
    QEMU_BIN=("$VM_DIR/qemu" "$qemu_root")
    local t_prep=$((SECONDS - t_start))

    WORK=$(mktemp -d "${TMPDIR:-/tmp}/sriov-vm.XXXXXX")
    local share=$WORK/share
    mkdir -p "$share/tests" "$share/out"
    local t f n=0
    for t in "${tests[@]}"; do
        if [ -d "$t" ]; then
            for f in "$t"/*.sh; do [ -e "$f" ] && cp "$f" "$share/tests/" && n=$((n + 1)); done
        elif [ -f "$t" ]; then cp "$t" "$share/tests/"; n=$((n + 1))
        else die "no such test: $t"
        fi
    done
    [ "$n" -gt 0 ] || die "no test scripts in: ${tests[*]}"
    cp "$VM_DIR/stage2" "$VM_DIR/testlib.sh" "$share/"
    {
        echo "SRIOV_BUILDDIR=$builddir"
        echo "SRIOV_SRCDIR=$SRCDIR"
        echo "SRIOV_VM_TIER=$tier"
        echo "SRIOV_VM_ASSETS=$assets"
        echo "SRIOV_VM_KVER=$kver"
        echo "SRIOV_VM_OUT=/vmshare/out"
        echo "SRIOV_VM_TEST_TIMEOUT=${SRIOV_VM_TEST_TIMEOUT:-$test_timeout}"
        [ -z "${nvme_vfs:-}" ] || echo "SRIOV_VM_NVME_VFS=$nvme_vfs"
        env | grep -E '^SRIOV_BENCH_[A-Z_]*=' || true   # benchmark settings (bench/vm-*)
    } >"$share/env"
    vm_paths "$SRCDIR" "$builddir" "$assets" >"$share/paths"

    probe=0
    pick_accel
    qemu_cmd
    local t_boot=$SECONDS rc=0
    boot "$((timeout - (SECONDS - t_start)))" "$WORK/serial.log" || rc=$?
    # QEMU killed by a signal while the VM boots, before stage2 began (no logs/
    # yet), ran no test and changed nothing: boot once more (seen: the benches'
    # QEMU with SIGSEGV in dom0's early boot, tests/vm/README "Pitfalls seen").
    # Not QEMU's own error exits (a bad option, a missing file), which would
    # only fail again, nor a timeout (124) or KVM's refusal (125).
    if [ "$rc" -gt 128 ] && [ ! -e "$share/logs" ]; then
        echo "tier$tier: RETRY: QEMU died while the VM booted, before any test (status $rc, serial.try1.log); booting it again"
        mv "$WORK/serial.log" "$WORK/serial.try1.log" 2>/dev/null
        mv "$WORK/serial.log.qemu" "$WORK/serial.try1.log.qemu" 2>/dev/null
        rc=0
        boot "$((timeout - (SECONDS - t_start)))" "$WORK/serial.log" || rc=$?
    fi
    local t_run=$((SECONDS - t_boot))

    rm -rf "$logs" && mkdir -p "$logs"
    cp -r "$share/logs" "$share/out" "$logs/" 2>/dev/null || true
    # None when QEMU could not start (a bad option): its own message says why.
    [ ! -e "$WORK/serial.log" ] || cp "$WORK/serial.log" "$logs/serial.log"
    [ ! -e "$WORK/serial.try1.log" ] || cp "$WORK/serial.try1.log" "$logs/serial.try1.log"
    [ ! -s "$WORK/serial.try1.log.qemu" ] || cp "$WORK/serial.try1.log.qemu" "$logs/qemu.try1.log"
    [ -s "$WORK/serial.log.qemu" ] && cp "$WORK/serial.log.qemu" "$logs/qemu.log"
    [ -e "$share/results" ] && cp "$share/results" "$logs/results"

    if [ ! -e "$share/done" ]; then
        if [ "$rc" = 124 ]; then echo "tier$tier: TIMEOUT after ${timeout}s (accel $accel)"
        elif [ "$rc" = 125 ]; then echo "tier$tier: KVM could not run the guest (KVM internal error)"
        else echo "tier$tier: the VM stopped before finishing (QEMU status $rc, accel $accel)"
        fi
        [ -s "$WORK/serial.log.qemu" ] && { echo "--- qemu:"; tail -n 20 "$WORK/serial.log.qemu"; }
        if [ -e "$WORK/serial.log" ]; then
            echo "--- serial log tail ($logs/serial.log):"
            tail -n 40 "$WORK/serial.log"
        fi
        [ -e "$share/results" ] && { echo "--- results so far:"; cat "$share/results"; }
        exit 1
    fi

    local p fl s r rc2
    grep -E '^(PASS|FAIL|SKIP): ' "$share/results" | sed "s/^/  /"
    grep -E '^(BOOT|TIME|RETRY|RECHECK): ' "$share/results" | sed "s/^/  /"
    p=$(grep -c '^PASS: ' "$share/results" || true)
    fl=$(grep -c '^FAIL: ' "$share/results" || true)
    s=$(grep -c '^SKIP: ' "$share/results" || true)
    echo "  prepare ${t_prep} s, VM ${t_run} s, accel $accel, logs in $logs"
    r=$(grep -c '^RETRY: ' "$share/results" || true)
    rc2=$(grep -c '^RECHECK: ' "$share/results" || true)
    echo "tier$tier: $p passed, $fl failed, $s skipped$([ "$r" = 0 ] || echo ", $r script(s) run twice after a hang")$([ "$rc2" = 0 ] || echo ", $rc2 check(s) run twice after a crash") ($((SECONDS - t_start)) s)"
    [ "$fl" = 0 ]
}
