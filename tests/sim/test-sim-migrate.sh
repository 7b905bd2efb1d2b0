#!/bin/bash
# The simulated hypervisor's vifs, `xl migrate`, `xl save` and `xl restore`
# (tools/sim-backend/hv_sim_migrate.c), called one op at a time through
# tests/unit/hv-call on sim directories written by hand: a domain with a PCI
# device cannot leave, a migration moves the domain with its vifs to the peer's
# directory under a new domid, a failure moves nothing, and a saved domain comes
# back once.
#   SRIOV_SIM=... SRIOV_BUILDDIR=... SRIOV_BACKEND_DIR=... bash tests/sim/test-sim-migrate.sh
set -u
. "$(dirname "$0")/lib.sh"

HV_CALL=${SRIOV_BUILDDIR:-.}/tests/unit/hv-call
if [ ! -x "$HV_CALL" ]; then
    bad "no $HV_CALL (make check builds it)"
    finish
    exit 1
fi
WORK=$(mktemp -d /tmp/sriov-sim-migrate.XXXXXX)
trap 'rm -rf "$WORK"' EXIT INT TERM
A=$WORK/a B=$WORK/b
U1=11111111-2222-4333-8444-555555555555
U2=22222222-2222-4333-8444-555555555555
mkdir -p "$A/domains" "$B/domains"
printf 'domid 3\nname g1\n' >"$A/domains/$U1"
printf 'domid 1\nname other\n' >"$B/domains/$U2"
echo 7 >"$B/next-domid"
# HOST is the rest of the line, spaces and all; a relative DESTDIR is DIR's.
printf '%s hostb\n../b host b\n%s localhost\n' "$B" "$A" >"$A/peers"
printf '../a hosta\n' >"$B/peers"

# call DIR OP ARGS...: hv-call on sim:DIR; $RC, $OUT, $ERR.
call() {
    local dir=$1; shift
    OUT=$("$HV_CALL" "sim:$dir" "$@" 2>"$WORK/err"); RC=$?
    ERR=$(cat "$WORK/err")
}
state() { (cd "$1/domains" && grep -H . -- * 2>/dev/null) | sort; }

# --- vifs -------------------------------------------------------------------
call "$A" nic-add g1 00:16:3E:AA:BB:01 xenbr0
check "nic-add" 0 "$RC"
call "$A" nic-add g1 00:16:3e:aa:bb:02 ""
check "nic-add without a bridge" 0 "$RC"
call "$A" nic-list g1
check "nic-list: lower case, empty bridge empty" \
    "00:16:3e:aa:bb:01 bridge=xenbr0
00:16:3e:aa:bb:02 bridge=" "$OUT"
check_grep "no bridge is '-' in the domain file" "nic 00:16:3e:aa:bb:02 -" "$(cat "$A/domains/$U1")"
call "$A" nic-add g1 00:16:3e:AA:bb:02 xenbr1
check "nic-add of a MAC the domain has: EEXIST" 17 "$RC"
call "$A" nic-add g1 00:16:3e:aa:bb xenbr0
check "nic-add of a bad MAC: EINVAL" 22 "$RC"
call "$A" nic-add g1 00:16:3e:aa:bb:03 "br 0"
check "nic-add of a bad bridge: EINVAL" 22 "$RC"
call "$A" nic-list g1
check "refused vifs were not added" 2 "$(printf '%s\n' "$OUT" | wc -l)"

# --- migration refused -------------------------------------------------------
before_a=$(state "$A") before_b=$(state "$B")
echo "pci 0000:01:10.0" >>"$A/domains/$U1"
call "$A" migrate g1 hostb
check "migrate with a PCI device fails as xl does (EIO)" 5 "$RC"
check_grep "...because Xen refuses log-dirty mode" "Failed to enable logdirty" "$ERR"
sed -i '/^pci /d' "$A/domains/$U1"
check "...and nothing moved" "$before_a|$before_b" "$(state "$A")|$(state "$B")"

call "$A" migrate g1 nowhere
check "migrate to a host not in peers: EIO" 5 "$RC"
call "$A" migrate -x g1 hostb
check "migrate -x: xl's unknown option (exit status 2)" 5 "$RC"
check_grep "...said as xl says it" "option \`x' not supported" "$ERR"
call "$A" migrate g1
check_grep "migrate without HOST" "'xl migrate' requires at least 2 arguments" "$ERR"
call "$A" migrate g9 hostb
check_grep "migrate of no such domain" "g9 is an invalid domain identifier" "$ERR"
call "$A" migrate -s
check "migrate -s without its argument: EIO" 5 "$RC"
check "...and still nothing moved" "$before_a|$before_b" "$(state "$A")|$(state "$B")"

for fault in domain_migrate domain_migrate#1; do
    echo "$fault" >"$A/fail-at"
    call "$A" migrate g1 hostb
    check "fail-at $fault: EIO" 5 "$RC"
    check "...nothing moved" "$before_a|$before_b" "$(state "$A")|$(state "$B")"
