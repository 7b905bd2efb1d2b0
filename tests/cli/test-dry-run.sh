#!/bin/bash
# --dry-run on every command that changes the host: it lists the changes and
# makes none.  For each command, on the synthetic host with the simulated
# hypervisor and netlink:
#   - the host, hypervisor, xenstore, netlink settings and state are the same
#     after the dry run as before it (hostlib.sh's snapshot);
#   - the same command run for real, in the sims' trace mode, makes exactly the
#     changes the dry run listed, in the same order: its sysfs writes, netlink
#     settings and hypervisor calls (the writes libxl itself makes inside
#     assignable_add/remove are libxl's, not ours, and are left out);
#   - both exit with the same status, and the real run's records are the ones
#     the dry run's last "state" lines describe.
# The commands: pf-enable, pf-disable, vf-set, vf-restore, create, pci-attach,
# pci-detach, gc, boot, reconcile, save, restore, pre-migrate, post-migrate
# (migrate's, on two hosts, in test-migrate.sh).
HOSTLIB_NAME=dry-run
. "$(dirname "$0")/hostlib.sh"

# The dry run's list as trace points: "sysfs:ATTR=VALUE", "hv:OP".
planned() {
    sed -n 's/^dry-run: //p' <<<"$1" | awk '
        $1 == "sysfs" && $2 == "write" {
            n = split($3, p, "/"); v = $0; sub(/.* <- /, "", v)
            if (v == "(newline)") v = ""
            print "sysfs:" p[n] "=" v }
        $1 == "netlink" { print "hv:vf_set" }
        $1 == "hypervisor" && $2 ~ /^libxl_device_pci_/ {
            op = $2; sub(/^libxl_device_pci_/, "", op)
            print "hv:" (op == "add" ? "pci_add" : op == "remove" ? "pci_remove" : op) }
        $1 == "hypervisor" && $2 == "xl" { print "hv:domain_" $3 }
        $1 == "hypervisor" && $2 == "libxl_device_nic_add" { print "hv:nic_add" }
        $1 == "xenstore" { print "hv:xs_" ($2 == "rm" ? "rm" : "write") }'
}
# What the real run changed, from the sims' trace, in the same words.  The
# simulated libxl's assignable_remove forgets the driver it kept in xenstore
# (/libxl/pci/BDF): that xs_rm is libxl's own, like its bind and unbind.
traced() {
    sed 's/#[0-9]*$//' "$T/trace" 2>/dev/null | grep -E \
        '^(sysfs:(sriov_numvfs|sriov_drivers_autoprobe|driver_override)=|hv:(vf_set|assignable_add|assignable_remove|pci_add|pci_remove|domain_create|domain_migrate|domain_save|domain_restore|nic_add|xs_write|xs_rm)$)' |
        awk '$0 == "hv:xs_rm" && inner { inner = 0; next }
             { inner = ($0 == "hv:assignable_remove"); print }'
}
# The records before, with the dry run's state lines applied (the last line for
# each VF wins; "drop" removes it).
planned_records() {
    { sed 's/^/was /' <<<"$2"
      sed -n 's/^dry-run: state *[^ ]*assignments.json: \(add\|change\) VF \([0-9]*\) of \([^ ]*\) .*: \([a-z]*\), done.*/\3#\2 \4/p;
              s/^dry-run: state *[^ ]*assignments.json: drop VF \([0-9]*\) of \([^ ]*\) .*/\2#\1 dropped/p' <<<"$1"
    } | awk 'NF == 3 { last[$2] = $3; next } NF == 2 { last[$1] = $2 }
             END { for (k in last) if (last[k] != "dropped") print k, last[k] }' | sort
}
real_records() {
    "$PY3" -c 'import json,sys
try: recs = json.load(open(sys.argv[1]))
except OSError: recs = []
for r in recs: print("%s#%s %s" % (r["pf"], r["index"], r["phase"]))' "$T/state/assignments.json" | sort
}

# dry NAME COMMAND...: the dry run and the real run of one command.
dry() {
    local name=$1 before out rc real_rc recs_before; shift
    before=$(snapshot)
    recs_before=$(real_records)
    out=$("$XL_SRIOV" "$1" --dry-run "${@:2}" 2>"$T/err-$name"); rc=$?
    if [ "$(snapshot)" = "$before" ]; then pass "$name-changes-nothing"
    else fail "$name-changes-nothing" "$(diff_host "$before")"; fi
    grep -q "^dry-run: [0-9]* changes\? listed.*nothing was changed$" <<<"$out" ||
        fail "$name-summary" "$(tail -1 <<<"$out")"
    rm -f "$T/trace"
    inject "hv:trace:$T/trace" "sysfs:trace:$T/trace"
    "$XL_SRIOV" "$@" >/dev/null 2>"$T/err-real"; real_rc=$?
    heal
    if [ "$rc" = "$real_rc" ]; then pass "$name-same-status($rc)"
    else fail "$name-same-status" "dry run $rc ($(tail -2 "$T/err-$name" | tr '\n' ' ')), real $real_rc ($(tail -2 "$T/err-real" | tr '\n' ' '))"; fi
    if [ "$(planned "$out")" = "$(traced)" ]; then
        pass "$name-same-changes($(planned "$out" | wc -l))"
    else
        fail "$name-same-changes" "planned [$(planned "$out" | tr '\n' ' ')] made [$(traced | tr '\n' ' ')]"
    fi
    # A command that changes records says so, and says what they become.
    if [ "$(planned_records "$out" "$recs_before")" = "$(real_records)" ]; then
        pass "$name-same-records"
    else
        fail "$name-same-records" "planned [$(planned_records "$out" "$recs_before" | tr '\n' ' ')] made [$(real_records | tr '\n' ' ')]"
    fi
    [ -n "${DRY_EXPECT_CHANGES:-}" ] && { check "$name-lists-changes" test -n "$(planned "$out")"; }
}

