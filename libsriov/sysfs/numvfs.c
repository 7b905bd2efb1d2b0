/*
 * VF lifecycle: changing sriov_numvfs the way Documentation/PCI/pci-iov-howto.rst
 * and sysfs-bus-pci require, with every step undone if a later one fails.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "core/plan.h"
#include "sysfs/sysfs.h"

#define POLL_INTERVAL_MS 10

/* A VF under pciback is assigned, or about to be, to a domain: removing it would pull
 * a device out from under a guest. */
static const struct sriov_vf *vf_held_by_xen(const struct sriov_pf *pf)
{
    for (size_t i = 0; i < pf->n_vfs; i++) {
        const char *drv = pf->vfs[i]->dev.driver;
        if (drv && !strcmp(drv, "pciback"))
            return pf->vfs[i];
    }
    return NULL;
}

static const char *numvfs_errno_hint(int rc, unsigned int n)
{
    if (n == 0 && (rc == -EPERM || rc == -EBUSY))
        return " (the PF driver still counts a VF as assigned to a guest: xen-pciback lets go "
               "of it once the backend of the domain that had it is gone)";
    switch (rc) {
    case -ENOENT:
        return " (the PF has no driver bound, or its driver cannot enable VFs)";
    case -ENOMEM:
        return " (not enough bus numbers or MMIO space for the VFs)";
    case -EBUSY:
        return " (VFs are already enabled)";
    case -EIO:
        return " (the PF driver refused: is it bound and the device ready?)";
    default:
        return "";
    }
}

static int write_numvfs(struct sriov_ctx *ctx, const char *bdf, unsigned int n)
{
    char val[16];
    int rc;

    snprintf(val, sizeof(val), "%u", n);
    rc = sriov__pci_dev_write(ctx, bdf, "sriov_numvfs", val);
    if (rc)
        return sriov__fail(ctx, rc, "%s: writing %u to sriov_numvfs failed: %s%s", bdf, n,
                           strerror(-rc), numvfs_errno_hint(rc, n));
    sriov__info(ctx, "%s: sriov_numvfs = %u", bdf, n);
    return 0;
}

static int write_autoprobe(struct sriov_ctx *ctx, const char *bdf, int value)
{
    int rc;

    rc = sriov__pci_dev_write(ctx, bdf, "sriov_drivers_autoprobe", value ? "1" : "0");
    if (rc)
        return sriov__fail(ctx, rc, "%s: writing %d to sriov_drivers_autoprobe failed: %s",
                           bdf, value, strerror(-rc));
    return 0;
}

/* Exactly virtfn0..n-1 exist and each points at a device that exists; *ready
 * counts those that do so far, for the progress shown. */
static bool vfs_settled(struct sriov_ctx *ctx, const char *bdf, unsigned int n,
                        unsigned int *ready)
{
    *ready = 0;
    for (unsigned int i = 0; i < n; i++) {
        if (!sriov__pci_virtfn_exists(ctx, bdf, i, true))
            return false;
        (*ready)++;
    }
    return !sriov__pci_virtfn_exists(ctx, bdf, n, false);
}

static int wait_for_vfs(struct sriov_ctx *ctx, const char *bdf, unsigned int n)
{
    long deadline = sriov__now_ms() + (long)ctx->settle_timeout_ms;
    struct timespec pause = { 0, POLL_INTERVAL_MS * 1000000L };
    unsigned int ready;

    if (sriov__dry_run(ctx)) {
        if (n)
            sriov__plan(ctx, "sysfs", "wait until %s/virtfn0..virtfn%u name devices", bdf,
                        n - 1);
        else
            sriov__plan(ctx, "sysfs", "wait until %s has no virtfn links", bdf);
        return 0;
    }
    while (!vfs_settled(ctx, bdf, n, &ready)) {
        if (n)
            sriov__progress(ctx, ready, n, "%s: waiting for %u VFs", bdf, n);
        if (sriov__now_ms() > deadline)
            return sriov__fail(ctx, -ETIMEDOUT,
                               "%s: the %u VF devices did not appear within %u ms", bdf, n,
                               ctx->settle_timeout_ms);
        nanosleep(&pause, NULL);
    }
    if (n)
        sriov__progress(ctx, n, n, "%s: waiting for %u VFs", bdf, n);
    return 0;
}

/* Removing the VFs is refused (EPERM from igb and ixgbe, EBUSY from others) while
 * the kernel counts one as assigned to a guest.  xen-pciback lets go of a VF only
 * once the backend of the domain that had it is torn down, a moment after the
 * domain died (xl destroy, a crash), so gc or a release right after it would find
 * the VF still counted: the write is tried again until the settle timeout. */
