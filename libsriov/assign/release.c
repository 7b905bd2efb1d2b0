/*
 * Taking a VF back: every completed step of a record undone, in reverse order
 * (steps.c runs them), by rollback, pci-detach and gc alike.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "internal.h"
#include "assign/steps.h"
#include "l2/l2.h"

static int restore_l2(struct sriov_ctx *ctx, const struct sriov_assignment *r)
{
    struct sriov_vf *vf = NULL;
    struct sriov_vf_ref ref;
    int rc;

    if (sriov_vf_find(ctx, r->vf, &vf))
        return sriov__fail(ctx, -ENODEV, "%s: the VF is gone, cannot restore its settings",
                           r->vf);
    rc = sriov_vf_ref_from_vf(ctx, vf, &ref);
    if (!rc)
        rc = sriov_vf_config_restore(ctx, &ref, NULL);
    return rc == -ENOENT ? 0 : rc;
}

/* Another record still uses VFs of this PF: keep them enabled, and hand it the
 * duty of disabling them, so that the last VF given back turns them off. */
static bool pf_in_use(struct sriov__recs *recs, size_t self)
{
    for (size_t k = 0; k < recs->n; k++) {
        if (k != self && !strcmp(recs->v[k].pf, recs->v[self].pf)) {
            recs->v[k].steps |= SRIOV_STEP_ENABLED_VFS;
            return true;
        }
    }
    return false;
}

static int undo_step(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                     size_t i, unsigned int step)
{
    struct sriov_assignment *r = &recs->v[i];
    struct sriov_hv_domain dom;
    struct sriov_pf *pf = NULL;
    uint8_t uuid[16];
    int rc = 0;

    switch (step) {
    case SRIOV_STEP_XS:
        return sriov__xs_unpublish(hv, recs, i);
    case SRIOV_STEP_PCI:
        /* A domain that is gone took its devices with it. */
        if (sriov__uuid_parse(r->uuid, uuid) || hv->ops->domain_by_uuid(hv, uuid, &dom))
            return 0;
        if (hv->ops->device_owner(hv, r->vf, &dom) == -ENOENT)
            return 0;
        return hv->ops->pci_remove(hv, &dom, r->vf);
    case SRIOV_STEP_ASSIGNABLE:
        return hv->ops->assignable_remove(hv, r->vf, true);
    case SRIOV_STEP_OVERRIDE:
        return sriov__vf_driver_override(ctx, r->vf, "");
    case SRIOV_STEP_L2:
        return restore_l2(ctx, r);
    case SRIOV_STEP_ENABLED_VFS:
        if (pf_in_use(recs, i))
            return 0;
        rc = sriov_pf_find(ctx, r->pf, &pf);
        return rc ? rc : sriov_pf_set_numvfs(ctx, pf, 0, 0);
    }
    return 0;
}

int sriov__assign_release(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                          size_t i, bool best_effort)
{
    static const struct {
        unsigned int bit;
        const char *name;
    } order[] = {
        /* driver_override is cleared before assignable_remove, out of strict reverse
         * order: while it says pciback, libxl's rebind to the original driver fails. */
        { SRIOV_STEP_XS, "xs_rm" },           { SRIOV_STEP_PCI, "pci_remove" },
        { SRIOV_STEP_OVERRIDE, "driver_override" },
        { SRIOV_STEP_ASSIGNABLE, "assignable_remove" }, { SRIOV_STEP_L2, "l2_restore" },
        { SRIOV_STEP_ENABLED_VFS, "disable_vfs" },
    };
    struct sriov__saved_error first;
    int first_rc = 0, rc;

    for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
        if (!(recs->v[i].steps & order[k].bit))
            continue;
        rc = undo_step(ctx, hv, recs, i, order[k].bit);
        if (rc) {
            rc = sriov__step_failed(ctx, rc, &recs->v[i], order[k].name);
            if (!best_effort) {
                (void)sriov__recs_save(ctx, recs);
                return rc;
            }
            sriov__errlog(ctx, "%s", ctx->last_error);
            if (!first_rc) {
                first_rc = rc;
                sriov__error_save(ctx, &first);
            }
            continue;
        }
        recs->v[i].steps &= ~order[k].bit;
        if (order[k].bit == SRIOV_STEP_ASSIGNABLE || order[k].bit == SRIOV_STEP_PCI)
            (void)sriov__recs_save(ctx, recs);
    }
    if (first_rc && (recs->v[i].steps & (SRIOV_STEP_ASSIGNABLE | SRIOV_STEP_PCI))) {
        /* The VF is still with pciback or a domain: keep the record so that gc or
         * pci-detach can finish the job, rather than hand the VF out again. */
        (void)sriov__recs_save(ctx, recs);
        sriov__error_restore(ctx, &first);
        return first_rc;
    }
    sriov__recs_remove(recs, i);
    rc = sriov__recs_save(ctx, recs);
    if (first_rc) {
        sriov__error_restore(ctx, &first);
        return first_rc;
    }
    return rc;
}