export DRY_EXPECT_CHANGES=1
mount_host "82599 vfs=4 numvfs=0"
dry pf-enable pf-enable enp1s0f0 4
dry pf-enable-again pf-enable enp1s0f0 2          # through 0, as the kernel wants
dry pf-disable pf-disable enp1s0f0
dry vf-set-setup pf-enable enp1s0f1 4
dry vf-set vf-set enp1s0f1/1 mac=02:00:00:00:00:11 vlan=7 qos=2 spoofchk=off rate=100
dry vf-restore vf-restore enp1s0f1/1
dry vf-set-again vf-set enp1s0f1/2 trust=on state=disable
dry vf-restore-all vf-restore --all
# create: two entries, one on a PF without VFs (enabling them is part of it).
mount_host "82599 vfs=4 numvfs=0"
dry create create "$T/g1.cfg"
X create "$T/g2.cfg" >/dev/null
dry pci-attach pci-attach g2 network=lan,vlan=5
vf=$(X list --json | "$PY3" -c 'import json,sys; print([a["vf"] for a in json.load(sys.stdin) if a["domain"] == "g2"][0])')
dry pci-detach pci-detach g2 "$vf"
destroy_all
dry gc gc
# boot: sriov.cfg's VF count and a guest from the autostart folder.
mount_host "82599 vfs=4 numvfs=0"
cat >"$T/sriov.cfg" <<'CFG'
network = [ [ "name=lan", "pf=enp1s0f0", "vlan=100", "numvfs=3" ] ]
CFG
mkdir -p "$T/auto"
sed 's/, .pf=enp1s0f1[^]]*//' "$T/g1.cfg" >"$T/auto/g1.cfg"
dry boot boot --auto-dir "$T/auto"
# reconcile: a record whose VF another process took back by hand.
X create "$T/g2.cfg" >/dev/null
X pci-attach g2 network=lan >/dev/null
destroy_all
dry reconcile reconcile
# save, restore, pre-migrate, post-migrate: a guest whose network has a
# fallback bridge (a vif is added, the VF taken back, xl save/restore).
mount_host "82599 vfs=4 numvfs=0"
cat >"$T/sriov.cfg" <<'CFG'
network = [ [ "name=lan", "pf=enp1s0f0", "vlan=100", "bridge=xenbr0" ] ]
CFG
printf 'name = "g5"\nuuid = "a5a5a5a5-0000-4000-8000-000000000005"\nvf = [ "network=lan" ]\n' \
    >"$T/g5.cfg"
X create "$T/g5.cfg" >/dev/null
dry save save g5 "$T/g5.save"
dry restore restore "$T/g5.save"
dry pre-migrate pre-migrate g5
dry post-migrate-back post-migrate g5
# restore with a CONFIG: the dry run checks it, and says xl would read it as
# checked; only a real run makes the copy xl reads (no /proc path under -v).
printf 'name = "g5"\npassthrough = "enabled"\n' >"$T/g5pt.cfg"
X save g5 "$T/g5c.save" >/dev/null
out=$("$XL_SRIOV" -v restore --dry-run "$T/g5pt.cfg" "$T/g5c.save" 2>&1)
check restore-config-dry-run-says grep -q "xl reads .*/g5pt.cfg as checked, from a copy" <<<"$out"
check restore-config-dry-run-no-copy test -z "$(grep /proc/ <<<"$out")"
dry restore-config restore "$T/g5pt.cfg" "$T/g5c.save"
# save with a CONFIG: the note says whether xl's copy adds the domain's UUID.
out=$("$XL_SRIOV" save --dry-run g5 "$T/g5d.save" "$T/g5pt.cfg" 2>&1)
check save-config-dry-run-adds-uuid grep -q "g5pt.cfg as checked just before the VFs leave, from a copy that sets the domain's UUID, a5a5a5a5-0000-4000-8000-000000000005" <<<"$out"
printf 'name = "g5"\npassthrough = "enabled"\nuuid = "a5a5a5a5-0000-4000-8000-000000000005"\n' >"$T/g5own.cfg"
out=$("$XL_SRIOV" save --dry-run g5 "$T/g5d.save" "$T/g5own.cfg" 2>&1)
check save-config-dry-run-own-uuid grep -q "g5own.cfg as checked just before the VFs leave, from a copy$" <<<"$out"
unset DRY_EXPECT_CHANGES
# Commands that fail: the dry run fails the same way, having changed nothing.
dry no-such-pf pf-enable enp9s9f9 2
dry too-many-vfs pf-enable enp1s0f0 99
dry no-free-vf pci-attach g2 pf=enp1s0f0,vf=7
dry detach-not-attached pci-detach g2 0000:01:10.3
exit $((FAILS > 0))
