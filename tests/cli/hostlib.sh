# Helpers for the tests on the synthetic host (sourced, not a test itself): a
# synthetic host over FUSE with the simulated hypervisor and rtnetlink in $T/hv,
# its snapshot, the records/host consistency check, and fault injection.
# Environment from tests/run-tier1: XL_SRIOV, SRIOV_SIM.  HOSTLIB_NAME names the
# test in its SKIP line.  With HOSTLIB_BASE=1 only the common part is set up (the
# SKIP check, $T and its cleanup, pass/fail/check, mount_host, the SRIOV_*
# exports, X, drv, numvfs, stopped, inject, heal, destroy_all, paused, resume),
# for tests that bring their own configs and snapshot;
# otherwise also the issue-9 figure tests' configs and helpers (test-faults-*.sh,
# test-kill-random.sh, test-race.sh).
set -u
: "${XL_SRIOV:?}" "${SRIOV_SIM:?}"
HOSTLIB_NAME=${HOSTLIB_NAME:-$(basename "$0" .sh)}
if [ ! -x "$SRIOV_SIM" ] || [ ! -e /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
    echo "SKIP: $HOSTLIB_NAME: needs the FUSE host simulator ($SRIOV_SIM) and /dev/fuse"
    exit 0
fi
# On tmpfs if there is one: every state write fsyncs, and a disk makes that the
# larger part of the run time.
T=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
PIDS=()   # processes the test started directly (kill -9 on exit, with their
          # process group when they lead one: setsid)
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill -9 -- "-$p" 2>/dev/null || kill -9 "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    fusermount3 -u "$T/sys" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap "exit 143" TERM INT
FAILS=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; FAILS=$((FAILS + 1)); }
check() { local n=$1; shift; if "$@"; then pass "$n"; else fail "$n" "$*"; fi; }

