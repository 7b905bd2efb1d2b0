/* Xen's command line as Xen reads it, for the quarantine check (hv/xen_cmdline.c):
 * expectations from xen/common/kernel.c (parse_bool, parse_boolean) and
 * xen/drivers/passthrough/iommu.c (parse_iommu_param) of Xen 4.17. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>

#include "harness.h"
#include "hv/hv.h"

int main(void)
{
    static const struct {
        const char *cmdline;
        bool on;
    } cases[] = {
        { NULL, true },
        { "", true },
        { "dom0_mem=2G loglvl=all", true },
        { "iommu=1", true },
        { "iommu=no-quarantine", false },
        { "iommu=quarantine=0", false },
        { "iommu=quarantine=no", false },
        { "iommu=quarantine=off", false },
        { "iommu=quarantine=false", false },
        { "iommu=quarantine=disable", false },
        { "iommu=quarantine=1", true },
        { "iommu=quarantine=yes", true },
        { "iommu=quarantine=on", true },
        { "iommu=quarantine=true", true },
        { "iommu=quarantine=enable", true },
        { "iommu=quarantine", true },
        { "iommu=quarantine=scratch-page", true },
        { "iommu=on,no-quarantine,force", false },
        { "iommu=force,quarantine=0,verbose", false },
        /* The last setting counts, within a list and across options. */
        { "iommu=no-quarantine,quarantine", true },
        { "iommu=no-quarantine iommu=1", false },
        { "iommu=no-quarantine iommu=quarantine=1", true },
        { "iommu=quarantine=0 dom0_mem=1G", false },
        /* Not booleans, or not about the quarantine: Xen ignores or rejects them. */
        { "iommu=quarantine=maybe", true },
        { "iommu=no-quarantine=0", true },
        { "iommu=noquarantine", true },
        { "iommu=quarantine0", true },
        { "iommu=Quarantine=0", true },
        { "xiommu=no-quarantine", true },
        { "no-quarantine", true },
        { "iommu=0", true },          /* the IOMMU itself: physinfo's business */
        { "no-iommu", true },
        /* dom0's options follow " -- ". */
        { "iommu=1 -- iommu=no-quarantine", true },
        { "  iommu=no-quarantine\t", false },
    };
    char name[160];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(name, sizeof(name), "quarantine '%s'", cases[i].cmdline ? cases[i].cmdline
                                                                          : "(none)");
        CHECK_INT(name, sriov__xen_quarantine_on(cases[i].cmdline), cases[i].on);
    }
    return HARNESS_EXIT();
}
