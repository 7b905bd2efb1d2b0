/*
 * sriov_pf_set_numvfs(), as the public API offers it: the VF count of a PF is
 * changed under the same "assignments" lock that assigning VFs takes, and not at
 * all while a record names the PF.  Without that, pf-disable could remove a VF
 * that an attach has reserved but not yet bound to pciback (the sysfs layer's own
 * pciback check cannot see it), and pf-enable could change the count an attach
 * just decided on.  The steps themselves call sriov__pf_set_numvfs() directly:
 * they hold the lock and own the record.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "internal.h"
#include "assign/records.h"
#include "assign/steps.h"
#include "core/statefile.h"
#include "hv/hv.h"
#include "sysfs/sysfs.h"

static ssize_t record_of_pf(const struct sriov__recs *recs, const char *pf)
{
    for (size_t i = 0; i < recs->n; i++)
        if (!strcmp(recs->v[i].pf, pf))
            return (ssize_t)i;
    return -1;
}

/* -EBUSY, naming the VF and its domain, while a record names the PF. */
static int refuse_if_named(struct sriov_ctx *ctx, struct sriov__recs *recs, const char *bdf)
{
    const struct sriov_assignment *r;
    struct sriov_hv *hv = NULL;
    ssize_t i = record_of_pf(recs, bdf);

    if (i >= 0 && sriov__hv(ctx, &hv) == 0) {
        /* A record a dead process left may be all that holds the PF. */
        sriov__recover_quietly(ctx, hv, recs);
        i = record_of_pf(recs, bdf);
    }
    if (i < 0)
        return 0;
    r = &recs->v[i];
    if (!r->vf[0])
        return sriov__fail(ctx, -EBUSY, "%s: VF %u is being prepared for domain %s (%s); try "
                           "again when that is done", bdf, r->index, r->name, r->uuid);
    return sriov__fail(ctx, -EBUSY, "%s: VF %u (%s) is %s domain %s (%s); give it back first "
                       "(xl-sriov pci-detach, or gc once the domain is gone)", bdf, r->index,
                       r->vf, r->phase == SRIOV_PHASE_ATTACHED ? "assigned to"
                       : r->phase == SRIOV_PHASE_RELEASING ? "being given back from"
                       : "being prepared for", r->name, r->uuid);
}

int sriov_pf_set_numvfs(struct sriov_ctx *ctx, struct sriov_pf *pf, unsigned int n,
                        unsigned int flags)
{
    struct sriov__recs recs = { 0 };
    int lockfd = -1, rc;

    rc = sriov__recs_lock(ctx, &lockfd);
    if (!rc)
        rc = sriov__recs_load(ctx, &recs);
    if (!rc)
        rc = sriov__pf_reload(ctx, pf);
    /* No change, or one the sysfs layer refuses anyway, needs no look at the records. */
    if (!rc && n != pf->numvfs && n <= pf->totalvfs)
        rc = refuse_if_named(ctx, &recs, pf->dev.bdf);
    if (!rc)
        rc = sriov__pf_set_numvfs(ctx, pf, n, flags);
    sriov__recs_dispose(&recs);
    sriov__recs_unlock(ctx, lockfd);
    return rc;
}
