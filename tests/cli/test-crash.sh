#!/bin/bash
# Crash safety of create / pci-attach / pci-detach / gc (issue 9, defects 2-5) on
# the FUSE host simulator and the simulated hypervisor: kill -9 at every side
# effect (sysfs writes through the simulator's kill:ATTR faults, hypervisor and
# netlink operations through the sim's kill:OP / kill-after:OP crash points),
# then the next command or gc must leave host and records consistent, and after
# destroying the domain + gc the host must equal its snapshot from before.  Also:
# owner liveness (a zombie, a reused pid, a stopped owner), gc and allocation
# failing closed when the hypervisor cannot answer, and pf-enable/pf-disable
# serialised with assignment.
HOSTLIB_NAME=crash HOSTLIB_BASE=1
. "$(dirname "$0")/hostlib.sh"   # PIDS: killed on exit
# Everything the host, the hypervisor and the state hold.
snapshot() {
    local d
    for d in "$T"/sys/bus/pci/devices/*; do
        printf '%s %s' "${d##*/}" "$(basename "$(readlink "$d/driver" 2>/dev/null)" 2>/dev/null)"
        [ -e "$d/sriov_numvfs" ] && printf ' numvfs=%s autoprobe=%s' "$(cat "$d/sriov_numvfs")" \
            "$(cat "$d/sriov_drivers_autoprobe")"
        [ -e "$d/driver_override" ] && printf ' override=%s' "$(cat "$d/driver_override")"
        echo
    done
    echo "state: $({ tr -d ' \n' <"$T/state/assignments.json"; } 2>/dev/null)" | sed 's/: $/: []/'
    echo "xs: $(cat "$T/hv/xenstore" 2>/dev/null)"
    echo "assignable: $(cat "$T/hv/assignable" 2>/dev/null)"
    for d in "$T"/hv/domains/*; do [ -f "$d" ] && cat "$d"; done
    for d in "$T"/hv/netlink/*/*; do [ -f "$d" ] && echo "${d#$T/hv/netlink/}: $(tr '\n' ' ' <"$d")"; done
    ls "$T/state/vf-config" 2>/dev/null
}
# Records and host agree: every record attached with nothing pending, and each
# attached VF held by its domain, assignable, on pciback with the override, in
# xenstore; every VF the hypervisor holds, or on pciback, or with our override or
# a xenstore node, has a record; saved VF settings only for recorded VFs.
consistent() {
    python3 - "$T" <<'PY'
import glob, json, os, sys
T = sys.argv[1]
dev = T + '/sys/bus/pci/devices'
errs = []
def read(p, default=''):
    try:
        return open(p).read()
    except OSError:
        return default
def drv(b):
    try:
        return os.path.basename(os.readlink(f'{dev}/{b}/driver'))
    except OSError:
        return None
def dash(b):
    return b.replace(':', '-').replace('.', '-')
recs = json.loads(read(T + '/state/assignments.json', '[]') or '[]')
held = {}
for f in glob.glob(T + '/hv/domains/*'):
    for line in open(f):
        if line.startswith('pci '):
            held[line.split()[1]] = os.path.basename(f)
assignable = set(read(T + '/hv/assignable').split())
xs = [l.split(' ', 1)[0] for l in read(T + '/hv/xenstore').splitlines()]
ours = {}
for r in recs:
    vf = r['vf'] or '%s/%s' % (r['pf'], r['index'])
    if r['phase'] != 'attached' or r.get('pending', 0):
        errs.append('%s: record left %s, pending %s' % (vf, r['phase'], r.get('pending')))
        continue
    ours[vf] = r
    if held.get(vf) != r['domain_uuid']:
        errs.append('%s: recorded for %s, held by %s' % (vf, r['domain_uuid'], held.get(vf)))
    if vf not in assignable:
        errs.append(vf + ': recorded but not assignable')
    if drv(vf) != 'pciback':
        errs.append('%s: recorded but bound to %s' % (vf, drv(vf)))
    if read(f'{dev}/{vf}/driver_override').strip() != 'pciback':
        errs.append(vf + ': recorded but driver_override is not pciback')
    if '/xen-sriov/%s/%s/mac' % (r['domain_uuid'], dash(vf)) not in xs:
        errs.append(vf + ': recorded but not in xenstore')
marked = {d for d in os.listdir(dev)
          if drv(d) == 'pciback' or read(f'{dev}/{d}/driver_override').strip() == 'pciback'}
for b in sorted(set(held) | assignable | marked):
    if b not in ours:
        errs.append(b + ': held, assignable or on pciback without a record')
for p in xs:
    parts = p.split('/')
    if p.startswith('/xen-sriov/') and not any(
            r['domain_uuid'] == parts[2] and dash(v) == parts[3] for v, r in ours.items()):
        errs.append(p + ': xenstore node without a record')
    if p.startswith('/libxl/pci/') and not any(dash(a) == parts[3] for a in assignable):
        errs.append(p + ': libxl driver_path left for a device that is not assignable')
for f in os.listdir(T + '/state/vf-config') if os.path.isdir(T + '/state/vf-config') else []:
    if not any(f == '%s-vf%s' % (r['pf'], r['index']) for r in ours.values()):
        errs.append(f + ': saved VF settings without a record')
print('; '.join(errs))
sys.exit(1 if errs else 0)
PY
}
KILLS=0 KILLS_ATTACH=0 KILLS_CREATE=0 KILLS_DETACH=0 KILLS_GC=0
# crash_case NAME POINT NEXT COMMAND...: COMMAND dies by SIGKILL at POINT; after
# NEXT (a command line run as is: the next command, or gc) host and records are
# consistent; after destroying every domain + gc the host equals $before.
crash_case() {
    local name=$1 point=$2 next=$3 rc why; shift 3
    inject "$point"
    "$@" >/dev/null 2>"$T/err"; rc=$?
    heal
    if [ "$rc" -ne 137 ]; then
        fail "$name" "not killed at $point (exit $rc): $(tail -n 2 "$T/err" | tr '\n' ' ')"
        destroy_all; X gc >/dev/null 2>&1
        return 1
    fi
    if ! $next >/dev/null 2>"$T/err"; then
        fail "$name" "next command '$next' failed: $(tail -n 2 "$T/err" | tr '\n' ' ')"
    elif ! why=$(consistent); then
        fail "$name" "inconsistent after '$next': $why"
    else
        destroy_all
        if ! X gc >/dev/null 2>"$T/err"; then
            fail "$name" "gc after destroy failed: $(tail -n 2 "$T/err" | tr '\n' ' ')"
        elif [ "$(snapshot)" != "$before" ]; then
            fail "$name" "host differs: $(diff <(echo "$before") <(snapshot) | grep '^[<>]' | tr '\n' ' ')"
        else
            pass "$name"
            KILLS=$((KILLS + 1))
            return 0
        fi
    fi
    destroy_all; X gc >/dev/null 2>&1
    return 1
}

