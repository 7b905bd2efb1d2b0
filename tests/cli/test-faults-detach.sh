#!/bin/bash
# Issue 9, figure 1 (second half): a failure at every side effect of pci-detach
# and gc, found by tracing each command (faultlib.sh says how and what is
# checked).  test-faults-attach.sh does pf-enable, pci-attach and create.
HOSTLIB_NAME=faults-detach
. "$(dirname "$0")/hostlib.sh"
. "$(dirname "$0")/faultlib.sh"

# pci-detach, on a PF without VFs (disabling them again is part of it) and with
# VFs probed by their host driver (libxl binds it again).
mount_host "82599 vfs=4 numvfs=0"
X create "$T/g2.cfg" >/dev/null
backward pci-detach attach "$XL_SRIOV" pci-detach g2 0000:01:10.0
mount_host "82599 vfs=4 numvfs=2"
X create "$T/g2.cfg" >/dev/null
backward pci-detach-probed attach "$XL_SRIOV" pci-detach g2 0000:01:10.0
# gc giving back a destroyed domain's two VFs.
mount_host "82599 vfs=4 numvfs=0"
backward gc create_destroy "$XL_SRIOV" gc

echo "FIGURE: fault injection (pci-detach, gc): $TOTAL points" \
     "(pci-detach $((PER[pci-detach] + PER[pci-detach-probed])), gc ${PER[gc]}):" \
     "$((TOTAL - BAD)) as required, $BAD not, $TOLERATED of them tolerated reads;" \
     "state writes $(state_writes)"
check faults-detach-all-points test "$BAD" = 0 -a "$TOTAL" -gt 0
