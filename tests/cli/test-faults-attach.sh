#!/bin/bash
# Issue 9, figure 1 (first half): a failure at every side effect of pf-enable,
# pci-attach and create, found by tracing each command (faultlib.sh says how
# and what is checked).  test-faults-detach.sh does pci-detach and gc.
HOSTLIB_NAME=faults-attach
. "$(dirname "$0")/hostlib.sh"
. "$(dirname "$0")/faultlib.sh"

# pf-enable
mount_host "82599 vfs=4 numvfs=0"
forward pf-enable "X pf-disable enp1s0f0" "$XL_SRIOV" pf-enable enp1s0f0 4
# pci-attach, on a PF without VFs (enabling them is part of it) and with VFs
# probed by their host driver (libxl unbinds it and remembers it).
mount_host "82599 vfs=4 numvfs=0"
X create "$T/g2.cfg" >/dev/null
forward pci-attach detach "$XL_SRIOV" pci-attach g2 network=lan
mount_host "82599 vfs=4 numvfs=2"
X create "$T/g2.cfg" >/dev/null
forward pci-attach-probed detach "$XL_SRIOV" pci-attach g2 network=lan
# create: two entries on two PFs.
mount_host "82599 vfs=4 numvfs=0"
forward create destroy_gc "$XL_SRIOV" create "$T/g1.cfg"

echo "FIGURE: fault injection (pf-enable, pci-attach, create): $TOTAL points" \
     "(pf-enable ${PER[pf-enable]}, pci-attach $((PER[pci-attach] + PER[pci-attach-probed]))," \
     "create ${PER[create]}): $((TOTAL - BAD)) as required, $BAD not," \
     "$TOLERATED of them tolerated reads; state writes $(state_writes)"
check faults-attach-all-points test "$BAD" = 0 -a "$TOTAL" -gt 0