done
echo "kill:domain_migrate" >"$A/fail-at"
call "$A" migrate g1 hostb
check "kill:domain_migrate kills it (SIGKILL)" 137 "$RC"
check "...nothing moved" "$before_a|$before_b" "$(state "$A")|$(state "$B")"
rm "$A/fail-at"
echo migrate_receive >"$B/fail-at"
call "$A" migrate g1 hostb
check "the destination's fail-at migrate_receive: EIO" 5 "$RC"
check "...nothing moved" "$before_a|$before_b" "$(state "$A")|$(state "$B")"
rm "$B/fail-at"
echo 7 >"$B/next-domid"

# --- migration ---------------------------------------------------------------
call "$A" migrate -e g1 hostb --debug
check "migrate (options after the operands, as getopt permutes)" 0 "$RC"
check "the domain left" "" "$(state "$A")"
check "it arrived with the next domid there, its name and vifs (built without passthrough)" \
    "domid 7
name g1
nic 00:16:3e:aa:bb:01 xenbr0
nic 00:16:3e:aa:bb:02 -
passthrough-off" "$(cat "$B/domains/$U1" 2>&1)"
check "the destination's next domid moved on" 8 "$(cat "$B/next-domid")"
call "$B" nic-list $U1
check "its vifs are listed there" 2 "$(printf '%s\n' "$OUT" | wc -l)"

call "$B" migrate -- 7 hosta
check "migrate back by domid, to a relative peer" 0 "$RC"
check_grep "it is back, domid 1 (no next-domid yet)" "domid 1" "$(cat "$A/domains/$U1" 2>&1)"
check "...and gone from there" "domid 1
name other" "$(state "$B" | sed 's/^[^:]*://')"

call "$A" migrate g1 "host b"
check "HOST with a space in it" 0 "$RC"
call "$B" migrate $U1 hosta
check "migrate by UUID" 0 "$RC"
call "$A" migrate g1 localhost
check "migrate to localhost" 0 "$RC"
check_grep "...same domain file, a new domid" "domid 3" "$(cat "$A/domains/$U1")"
call "$A" migrate -D g1 hostb
check "migrate -D keeps the domid" 0 "$RC"
check_grep "...domid 3 there" "domid 3" "$(cat "$B/domains/$U1" 2>&1)"
call "$B" migrate -D g1 hosta
call "$A" migrate -D g1 localhost
check "migrate -D to localhost: the domid is taken (EIO)" 5 "$RC"
printf 'domid 9\nname g1\n' >"$B/domains/$U2"
call "$A" migrate g1 hostb
check "migrate to where the name runs: EIO" 5 "$RC"
check_grep "...as libxl says it" "domain 'g1' already exists" "$ERR"
printf 'domid 1\nname other\n' >"$B/domains/$U2"

# --- save and restore --------------------------------------------------------
before_a=$(state "$A")
echo "pci 0000:01:10.0" >>"$A/domains/$U1"
call "$A" save g1 "$WORK/g1.save"
check "save with a PCI device: EIO" 5 "$RC"
check_grep "...log-dirty again" "Failed to enable logdirty" "$ERR"
check "...no save file" no "$([ -e "$WORK/g1.save" ] && echo yes || echo no)"
sed -i '/^pci /d' "$A/domains/$U1"
echo domain_save >"$A/fail-at"
call "$A" save g1 "$WORK/g1.save"
check "fail-at domain_save: EIO, domain kept, no file" "5|$before_a|no" \
    "$RC|$(state "$A")|$([ -e "$WORK/g1.save" ] && echo yes || echo no)"
rm "$A/fail-at"
call "$A" save -c g1 "$WORK/g1-c.save"
check "save -c leaves it running" "0|$before_a" "$RC|$(state "$A")"

call "$A" save g1 "$WORK/g1.save"
check "save" 0 "$RC"
check "...the domain is gone" "" "$(state "$A")"
check "...the file: magic, uuid, the domain without its domid" \
    "xen-sriov-sim saved domain
uuid $U1
name g1
nic 00:16:3e:aa:bb:01 xenbr0
nic 00:16:3e:aa:bb:02 -
passthrough-off" "$(cat "$WORK/g1.save")"
echo domain_restore >"$A/fail-at"
call "$A" restore "$WORK/g1.save"
check "fail-at domain_restore: EIO, nothing restored" "5|" "$RC|$(state "$A")"
rm "$A/fail-at"
call "$A" restore -p "$WORK/g1.save"
check "restore" 0 "$RC"
domid=$(sed -n 's/^domid //p' "$A/domains/$U1" 2>/dev/null)
check "...says which domain it started" "g1 $domid $U1" "$OUT"
call "$A" nic-list g1
check "...with its vifs" 2 "$(printf '%s\n' "$OUT" | wc -l)"
call "$A" restore "$WORK/g1.save"
check "restore while that UUID runs: EIO" 5 "$RC"
check_grep "...says so" "UUID $U1 is already running" "$ERR"
check "...the running one untouched" "domid $domid" "$(grep ^domid "$A/domains/$U1")"

