# Helpers for tier-1 shell tests (sourced).  Protocol: PASS:/FAIL:/SKIP: lines.
# Environment from tests/run-tier1: XL_SRIOV, SRIOV_SIM, SRIOV_SRCDIR, SRIOV_BUILDDIR.
set -u

FAILED=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; FAILED=1; }
skip() { echo "SKIP: $1: $2"; }

WORK=$(mktemp -d /tmp/xen-sriov-test.XXXXXX)
# Unmount every synthetic host under WORK (sim_mount runs in a subshell, so
# ask the kernel what is mounted rather than remembering it).
cleanup() {
    local m
    for m in $(awk -v w="$WORK/" 'index($2, w) == 1 { print $2 }' /proc/mounts); do
        fusermount3 -u "$m" 2>/dev/null || umount -l "$m"
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

# sim_static NAME DESC: a static synthetic host; prints its root.
sim_static() {
    local root=$WORK/$1
    "$SRIOV_SIM" build --host "$2" "$root" >/dev/null || { echo "sriov-sim build failed" >&2; return 1; }
    echo "$root"
}

# sim_mount NAME DESC: a FUSE synthetic host with the kernel's write semantics.
sim_mount() {
    local root=$WORK/$1
    mkdir -p "$root"
    "$SRIOV_SIM" mount --host "$2" "$root" >/dev/null || { echo "sriov-sim mount failed" >&2; return 1; }
    echo "$root"
}

# run_xl ROOT ARGS...: xl-sriov on ROOT; sets OUT, ERR and RC.
run_xl() {
    local root=$1
    shift
    OUT=$("$XL_SRIOV" --sysfs "$root" "$@" 2>"$WORK/stderr") && RC=0 || RC=$?
    ERR=$(cat "$WORK/stderr")
}

# expect_rc NAME WANT: check the last run_xl exit status.
expect_rc() {
    if [ "$RC" -eq "$2" ]; then pass "$1"; else fail "$1" "exit $RC, want $2; stderr: $ERR"; fi
}

# expect_err NAME TEXT: the last run_xl's stderr mentions TEXT.
expect_err() {
    if grep -qF -- "$2" <<<"$ERR"; then pass "$1"; else fail "$1" "stderr lacks '$2': $ERR"; fi
}

# check NAME COMMAND...: PASS if the command succeeds.
check() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$(tail -n 3 <<<"$out" | tr '\n' ' ')"; fi
}

# jq_py EXPR: evaluate a Python expression over the JSON on stdin bound to `d`.
jq_py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
