/*
 * The simulated hypervisor's PCI side: the same sysfs writes libxl makes
 * (tools/libs/light/libxl_pci.c, Xen 4.17), so the host simulator sees what a real
 * host would.  assignable_add: remember the bound driver in xenstore
 * /libxl/pci/<dddd-bb-dd-f>/driver_path, unbind it, pciback new_slot (unless
 * pciback already has a slot), pciback bind, then the assignable list (libxl's
 * quarantine: xc_assign_device to dom_io).  assignable_remove undoes it and binds
 * the remembered driver again.  Like libxl, a step failing part-way is not undone
 * here: the caller's rollback calls assignable_remove, which copes.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "core/statefile.h"
#include "sysfs/sysfs.h"
#include "hv_sim.h"

static void driver_path_key(const char *bdf, char *buf, size_t len)
{
    unsigned int d = 0, b = 0, s = 0, f = 0;

    sscanf(bdf, "%x:%x:%x.%x", &d, &b, &s, &f);
    snprintf(buf, len, "/libxl/pci/%04x-%02x-%02x-%01x/driver_path", d, b, s, f);
}

static int pciback_has_slot(struct sriov_ctx *ctx, const char *bdf)
{
    char slots[8192];

    if (sriov__pci_driver_read(ctx, "pciback", "slots", slots, sizeof(slots)))
        return 0;
    return strstr(slots, bdf) != NULL;
}

/* Write bdf to one of a driver's attributes (bind, unbind, new_slot, ...). */
static int driver_write(struct sriov_ctx *ctx, const char *driver, const char *attr,
                        const char *bdf, const char *what)
{
    int rc = sriov__pci_driver_write(ctx, driver, attr, bdf);

    if (rc)
        return sriov__fail(ctx, rc, "%s: %s (writing %s's %s): %s", bdf, what, driver, attr,
                           strerror(-rc));
    return 0;
}

static int unbind(struct sriov_ctx *ctx, const char *bdf)
{
    int rc = sriov__pci_dev_unbind(ctx, bdf);

    if (rc)
        return sriov__fail(ctx, rc, "%s: cannot unbind from its driver (writing its driver's "
                           "unbind): %s", bdf, strerror(-rc));
    return 0;
}

int sim_is_assignable(struct sriov_hv *hv, const char *bdf)
{
    struct sim_lines l;
    int rc = sim_lines_read((struct sim_hv *)hv, "assignable", &l);

    if (rc)
        return rc;
    rc = sim_lines_has(&l, bdf) ? 1 : 0;
    sim_lines_free(&l);
    return rc;
}

int sim_assignable_add(struct sriov_hv *hv, const char *bdf)
{
    struct sim_hv *sim = (struct sim_hv *)hv;
    struct sriov_ctx *ctx = hv->ctx;
    char drv[NAME_MAX + 1], key[80], drvpath[PATH_MAX];
    struct sim_lines l = { 0 };
    int lockfd = -1, rc;

    rc = sim_begin(hv, "assignable_add", &lockfd);
    if (rc)
        goto out;
    if (!sriov__pci_dev_exists(ctx, bdf, NULL)) {
        rc = sriov__fail(ctx, -ENODEV, "%s: no such PCI device", bdf);
        goto out;
    }
    if (!sriov__pci_driver_exists(ctx, "pciback")) {
        rc = sriov__fail(ctx, -ENOENT, "%s: the pciback driver is not loaded", bdf);
        goto out;
    }
    if (sriov__pci_dev_link(ctx, bdf, "driver", drv, sizeof(drv)) == 0 &&
        strcmp(drv, "pciback")) {
        /* libxl: "rebind" remembers the driver so assignable_remove can give it back. */
        driver_path_key(bdf, key, sizeof(key));
        rc = sriov__pci_driver_path(ctx, drv, drvpath, sizeof(drvpath));
        if (!rc)
            rc = sim_xs_write(hv, key, drvpath);
        if (!rc)
            rc = unbind(ctx, bdf);
        if (rc)
            goto out;
    }
    if (!pciback_has_slot(ctx, bdf)) {
        rc = driver_write(ctx, "pciback", "new_slot", bdf, "cannot give it a pciback slot");
        if (rc)
            goto out;
    }
    if (sriov__pci_dev_link(ctx, bdf, "driver", drv, sizeof(drv)) != 0) {
        rc = driver_write(ctx, "pciback", "bind", bdf, "cannot bind to pciback");
        if (rc)
            goto out;
    }
    rc = sim_lines_read(sim, "assignable", &l);
    if (!rc && !sim_lines_has(&l, bdf)) {
        rc = sim_lines_add(&l, bdf);
        if (!rc)
            rc = sim_lines_write(sim, "assignable", &l);
    }
out:
    sim_lines_free(&l);
    sim_unlock(sim, lockfd);
    if (!rc)
        sim_after(hv, "assignable_add");
    return rc;
}