cat >"$T/sriov.cfg" <<'CFG'
network = [ [ "name=lan", "pf=enp1s0f0", "vlan=100" ] ]
CFG
cat >"$T/g1.cfg" <<'CFG'
name = "g1"
type = "pv"
kernel = "/boot/vmlinuz"
memory = 256
vf = [ 'network=lan,mac=00:16:3e:12:34:56', 'pf=enp1s0f1,vf=2,permissive=1' ]
CFG
printf 'name = "g2"\ntype = "hvm"\n' >"$T/g2.cfg"
printf 'name = "g3"\ntype = "hvm"\n' >"$T/g3.cfg"

# --- pci-attach killed at every side effect ----------------------------------
# From a PF without VFs, so enabling them (autoprobe off, count, autoprobe on)
# is part of it.  The next command is gc, or another attach, whose own run
# recovers first; kills after pci_add find the VF with the domain: finished.
attach_points="sysfs:kill:sriov_drivers_autoprobe=0 sysfs:kill:sriov_numvfs=4
    sysfs:kill:sriov_drivers_autoprobe=1 hv:kill:platform hv:kill:vf_set hv:kill-after:vf_set
    hv:kill-after:vf_set#2 sysfs:kill:driver_override=pciback
    hv:kill:assignable_add sysfs:kill:new_slot sysfs:kill:bind hv:kill-after:assignable_add
    hv:kill:pci_add hv:kill-after:pci_add hv:kill:xs_write hv:kill-after:xs_write
    hv:kill-after:xs_write#3 hv:kill-after:xs_write#5"
for p in $attach_points; do
    for next in gc attach; do
        mount_host "82599 vfs=4 numvfs=0"
        before=$(snapshot)
        X create "$T/g2.cfg" >/dev/null
        if [ $next = gc ]; then n="X gc"; else n="X pci-attach g2 network=lan"; fi
        crash_case "attach-$next-${p#*:}" "$p" "$n" X pci-attach g2 network=lan &&
            KILLS_ATTACH=$((KILLS_ATTACH + 1))
    done
done
# With the VFs enabled and probed already: libxl's unbind and remembered driver.
for p in sysfs:kill:unbind hv:kill-after:xs_write sysfs:kill:new_slot hv:kill-after:assignable_add; do
    mount_host "82599 vfs=4 numvfs=2"
    before=$(snapshot)
    X create "$T/g2.cfg" >/dev/null
    crash_case "attach-probed-${p#*:}" "$p" "X gc" X pci-attach g2 network=lan &&
        KILLS_ATTACH=$((KILLS_ATTACH + 1))
done

