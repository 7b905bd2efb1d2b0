#!/bin/bash
# Issue 9, figure 3: 16 concurrent allocators, each attaching a VF of network
# "lan" (8 VFs on two PFs) to its own domain and detaching it again, for
# RACE_ROUNDS rounds, while gc, a create/destroy churn (whose VFs only gc gives
# back) and pf-enable/pf-disable of one of the PFs race them.  A monitor checks
# the records against the hypervisor under the assignments lock all along
# (consistent --live: no VF in two records or two domains, no VF held without
# a record, no attached record whose VF its live domain lacks); every VF an
# allocator got must not be another's at the same time; at the end, host and
# records must agree exactly, and after destroy + gc + pf-disable the host
# must equal its snapshot from before.
HOSTLIB_NAME=race
. "$(dirname "$0")/hostlib.sh"

N=16 ROUNDS=${RACE_ROUNDS:-10}
mount_host "82599 vfs=4 numvfs=0"
cat >"$T/sriov.cfg" <<'CFG'
network = [ [ "name=lan", "pf=enp1s0f0", "pf=enp1s0f1" ] ]
CFG
printf 'name = "churn"\ntype = "hvm"\nvf = [ "network=lan" ]\n' >"$T/churn.cfg"
base=$(snapshot)
for i in $(seq $N); do
    printf 'name = "d%s"\ntype = "hvm"\n' "$i" >"$T/d$i.cfg"
    X create "$T/d$i.cfg" >/dev/null || fail "create-d$i" "$(X create "$T/d$i.cfg" 2>&1)"
done
mkdir "$T/log"

# allocator I: ROUNDS times attach + detach; logs "got VF" / "free VF" lines
# with a sequence number from a shared counter, and each exit status.
allocator() {
    local i=$1 r vf rc
    for r in $(seq $ROUNDS); do
        vf=$(X pci-attach "d$i" network=lan 2>>"$T/log/err.$i"); rc=$?
        echo "attach $rc" >>"$T/log/rc.$i"
        [ $rc = 0 ] || continue
        echo "$(date +%s%N) got $vf d$i" >>"$T/log/events"
        sleep 0.0$((RANDOM % 5))
        echo "$(date +%s%N) free $vf d$i" >>"$T/log/events"
        X pci-detach "d$i" "$vf" 2>>"$T/log/err.$i"
        echo "detach $?" >>"$T/log/rc.$i"
    done
}
: >"$T/log/stop"; rm "$T/log/stop"
gc_loop() { while [ ! -e "$T/log/stop" ]; do X gc >/dev/null 2>&1; echo "gc $?" >>"$T/log/rc.gc"; done; }
pf_loop() {
    while [ ! -e "$T/log/stop" ]; do
        X pf-enable enp1s0f1 4 >/dev/null 2>&1; echo "pf-enable $?" >>"$T/log/rc.pf"
        X pf-disable enp1s0f1 >/dev/null 2>&1; echo "pf-disable $?" >>"$T/log/rc.pf"
    done
}
churn_loop() {
    local u
    while [ ! -e "$T/log/stop" ]; do
        if u=$(X create "$T/churn.cfg" 2>/dev/null); then
            echo "create 0" >>"$T/log/rc.churn"
            rm -f "$T/hv/domains/$u"             # xl destroy; gc gives its VF back
        else
            echo "create $?" >>"$T/log/rc.churn"
        fi
    done
}
monitor_loop() {
    local why
    while [ ! -e "$T/log/stop" ]; do
        if why=$(consistent --live); then echo ok >>"$T/log/monitor"
        else echo "bad: $why" >>"$T/log/monitor"; fi
    done
}

# Each loop in a session of its own, so that the exit trap can end it and the
# command it runs (kill -9 -- -PID).
export T ROUNDS PY3
export -f X consistent allocator gc_loop pf_loop churn_loop monitor_loop
start=$SECONDS
apids=() bpids=()
for i in $(seq $N); do setsid bash -c 'allocator "$1"' allocator "$i" & apids+=($!); done
for l in gc_loop pf_loop churn_loop monitor_loop; do setsid bash -c "$l" & bpids+=($!); done
PIDS=("${apids[@]}" "${bpids[@]}")
wait "${apids[@]}"
touch "$T/log/stop"
wait "${bpids[@]}"
PIDS=()
secs=$((SECONDS - start))

# Double assignment from the allocators' view: a VF got while another still had it.
doubles=$(sort -n "$T/log/events" | awk '
    $2 == "got" { if ($3 in holder) { n++; print "DOUBLE " $3 " " holder[$3] " " $4 > "/dev/stderr" } holder[$3] = $4 }
    $2 == "free" { delete holder[$3] }
    END { print n + 0 }')
got=$(grep -c ' got ' "$T/log/events")
full=$(cat "$T"/log/rc.[0-9]* | grep -c '^attach 3$')
other=$(cat "$T"/log/rc.[0-9]* | grep -v '^attach [03]$\|^detach 0$' | wc -l)
[ "$other" = 0 ] || { echo "# other failures:"; cat "$T"/log/err.* | sort | uniq -c | head; }
# Quiescent: gc gives back the last churn domain's VF; then exact agreement.
X gc >/dev/null 2>&1
why=$(consistent) || echo "bad: $why" >>"$T/log/monitor"
samples=$(grep -c . "$T/log/monitor")
grep '^bad' "$T/log/monitor" | head -n 5
# From every check: the same VF in two records or two domains; a VF held
# without a record, or an attached record whose live domain lacks its VF.
doubles=$((doubles + $(tr ';' '\n' <"$T/log/monitor" | grep -c 'in two records\|held by two domains')))
lost=$(tr ';' '\n' <"$T/log/monitor" | grep -c 'without a record\|attached for\|recorded for')
badmon=$(grep -c '^bad' "$T/log/monitor")
destroy_all
X gc >/dev/null 2>&1
X pf-disable enp1s0f0 >/dev/null 2>&1; X pf-disable enp1s0f1 >/dev/null 2>&1
check race-host-restored test "$(snapshot)" = "$base"
echo "FIGURE: race: $N allocators x $ROUNDS rounds in $secs s with gc, create/destroy" \
     "churn ($(grep -c '^create 0' "$T/log/rc.churn") domains) and pf-enable/pf-disable" \
     "($(grep -c '^pf-.* 0$' "$T/log/rc.pf") of $(grep -c . "$T/log/rc.pf") done) racing:" \
     "$got VFs given, $full refusals for want of a free VF, $other other failures;" \
     "$samples consistency checks ($badmon failed): double assignments $doubles," \
     "lost records $lost"
check race-no-double test "$doubles" = 0
check race-no-lost-records test "$lost" = 0
check race-consistent test "$badmon" = 0 -a "$samples" -gt 1
check race-no-other-failures test "$other" = 0
check race-some-given test "$got" -gt 0
