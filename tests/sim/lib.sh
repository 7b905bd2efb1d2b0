# Shared helpers for the sriov-sim tests: sourced, not run.
# Every check prints one line; the test's exit status is 1 if any failed.

SIM_TESTS_DIR=$(cd "$(dirname "$0")" && pwd)
ERRNO_PY="$SIM_TESTS_DIR/errno.py"
N_FAILED=0
N_PASSED=0

if [ -z "${SRIOV_SIM:-}" ] || [ ! -x "$SRIOV_SIM" ]; then
    echo "SKIP/FAIL: set SRIOV_SIM to the sriov-sim binary (got '${SRIOV_SIM:-}')" >&2
    exit 1
fi

ok()   { N_PASSED=$((N_PASSED + 1)); echo "PASS: $*"; }
bad()  { N_FAILED=$((N_FAILED + 1)); echo "FAIL: $*"; }

# check DESCRIPTION EXPECTED ACTUAL
check() {
    if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: expected '$2', got '$3'"; fi
}

# check_true DESCRIPTION COMMAND...
check_true() {
    desc=$1; shift
    if "$@"; then ok "$desc"; else bad "$desc"; fi
}

check_false() {
    desc=$1; shift
    if "$@"; then bad "$desc"; else ok "$desc"; fi
}

# check_grep DESCRIPTION PATTERN TEXT: fixed-string match
check_grep() {
    if printf '%s\n' "$3" | grep -qF -- "$2"; then ok "$1"; else bad "$1: '$2' not found"; fi
}

# writes DATA (plus newline) to PATH; prints OK or the errno name
wr() { python3 "$ERRNO_PY" "$1" "$2"; }
wr_n() { python3 "$ERRNO_PY" -n "$1" "$2"; }

# expect_write DESCRIPTION PATH DATA ERRNO_OR_OK
expect_write() { check "$1" "$4" "$(wr "$2" "$3")"; }

lspci_at() { _root=$1; shift; lspci -O "sysfs.path=$_root/bus/pci" "$@" 2>/dev/null; }

finish() {
    echo "# $N_PASSED passed, $N_FAILED failed"
    [ "$N_FAILED" -eq 0 ]
}