# --- create killed at every side effect ----------------------------------------
create_points="hv:kill-after:vf_set hv:kill-after:assignable_add sysfs:kill:sriov_numvfs=4
    hv:kill-after:vf_set#3 sysfs:kill:driver_override=pciback hv:kill-after:assignable_add#2
    hv:kill:domain_create hv:kill-after:domain_create hv:kill-after:xs_write
    hv:kill-after:xs_write#7 hv:kill-after:xs_write#10"
for p in $create_points; do
    mount_host "82599 vfs=4 numvfs=0"
    before=$(snapshot)
    crash_case "create-${p#*:}" "$p" "X gc" X create "$T/g1.cfg" &&
        KILLS_CREATE=$((KILLS_CREATE + 1))
done

# --- pci-detach killed at every undo: gc finishes the release -------------------
detach_points="hv:kill:xs_rm hv:kill-after:xs_rm hv:kill:pci_remove hv:kill-after:pci_remove
    sysfs:kill:driver_override= hv:kill:assignable_remove sysfs:kill:unbind
    sysfs:kill:remove_slot hv:kill-after:assignable_remove hv:kill-after:vf_set
    sysfs:kill:sriov_numvfs=0"
for p in $detach_points; do
    mount_host "82599 vfs=4 numvfs=0"
    before=$(snapshot)
    X create "$T/g2.cfg" >/dev/null
    vf=$(X pci-attach g2 network=lan 2>/dev/null)
    crash_case "detach-${p#*:}" "$p" "X gc" X pci-detach g2 "$vf" &&
        KILLS_DETACH=$((KILLS_DETACH + 1))
done

# --- gc killed while giving back a destroyed domain's VFs -------------------------
for p in hv:kill-after:xs_rm hv:kill-after:assignable_remove sysfs:kill:driver_override= \
         hv:kill-after:vf_set sysfs:kill:sriov_numvfs=0; do
    mount_host "82599 vfs=4 numvfs=0"
    before=$(snapshot)
    X create "$T/g1.cfg" >/dev/null
    destroy_all
    crash_case "gc-${p#*:}" "$p" "X gc" X gc && KILLS_GC=$((KILLS_GC + 1))
done
# Every point killed its command and was recovered from (2 next commands each for
# the 18 attach points, 4 probed ones, 11 create, 11 detach, 5 gc).
echo "kill points covered: $KILLS (pci-attach $KILLS_ATTACH, create $KILLS_CREATE," \
     "pci-detach $KILLS_DETACH, gc $KILLS_GC)"
check kill-points-all test "$KILLS_ATTACH $KILLS_CREATE $KILLS_DETACH $KILLS_GC" = "40 11 11 5"

# --- owner liveness ----------------------------------------------------------------
# A create killed before xl create, left a zombie (its parent never reaps it):
# kill(pid, 0) still succeeds, yet gc sees the owner's lock free and undoes it.
mount_host "82599 vfs=4 numvfs=0"
before=$(snapshot)
inject hv:kill:domain_create
bash -c '"$0" create "$1" >/dev/null 2>&1 & echo $! >"$2"; exec sleep 60' \
    "$XL_SRIOV" "$T/g1.cfg" "$T/zpid" &
PIDS+=($!)
for _ in $(seq 100); do
    zpid=$(cat "$T/zpid" 2>/dev/null)
    [ -n "$zpid" ] && [ "$(ps -o stat= -p "$zpid" 2>/dev/null | cut -c1)" = Z ] && break
    sleep 0.1
done
heal
check zombie-is-zombie test "$(ps -o stat= -p "$zpid" 2>/dev/null | cut -c1)" = Z
check zombie-kill0-alive kill -0 "$zpid"
check zombie-records-left grep -q '"phase": "reserved"' "$T/state/assignments.json"
check zombie-gc X gc
check zombie-host-restored test "$(snapshot)" = "$before"
kill -9 "${PIDS[-1]}" 2>/dev/null; wait "${PIDS[-1]}" 2>/dev/null

# A reused pid: the record's owner_pid now names a live process (this shell).
inject hv:kill:domain_create
X create "$T/g1.cfg" >/dev/null 2>&1
heal
sed -i "s/\"owner_pid\": [0-9]*/\"owner_pid\": $$/" "$T/state/assignments.json"
check reused-pid-owner grep -q "\"owner_pid\": $$" "$T/state/assignments.json"
check reused-pid-gc X gc
check reused-pid-host-restored test "$(snapshot)" = "$before"

