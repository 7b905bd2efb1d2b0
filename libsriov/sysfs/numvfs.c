/*
 * VF lifecycle: changing sriov_numvfs the way Documentation/PCI/pci-iov-howto.rst
 * and sysfs-bus-pci require, with every step undone if a later one fails.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
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

static const char *numvfs_errno_hint(int rc)
{
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

static int write_numvfs(struct sriov_ctx *ctx, int devfd, const char *bdf, unsigned int n)
{
    char rel[PATH_MAX], val[16];
    int rc;

    snprintf(rel, sizeof(rel), "%s/sriov_numvfs", bdf);
    snprintf(val, sizeof(val), "%u", n);
    rc = sriov__write_attr_at(devfd, rel, val);
    if (rc)
        return sriov__fail(ctx, rc, "%s: writing %u to sriov_numvfs failed: %s%s", bdf, n,
                           strerror(-rc), numvfs_errno_hint(rc));
    sriov__info(ctx, "%s: sriov_numvfs = %u", bdf, n);
    return 0;
}

static int write_autoprobe(struct sriov_ctx *ctx, int devfd, const char *bdf, int value)
{
    char rel[PATH_MAX];
    int rc;

    snprintf(rel, sizeof(rel), "%s/sriov_drivers_autoprobe", bdf);
    rc = sriov__write_attr_at(devfd, rel, value ? "1" : "0");
    if (rc)
        return sriov__fail(ctx, rc, "%s: writing %d to sriov_drivers_autoprobe failed: %s",
                           bdf, value, strerror(-rc));
    return 0;
}

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Exactly virtfn0..n-1 exist and each points at a device that exists. */
static bool vfs_settled(int devfd, const char *bdf, unsigned int n)
{
    char rel[PATH_MAX];

    for (unsigned int i = 0; i < n; i++) {
        snprintf(rel, sizeof(rel), "%s/virtfn%u", bdf, i);
        if (faccessat(devfd, rel, F_OK, 0) != 0)
            return false;
    }
    snprintf(rel, sizeof(rel), "%s/virtfn%u", bdf, n);
    return faccessat(devfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) != 0;
}

static int wait_for_vfs(struct sriov_ctx *ctx, int devfd, const char *bdf, unsigned int n)
{
    long deadline = now_ms() + (long)ctx->settle_timeout_ms;
    struct timespec pause = { 0, POLL_INTERVAL_MS * 1000000L };

    while (!vfs_settled(devfd, bdf, n)) {
        if (now_ms() > deadline)
            return sriov__fail(ctx, -ETIMEDOUT,
                               "%s: the %u VF devices did not appear within %u ms", bdf, n,
                               ctx->settle_timeout_ms);
        nanosleep(&pause, NULL);
    }
    return 0;
}

struct numvfs_change {
    unsigned int old_numvfs;
    bool autoprobe_cleared;
    bool vfs_changed;
};

/* Put back what apply() changed; the first error stays the one reported. */
static void rollback(struct sriov_ctx *ctx, int devfd, const char *bdf,
                     const struct numvfs_change *done)
{
    char saved[SRIOV_ERR_LEN];

    snprintf(saved, sizeof(saved), "%s", ctx->last_error);
    if (done->autoprobe_cleared && write_autoprobe(ctx, devfd, bdf, 1))
        sriov__errlog(ctx, "rollback: %s", ctx->last_error);
    if (done->vfs_changed) {
        /* The kernel only moves between counts through 0. */
        if (write_numvfs(ctx, devfd, bdf, 0) ||
            (done->old_numvfs && write_numvfs(ctx, devfd, bdf, done->old_numvfs)))
            sriov__errlog(ctx, "rollback: could not restore %u VFs: %s", done->old_numvfs,
                          ctx->last_error);
    }
    snprintf(ctx->last_error, sizeof(ctx->last_error), "%s", saved);
}

static int apply(struct sriov_ctx *ctx, int devfd, struct sriov_pf *pf, unsigned int n,
                 unsigned int flags, struct numvfs_change *done)
{
    const char *bdf = pf->dev.bdf;
    int rc;

    if (n > 0 && !(flags & SRIOV_NUMVFS_HOST_PROBE) && pf->drivers_autoprobe == 1) {
        rc = write_autoprobe(ctx, devfd, bdf, 0);
        if (rc)
            return rc;
        done->autoprobe_cleared = true;
    }
    if (pf->numvfs > 0) {
        done->vfs_changed = true;
        rc = write_numvfs(ctx, devfd, bdf, 0);
        if (!rc)
            rc = wait_for_vfs(ctx, devfd, bdf, 0);
        if (rc)
            return rc;
    }
    if (n > 0) {
        done->vfs_changed = true;
        rc = write_numvfs(ctx, devfd, bdf, n);
        if (!rc)
            rc = wait_for_vfs(ctx, devfd, bdf, n);
        if (rc)
            return rc;
    }
    if (done->autoprobe_cleared) {
        /* The VFs exist now; probing no longer touches them, so give the knob back. */
        rc = write_autoprobe(ctx, devfd, bdf, 1);
        if (rc)
            return rc;
        done->autoprobe_cleared = false;
    }
    return 0;
}

int sriov_pf_set_numvfs(struct sriov_ctx *ctx, struct sriov_pf *pf, unsigned int n,
                        unsigned int flags)
{
    struct numvfs_change done = { 0 };
    const struct sriov_vf *held;
    const char *bdf = pf->dev.bdf;
    int devfd = -1, rc;

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

    devfd = sriov__sysfs_open_dir(ctx, "bus/pci/devices");
    if (devfd < 0)
        return sriov__fail(ctx, devfd, "cannot open %s/bus/pci/devices", ctx->sysfs_root);
    done.old_numvfs = pf->numvfs;
    rc = apply(ctx, devfd, pf, n, flags, &done);
    if (rc)
        rollback(ctx, devfd, bdf, &done);
    close(devfd);

    /* Reload either way so the handle matches the host, but keep the first error. */
    if (rc) {
        char saved[SRIOV_ERR_LEN];
        snprintf(saved, sizeof(saved), "%s", ctx->last_error);
        (void)sriov__pf_reload(ctx, pf);
        snprintf(ctx->last_error, sizeof(ctx->last_error), "%s", saved);
        return rc;
    }
    return sriov__pf_reload(ctx, pf);
}
