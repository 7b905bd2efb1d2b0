"""test_plugin.py PLUGIN TMPDIR: the xapi plugin's functions against a synthetic host.

Run by tests/cli/test-xapi.sh, which mounts the host ("82599 vfs=4 numvfs=2"), sets
SRIOV_* for it, gives a domain "g1" a VF, and points XL_SRIOV at xl-sriov.  Prints
PASS:/FAIL: lines.  Written for Python 3.6 too, as the plugin is.
"""

import json
import os
import runpy
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree (read-only in distcheck)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import XenAPIPlugin  # noqa: E402  the stand-in next to this file

PLUGIN, TMP = sys.argv[1], sys.argv[2]
SYSFS = os.environ["SRIOV_SYSFS"]
SPY_LOG = os.path.join(TMP, "spy.log")
failures = 0


def report(name, ok, why=""):
    global failures
    if ok:
        print("PASS: xapi-%s" % name)
    else:
        failures += 1
        print("FAIL: xapi-%s: %s" % (name, why))


def call(fn, **args):
    """The function as xapi calls it: a session and string arguments; one string back."""
    answer = XenAPIPlugin.registered[fn]("OpaqueRef:session", args)
    if not isinstance(answer, str):
        raise AssertionError("%s answered %r, not a string" % (fn, answer))
    return json.loads(answer)


def failure(fn, **args):
    """The Failure params a call raises, or None."""
    try:
        call(fn, **args)
    except XenAPIPlugin.Failure as e:
        return e.params
    return None


def numvfs(bdf):
    with open(os.path.join(SYSFS, "bus/pci/devices", bdf, "sriov_numvfs")) as f:
        return int(f.read())


def case(name, fn):
    try:
        ok = fn()
        report(name, ok is not False, "" if ok is not False else "check failed")
    except Exception as e:  # a test must report, not die
        report(name, False, "%s: %s" % (type(e).__name__, e))


os.environ["XEN_SRIOV_XL_SRIOV"] = os.environ["XL_SRIOV"]
runpy.run_path(PLUGIN, run_name="__main__")  # the plugin's own dispatch() call
case("dispatch", lambda: sorted(XenAPIPlugin.registered) == sorted([
    "pf_list", "vf_list", "pf_enable", "pf_disable", "vf_show", "vf_set", "vf_restore",
    "assignment_list", "network_list"]))

# --- every function against the host ------------------------------------------------
case("pf_list", lambda: [p["bdf"] for p in call("pf_list")] == ["0000:01:00.0", "0000:01:00.1"])
case("pf_list-netdev", lambda: [p["bdf"] for p in call("pf_list", pf="enp1s0f1")]
     == ["0000:01:00.1"])
case("pf_list-short-bdf", lambda: [p["netdev"] for p in call("pf_list", pf="01:00.0")]
     == ["enp1s0f0"])
case("vf_list", lambda: len(call("vf_list")) == 4)
case("vf_list-pf", lambda: [v["bdf"] for v in call("vf_list", pf="enp1s0f0")]
     == ["0000:01:10.0", "0000:01:10.2"])
case("pf_enable", lambda: call("pf_enable", pf="enp1s0f0", count="4") is not None
     and numvfs("0000:01:00.0") == 4)
case("pf_enable-host-probe", lambda: call("pf_enable", pf="0000:01:00.0", count="3",
                                          host_probe="true") is not None
     and numvfs("0000:01:00.0") == 3)
case("pf_disable", lambda: call("pf_disable", pf="01:00.0") is not None
     and numvfs("0000:01:00.0") == 0)
call("pf_enable", pf="enp1s0f0", count="2")
case("vf_show", lambda: call("vf_show", vf="enp1s0f0/1")["vlan"] == 0)
case("vf_show-pf", lambda: len(call("vf_show", vf="enp1s0f0")) == 2)
case("vf_set-dry-run", lambda: call("vf_set", vf="enp1s0f0/1", vlan="10", dry_run="true")
     and call("vf_show", vf="enp1s0f0/1")["vlan"] == 0)
case("vf_set", lambda: "changed" in " ".join(call(
    "vf_set", vf="0000:01:10.2", vlan="10", qos="3", mac="00:16:3e:00:00:01",
    spoofchk="off", vlan_proto="802.1ad")["output"]))
case("vf_set-applied", lambda: [call("vf_show", vf="enp1s0f0/1")[k] for k in
                                ("vlan", "qos", "mac", "spoofchk", "vlan_proto")]
     == [10, 3, "00:16:3e:00:00:01", False, "802.1ad"])
case("vf_restore", lambda: call("vf_restore", vf="enp1s0f0/1") is not None
     and call("vf_show", vf="enp1s0f0/1")["vlan"] == 0)
case("vf_restore-all", lambda: call("vf_set", vf="enp1s0f0/0", trust="on")
     and call("vf_restore", all="true") and not call("vf_show", vf="enp1s0f0/0")["trust"])
