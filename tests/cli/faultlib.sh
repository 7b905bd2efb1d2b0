# The fault injection of issue 9's figure 1, shared by test-faults-attach.sh and
# test-faults-detach.sh (sourced after hostlib.sh; not a test itself).
# A failure at every side effect of pf-enable, create,
# pci-attach, pci-detach and gc.  The points are not listed by hand: each
# command runs once in the sims' trace mode (tools/sim-backend/hv_sim.c,
# tools/sriov-sim/fuse_fs.c: every hypervisor call, netlink request and sysfs
# write, as OP#N), and under strace(1) for its state writes (each rename(2) that
# replaces a file of the state directory, failed by strace's syscall fault
# injection: there is no other seam for it).  Then, for each point, the command
# runs again with exactly that operation failing, and:
#   pf-enable, pci-attach, create (until xl create has made the domain):
#     the command fails naming the failed step, and the host equals its
#     snapshot from before (numvfs, autoprobe, drivers, driver_override,
#     assignable list, L2 settings, xenstore, domains, records, saved settings);
#   create, once the domain exists: the command fails naming the step, the
#     guest keeps what it got, the next gc leaves host and records consistent,
#     and after destroy + gc the host equals its snapshot;
#   pci-detach, gc (which give back, rolling forward): the command fails
#     naming the step, the record still names the VF (nothing is lost), and
#     after the retry (the same command) the host equals its snapshot from
#     before the VF was given.
# A failure of a read the command can do without (it then succeeds) is allowed
# only if the result equals that of an unfailed run; such points are counted.
TOTAL=0 TOLERATED=0 BAD=0
declare -A PER
# names_step OUT: the error names what failed: the step of an assignment or a
# release ("step 'X' failed"), xl create or the recording after it (create),
# the attribute (pf-enable), or the domain look-up gc could not do.
names_step() {
    grep -q "step '[a-z_0-9]*' failed\|xl create .* failed\|but recording them failed\|writing .* to sriov_numvfs failed\|sriov_drivers_autoprobe\|cannot tell whether" <<<"$1"
}
# A state point must have failed a state write.
state_named() { case $1 in state:*) grep -q "cannot rename" <<<"$2" ;; *) true ;; esac; }
oneline() { tr '\n' ' ' <<<"$1" | cut -c1-600; }
count() { PER[$1]=$2; TOTAL=$((TOTAL + $2)); BAD=$((BAD + $3)); [ "$3" = 0 ] && pass "$1: $2 points"; }

# forward NAME UNDO COMMAND...: the points of COMMAND, a forward command (on the
# host as it is now; UNDO takes back what an unfailed run did).
forward() {
    local name=$1 undo=$2 p out rc n=0 bad=0 why before after now; shift 2
    before=$(snapshot)
    POINTS=$(trace_points "$@" | sort -u)
    after=$(snapshot)   # what an unfailed run leaves, for tolerated failures
    $undo
    [ "$(snapshot)" = "$before" ] || fail "$name-trace-undo" "$(diff_host "$before")"
    [ -n "$POINTS" ] || fail "$name-trace" "no points traced"
    for p in $POINTS; do
        n=$((n + 1))
        out=$(run_at "$p" "$@" 2>&1); rc=$?
        now=$(snapshot)
        if [ $rc -eq 0 ]; then
            if [ "$now" = "$after" ]; then
                TOLERATED=$((TOLERATED + 1))
                $undo
                now=$(snapshot)
            else
                fail "$name@$p" "succeeded despite the failure, with another result: $(diff_host "$after")"
                bad=$((bad + 1))
            fi
        elif ! names_step "$out" || ! state_named "$p" "$out"; then
            fail "$name@$p" "exit $rc, error does not name the step: $(oneline "$out")"
            bad=$((bad + 1))
        elif [ "$name" = create ] && [ -n "$(ls "$T"/hv/domains/)" ]; then
            # After xl create: the guest keeps its VFs; gc finishes the records.
            if ! X gc >/dev/null 2>"$T/err"; then
                fail "$name@$p" "gc after the failure failed: $(oneline "$(cat "$T/err")")"
                bad=$((bad + 1))
            elif ! why=$(consistent); then
                fail "$name@$p" "inconsistent after gc: $why"; bad=$((bad + 1))
            else
                destroy_all; X gc >/dev/null 2>&1
                now=$(snapshot)
                if [ "$now" != "$before" ]; then
                    fail "$name@$p" "after destroy + gc: $(diff_host "$before")"; bad=$((bad + 1))
                fi
            fi
        elif [ "$now" != "$before" ]; then
            fail "$name@$p" "host changed: $(diff_host "$before") (error: $(oneline "$out"))"
            bad=$((bad + 1))
        fi
        [ "$now" = "$before" ] || { echo "# $name@$p: giving up on this host"; break; }
    done
    count "$name" "$n" "$bad"
}

# backward NAME GIVE COMMAND...: the points of COMMAND, which gives back what
# GIVE gave (on the host as it is now, which is what COMMAND must come back to).
backward() {
    local name=$1 give=$2 p out rc n=0 bad=0 why base now; shift 2
    base=$(snapshot)
    $give
    POINTS=$(trace_points "$@" | sort -u)
    [ "$(snapshot)" = "$base" ] || fail "$name-trace" "did not give back: $(diff_host "$base")"
    [ -n "$POINTS" ] || fail "$name-trace" "no points traced"
    for p in $POINTS; do
        n=$((n + 1))
        $give
        out=$(run_at "$p" "$@" 2>&1); rc=$?
        now=$base
        if [ $rc -eq 0 ]; then
            now=$(snapshot)
            if [ "$now" = "$base" ]; then
                TOLERATED=$((TOLERATED + 1))
            else
                fail "$name@$p" "succeeded despite the failure, leaving: $(diff_host "$base")"
                bad=$((bad + 1))
            fi
        elif ! names_step "$out" || ! state_named "$p" "$out"; then
            fail "$name@$p" "exit $rc, error does not name the step: $(oneline "$out")"
            bad=$((bad + 1))
        elif ! why=$(consistent --kept); then
            fail "$name@$p" "a record is lost: $why"; bad=$((bad + 1))
        elif ! "$@" >/dev/null 2>"$T/err"; then
            fail "$name@$p" "the retry failed: $(oneline "$(cat "$T/err")")"; bad=$((bad + 1))
        elif now=$(snapshot); [ "$now" != "$base" ]; then
            fail "$name@$p" "after the retry: $(diff_host "$base")"; bad=$((bad + 1))
        fi
        [ $rc -ne 0 ] && [ "$now" = "$base" ] || now=$(snapshot)
        [ "$now" = "$base" ] || { echo "# $name@$p: giving up on this host"; break; }
    done
    count "$name" "$n" "$bad"
}


attach() { X pci-attach g2 network=lan >/dev/null; }
detach() { X pci-detach g2 0000:01:10.0 >/dev/null; }
create_destroy() { X create "$T/g1.cfg" >/dev/null; destroy_all; }
destroy_gc() { destroy_all; X gc >/dev/null; }
state_writes() { if [ -n "$STRACE" ]; then echo included; else echo 'not injected (no strace)'; fi; }