# mount_host DESC: a fresh synthetic host, hypervisor, state.
mount_host() {
    fusermount3 -u "$T/sys" 2>/dev/null
    rm -rf "$T/sys" "$T/hv" "$T/state" "$T/run" "$T/sysfs-fail-at"
    mkdir -p "$T/sys" "$T/hv" "$T/state" "$T/run"
    "$SRIOV_SIM" mount --faults "$T/sysfs-fail-at" --host "$1" "$T/sys" ||
        { echo "FAIL: mount: $1"; exit 1; }
}
export SRIOV_SYSFS=$T/sys SRIOV_HYPERVISOR=sim:$T/hv SRIOV_NETLINK=sim:$T/hv SRIOV_STATE_DIR=$T/state
export SRIOV_RUN_DIR=$T/run SRIOV_CONFIG=$T/sriov.cfg
X() { "$XL_SRIOV" "$@"; }
drv() { basename "$(readlink "$T/sys/bus/pci/devices/$1/driver" 2>/dev/null)" 2>/dev/null || echo -; }
numvfs() { cat "$T/sys/bus/pci/devices/$1/sriov_numvfs"; }
# stopped PID: the process is stopped (a "stop:" crash point reached); waits
# for it up to 10 s.
stopped() {
    local _
    for _ in $(seq 100); do
        [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" = T ] && return 0
        sleep 0.1
    done
    return 1
}
# inject WHERE:WHAT...: make the next commands fail or die there (hv:OP for
# $T/hv/fail-at, sysfs:ATTR for the simulator's faults file; see the top
# comments of tools/sim-backend/hv_sim.c and tools/sriov-sim/fuse_fs.c).
inject() {
    local p
    : >"$T/hv/fail-at.new"
    : >"$T/sysfs-fail-at.new"
    for p in "$@"; do
        case $p in
        hv:*) echo "${p#hv:}" >>"$T/hv/fail-at.new" ;;
        sysfs:*) echo "${p#sysfs:}" >>"$T/sysfs-fail-at.new" ;;
        esac
    done
    mv "$T/hv/fail-at.new" "$T/hv/fail-at"
    mv "$T/sysfs-fail-at.new" "$T/sysfs-fail-at"
}
heal() { rm -f "$T/hv/fail-at" "$T/sysfs-fail-at"; }
destroy_all() { rm -f "$T"/hv/domains/*; }
# paused OP NAME CMD...: CMD runs in the background until it reaches the
# simulated hypervisor's OP (a stop: crash point), its output in $T/paused.out,
# its pid in $spid (killed on exit); checks NAME-stopped.  resume: it goes on,
# $rc its exit status.
paused() {
    local op=$1 name=$2
    shift 2
    inject "hv:stop:$op"
    "$@" >"$T/paused.out" 2>&1 &
    spid=$!
    PIDS+=($spid)
    stopped "$spid"
    heal
    check "$name-stopped" stopped "$spid"
}
resume() { kill -CONT "$spid"; wait "$spid"; rc=$?; }
[ -n "${HOSTLIB_BASE:-}" ] && return 0

cat >"$T/sriov.cfg" <<'CFG'
network = [ [ "name=lan", "pf=enp1s0f0", "vlan=100" ] ]
CFG
# Fixed UUIDs, so that a domain created again compares equal.
cat >"$T/g1.cfg" <<'CFG'
name = "g1"
uuid = "a1a1a1a1-0000-4000-8000-000000000001"
type = "pv"
kernel = "/boot/vmlinuz"
memory = 256
vf = [ 'network=lan,mac=00:16:3e:12:34:56', 'pf=enp1s0f1,vf=2,permissive=1' ]
CFG
printf 'name = "g2"\nuuid = "a2a2a2a2-0000-4000-8000-000000000002"\ntype = "hvm"\n' >"$T/g2.cfg"

# python3: the system's if there is one (a pyenv shim costs 0.4 s a call).
PY3=$(command -v /usr/bin/python3 || command -v python3)
# Everything the host, the hypervisor and the state hold: drivers, numvfs,
# autoprobe, driver_override, records, xenstore, assignable list, domains, L2
# settings, saved VF settings; domids (hints, renumbered by every create) masked.
# (One python3 run: this is called thousands of times.)
snapshot() {
    "$PY3" - "$T" <<'PY'
import glob, os, re, sys
T = sys.argv[1]
def read(p):
    try:
        return re.sub(r'(domid_hint": *|domid )[0-9]+', r'\1D', open(p).read())
    except OSError:
        return None
out = []
for d in sorted(glob.glob(T + '/sys/bus/pci/devices/*')):
    try:
        drv = os.path.basename(os.readlink(d + '/driver'))
    except OSError:
        drv = ''
    line = '%s %s' % (os.path.basename(d), drv)
    n = read(d + '/sriov_numvfs')
    if n is not None:
        line += ' numvfs=%s autoprobe=%s' % (n.strip(), (read(d + '/sriov_drivers_autoprobe') or '').strip())
    o = read(d + '/driver_override')
    if o is not None:
        line += ' override=%s' % o.strip()
    out.append(line)
st = read(T + '/state/assignments.json')
out.append('state: %s' % (''.join(st.split()) if st and st.strip() else '[]'))
out.append('xs: %s' % (read(T + '/hv/xenstore') or '').rstrip('\n'))
out.append('assignable: %s' % (read(T + '/hv/assignable') or '').rstrip('\n'))
for f in sorted(glob.glob(T + '/hv/domains/*')):
    out.append((read(f) or '').rstrip('\n'))
for f in sorted(glob.glob(T + '/hv/netlink/*/*')):
    out.append('%s: %s' % (f[len(T + '/hv/netlink/'):], (read(f) or '').replace('\n', ' ')))
if os.path.isdir(T + '/state/vf-config'):
    out += sorted(os.listdir(T + '/state/vf-config'))
print('\n'.join(out))
PY
}
# diff_host BEFORE: what differs from BEFORE, on one line.
diff_host() { diff <(echo "$1") <(snapshot) | grep '^[<>]' | tr '\n' ' '; }

