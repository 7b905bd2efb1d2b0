#!/bin/bash
# libsriov against a real kernel's sysfs: discovery agrees with the real lspci, and
# pf-enable/pf-disable drive QEMU's NVMe SR-IOV PF the way the kernel requires.
set -uo pipefail
. "$SRIOV_VM_TESTLIB"

XL=$SRIOV_BUILDDIR/xl-plugin/xl-sriov
# The libtool wrapper costs about a second per call under TCG: run the binary itself.
if [ -x "$SRIOV_BUILDDIR/xl-plugin/.libs/xl-sriov" ]; then
    XL=$SRIOV_BUILDDIR/xl-plugin/.libs/xl-sriov
    export LD_LIBRARY_PATH=$SRIOV_BUILDDIR/libsriov/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
js() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

pf=$(nvme_sriov_pf) || { fail nvme-pf "no NVMe SR-IOV function"; exit 1; }
dev=/sys/bus/pci/devices/$pf
wait_until 10 test -e "$dev/driver" || modprobe nvme
set_numvfs "$pf" 0

list=$("$XL" pf-list --json)
check pf-list-finds-nvme test "$(js "[p['bdf'] for p in d]" <<<"$list")" = "['$pf']"
cap=$(lspci -vvv -s "$pf" 2>/dev/null)
want="$(sed -nE 's/.*Total VFs: ([0-9]+).*/\1/p' <<<"$cap") $(sed -nE 's/.*VF offset: ([0-9]+), stride: ([0-9]+), Device ID: ([0-9a-f]+).*/\1 \2 0x\3/p' <<<"$cap")"
got=$(js "' '.join(str(d[0][k]) for k in ('totalvfs','vf_offset','vf_stride','vf_device'))" <<<"$list")
check sriov-cap-matches-lspci test "$got" = "$want"
check names-match-lspci test "$(js "d[0]['vendor_name']+' '+d[0]['device_name']" <<<"$list")" = \
    "$(lspci -s "$pf" | sed -E 's/^[^ ]+ [^:]+: //; s/ \(rev [0-9a-f]+\)$//')"
check pf-driver-nvme test "$(js "d[0]['driver']" <<<"$list")" = nvme

check pf-enable-2 "$XL" pf-enable "$pf" 2
check kernel-numvfs-2 test "$(cat "$dev/sriov_numvfs")" = 2
check vfs-unbound sh -c "! test -e $dev/virtfn0/driver && ! test -e $dev/virtfn1/driver"
check autoprobe-restored test "$(cat "$dev/sriov_drivers_autoprobe")" = 1
vfs=$("$XL" vf-list "$pf" --json | js "' '.join(v['bdf'] for v in d)")
lspci_vfs=$(for i in 0 1; do vf_bdf "$pf" $i; done | tr '\n' ' ' | sed 's/ $//')
check vf-list-matches-sysfs test "$vfs" = "$lspci_vfs"
check lspci-sees-vfs sh -c "for v in $vfs; do lspci -s \$v | grep -q . || exit 1; done"

check pf-enable-3-through-0 "$XL" pf-enable "$pf" 3
check kernel-numvfs-3 test "$(cat "$dev/sriov_numvfs")" = 3
total=$(cat "$dev/sriov_totalvfs")
if "$XL" pf-enable "$pf" $((total + 1)) 2>"$SRIOV_VM_SCRATCH/err"; then
    fail above-totalvfs "accepted $((total + 1)) VFs"
else
    grep -q "at most $total" "$SRIOV_VM_SCRATCH/err" && pass above-totalvfs || fail above-totalvfs "$(cat "$SRIOV_VM_SCRATCH/err")"
fi
check refused-left-3 test "$(cat "$dev/sriov_numvfs")" = 3

# driver_override + drivers_probe, the kernel ABI assignment relies on: only the
# named driver may take the VF, even though the host's nvme driver matches it.
vf0=$(vf_bdf "$pf" 0)
modprobe pci-stub 2>/dev/null
echo pci-stub >"/sys/bus/pci/devices/$vf0/driver_override"
echo "$vf0" >/sys/bus/pci/drivers_probe
check override-binds-pci-stub test "$(basename "$(readlink "/sys/bus/pci/devices/$vf0/driver")")" = pci-stub
check vf-list-shows-driver test "$("$XL" vf-list "$pf" --json | js "d[0]['driver']")" = pci-stub
echo "$vf0" >/sys/bus/pci/drivers/pci-stub/unbind
echo >"/sys/bus/pci/devices/$vf0/driver_override"

check pf-disable "$XL" pf-disable "$pf"
check kernel-numvfs-0 test "$(cat "$dev/sriov_numvfs")" = 0
check vf-list-empty test "$("$XL" vf-list "$pf" --json | js 'len(d)')" = 0
exit "$FAILED"
