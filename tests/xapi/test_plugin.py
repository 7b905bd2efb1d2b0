"""test_plugin.py PLUGIN TMPDIR: the xapi plugin's functions against a synthetic host.

Run by tests/cli/test-xapi.sh, which mounts the host ("82599 vfs=4 numvfs=2"), sets
SRIOV_* for it, gives a domain "g1" a VF of network "lan" (which has a bridge=, so
pre_migrate can add its netfront partner), and points XL_SRIOV at xl-sriov.  Prints
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
    "assignment_list", "network_list", "pre_migrate", "post_migrate"]))

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

# --- pre_migrate / post_migrate: g1's VF steps aside and comes back with its MAC -------
HV = os.environ["SRIOV_HYPERVISOR"].split(":", 1)[1]
STATE = os.environ["SRIOV_STATE_DIR"]
G1 = call("assignment_list")[0]
UUID, MAC = G1["uuid"], G1["mac"]
SPEC = "network=lan,mac=%s" % MAC


def held(domain):
    """(VF, MAC, state) of each VF the records give domain."""
    return [(a["vf"], a["mac"], a["state"]) for a in call("assignment_list")
            if a["domain"] == domain]


def domain_lines(uuid=None):
    with open(os.path.join(HV, "domains", uuid or UUID)) as f:
        return f.read().splitlines()


def journals():
    d = os.path.join(STATE, "moves")
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def xl(*argv):
    """xl-sriov itself, for what the plugin does not do (creating a domain)."""
    import subprocess
    return subprocess.call([os.environ["XL_SRIOV"]] + list(argv), stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)


def fail_at(op):
    """Make the simulated hypervisor fail op (None: nothing fails)."""
    path = os.path.join(HV, "fail-at")
    if op is None:
        if os.path.exists(path):
            os.unlink(path)
    else:
        with open(path, "w") as f:
            f.write(op + "\n")


one = [(G1["vf"], MAC, "attached")]
case("pre_migrate-dry-run", lambda: call("pre_migrate", domain="g1", dry_run="true")["vfs"]
     == [SPEC] and held("g1") == one and not journals())
case("pre_migrate-dry-run-lists", lambda: any(
    m.startswith("dry-run: hypervisor libxl_device_pci_remove")
    for m in call("pre_migrate", domain="g1", dry_run="yes")["messages"]))
pre = {}
try:
    pre = call("pre_migrate", domain="g1")
except Exception as e:  # reported by the cases below
    report("pre_migrate", False, "%s: %s" % (type(e).__name__, e))
case("pre_migrate-answer", lambda: (pre["uuid"], pre["domain"], pre["vfs"]) == (UUID, "g1", [SPEC])
     and isinstance(pre["messages"], list))
case("pre_migrate-vf-taken-back", lambda: held("g1") == [] and journals() == [UUID + ".json"])
case("pre_migrate-netfront", lambda: "nic %s xenbr0" % MAC in domain_lines()
     and not any(l.startswith("pci ") for l in domain_lines()))
case("post_migrate-dry-run", lambda: call("post_migrate", domain=UUID, vfs=json.dumps(pre["vfs"]),
                                          dry_run="true") is not None and held("g1") == [])
case("post_migrate", lambda: call("post_migrate", domain=UUID, vfs=json.dumps(pre["vfs"]))
     is not None and [(m, s) for _, m, s in held("g1")] == [(MAC, "attached")]
     and any(l.startswith("pci ") for l in domain_lines()))
# Where it left (the same host here, where it still runs): the journal ends.
case("post_migrate-source-ends", lambda: call("post_migrate", domain=UUID) is not None
     and not journals() and [(m, s) for _, m, s in held("g1")] == [(MAC, "attached")])
# The migration failed: post_migrate without vfs gives the VF back.
case("post_migrate-failed", lambda: call("pre_migrate", domain=UUID)["vfs"] == [SPEC]
     and held("g1") == [] and call("post_migrate", domain="g1") is not None
     and [(m, s) for _, m, s in held("g1")] == [(MAC, "attached")] and not journals())
case("post_migrate-nothing-to-give", lambda: call("post_migrate", domain="g1", vfs="[]")
     == {"output": [], "messages": ["g1: no VF to give"]} and len(held("g1")) == 1)
# xl-sriov's exit statuses, each its own code: 5 (the VF cannot be added: netfront),
# 3 (no free VF), 6 (not back where it was).
call("pre_migrate", domain="g1")
fail_at("pci_add")
case("post_migrate-on-netfront", lambda: failure("post_migrate", domain="g1", vfs=json.dumps([SPEC]))
     [:3] == ["XEN_SRIOV_ON_NETFRONT", "post-migrate", "5"] and held("g1") == [])
fail_at(None)
with open(os.path.join(TMP, "g2.cfg"), "w") as f:
    f.write('name = "g2"\ntype = "hvm"\nvf = [ "network=lan", "network=lan" ]\n')
case("g2-takes-every-vf", lambda: xl("create", os.path.join(TMP, "g2.cfg")) == 0
     and len(held("g2")) == 2)
case("post_migrate-no-free-vf", lambda: failure("post_migrate", domain="g1", vfs=json.dumps([SPEC]))
     [:3] == ["XEN_SRIOV_ON_NETFRONT", "post-migrate", "5"] and held("g1") == [])
case("post_migrate-vfs-not-back", lambda: failure("post_migrate", domain="g1")[:3]
     == ["XEN_SRIOV_VFS_NOT_BACK", "post-migrate", "6"] and held("g1") == []
     and "nic %s xenbr0" % MAC in domain_lines())
case("post_migrate-no-journal", lambda: failure(
    "post_migrate", domain="00000000-0000-4000-8000-000000000000")[:3]
    == ["XEN_SRIOV_COMMAND_FAILED", "post-migrate", "1"])
case("pre_migrate-no-domain", lambda: failure("pre_migrate", domain="nosuch")[:3]
     == ["XEN_SRIOV_COMMAND_FAILED", "pre-migrate", "1"])

# --- the tool's failures come back as Failure with its message and exit code ----------
case("tool-no-pf", lambda: failure("pf_enable", pf="nosuch", count="1")[:3]
     == ["XEN_SRIOV_COMMAND_FAILED", "pf-enable", "1"]
     and "nosuch" in failure("pf_enable", pf="nosuch", count="1")[3])
case("tool-too-many", lambda: failure("pf_enable", pf="enp1s0f0", count="65535")[0]
     == "XEN_SRIOV_COMMAND_FAILED" and numvfs("0000:01:00.0") == 2)
case("tool-vlan-range", lambda: "4095" in failure("vf_set", vf="enp1s0f0/0", vlan="5000")[3])
os.environ["XEN_SRIOV_XL_SRIOV"] = os.path.join(TMP, "no-such-xl-sriov")
case("not-runnable", lambda: failure("pf_list")[0] == "XEN_SRIOV_NOT_RUNNABLE")

# Every exit status xl-sriov documents, each to its code (a stand-in prints $FAKE_OUT
# and $FAKE_ERR and exits with $FAKE_RC); what pre_migrate hands on must pass
# post_migrate's checks, or it is not handed on.
fake = os.path.join(TMP, "fake")
with open(fake, "w") as f:
    f.write('#!/bin/sh\nprintf "%s" "$FAKE_OUT"\nprintf "%s" "$FAKE_ERR" >&2\n'
            'exit "${FAKE_RC:-0}"\n')
os.chmod(fake, 0o755)
os.environ["XEN_SRIOV_XL_SRIOV"] = fake


def faked(rc, out="", err="why", fn="post_migrate", **args):
    os.environ.update(FAKE_RC=str(rc), FAKE_OUT=out, FAKE_ERR=err)
    return failure(fn, **(args or {"domain": "g1"}))


for rc, code in [(1, "XEN_SRIOV_COMMAND_FAILED"), (2, "XEN_SRIOV_COMMAND_FAILED"),
                 (3, "XEN_SRIOV_NO_FREE_VF"), (4, "XEN_SRIOV_NOT_ISOLATED"),
                 (5, "XEN_SRIOV_ON_NETFRONT"), (6, "XEN_SRIOV_VFS_NOT_BACK"),
                 (98, "XEN_SRIOV_COMMAND_FAILED")]:
    case("exit-%d" % rc, lambda rc=rc, code=code: faked(rc) == [code, "post-migrate", str(rc), "why"]
         and faked(rc, fn="pre_migrate")[:3] == [code, "pre-migrate", str(rc)])
for i, out in enumerate(["", "[]", "{}", '{"vfs": "network=lan"}', '{"vfs": [1]}',
                         '{"vfs": ["network=lan;reboot"]}', '{"vfs": ["--dry-run"]}', "not json"]):
    case("pre_migrate-bad-output-%d" % i, lambda out=out: faked(0, out, fn="pre_migrate")[:2]
         == ["XEN_SRIOV_BAD_OUTPUT", "pre-migrate"])
case("pre_migrate-good-output", lambda: (faked(0, '{"uuid": "u", "domain": "g1", "vfs": []}',
                                               fn="pre_migrate") is None))
for k in ("FAKE_RC", "FAKE_OUT", "FAKE_ERR"):
    del os.environ[k]

# --- bad arguments: Failure, and xl-sriov never runs ---------------------------------
spy = os.path.join(TMP, "spy")
with open(spy, "w") as f:
    f.write("#!/bin/sh\necho \"$@\" >>'%s'\n[ \"$1\" != pre-migrate ] ||"
            " echo '{\"uuid\": \"u\", \"domain\": \"g1\", \"vfs\": []}'\nexit 0\n" % SPY_LOG)
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
    ("pre_migrate", {}),
    ("pre_migrate", {"domain": "g1", "vfs": "[]"}),
    ("pre_migrate", {"domain": "g1", "dry_run": "maybe"}),
    ("post_migrate", {}),
    ("post_migrate", {"vfs": "[]"}),
    ("post_migrate", {"domain": "g1", "specs": "[]"}),
    ("post_migrate", {"domain": "g1", "vfs": "[]", "dry_run": "perhaps"}),
    ("post_migrate", {"domain": "g1", "vfs": ["network=lan"]}),
] + [(fn, {"domain": d}) for fn in ("pre_migrate", "post_migrate")
     for d in ["", "-x", "--all", "g1; reboot", "$(reboot)", "`reboot`", "g 1", "g1\n", ".g1",
               "../g1", "a/b", "x" * 65, "g1|x", "'g1'", '"g1"']] + [
    ("post_migrate", {"domain": "g1", "vfs": v})
    for v in ["", "not json", "network=lan", '"network=lan"', '{"vfs": ["network=lan"]}',
              "[1]", "[null]", '[["network=lan"]]', '["network=lan;reboot"]',
              '["--dry-run"]', '["-n"]', '["network=lan $(reboot)"]', '["network=lan `id`"]',
              '["=x"]', '[" network=lan"]', '["network=lan\\n"]', '["network=\\"lan\\""]',
              '[""]', '["network"]', '["network=lan", 3]', "[" * 100000,
              json.dumps(["network=lan,mac=" + "0" * 600]), json.dumps(["network=lan"] * 65),
              '["network=lan\\u0000"]', '["n\\u00e9twork=lan"]']
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
call("pre_migrate", domain="g1", dry_run="true")
call("post_migrate", domain=UUID, vfs='["network=lan,mac=00:16:3e:00:00:01", "pf=enp1s0f0,vf=1"]')
call("post_migrate", domain="7")
with open(SPY_LOG) as f:
    argvs = f.read().splitlines()
report("argv", argvs == ["pf-enable --force enp1s0f0 7", "vf-set enp1s0f0/0 trust=off vlan=7",
                         "pre-migrate --json --dry-run -- g1",
                         "post-migrate -- %s network=lan,mac=00:16:3e:00:00:01 pf=enp1s0f0,vf=1"
                         % UUID, "post-migrate -- 7"],
       repr(argvs))
sys.exit(1 if failures else 0)
