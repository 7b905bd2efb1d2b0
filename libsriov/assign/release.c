/*
 * Taking a VF back: every step of a record that is done or pending (begun, maybe
 * done: steps.c writes each ahead) undone, in reverse order, by rollback,
 * pci-detach, gc and crash recovery alike.  Every undo is idempotent: undoing
 * what was never done, or was undone already (by a release that was killed
 * before it could save), succeeds.  The record is saved as "releasing" before the
 * first undo, so a release cut short is finished by whoever sees it next.
 * Undos are not saved one by one: a crash before the next save has them done
 * again, which succeeds, with one exception (sriov__assign_release says which),
 * saved for before it runs.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h> /* nanosleep */

#include "internal.h"
#include "assign/moves.h"
#include "assign/steps.h"
#include "hv/holders.h"
#include "l2/l2.h"
#include "sysfs/sysfs.h"

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
    return rc == -ENOENT ? 0 : rc; /* no saved settings: never changed, or restored */
}

/* libxl_device_pci_remove, asked again while the guest has not let go of the
 * device, and finished by force once the device model no longer has it.
 * libxl stops waiting for the guest to eject it after 10 s and fails, and the
 * device model completes the removal when the guest does.  Asked again
 * meanwhile, a device model that still waits refuses a second unplug (QEMU
 * before 8.0: -EBUSY here) or sends one more request and waits 10 s again;
 * once it has let go, libxl's remove fails on "Device not found" (-ENODEV)
 * while libxl still records the device as the domain's, and Xen has it
 * assigned: without the forced removal (libxl_device_pci_destroy, which does
 * what the rest of a normal one does) the domain could neither migrate nor
 * give the VF back.  Patience: twice the settle timeout, after libxl's wait. */
static int remove_from_domain(struct sriov_ctx *ctx, struct sriov_hv *hv,
                              const struct sriov_hv_domain *dom, const char *bdf)
{
    const struct timespec pause = { 1, 0 };
    long deadline = sriov__now_ms() + 2 * (long)ctx->settle_timeout_ms;
    bool pending = false, told = false;
    int rc;

    for (;;) {
        rc = hv->ops->pci_remove(hv, dom, bdf);
        if (rc == -ETIMEDOUT)
            pending = true;
        else if (rc != -EBUSY || !pending)
            break;
        if (sriov__now_ms() >= deadline)
            return sriov__fail(ctx, -ETIMEDOUT, "%s: domain %s did not let go of it: its "
                               "device model still had it after %u s (%s)", bdf, dom->name,
                               2 * ctx->settle_timeout_ms / 1000, ctx->last_error);
        if (!told)
            sriov__warn(ctx, "%s: domain %s has not let go of it yet (%s); asking again",
                        bdf, dom->name, ctx->last_error);
        told = true;
        if (rc == -EBUSY)
            nanosleep(&pause, NULL);
    }
    if (rc == -ENODEV) {
        sriov__warn(ctx, "%s: the device model of domain %s no longer has it (a removal "
                    "finished after libxl stopped waiting): finishing it by force", bdf,
                    dom->name);
        rc = hv->ops->pci_destroy(hv, dom, bdf);
    }
    return rc;
}

/* Take the VF from its domain, if the hypervisor says it has it.  Only a definite
 * answer counts: a failed look-up keeps the record (fail closed), since a VF we
 * wrongly think free would be handed to a second guest. */
static int pci_undo(struct sriov_ctx *ctx, struct sriov_hv *hv, const struct sriov_assignment *r)
{
    struct sriov_hv_domain dom, holder;
    uint8_t uuid[16];
    int rc;

    if (!r->vf[0])
        return 0;
    if (sriov__uuid_parse(r->uuid, uuid))
        return sriov__fail(ctx, -EINVAL, "%s: its record names no valid domain UUID ('%s')",
                           r->vf, r->uuid);
    rc = sriov__hv_domain(ctx, hv, uuid, &dom);
    if (rc == -ENOENT)
        return 0; /* a domain that is gone took its devices with it */
    if (rc)
        return sriov__fail(ctx, rc, "%s: cannot tell whether domain %s (%s) still exists, "
                           "keeping it: %s", r->vf, r->name, r->uuid, ctx->last_error);
    rc = sriov__hv_holder(ctx, hv, r->vf, &holder);
    if (rc == -ENOENT)
        return 0; /* never attached, or detached already */
    if (rc)
        return sriov__fail(ctx, rc, "%s: cannot tell which domain holds it, keeping it: %s",
                           r->vf, ctx->last_error);
    if (memcmp(holder.uuid, uuid, 16))
        return sriov__fail(ctx, -EBUSY, "%s is held by domain %s, not by %s (%s) that its "
                           "record names", r->vf, holder.name, r->name, r->uuid);
    rc = remove_from_domain(ctx, hv, &dom, r->vf);
    sriov__holders_stale(ctx); /* failed or not: it may have taken effect */
    return rc;
}

/* driver_override back to empty; a VF that no longer exists has none. */
static int override_undo(struct sriov_ctx *ctx, const struct sriov_assignment *r)
{
    if (!r->vf[0] || !sriov__pci_dev_exists(ctx, r->vf, NULL))
        return 0;
    return sriov__vf_driver_override(ctx, r->vf, "");
}

