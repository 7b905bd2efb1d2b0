#!/bin/bash
# xl-sriov boot on the synthetic host: sriov.cfg's VF counts applied, autostart
# guests with vf= started with their VFs (symlinked configs too, in name
# order), guests without vf= left to xendomains, a guest whose VF cannot be had
# reported and started only with vf_optional = 1; a second run changes nothing.
HOSTLIB_NAME=boot HOSTLIB_BASE=1
. "$(dirname "$0")/hostlib.sh"

mount_host "82599 vfs=4 numvfs=0"
mkdir -p "$T/auto" "$T/cfgs"
dom() { grep -l "^name $1\$" "$T"/hv/domains/* 2>/dev/null; }

printf 'network = [ [ "name=lan", "pf=enp1s0f0", "numvfs=2" ] ]\n' >"$T/sriov.cfg"
printf 'name = "g1"\nvf = [ "network=lan" ]\n' >"$T/cfgs/g1.cfg"
ln -s "$T/cfgs/g1.cfg" "$T/auto/10-g1.cfg"                  # the usual shape
printf 'name = "g2"\n' >"$T/auto/20-g2.cfg"                   # no vf=: xendomains' job
printf 'name = "g3"\nvf = [ "pf=enp1s0f1,vf=9" ]\n' >"$T/auto/30-g3.cfg"
printf 'name = "g4"\nvf_optional = 1\nvf = [ "pf=enp1s0f1,vf=9" ]\n' >"$T/auto/40-g4.cfg"

out=$(X boot --auto-dir "$T/auto" 2>"$T/err"); rc=$?
check boot-exit-reports-failure test "$rc" = 1
check boot-numvfs test "$(numvfs 0000:01:00.0)" = 2
check boot-other-pf-untouched test "$(numvfs 0000:01:00.1)" = 0
check boot-enabled-line grep -q '^enabled *0000:01:00.0: 2 VFs for network lan' <<<"$out"
check boot-g1-started grep -q "^started *$T/auto/10-g1.cfg" <<<"$out"
check boot-g1-vf grep -q '^pci 0000:01:10.0$' "$(dom g1)"
check boot-g2-left test -z "$(dom g2)"
check boot-g3-failed grep -q "^failed *$T/auto/30-g3.cfg" <<<"$out"
check boot-g3-not-started test -z "$(dom g3)"
check boot-g4-started-without-vf bash -c "test -n '$(dom g4)' && ! grep -q '^pci' '$(dom g4)'"
check boot-g4-warned grep -q 'without its VFs' "$T/err"
check boot-order bash -c "grep -n . <<<'$out' | grep -E 'g1|g3|g4' | cut -d: -f1 | sort -nc"
check boot-records test "$(X list --json | grep -c '"state": "attached"')" = 1

out=$(X boot --auto-dir "$T/auto" --json 2>/dev/null)
check reboot-running test "$(grep -c '"action": "running"' <<<"$out")" = 2
check reboot-no-new-domain test "$(ls "$T/hv/domains" | wc -l)" = 2
check reboot-numvfs-kept test "$(numvfs 0000:01:00.0)" = 2

# --- a --auto-dir that cannot be read is one failed item; the rest still tried -------
rm -f "$(dom g1)"; X gc >/dev/null 2>&1
out=$(X boot --auto-dir "$T/sriov.cfg" --auto-dir "$T/auto" 2>/dev/null); rc=$?
check bad-dir-exit test "$rc" = 1
check bad-dir-failed grep -q "^failed *$T/sriov.cfg: cannot read the folder" <<<"$out"
check bad-dir-rest-tried grep -q "^started *$T/auto/10-g1.cfg" <<<"$out"
check bad-dir-g1-runs test -n "$(dom g1)"
