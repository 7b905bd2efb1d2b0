#!/bin/bash
# Issue 9, figure 2: kill -9 at random.  Seeded runs (SRIOV_SEED to repeat one;
# KILL_RUNS runs or KILL_SECONDS seconds, whichever comes first) of pci-attach,
# create and pci-detach, each killed either at a crash point drawn from the
# command's traced sequence of side effects (a hypervisor or netlink operation
# killed before or after it, a sysfs write after it took effect, a state write
# before its rename: see faultlib.sh and hostlib.sh), or after a random delay.
# Then the next command (gc, or the same command again) must leave host and
# records consistent, and after destroying every domain + gc the host must
# equal its snapshot from before.
HOSTLIB_NAME=kill-random
. "$(dirname "$0")/hostlib.sh"

SEED=${SRIOV_SEED:-$(( ($(date +%s) ^ $$) % 32768 ))}
RUNS=${KILL_RUNS:-200} SECONDS_MAX=${KILL_SECONDS:-50}
RANDOM=$SEED
echo "# seed $SEED (SRIOV_SEED=$SEED to repeat)"

mount_host "82599 vfs=4 numvfs=0"
base=$(snapshot)
attach() { X pci-attach g2 network=lan >/dev/null; }
reset() {   # back to base; a host that cannot be is mounted afresh
    destroy_all; X gc >/dev/null 2>&1
    if [ "$(snapshot)" != "$base" ]; then
        mount_host "82599 vfs=4 numvfs=0"
    fi
}

# The crash points of each command, and how long an unkilled run takes (ms).
declare -A PTS MS
trace_cmd() {   # trace_cmd NAME SETUP COMMAND...
    local name=$1 setup=$2 t0; shift 2
    $setup
    PTS[$name]=$(trace_points "$@" | sort -u | tr '\n' ' ')
    reset
    $setup
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1
    MS[$name]=$(( ($(date +%s%N) - t0) / 1000000 ))
    reset
}
setup_attach() { X create "$T/g2.cfg" >/dev/null; }
setup_detach() { X create "$T/g2.cfg" >/dev/null; attach; }
trace_cmd pci-attach setup_attach "$XL_SRIOV" pci-attach g2 network=lan
trace_cmd create : "$XL_SRIOV" create "$T/g1.cfg"
trace_cmd pci-detach setup_detach "$XL_SRIOV" pci-detach g2 0000:01:10.0
for c in pci-attach create pci-detach; do
    set -- ${PTS[$c]}
    echo "# $c: $# crash points traced, an unkilled run takes ${MS[$c]} ms"
    [ $# -gt 3 ] || fail "trace-$c" "only $# points"
done

# pick WORDS...: one of them, at random.
pick() { local a=("$@"); echo "${a[RANDOM % ${#a[@]}]}"; }
# crash_at POINT COMMAND...: run COMMAND dying at the traced POINT.
crash_at() {
    local p=$1; shift
    case $p in
    state:*)
        inject
        ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 "$STRACE" -f -qq -e signal=none -o /dev/null \
            -e trace=rename,renameat,renameat2 \
            -e inject=rename,renameat,renameat2:signal=KILL:when="${p#state:}" "$@" >/dev/null 2>&1
        ;;
    hv:*)
        # Operations that take effect in the sim can die after it too.
        case $p in
        hv:xs_write#*|hv:xs_rm#*|hv:domain_create#*|hv:assignable_*|hv:pci_*|hv:vf_set#*)
            inject "hv:$(pick kill kill-after):${p#hv:}" ;;
        *) inject "hv:kill:${p#hv:}" ;;
        esac
        "$@" >/dev/null 2>&1
        ;;
    sysfs:*) inject "sysfs:kill:${p#sysfs:}"; "$@" >/dev/null 2>&1 ;;
    esac
}
# kill_after MS COMMAND...: run COMMAND and SIGKILL it after MS milliseconds.
kill_after() {
    local ms=$1 pid; shift
    "$@" >/dev/null 2>&1 &
    pid=$!
    PIDS=("$pid")   # for the exit trap while it may run
    sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid"
    local rc=$?
    PIDS=()
    return $rc
}

runs=0 killed=0 at_points=0 at_delays=0 bad=0
start=$SECONDS
while [ $runs -lt "$RUNS" ] && [ $((SECONDS - start)) -lt "$SECONDS_MAX" ]; do
    runs=$((runs + 1))
    cmd=$(pick pci-attach create pci-detach)
    case $cmd in
    pci-attach) setup_attach; argv=("$XL_SRIOV" pci-attach g2 network=lan)
                next=$(pick gc "pci-attach g2 network=lan") ;;
    create) argv=("$XL_SRIOV" create "$T/g1.cfg"); next=gc ;;
    pci-detach) setup_detach; argv=("$XL_SRIOV" pci-detach g2 0000:01:10.0)
                next=$(pick gc "pci-detach g2 0000:01:10.0") ;;
    esac
    set -- ${PTS[$cmd]}
    if [ $((RANDOM % 2)) = 0 ] && { [ -n "$STRACE" ] || [ $# -gt 0 ]; }; then
        how=$(pick "$@")
        while [ -z "$STRACE" ] && [ "${how%%:*}" = state ]; do how=$(pick "$@"); done
        { crash_at "$how" "${argv[@]}"; } 2>/dev/null; rc=$?
        heal
        [ $rc = 137 ] && at_points=$((at_points + 1))
    else
        ms=$(( (RANDOM % 1001) * MS[$cmd] / 1000 ))   # a reproducible fraction of a run
        how="${ms}ms"
        { kill_after "$ms" "${argv[@]}"; } 2>/dev/null; rc=$?
        [ $rc = 137 ] && at_delays=$((at_delays + 1))
    fi
    [ $rc = 137 ] && killed=$((killed + 1))
    what="run $runs: $cmd killed at $how (exit $rc), then $next"
    out=$(X $next 2>&1); nrc=$?
    if [ $nrc != 0 ] && ! { [ "$cmd $next" = "pci-detach pci-detach g2 0000:01:10.0" ] &&
                             grep -q "not a VF that xl-sriov gave" <<<"$out"; }; then
        fail "kill-random" "$what: it failed: $(tr '\n' ' ' <<<"$out")"; bad=$((bad + 1))
    elif ! why=$(consistent); then
        fail "kill-random" "$what: inconsistent: $why"; bad=$((bad + 1))
    else
        destroy_all
        if ! out=$(X gc 2>&1); then
            fail "kill-random" "$what: gc after destroy failed: $(tr '\n' ' ' <<<"$out")"
            bad=$((bad + 1))
        elif [ "$(snapshot)" != "$base" ]; then
            fail "kill-random" "$what: after destroy + gc: $(diff_host "$base")"; bad=$((bad + 1))
        fi
    fi
    reset
done
echo "FIGURE: kill -9 at random (seed $SEED): $runs runs in $((SECONDS - start)) s," \
     "$killed killed ($at_points at crash points drawn from the traced sequences," \
     "$at_delays after random delays), $bad inconsistencies"
check kill-random-consistent test "$bad" = 0 -a "$runs" -gt 0
check kill-random-killed test "$killed" -gt $((runs / 2))