int sim_assignable_remove(struct sriov_hv *hv, const char *bdf, bool rebind)
{
    struct sim_hv *sim = (struct sim_hv *)hv;
    struct sriov_ctx *ctx = hv->ctx;
    char drv[NAME_MAX + 1], key[80], *path = NULL;
    struct sriov_hv_domain owner;
    struct sim_lines l = { 0 };
    bool pciback;
    int lockfd = -1, rc;

    rc = sim_fault(hv, "assignable_remove");
    if (rc)
        return rc;
    if (sim_holder(sim, bdf, &owner) == 0)
        return sriov__fail(ctx, -EBUSY, "%s is still assigned to domain %s (%u)", bdf,
                           owner.name, owner.domid);
    rc = sim_lock(sim, &lockfd);
    if (rc)
        goto out;
    pciback = sriov__pci_driver_exists(ctx, "pciback");
    if (pciback && sriov__pci_dev_link(ctx, bdf, "driver", drv, sizeof(drv)) == 0 &&
        !strcmp(drv, "pciback")) {
        rc = driver_write(ctx, "pciback", "unbind", bdf, "cannot unbind from pciback");
        if (rc)
            goto out;
    }
    if (pciback && pciback_has_slot(ctx, bdf)) {
        rc = driver_write(ctx, "pciback", "remove_slot", bdf, "cannot remove its pciback slot");
        if (rc)
            goto out;
    }
    rc = sim_lines_read(sim, "assignable", &l);
    if (!rc && sim_lines_remove(&l, bdf))
        rc = sim_lines_write(sim, "assignable", &l);
    if (rc)
        goto out;
    driver_path_key(bdf, key, sizeof(key));
    if (rebind && sim_xs_read(sim, key, &path) == 0) {
        const char *name = strrchr(path, '/');
        name = name ? name + 1 : path;
        if (!sriov__safe_component(name)) {
            rc = sriov__fail(ctx, -EINVAL, "%s: bad remembered driver path '%s'", bdf, path);
            goto out;
        }
        /* An add cut short before its unbind left the driver bound: nothing to do. */
        if (sriov__pci_dev_link(ctx, bdf, "driver", drv, sizeof(drv)) != 0)
            rc = driver_write(ctx, name, "bind", bdf, "cannot rebind its driver");
        if (rc)
            goto out;
    }
    rc = sim_xs_rm(hv, key);
out:
    free(path);
    sim_lines_free(&l);
    sim_unlock(sim, lockfd);
    if (!rc)
        sim_after(hv, "assignable_remove");
    return rc;
}

/* Caller holds the sim lock.  libxl refuses devices that are not assignable. */
int sim_pci_add_locked(struct sim_hv *sim, const struct sriov_hv_domain *dom, const char *bdf)
{
    struct sriov_hv *hv = &sim->hv;
    struct sriov_hv_domain owner;
    char name[PATH_MAX], line[64];
    struct sim_lines l = { 0 };
    int rc;

    rc = sim_is_assignable(hv, bdf);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return sriov__fail(hv->ctx, -EINVAL, "PCI device %s is not assignable", bdf);
    if (sim_holder(sim, bdf, &owner) == 0)
        return sriov__fail(hv->ctx, -EBUSY, "PCI device %s is already assigned to domain %s",
                           bdf, owner.name);
    sim_domain_file(sim, dom->uuid, name, sizeof(name));
    rc = sim_lines_read(sim, name, &l);
    if (!rc && l.n == 0)
        rc = sriov__fail(hv->ctx, -ENOENT, "domain %u (%s) does not exist", dom->domid,
                         dom->name);
    /* libxl: a domain built without passthrough takes no device (Xen gave it no
     * IOMMU context). */
    if (!rc && sim_lines_has(&l, "passthrough-off"))
        rc = sriov__fail(hv->ctx, -EIO, "%s: libxl_device_pci_add to domain %s (%u) failed: "
                         "PCI device cannot be assigned - no IOMMU?", bdf, dom->name,
                         dom->domid);
    snprintf(line, sizeof(line), "pci %s", bdf);
    if (!rc)
        rc = sim_lines_add(&l, line);
    if (!rc)
        rc = sim_lines_write(sim, name, &l);
    sim_lines_free(&l);
    return rc;
}