case("assignment_list", lambda: [(a["domain"], a["state"]) for a in call("assignment_list")]
     == [("g1", "attached")])
case("network_list", lambda: [n["name"] for n in call("network_list")] == ["lan"])

# --- the tool's failures come back as Failure with its message and exit code ----------
case("tool-no-pf", lambda: failure("pf_enable", pf="nosuch", count="1")[:3]
     == ["XEN_SRIOV_COMMAND_FAILED", "pf-enable", "1"]
     and "nosuch" in failure("pf_enable", pf="nosuch", count="1")[3])
case("tool-too-many", lambda: failure("pf_enable", pf="enp1s0f0", count="65535")[0]
     == "XEN_SRIOV_COMMAND_FAILED" and numvfs("0000:01:00.0") == 2)
case("tool-vlan-range", lambda: "4095" in failure("vf_set", vf="enp1s0f0/0", vlan="5000")[3])
os.environ["XEN_SRIOV_XL_SRIOV"] = os.path.join(TMP, "no-such-xl-sriov")
case("not-runnable", lambda: failure("pf_list")[0] == "XEN_SRIOV_NOT_RUNNABLE")

# --- bad arguments: Failure, and xl-sriov never runs ---------------------------------
spy = os.path.join(TMP, "spy")
with open(spy, "w") as f:
    f.write("#!/bin/sh\necho \"$@\" >>'%s'\nexit 0\n" % SPY_LOG)
os.chmod(spy, 0o755)
os.environ["XEN_SRIOV_XL_SRIOV"] = spy
METAS = ["enp1s0f0; reboot", "$(reboot)", "`reboot`", "a|b", "a&b", "a b", "x>y",
         "enp1s0f0\n", "-x", "--all", "../x", "..", ".", "", "a/b/c", "toolongname12345"]
BAD = [("pf_list", {"pf": m}) for m in METAS] + [
    ("vf_list", {"pf": "'quoted'"}),
    ("pf_enable", {"count": "1"}),
    ("pf_enable", {"pf": "enp1s0f0"}),
    ("pf_disable", {}),
    ("vf_show", {}),
    ("vf_set", {"vlan": "1"}),
    ("vf_set", {"vf": "enp1s0f0/0"}),
    ("vf_restore", {}),
    ("vf_restore", {"vf": "enp1s0f0/0", "all": "true"}),
    ("vf_show", {"vf": "enp1s0f0/x"}),
    ("vf_set", {"vf": "enp1s0f0", "vlan": "1"}),  # a PF, not a VF
    ("vf_set", {"vf": "enp1s0f0/0", "colour": "blue"}),
    ("vf_set", {"vf": "enp1s0f0/0", "vlan": "10;reboot"}),
    ("vf_set", {"vf": "enp1s0f0/0", "mac": "00:16:3e:00:00:01 "}),
    ("vf_set", {"vf": "enp1s0f0/0", "mac": "$(reboot)"}),
    ("vf_set", {"vf": "enp1s0f0/0", "state": "up"}),
    ("vf_set", {"vf": "enp1s0f0/0", "spoofchk": "yes"}),
    ("vf_set", {"vf": "enp1s0f0/0", "vlan_proto": "802.1x"}),
    ("vf_set", {"vf": "enp1s0f0/0", "rate": "-1"}),
    ("vf_set", {"vf": "enp1s0f0/0", "vlan": "1", "dry_run": "maybe"}),
    ("pf_disable", {"pf": "enp1s0f0", "force": "please"}),
    ("assignment_list", {"json": "1"}),
    ("network_list", {"x": ""}),
    ("vf_show", {"vf": 3}),
] + [("pf_enable", {"pf": "enp1s0f0", "count": c})
     for c in ["-1", "65536", "100000", "1e3", "0x10", " 3", "3 ", "", "3\n", "three"]]
for i, (fn, args) in enumerate(BAD):
    params = failure(fn, **args)
    report("bad-%d-%s" % (i, fn),
           params is not None and params[0] == "XEN_SRIOV_INVALID_ARGUMENT"
           and len(params) == 3 and all(isinstance(p, str) for p in params),
           "%r: %r" % (args, params))
report("bad-never-ran", not os.path.exists(SPY_LOG),
       "xl-sriov ran: %s" % (open(SPY_LOG).read() if os.path.exists(SPY_LOG) else ""))
# The spy shows the argv a good call makes: operands as they are, options first.
call("pf_enable", pf="enp1s0f0", count="007", force="yes")
call("vf_set", vf="enp1s0f0/0", vlan="7", trust="off")
with open(SPY_LOG) as f:
    argvs = f.read().splitlines()
report("argv", argvs == ["pf-enable --force enp1s0f0 7", "vf-set enp1s0f0/0 trust=off vlan=7"],
       repr(argvs))
sys.exit(1 if failures else 0)
