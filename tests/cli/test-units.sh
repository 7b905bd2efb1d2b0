#!/bin/bash
# The systemd units (tools/systemd): systemd-analyze verify accepts them as
# built (a test copy runs the built xl-sriov, the installed one may not exist),
# and their ExecStart lines are xl-sriov commands; watch is run as the unit
# runs it (once) against the synthetic host.
. "$SRIOV_SRCDIR/tests/cli/lib.sh"

units=(xen-sriov-watch xen-sriov-boot)
for u in "${units[@]}"; do
    [ -f "$SRIOV_BUILDDIR/tools/systemd/$u.service" ] ||
        { fail "units: $u" "$SRIOV_BUILDDIR/tools/systemd/$u.service not built"; exit 1; }
done

# ExecStart names the configured sbindir, with nothing left to substitute.
sbindir=$(eval "$(sed -n "s/^\(prefix\|exec_prefix\|sbindir\) = \(.*\)/\1='\2'/p" "$SRIOV_BUILDDIR/Makefile")"
    while [[ $sbindir == *'$'* ]]; do eval "sbindir=$sbindir"; done; echo "$sbindir")
for u in "${units[@]}"; do
    f=$SRIOV_BUILDDIR/tools/systemd/$u.service
    exec_line=$(grep '^ExecStart=' "$f")
    if grep -q '@[a-z_]*@' "$f"; then
        fail "units: $u substituted" "$(grep -n '@[a-z_]*@' "$f" | head -n 2 | tr '\n' ' ')"
    elif [[ $exec_line == "ExecStart=$sbindir/xl-sriov "* ]]; then
        pass "units: $u runs $sbindir/xl-sriov"
    else
        fail "units: $u ExecStart" "'$exec_line' does not run $sbindir/xl-sriov"
    fi
done

if ! command -v systemd-analyze >/dev/null; then
    skip "units: systemd-analyze verify" "systemd-analyze not found (Debian: apt-get install systemd)"
else
    # Test copies run the built xl-sriov; their man: links find the built pages.
    mkdir -p "$WORK/units" "$WORK/man/man1" "$WORK/man/man5"
    for u in "${units[@]}"; do
        sed "s|^\(ExecStart=\)$sbindir/xl-sriov |\1$SRIOV_BUILDDIR/xl-plugin/xl-sriov |" \
            "$SRIOV_BUILDDIR/tools/systemd/$u.service" >"$WORK/units/$u.service"
    done
    ln -s "$SRIOV_BUILDDIR/man/xl-sriov.1" "$WORK/man/man1/"
    ln -s "$SRIOV_BUILDDIR/man/xl-sriov.cfg.5" "$WORK/man/man5/"
    for u in "${units[@]}"; do
        out=$(cd "$WORK/units" && MANPATH=$WORK/man systemd-analyze verify "$WORK/units/$u.service" 2>&1) && rc=0 || rc=$?
        if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
            pass "units: systemd-analyze verify $u.service"
        else
            fail "units: systemd-analyze verify $u.service" "status $rc: $(head -n 5 <<<"$out" | tr '\n' ' ')"
        fi
    done
    # ... and it does complain (a mistyped key only warns, with status 0).
    sed 's/^RemainAfterExit=/RemainAfterExits=/' "$WORK/units/xen-sriov-boot.service" >"$WORK/units/bad.service"
    out=$(cd "$WORK/units" && MANPATH=$WORK/man systemd-analyze verify "$WORK/units/bad.service" 2>&1)
    if grep -q RemainAfterExits <<<"$out"; then
        pass "units: systemd-analyze verify reports a mistyped key"
    else
        fail "units: verify control" "no complaint about RemainAfterExits: $out"
    fi
fi

# Each ExecStart is an xl-sriov command: its subcommand has help, and takes
# the unit's arguments.
for u in "${units[@]}"; do
    read -r -a argv <<<"$(sed -n 's/^ExecStart=[^ ]*xl-sriov *//p' "$SRIOV_BUILDDIR/tools/systemd/$u.service")"
    sub=${argv[0]:-}
    out=$("$XL_SRIOV" help "$sub" 2>&1) && rc=0 || rc=$?
    if [ "$rc" -eq 0 ] && grep -q "^Usage: xl-sriov $sub" <<<"$out"; then
        pass "units: $u ExecStart: xl-sriov help $sub"
    elif [ "$sub" = boot ] && grep -q "unknown command 'boot'" <<<"$out"; then
        skip "units: $u ExecStart" "xl-sriov has no boot command yet (the unit is ready for it)"
    else
        fail "units: $u ExecStart" "xl-sriov help $sub: status $rc: $out"
    fi
done

# The watch unit's command, once, on the synthetic host and the simulated hypervisor.
root=$(sim_static watch "82599 x1") || { fail "units: sim" "sriov-sim build failed"; exit 1; }
mkdir -p "$WORK/hv" "$WORK/state" "$WORK/run"
read -r -a argv <<<"$(sed -n 's/^ExecStart=[^ ]*xl-sriov *//p' "$SRIOV_BUILDDIR/tools/systemd/xen-sriov-watch.service")"
run_xl "$root" --hypervisor "sim:$WORK/hv" --netlink "sim:$WORK/hv" --state-dir "$WORK/state" \
    --run-dir "$WORK/run" --config "$WORK/sriov.cfg" "${argv[@]}" --once
expect_rc "units: xen-sriov-watch's command (${argv[*]} --once) on the synthetic host" 0
# The boot unit's command with nothing declared: no guests, an empty config.
read -r -a argv <<<"$(sed -n 's/^ExecStart=[^ ]*xl-sriov *//p' "$SRIOV_BUILDDIR/tools/systemd/xen-sriov-boot.service")"
if "$XL_SRIOV" help "${argv[0]}" >/dev/null 2>&1; then
    mkdir -p "$WORK/auto"
    : >"$WORK/sriov.cfg"
    run_xl "$root" --hypervisor "sim:$WORK/hv" --netlink "sim:$WORK/hv" --state-dir "$WORK/state" \
        --run-dir "$WORK/run" --config "$WORK/sriov.cfg" "${argv[@]}" --auto-dir "$WORK/auto"
    expect_rc "units: xen-sriov-boot's command (${argv[*]}, empty config and auto dir) on the synthetic host" 0
else
    skip "units: xen-sriov-boot's command on the synthetic host" "xl-sriov has no ${argv[0]} command yet"
fi
exit $FAILED
