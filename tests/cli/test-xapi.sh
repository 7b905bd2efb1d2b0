#!/bin/bash
# The xapi host plugin (tools/xapi/xen-sriov): its functions through a stand-in
# XenAPIPlugin against the synthetic host (tests/xapi/test_plugin.py), and whether it
# still runs on XCP-ng 8.3's Python 3.6 (a real 3.6 when one is installed, else a scan).
set -u
: "${XL_SRIOV:?}" "${SRIOV_SIM:?}" "${SRIOV_SRCDIR:?}"
PLUGIN=$SRIOV_SRCDIR/tools/xapi/xen-sriov
XAPI_TESTS=$SRIOV_SRCDIR/tests/xapi
if ! command -v python3 >/dev/null; then
    echo "SKIP: xapi: needs python3"
    exit 0
fi
HOSTLIB_NAME=xapi HOSTLIB_BASE=1
. "$(dirname "$0")/hostlib.sh"

# A Python 3.6 if there is one: on PATH, or among pyenv's versions.
py36=
if python3.6 -c '' 2>/dev/null; then
    py36=python3.6
elif command -v pyenv >/dev/null; then
    v=$(pyenv versions --bare 2>/dev/null | grep -m1 '^3\.6\.')
    [ -n "$v" ] && [ -x "$(pyenv root)/versions/$v/bin/python3.6" ] &&
        py36=$(pyenv root)/versions/$v/bin/python3.6
fi

check xapi-py-compile python3 -c 'import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)' "$PLUGIN" "$T/plugin.pyc"
check xapi-py36-scan python3 "$XAPI_TESTS/py36check.py" "$PLUGIN"
if [ -n "$py36" ]; then
    check xapi-py36-compile "$py36" -c 'import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)' "$PLUGIN" "$T/plugin36.pyc"
else
    echo "SKIP: xapi-py36-compile: no Python 3.6 (the scan stands in)"
fi
# Never through a shell: no shell=True, os.system or os.popen in the plugin.
check xapi-no-shell bash -c "! grep -nE 'shell *= *True|os\.system|os\.popen|commands\.' '$PLUGIN'"

# run_host PYTHON: a fresh host with one guest holding a VF, then the Python test.
run_host() {
    fusermount3 -u "$T/sys" 2>/dev/null
    rm -rf "$T/sys" "$T/hv" "$T/state" "$T/run" "$T/spy.log"
    mkdir -p "$T/sys" "$T/hv" "$T/state" "$T/run"
    "$SRIOV_SIM" mount --host "82599 vfs=4 numvfs=2" "$T/sys" || { echo "FAIL: xapi-mount"; return; }
    "$XL_SRIOV" create "$T/g1.cfg" >/dev/null || { echo "FAIL: xapi-create"; return; }
    # A crash prints no FAIL line of its own: report the status.
    "$@" "$XAPI_TESTS/test_plugin.py" "$PLUGIN" "$T" ||
        echo "FAIL: xapi-run: $1 exited with status $?"
}
printf 'network = [ [ "name=lan", "pf=enp1s0f1", "bridge=xenbr0" ] ]\n' >"$T/sriov.cfg"
printf 'name = "g1"\ntype = "hvm"\nvf = [ "network=lan" ]\n' >"$T/g1.cfg"

run_host python3
if [ -n "$py36" ]; then
    # The same calls under 3.6, named apart.
    run_host "$py36" | sed 's/^\(PASS\|FAIL\): xapi-/\1: xapi36-/'
fi
