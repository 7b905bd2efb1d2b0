#!/bin/bash
# Progress on a terminal, none elsewhere (xl-sriov(1), PROGRESS): enabling VFs
# and preparing a domain's VFs report on a pseudo-terminal (script(1)), with
# the count of VFs that are there; the same commands on a pipe print no
# progress line.
HOSTLIB_NAME=progress
HOSTLIB_BASE=1
. "$(dirname "$0")/hostlib.sh"
command -v script >/dev/null || { echo "SKIP: progress: script(1) is not installed"; exit 0; }

cat >"$T/sriov.cfg" <<'CFG'
network = [ [ "name=lan", "pf=enp1s0f0" ] ]
CFG
printf 'name = "g1"\ntype = "hvm"\nvf = [ "network=lan" ]\n' >"$T/g1.cfg"
# on_tty COMMAND...: what it writes to a terminal (stdout and stderr both).
on_tty() { script -qec "$(printf '%q ' "$@")" /dev/null; }

mount_host "82599 vfs=8 numvfs=0"
tty=$(on_tty "$XL_SRIOV" pf-enable enp1s0f0 8 | tr '\r' '\n')
check tty-vfs-progress grep -q "0000:01:00.0: waiting for 8 VFs: 8/8 *100%" <<<"$tty"
X pf-disable enp1s0f0 >/dev/null
pipe=$(X pf-enable enp1s0f0 8 2>&1)
check pipe-no-progress test -z "$(grep -i "waiting for\|%" <<<"$pipe")"
check pipe-still-done grep -q "8 VFs enabled" <<<"$pipe"
tty=$(on_tty "$XL_SRIOV" create "$T/g1.cfg" | tr '\r' '\n')
check tty-create-progress grep -q "g1: preparing its VFs: 1/1 *100%" <<<"$tty"
rm -f "$T"/hv/domains/*; X gc >/dev/null
pipe=$(X create "$T/g1.cfg" 2>&1 >/dev/null)
check pipe-create-quiet test -z "$(grep -i "preparing\|%" <<<"$pipe")"
exit $((FAILS > 0))