# consistent [--live]: records and host agree.  Every record attached with
# nothing pending, and each such VF held by its domain, assignable, on pciback
# with the override, in xenstore; every VF a domain holds, or assignable, or on
# pciback, or with our override or a xenstore node, has a record; saved VF
# settings only for recorded VFs; no VF in two records.  With --live (commands
# may still be running; read under their assignments lock): records of any
# phase count, and a VF may be held, assignable or on pciback if some record
# names it (reserved or releasing);
# still no VF in two records, no domain holding a VF without a record, and
# no attached VF missing from its domain (unless the domain is gone: gc's work).
# With --kept (after a failed command, before the next): records of any phase
# count, but every VF held, assignable, on pciback or with our override, every
# xenstore node and saved setting must be named by one (nothing lost).
consistent() {
    "$PY3" - "$T" "${1:-}" <<'PY'
import glob, json, os, sys
T, mode = sys.argv[1], sys.argv[2]
live = mode in ('--live', '--kept')
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
lock = None
if mode == '--live':   # a view no command is changing: under the assignments lock
    import fcntl
    os.makedirs(T + '/run', exist_ok=True)
    lock = open(T + '/run/assignments.lock', 'a')
    fcntl.flock(lock, fcntl.LOCK_EX)
recs = json.loads(read(T + '/state/assignments.json', '[]') or '[]')
held = {}
# A domain file being replaced (the sim writes a temp file, then renames it)
# or removed (destroy) while this runs: the temp file is not a domain, and a
# vanished file holds nothing.
for f in glob.glob(T + '/hv/domains/*'):
    if '.tmp.' in os.path.basename(f):
        continue
    try:
        lines = open(f).readlines()
    except FileNotFoundError:
        continue
    for line in lines:
        if line.startswith('pci '):
            b = line.split()[1]
            if b in held:
                errs.append('%s: held by two domains' % b)
            held[b] = os.path.basename(f)
assignable = set(read(T + '/hv/assignable').split())
xs = [l.split(' ', 1)[0] for l in read(T + '/hv/xenstore').splitlines()]
ours, named = {}, {}
for r in recs:
    vf = r['vf'] or '%s/%s' % (r['pf'], r['index'])
    key = '%s/%s' % (r['pf'], r['index'])
    if key in named:
        errs.append('%s: in two records (%s, %s)' % (vf, named[key], r['domain_uuid']))
    named[key] = r['domain_uuid']
    if live:
        if r['vf']:
            ours[r['vf']] = r
        if r['phase'] == 'attached' and held.get(vf) != r['domain_uuid'] and \
                os.path.exists(T + '/hv/domains/' + r['domain_uuid']):
            errs.append('%s: attached for %s, held by %s' % (vf, r['domain_uuid'], held.get(vf)))
        continue
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
for b, u in sorted(held.items()):
    if b in ours and ours[b]['domain_uuid'] != u:
        errs.append('%s: held by %s, recorded for %s' % (b, u, ours[b]['domain_uuid']))
if mode == '--live':
    marked = set(held)
else:
    marked = set(held) | assignable | {d for d in os.listdir(dev) if drv(d) == 'pciback' or
                                       read(f'{dev}/{d}/driver_override').strip() == 'pciback'}
for b in sorted(marked):
    if b not in ours:
        errs.append(b + ': held, assignable or on pciback without a record')
if mode != '--live':
    for p in xs:
        parts = p.split('/')
        if p.startswith('/xen-sriov/') and not any(
                r['domain_uuid'] == parts[2] and dash(v) == parts[3] for v, r in ours.items()):
            errs.append(p + ': xenstore node without a record')
        if p.startswith('/libxl/pci/') and not any(dash(a) == parts[3] for a in assignable) \
                and not (mode == '--kept' and any(dash(v) == parts[3] for v in ours)):
            errs.append(p + ': libxl driver_path left for a device that is not assignable')
    for f in os.listdir(T + '/state/vf-config') if os.path.isdir(T + '/state/vf-config') else []:
        if not any(f == '%s-vf%s' % (r['pf'], r['index']) for r in ours.values()):
            errs.append(f + ': saved VF settings without a record')
print('; '.join(errs))
sys.exit(1 if errs else 0)
PY
}


# trace_points COMMAND...: run COMMAND once and print the side effects it
# reaches, in order of kind: its hypervisor and netlink operations (hv:OP#N)
# and sysfs writes (sysfs:ATTR=VALUE#N), from the sims' trace mode; with strace,
# also its state writes (state:K, K = the Kth rename(2) of the run, when it
# replaces a file under $SRIOV_STATE_DIR).  Leaves the command's effect.
trace_points() {
    rm -f "$T/trace" "$T/strace"
    inject "hv:trace:$T/trace" "sysfs:trace:$T/trace"
    if [ -n "$STRACE" ]; then
        ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 "$STRACE" -f -qq -e signal=none \
            -o "$T/strace" -e trace=rename,renameat,renameat2 "$@" >/dev/null 2>&1
    else
        "$@" >/dev/null 2>&1
    fi
    heal
    cat "$T/trace" 2>/dev/null
    [ -f "$T/strace" ] && awk -v s="$T/state/" \
        '/rename/ { k++; if (index($0, "\", \"" s) > 0) print "state:" k }' "$T/strace"
}
# run_at POINT COMMAND...: run COMMAND with a failure at POINT (as trace_points
# prints it); its exit status.
run_at() {
    local p=$1 rc; shift
    case $p in
    state:*)
        inject
        ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 "$STRACE" -f -qq -e signal=none -o /dev/null \
            -e trace=rename,renameat,renameat2 \
            -e inject=rename,renameat,renameat2:error=EIO:when="${p#state:}" "$@"
        ;;
    *) inject "$p"; "$@" ;;
    esac
    rc=$?
    heal
    return $rc
}
# strace(1) injects the state write failures (there is no seam for the state
# directory); without it those points are not counted.
STRACE=$(command -v strace || true)
if [ -n "$STRACE" ] && ! "$STRACE" -qq -o /dev/null true 2>/dev/null; then
    STRACE=  # no ptrace here (container)
fi
