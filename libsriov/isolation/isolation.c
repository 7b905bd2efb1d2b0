/*
 * Isolation before assignment: the report, and the checks that ask Xen.
 *
 * Every check adds at least one finding, passed or not, so that a caller can
 * show what was verified as well as what is missing.  Checks fail closed: a
 * check that cannot read what it needs reports a failure saying so, since
 * "could not tell" must not turn into "isolated".  The PCI checks live in
 * isolation_pci.c (libpci) and isolation_bars.c (sysfs resource files).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "hv/hv.h"
#include "hv/holders.h"
#include "isolation/isolation.h"
#include "sysfs/sysfs.h"

struct finding {
    const char *name;             /* static string: "acs", "iommu", ... */
    enum sriov_isolation_result result;
    char *detail;
};

struct sriov_isolation {
    char bdf[SRIOV_BDF_LEN];
    struct finding *findings;
    size_t n, cap;
};

int sriov__isolation_add(struct sriov_isolation *r, const char *name,
                         enum sriov_isolation_result result, const char *format, ...)
{
    struct finding *f;
    va_list args;
    int n;

    if (sriov__grow(&r->findings, &r->cap, r->n, sizeof(*r->findings), 16))
        return -ENOMEM;
    f = &r->findings[r->n];
    f->name = name;
    f->result = result;
    va_start(args, format);
    n = vasprintf(&f->detail, format, args);
    va_end(args);
    if (n < 0)
        return -ENOMEM;
    r->n++;
    return 0;
}

/* Devices sharing the VF's IOMMU context must not be in use by anyone (XSA-373):
 * dom0 uses a device through any host driver but pciback, a domU owns what Xen
 * says it owns. */
static int check_group_member(struct sriov_ctx *ctx, struct sriov_hv *hv, const char *vf_bdf,
                              const char *bdf, struct sriov_isolation *r, bool *clean)
{
    struct sriov_hv_domain dom;
    char drv[NAME_MAX + 1];
    int rc;

    rc = sriov__hv_holder(ctx, hv, bdf, &dom);
    if (rc == 0) {
        *clean = false;
        return sriov__isolation_add(r, "device-group", SRIOV_ISOLATION_FAILED,
                                    "%s shares its Xen device group with %s, which is "
                                    "assigned to domain %s (%u) (XSA-373)",
                                    vf_bdf, bdf, dom.name, dom.domid);
    }
    if (rc != -ENOENT) {
        *clean = false;
        return sriov__isolation_add(r, "device-group", SRIOV_ISOLATION_FAILED,
                                    "cannot tell whether %s, in the Xen device group of %s, "
                                    "is assigned to a domain: %s", bdf, vf_bdf, strerror(-rc));
    }
    rc = sriov__pci_dev_link(ctx, bdf, "driver", drv, sizeof(drv));
    if (rc == -ENOENT || (rc == 0 && !strcmp(drv, "pciback")))
        return 0;
    *clean = false;
    if (rc)
        return sriov__isolation_add(r, "device-group", SRIOV_ISOLATION_FAILED,
                                    "cannot read the driver of %s, in the Xen device group "
                                    "of %s: %s", bdf, vf_bdf, strerror(-rc));
    return sriov__isolation_add(r, "device-group", SRIOV_ISOLATION_FAILED,
                                "%s shares its Xen device group with %s, which dom0 uses "
                                "through the driver %s (XSA-373)", vf_bdf, bdf, drv);
}

static int check_device_group(struct sriov_ctx *ctx, struct sriov_hv *hv, const char *bdf,
                              struct sriov_isolation *r)
{
    char **group = NULL;
    size_t n = 0;
    size_t others = 0;
    bool clean = true;
    int rc;

    rc = hv->ops->device_group(hv, bdf, &group, &n);
    if (rc) {
        rc = sriov__isolation_add(r, "device-group", SRIOV_ISOLATION_FAILED,
                                  "cannot read the Xen device group of %s: %s", bdf,
                                  strerror(-rc));
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(group[i], bdf))
            continue;
        others++;
        rc = check_group_member(ctx, hv, bdf, group[i], r, &clean);
        if (rc)
            goto out;
    }
    rc = 0;
    if (clean)
        rc = sriov__isolation_add(r, "device-group", SRIOV_ISOLATION_PASSED,
                                  others ? "no other device in the Xen device group of %s "
                                           "is in use"
                                         : "%s is alone in its Xen device group", bdf);
out:
    sriov__strv_free(group, n);
    return rc;
}