static int remove_vfs(struct sriov_ctx *ctx, const char *bdf)
{
    long deadline = sriov__now_ms() + (long)ctx->settle_timeout_ms;
    struct timespec pause = { 0, 100 * 1000000L };
    bool said = false;
    int rc;

    while ((rc = write_numvfs(ctx, bdf, 0)) == -EPERM || rc == -EBUSY) {
        if (sriov__now_ms() > deadline)
            break;
        if (!said)
            sriov__info(ctx, "%s: a VF is still assigned to a guest, waiting up to %u ms for "
                        "xen-pciback to let go of it", bdf, ctx->settle_timeout_ms);
        said = true;
        nanosleep(&pause, NULL);
    }
    return rc;
}

struct numvfs_change {
    unsigned int old_numvfs;
    bool autoprobe_cleared;
    bool vfs_changed;
};

/* Put back what apply() changed; the first error stays the one reported. */
static void rollback(struct sriov_ctx *ctx, const char *bdf, const struct numvfs_change *done)
{
    struct sriov__saved_error first;

    sriov__error_save(ctx, &first);
    if (done->autoprobe_cleared && write_autoprobe(ctx, bdf, 1))
        sriov__errlog(ctx, "rollback: %s", ctx->last_error);
    if (done->vfs_changed) {
        /* The kernel only moves between counts through 0. */
        if (write_numvfs(ctx, bdf, 0) ||
            (done->old_numvfs && write_numvfs(ctx, bdf, done->old_numvfs)))
            sriov__errlog(ctx, "rollback: could not restore %u VFs: %s", done->old_numvfs,
                          ctx->last_error);
    }
    sriov__error_restore(ctx, &first);
}

static int apply(struct sriov_ctx *ctx, struct sriov_pf *pf, unsigned int n,
                 unsigned int flags, struct numvfs_change *done)
{
    const char *bdf = pf->dev.bdf;
    int rc;

    if (n > 0 && !(flags & SRIOV_NUMVFS_HOST_PROBE) && pf->drivers_autoprobe == 1) {
        rc = write_autoprobe(ctx, bdf, 0);
        if (rc)
            return rc;
        done->autoprobe_cleared = true;
    }
    if (pf->numvfs > 0) {
        rc = remove_vfs(ctx, bdf);
        if (rc)
            return rc; /* the driver refused: its VFs are as they were */
        done->vfs_changed = true;
        rc = wait_for_vfs(ctx, bdf, 0);
        if (rc)
            return rc;
    }
    if (n > 0) {
        done->vfs_changed = true;
        rc = write_numvfs(ctx, bdf, n);
        if (!rc)
            rc = wait_for_vfs(ctx, bdf, n);
        if (rc)
            return rc;
    }
    if (done->autoprobe_cleared) {
        /* The VFs exist now; probing no longer touches them, so give the knob back. */
        rc = write_autoprobe(ctx, bdf, 1);
        if (rc)
            return rc;
        done->autoprobe_cleared = false;
    }
    return 0;
}

/* The public sriov_pf_set_numvfs() (assign/pf.c) takes the assignments lock and
 * refuses while a record names the PF; this is the change itself, for it and for
 * the assignment steps, which hold that lock already. */
int sriov__pf_set_numvfs(struct sriov_ctx *ctx, struct sriov_pf *pf, unsigned int n,
                         unsigned int flags)
{
    struct numvfs_change done = { 0 };
    const struct sriov_vf *held;
    const char *bdf = pf->dev.bdf;
    int rc;

    /* Someone may have changed the PF since our scan: decide on what is there now. */
    rc = sriov__pf_reload(ctx, pf);
    if (rc)
        return rc;
    if (n > pf->totalvfs)
        return sriov__fail(ctx, -EINVAL, "%s supports at most %u VFs, %u requested", bdf,
                           pf->totalvfs, n);
    if (n == pf->numvfs)
        return 0;
    held = vf_held_by_xen(pf);
    if (pf->numvfs > 0 && held) {
        if (!(flags & SRIOV_NUMVFS_FORCE))
            return sriov__fail(ctx, -EBUSY,
                               "%s: VF %u (%s) is bound to pciback (assigned or assignable to "
                               "a domain); detach it first, or force",
                               bdf, held->index, held->dev.bdf);
        sriov__warn(ctx, "%s: forced: removing VFs although VF %u (%s) is bound to pciback",
                    bdf, held->index, held->dev.bdf);
    }

    done.old_numvfs = pf->numvfs;
    rc = apply(ctx, pf, n, flags, &done);
    if (rc)
        rollback(ctx, bdf, &done);

    /* Reload either way so the handle matches the host, but keep the first error. */
    if (rc) {
        struct sriov__saved_error first;
        sriov__error_save(ctx, &first);
        (void)sriov__pf_reload(ctx, pf);
        sriov__error_restore(ctx, &first);
        return rc;
    }
    /* A dry run changed nothing to reload: go on with the VFs it would have made. */
    if (sriov__dry_run(ctx))
        return sriov__pf_predict_vfs(ctx, pf, n);
    return sriov__pf_reload(ctx, pf);
}