int sim_pci_add(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *bdf,
                const struct sriov_hv_pci_opts *opts)
{
    struct sim_hv *sim = (struct sim_hv *)hv;
    int lockfd = -1, rc;

    (void)opts;
    rc = sim_fault(hv, "pci_add");
    if (rc)
        return rc;
    rc = sim_lock(sim, &lockfd);
    if (!rc)
        rc = sim_pci_add_locked(sim, dom, bdf);
    sim_unlock(sim, lockfd);
    if (!rc)
        sim_after(hv, "pci_add");
    return rc;
}

/* DIR/dm-slow, one "BDF late" or "BDF never" line per device whose guest is
 * slow to eject it, as libxl and Debian 12's device model (QEMU 7.2) behave:
 * the first remove waits 10 s and times out, leaving the unplug pending
 * ("dm-pending BDF" in the domain file); while it is, the device model refuses
 * another ("already in the process of unplug"); "late": the guest ejects it
 * during that second ask ("dm-gone BDF"), after which libxl's remove fails on
 * "Device ... not found" and the device stays assigned until
 * libxl_device_pci_destroy; "never": it never does. */
static const char *dm_slow(struct sim_hv *sim, const char *bdf)
{
    static const char *const kinds[] = { "late", "never" };
    struct sim_lines l = { 0 };
    const char *kind = NULL;
    char line[64];

    if (sim_lines_read(sim, "dm-slow", &l))
        return NULL;
    for (size_t k = 0; k < 2 && !kind; k++) {
        snprintf(line, sizeof(line), "%s %s", bdf, kinds[k]);
        if (sim_lines_has(&l, line))
            kind = kinds[k];
    }
    sim_lines_free(&l);
    return kind;
}

/* libxl's id of a passed-through device in the device model: pci-pt-BB_DD.F. */
static void qdev_id(const char *bdf, char *buf, size_t len)
{
    snprintf(buf, len, "pci-pt-%.2s_%.2s.%.1s", bdf + 5, bdf + 8, bdf + 11);
}

static int remove_pci(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *bdf,
                      bool force)
{
    struct sim_hv *sim = (struct sim_hv *)hv;
    const char *op = force ? "pci_destroy" : "pci_remove", *slow;
    char name[PATH_MAX], line[64], gone[64], pending[64], id[32];
    struct sim_lines l = { 0 };
    int lockfd = -1, rc;

    rc = sim_begin(hv, op, &lockfd);
    if (rc)
        goto out;
    sim_domain_file(sim, dom->uuid, name, sizeof(name));
    snprintf(line, sizeof(line), "pci %s", bdf);
    snprintf(gone, sizeof(gone), "dm-gone %s", bdf);
    snprintf(pending, sizeof(pending), "dm-pending %s", bdf);
    qdev_id(bdf, id, sizeof(id));
    rc = sim_lines_read(sim, name, &l);
    if (rc)
        goto out;
    slow = force ? NULL : dm_slow(sim, bdf);
    if (!sim_lines_has(&l, line)) {
        rc = sriov__fail(hv->ctx, -ENOENT, "%s is not assigned to domain %s", bdf, dom->name);
    } else if (!force && sim_lines_has(&l, gone)) {
        rc = sriov__fail(hv->ctx, -ENODEV, "libxl: error: Domain %u:Device '%s' not found",
                         dom->domid, id);
    } else if (slow && sim_lines_has(&l, pending)) {
        rc = sriov__fail(hv->ctx, -EBUSY, "libxl: error: Domain %u:Device %s is already in "
                         "the process of unplug", dom->domid, id);
        if (!strcmp(slow, "late") && sim_lines_remove(&l, pending) && !sim_lines_add(&l, gone))
            (void)sim_lines_write(sim, name, &l);
    } else if (slow) {
        rc = sriov__fail(hv->ctx, -ETIMEDOUT, "libxl: warning: Domain %u:timed out waiting "
                         "for DM to remove %s", dom->domid, id);
        if (!sim_lines_add(&l, pending))
            (void)sim_lines_write(sim, name, &l);
    } else {
        sim_lines_remove(&l, line);
        sim_lines_remove(&l, gone);
        sim_lines_remove(&l, pending);
        rc = sim_lines_write(sim, name, &l);
    }
out:
    sim_lines_free(&l);
    sim_unlock(sim, lockfd);
    if (!rc)
        sim_after(hv, op);
    return rc;
}

int sim_pci_remove(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *bdf)
{
    return remove_pci(hv, dom, bdf, false);
}

int sim_pci_destroy(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *bdf)
{
    return remove_pci(hv, dom, bdf, true);
}
