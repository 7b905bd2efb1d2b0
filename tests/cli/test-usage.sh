#!/bin/bash
# Every subcommand follows the same rules for -h, unknown options and extra operands,
# and no usage error touches the host.
. "$(dirname "$0")/lib.sh"

root=$(sim_static host "82599 numvfs=2") || exit 1
cmds=$("$XL_SRIOV" help | awk '/^ [a-z]/ { print $1 }')
[ "$(wc -w <<<"$cmds")" -ge 15 ] && pass "help lists the subcommands" || fail "help lists the subcommands" "$cmds"
for c in $cmds; do
    run_xl "$root" "$c" -h
    [ "$RC" -eq 0 ] && grep -q "^Usage: xl-sriov $c" <<<"$OUT" && pass "$c -h" || fail "$c -h" "exit $RC: $OUT $ERR"
    [ "$c" = help ] && continue
    run_xl "$root" "$c" --no-such-option
    expect_rc "$c rejects an unknown option" 2
    expect_err "$c shows its usage on a bad option" "Usage: xl-sriov $c"
done

# Options may follow operands, as with xl.
run_xl "$root" vf-list 01:00.0 --json
expect_rc "vf-list PF --json" 0
[ "$(jq_py 'len(d)' <<<"$OUT")" = 2 ] && pass "option after operand parsed" || fail "option after operand parsed" "$OUT"

for c in pci-detach gc list network-list; do
    run_xl "$root" "$c" --force
    expect_rc "$c has no --force" 2
done
run_xl "$root" pf-disable --host-probe 01:00.0
expect_rc "--host-probe only for pf-enable" 2
for c in gc list network-list pf-list; do
    run_xl "$root" "$c" extra
    expect_rc "$c takes no operand" 2
done
run_xl "$root" vf-list 01:00.0 extra
expect_rc "vf-list takes one PF at most" 2
run_xl "$root" vf-show
expect_rc "vf-show needs a VF" 2
run_xl "$root" watch --once extra
expect_rc "watch takes no operand" 2
[ "$(cat "$root/bus/pci/devices/0000:01:00.0/sriov_numvfs")" = 2 ] && pass "usage errors changed nothing" ||
    fail "usage errors changed nothing" "numvfs $(cat "$root/bus/pci/devices/0000:01:00.0/sriov_numvfs")"
exit $FAILED