static int check_hv(struct sriov_ctx *ctx, struct sriov_hv *hv, const char *hv_error,
                    const char *bdf, struct sriov_isolation *r)
{
    static const char *const xen_checks[] = { "iommu", "quarantine", "device-group" };
    struct sriov_hv_platform p = { 0 };
    int rc;

    if (!hv) {
        for (size_t i = 0; i < sizeof(xen_checks) / sizeof(xen_checks[0]); i++) {
            rc = hv_error
                ? sriov__isolation_add(r, xen_checks[i], SRIOV_ISOLATION_FAILED,
                                       "cannot reach the hypervisor to check %s: %s", bdf,
                                       hv_error)
                : sriov__isolation_add(r, xen_checks[i], SRIOV_ISOLATION_NOT_CHECKED,
                                       "not checked for %s: no hypervisor", bdf);
            if (rc)
                return rc;
        }
        return 0;
    }

    rc = hv->ops->platform(hv, &p);
    if (rc) {
        rc = sriov__isolation_add(r, "iommu", SRIOV_ISOLATION_FAILED,
                                  "cannot ask Xen whether its IOMMU is on, for %s: %s", bdf,
                                  strerror(-rc));
        if (!rc)
            rc = sriov__isolation_add(r, "quarantine", SRIOV_ISOLATION_FAILED,
                                      "cannot ask Xen whether quarantine is on, for %s", bdf);
    } else {
        rc = p.iommu_enabled
            ? sriov__isolation_add(r, "iommu", SRIOV_ISOLATION_PASSED,
                                   "Xen's IOMMU is on (directio) for %s", bdf)
            : sriov__isolation_add(r, "iommu", SRIOV_ISOLATION_FAILED,
                                   "Xen's IOMMU is off (no directio capability): a domain "
                                   "given %s could reach all memory by DMA", bdf);
        if (!rc)
            rc = p.quarantine_enabled
                ? sriov__isolation_add(r, "quarantine", SRIOV_ISOLATION_PASSED,
                                       "Xen quarantines %s between owners", bdf)
                : sriov__isolation_add(r, "quarantine", SRIOV_ISOLATION_FAILED,
                                       "Xen's PCI quarantine is off on its command line "
                                       "(iommu=no-quarantine or iommu=quarantine=0): "
                                       "DMA in flight from %s when it changes hands would "
                                       "reach dom0's memory (XSA-302, XSA-306)", bdf);
    }
    if (rc)
        return rc;
    return check_device_group(ctx, hv, bdf, r);
}

/* hv NULL: with hv_error, the hypervisor could not be reached and its checks fail
 * (nothing can be assigned then, and "could not ask" is no answer); without, they
 * are not run. */
static int run_checks(struct sriov_ctx *ctx, struct sriov_hv *hv, const char *hv_error,
                      const struct sriov_vf *vf, struct sriov_isolation **ret)
{
    struct sriov_isolation *r = NULL;
    int rc;

    *ret = NULL;
    r = calloc(1, sizeof(*r));
    if (!r) {
        rc = sriov__fail(ctx, -ENOMEM, "%s: out of memory checking isolation", vf->dev.bdf);
        goto out;
    }
    snprintf(r->bdf, sizeof(r->bdf), "%s", vf->dev.bdf);

    rc = check_hv(ctx, hv, hv_error, vf->dev.bdf, r);
    if (!rc)
        rc = sriov__isolation_check_pci(ctx, vf, r);
    if (!rc)
        rc = sriov__isolation_check_bars(ctx, vf, r);
    if (rc == -ENOMEM)
        rc = sriov__fail(ctx, rc, "%s: out of memory checking isolation", vf->dev.bdf);
    if (rc)
        goto out;

    *ret = r;
    r = NULL;
out:
    sriov_isolation_free(r);
    return rc;
}

int sriov__isolation_check(struct sriov_ctx *ctx, struct sriov_hv *hv,
                           const struct sriov_vf *vf, struct sriov_isolation **ret)
{
    return run_checks(ctx, hv, NULL, vf, ret);
}

int sriov_isolation_check(struct sriov_ctx *ctx, const struct sriov_vf *vf,
                          struct sriov_isolation **ret)
{
    char why[SRIOV_ERR_LEN];
    struct sriov_hv *hv = NULL;

    if (sriov__hv(ctx, &hv)) {
        snprintf(why, sizeof(why), "%s", ctx->last_error);
        return run_checks(ctx, NULL, why, vf, ret);
    }
    return run_checks(ctx, hv, NULL, vf, ret);
}

void sriov_isolation_free(struct sriov_isolation *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        free(r->findings[i].detail);
    free(r->findings);
    free(r);
}

bool sriov_isolation_ok(const struct sriov_isolation *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->findings[i].result == SRIOV_ISOLATION_FAILED)
            return false;
    return true;
}

const char *sriov_isolation_bdf(const struct sriov_isolation *r) { return r->bdf; }
size_t sriov_isolation_count(const struct sriov_isolation *r) { return r->n; }

const char *sriov_isolation_name(const struct sriov_isolation *r, size_t i)
{
    return i < r->n ? r->findings[i].name : NULL;
}

enum sriov_isolation_result sriov_isolation_result(const struct sriov_isolation *r, size_t i)
{
    return i < r->n ? r->findings[i].result : SRIOV_ISOLATION_NOT_CHECKED;
}

const char *sriov_isolation_detail(const struct sriov_isolation *r, size_t i)
{
    return i < r->n ? r->findings[i].detail : NULL;
}