static int autoprobe_undo(struct sriov_ctx *ctx, const struct sriov_assignment *r)
{
    int rc = sriov__pci_dev_write(ctx, r->pf, "sriov_drivers_autoprobe", "1");

    if (rc)
        return sriov__fail(ctx, rc, "%s: cannot write 1 to sriov_drivers_autoprobe: %s",
                           r->pf, strerror(-rc));
    return 0;
}

static int undo_step(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                     size_t i, unsigned int step)
{
    struct sriov_assignment *r = &recs->v[i];
    struct sriov_pf *pf = NULL;
    int rc = 0;

    switch (step) {
    case SRIOV_STEP_XS:
        return r->vf[0] ? sriov__xs_unpublish(hv, recs, i) : 0;
    case SRIOV_STEP_PCI:
        return pci_undo(ctx, hv, r);
    case SRIOV_STEP_ASSIGNABLE:
        /* The hv contract (hv.h): removing a device that is not, or only partly,
         * assignable completes what is there and succeeds. */
        return r->vf[0] ? hv->ops->assignable_remove(hv, r->vf, true) : 0;
    case SRIOV_STEP_OVERRIDE:
        return override_undo(ctx, r);
    case SRIOV_STEP_L2:
        return r->vf[0] ? restore_l2(ctx, r) : 0;
    case SRIOV_STEP_ENABLED_VFS: {
        enum sriov__duty_holder to;

        /* Another record or a moving domain still uses VFs of this PF: keep them
         * enabled, and hand it the duty, so that the last user turns them off. */
        rc = sriov__vfs_duty_pass(ctx, recs, i, NULL, r->pf, &to);
        if (rc || to != SRIOV_DUTY_NONE)
            return rc;
        /* Internal variant: the caller holds the assignments lock; 0 VFs when there
         * are 0 already is no change. */
        rc = sriov_pf_find(ctx, r->pf, &pf);
        return rc ? rc : sriov__pf_set_numvfs(ctx, pf, 0, 0);
    }
    case SRIOV_STEP_AUTOPROBE:
        return autoprobe_undo(ctx, r);
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
        { SRIOV_STEP_ENABLED_VFS, "disable_vfs" }, { SRIOV_STEP_AUTOPROBE, "autoprobe" },
    };
    struct sriov__saved_error first;
    struct sriov_assignment gone = { 0 };
    unsigned int left;
    bool unsaved = false;
    int first_rc = 0, rc;

    /* Write-ahead: from here on, whoever sees the record finishes the release.
     * What was saved ahead and never began has nothing to undo: this process
     * knows, and saves what did begin. */
    recs->v[i].ahead = 0;
    recs->v[i].phase = SRIOV_PHASE_RELEASING;
    rc = sriov__recs_save(ctx, recs);
    if (rc && !best_effort)
        return sriov__step_failed(ctx, rc, &recs->v[i], "release");
    if (rc)
        sriov__errlog(ctx, "%s", ctx->last_error);
    for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
        if (!((recs->v[i].steps | recs->v[i].pending) & order[k].bit))
            continue;
        /* The VF's settings could not be put back: keep the VFs, since those of a
         * VF that is gone never can be; the record below keeps both for the next try. */
        if (order[k].bit == SRIOV_STEP_ENABLED_VFS &&
            ((recs->v[i].steps | recs->v[i].pending) & SRIOV_STEP_L2))
            continue;
        /* disable_vfs removes the VF: undoing again what came before it (restoring
         * the VF's settings, assignable_remove) would then fail.  So what is undone
         * is saved before it; every other undo can be repeated after the later
         * ones, and a crash before the next save only has them done again. */
        if (order[k].bit == SRIOV_STEP_ENABLED_VFS && unsaved) {
            (void)sriov__recs_save(ctx, recs); /* as each undo's save was */
            unsaved = false;
        }
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
        recs->v[i].pending &= ~order[k].bit;
        unsaved = true;
    }
    left = recs->v[i].steps | recs->v[i].pending;
    if (!recs->v[i].vf[0] || !sriov__pci_dev_exists(ctx, recs->v[i].vf, NULL))
        left &= ~SRIOV_STEP_OVERRIDE; /* a VF that is gone has no driver_override */
    if (first_rc && left) {
        /* Something is not undone (the VF still with pciback or a domain, its
         * settings, xenstore, the VFs enabled): keep the record so that gc or
         * pci-detach can finish the job, rather than hand the VF out again or
         * forget what is left to undo. */
        (void)sriov__recs_save(ctx, recs);
        sriov__error_restore(ctx, &first);
        return first_rc;
    }
    /* The record's identity, for the message if forgetting it cannot be saved. */
    gone.index = recs->v[i].index;
    memcpy(gone.vf, recs->v[i].vf, sizeof(gone.vf));
    memcpy(gone.pf, recs->v[i].pf, sizeof(gone.pf));
    sriov__recs_remove(recs, i);
    rc = sriov__recs_save(ctx, recs);
    if (first_rc) {
        sriov__error_restore(ctx, &first);
        return first_rc;
    }
    return rc ? sriov__step_failed(ctx, rc, &gone, "release") : 0;
}