call "$A" save -D g1 "$WORK/g1-d.save"
call "$A" restore "$WORK/g1-d.save"
check "save -D, restore: the same domid" "0|g1 $domid $U1" "$RC|$OUT"
echo "not a save file" >"$WORK/bad.save"
call "$A" restore "$WORK/bad.save"
check_grep "restore of something else: xl's wrong magic" "wrong magic number" "$ERR"
call "$A" restore "$WORK/none.save"
check "restore of a missing file: EIO" 5 "$RC"

# --- two migrations crossing ---------------------------------------------------
# Each takes both sims' locks, in one order for all, or two crossing migrations
# could each hold one.  A's lock is held here while the one from A starts and
# waits for it, then the one from B: taking its own lock first, that one would
# hold B's while waiting for A's, which the one from A gets first (flock wakes
# waiters in turn) and then waits for B's forever.
U3=33333333-2222-4333-8444-555555555555 U4=44444444-2222-4333-8444-555555555555
printf 'domid 20\nname ga\n' >"$A/domains/$U3"
printf 'domid 20\nname gb\n' >"$B/domains/$U4"
crossed=0
for round in 1 2 3 4; do
    if [ $((round % 2)) = 1 ]; then in_a=ga in_b=gb; else in_a=gb in_b=ga; fi
    flock "$A/lock" sleep 0.5 & holder=$!
    sleep 0.1
    timeout 20 "$HV_CALL" "sim:$A" migrate "$in_a" hostb 2>>"$WORK/race" & from_a=$!
    sleep 0.1
    timeout 20 "$HV_CALL" "sim:$B" migrate "$in_b" hosta 2>>"$WORK/race" & from_b=$!
    wait $from_b; rc_b=$?
    wait $from_a; rc_a=$?
    wait $holder
    [ "$rc_a$rc_b" = 00 ] && [ -e "$B/domains/$([ $in_a = ga ] && echo $U3 || echo $U4)" ] &&
        crossed=$((crossed + 1))
done
check "crossing migrations, four rounds, no deadlock" "4|" "$crossed|$(cat "$WORK/race")"

# --- the passthrough a moved domain is built with ---------------------------------
# libxl builds it from its configuration as given (the "passthrough" line), or
# from the one given instead: off ("passthrough-off", no device at run time)
# when that sets none, as the domain has no device by then.  A config given
# instead also names the UUID, as xl's parse_config_data does: a new random one
# when it sets no uuid=.
U5=55555555-2222-4333-8444-555555555555
printf 'domid 30\nname gp\npassthrough enabled\n' >"$A/domains/$U5"
call "$A" save gp "$WORK/gp.save"
check "a config that sets passthrough travels with the domain" "0|passthrough enabled" \
    "$RC|$(grep ^passthrough "$WORK/gp.save")"
before_a=$(state "$A")
call "$A" saved "$WORK/gp.save"
check "saved: the domain in the file, before it is restored" "0|gp 0 $U5|yes" \
    "$RC|$OUT|$([ "$(state "$A")" = "$before_a" ] && echo yes)"
printf 'name = "gp"\n' >"$WORK/gp.cfg"
call "$A" restore "$WORK/gp.cfg" "$WORK/gp.save"
new_uuid=$(awk '{ print $3 }' <<<"$OUT")
check "restored from a config that sets no uuid: a new UUID, as xl gives it" \
    "0|yes|yes" "$RC|$([ "$new_uuid" != "$U5" ] && echo yes)|$([ -e "$A/domains/$new_uuid" ] && echo yes)"
check "...and passthrough off, from a config that sets none" "passthrough-off" \
    "$(grep ^passthrough "$A/domains/$new_uuid")"
call "$A" save gp "$WORK/gp.save" "$WORK/gp.cfg"
saved_uuid=$(sed -n 's/^uuid //p' "$WORK/gp.save")
check "saved with that config: the file holds yet another new UUID" "0|yes" \
    "$RC|$([[ $saved_uuid =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ &&
             $saved_uuid != "$U5" && $saved_uuid != "$new_uuid" ]] && echo yes)"
printf 'name = "gp"\nuuid = "%s"\npassthrough = "Share_PT"\n' "$U5" >"$WORK/gp.cfg"
call "$A" restore "$WORK/gp.cfg" "$WORK/gp.save"
check "restored from one that sets uuid and passthrough: both" "0|passthrough Share_PT" \
    "$RC|$(grep ^passthrough "$A/domains/$U5")"
call "$A" save gp "$WORK/gp.save"
printf 'name = "gp"\npassthrough = "sometimes"\n' >"$WORK/gp.cfg"
call "$A" restore "$WORK/gp.cfg" "$WORK/gp.save"
check "a value xl does not know: refused, nothing restored" "5|" "$RC|$(cat "$A/domains/$U5" 2>/dev/null)"
check_grep "...says so" "unknown passthrough option 'sometimes'" "$ERR"
call "$A" saved "$WORK/bad.save"
check_grep "saved: something else is not a save file" "wrong magic number" "$ERR"

finish