# A live owner (stopped before xl create, so it holds no assignments lock) is
# left alone; pf-disable refuses while its records name the PF; once it is
# killed the next command (pf-disable itself) undoes its records and proceeds.
paused domain_create live-owner "$XL_SRIOV" create "$T/g1.cfg"
X gc >/dev/null 2>&1
check live-owner-kept test "$(grep -c '"phase": "reserved"' "$T/state/assignments.json")" = 2
check live-owner-vf-kept test "$(drv 0000:01:10.0)" = pciback
out=$(X pf-disable enp1s0f0 2>&1); rc=$?
check pf-disable-refused-reserved test $rc = 1
check pf-disable-names-vf-domain grep -q "0000:01:10.0.*being prepared for domain g1" <<<"$out"
out=$(X pf-enable --force 0000:01:00.1 2 2>&1); rc=$?
check pf-enable-force-refused test $rc = 1
check pf-numvfs-unchanged test "$(numvfs 0000:01:00.0) $(numvfs 0000:01:00.1)" = "4 4"
kill -9 "$spid"; wait "$spid" 2>/dev/null
check pf-disable-after-owner-died X pf-disable enp1s0f0
check owner-died-host-restored test "$(snapshot)" = "$before"

# pf-disable racing an attach that is mid-prepare (stopped holding the lock,
# VF reserved, not yet assignable): it waits instead of pulling the VF away.
X create "$T/g2.cfg" >/dev/null
before=$(snapshot)
paused assignable_add mid-prepare-attach "$XL_SRIOV" pci-attach g2 network=lan
timeout 2 "$XL_SRIOV" pf-disable enp1s0f0 >/dev/null 2>&1; rc=$?
check pf-disable-waits-for-attach test $rc = 124 -a "$(numvfs 0000:01:00.0)" = 4
kill -9 "$spid"; wait "$spid" 2>/dev/null
check pf-disable-after-attach-died X pf-disable enp1s0f0
check attach-died-host-restored test "$(snapshot)" = "$before"

# An attached VF: pf-disable and pf-enable refuse, naming the VF and the domain.
vf=$(X pci-attach g2 network=lan 2>/dev/null)
out=$(X pf-disable --force enp1s0f0 2>&1); rc=$?
check pf-disable-refused-attached test $rc = 1
check pf-disable-refusal-names grep -q "$vf) is assigned to domain g2" <<<"$out"
out=$(X pf-enable enp1s0f0 2 2>&1); rc=$?
check pf-enable-refused-attached test $rc = 1 -a "$(numvfs 0000:01:00.0)" = 4
check pf-other-pf-free X pf-enable 0000:01:00.1 2
check pf-other-pf-free-disable X pf-disable 0000:01:00.1

# --- the hypervisor cannot answer: fail closed --------------------------------------
destroy_all
inject hv:assigned_devices
out=$(X gc 2>&1); rc=$?
heal
check gc-lookup-fails-errors test $rc = 1
check gc-lookup-fails-says grep -q "cannot tell whether domain g2" <<<"$out"
check gc-lookup-fails-keeps grep -q "\"vf\": \"$vf\"" "$T/state/assignments.json"
check gc-lookup-fails-vf-kept test "$(drv "$vf")" = pciback
check gc-after-heal X gc
check gc-after-heal-restored test "$(snapshot | grep -v '^domid\|^name\|^passthrough')" = "$(grep -v '^domid\|^name\|^passthrough' <<<"$before")"
# A reserved record whose owner died: not released while the lookup fails either.
X create "$T/g2.cfg" >/dev/null
before=$(snapshot)
inject hv:kill:pci_add
X pci-attach g2 network=lan >/dev/null 2>&1
echo assigned_devices >"$T/hv/fail-at"
X gc >/dev/null 2>&1; rc=$?
heal
check gc-lookup-fails-reserved-kept test $rc = 1 -a "$(grep -c '"phase": "reserved"' "$T/state/assignments.json")" = 1
check gc-reserved-after-heal X gc
check gc-reserved-after-heal-restored test "$(snapshot)" = "$before"
# pci-detach's undo of the PCI step asks for the domain by UUID: kept on failure.
vf=$(X pci-attach g2 network=lan 2>/dev/null)
echo assigned_devices >"$T/hv/fail-at"
X pci-detach g2 "$vf" >/dev/null 2>&1; rc=$?
heal
check detach-lookup-fails-keeps test $rc = 1 -a "$(grep -c "\"vf\": \"$vf\"" "$T/state/assignments.json")" = 1
check detach-lookup-fails-vf-held grep -q "^pci $vf$" "$T"/hv/domains/*
check detach-retry X pci-detach g2 "$vf"
check detach-retry-restored test "$(snapshot)" = "$before"
# Allocation: a VF nobody can vouch for is not handed out.
X pf-enable enp1s0f0 2 >/dev/null 2>&1
before=$(snapshot)
echo assigned_devices >"$T/hv/fail-at"
out=$(X pci-attach g2 network=lan 2>&1); rc=$?
heal
check alloc-owner-unknown-refused test $rc = 1
check alloc-owner-unknown-says grep -q "cannot tell whether a domain has it" <<<"$out"
check alloc-owner-unknown-unchanged test "$(snapshot)" = "$before"
