/* Selectors: how users name PFs ("0000:03:00.0", "03:00.0", "enp3s0f0") and VFs ("enp3s0f0/3"). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "sysfs/sysfs.h"

#define IFNAME_MAX 15 /* IFNAMSIZ - 1 */

static int ensure_scanned(struct sriov_ctx *ctx)
{
    return ctx->scanned ? 0 : sriov_ctx_scan(ctx);
}

static bool dev_has_netdev(const struct sriov_dev *dev, const char *name)
{
    for (size_t i = 0; i < dev->n_netdevs; i++)
        if (!strcmp(dev->netdevs[i], name))
            return true;
    return false;
}

/* The PF with this BDF, or (bdf NULL) with this interface; NULL when discovery has none. */
static struct sriov_pf *discovered_pf(const struct sriov_ctx *ctx, const char *bdf,
                                     const char *ifname)
{
    for (size_t i = 0; i < ctx->n_pfs; i++) {
        struct sriov_pf *pf = ctx->pfs[i];
        if (bdf ? !strcmp(pf->dev.bdf, bdf) : dev_has_netdev(&pf->dev, ifname))
            return pf;
    }
    return NULL;
}

static struct sriov_vf *discovered_vf(const struct sriov_ctx *ctx, const char *bdf)
{
    for (size_t i = 0; i < ctx->n_pfs; i++) {
        struct sriov_pf *pf = ctx->pfs[i];
        for (size_t j = 0; j < pf->n_vfs; j++)
            if (!strcmp(pf->vfs[j]->dev.bdf, bdf))
                return pf->vfs[j];
    }
    return NULL;
}

/* Say why a selector that names nothing discovery found is not a PF. */
static int not_a_pf(struct sriov_ctx *ctx, const char *selector, const char *bdf)
{
    if (bdf && sriov__pci_dev_exists(ctx, bdf, NULL))
        return sriov__fail(ctx, -ENODEV, "%s is a PCI function without SR-IOV (not a PF)",
                           selector);
    if (bdf)
        return sriov__fail(ctx, -ENOENT, "%s: no such PCI function", selector);
    if (sriov__netif_exists(ctx, selector))
        return sriov__fail(ctx, -ENODEV, "interface %s does not belong to an SR-IOV PF",
                           selector);
    return sriov__fail(ctx, -ENOENT, "%s: no such PF (neither a PCI address nor an interface)",
                       selector);
}

/* A PCI address, or something that can only be an interface name; -EINVAL otherwise. */
static int parse_pf_selector(struct sriov_ctx *ctx, const char *selector,
                             char bdf[SRIOV_BDF_LEN], bool *by_bdf)
{
    *by_bdf = sriov__bdf_normalize(selector, bdf) == 0;
    if (*by_bdf || (strlen(selector) <= IFNAME_MAX && sriov__safe_component(selector) &&
                    !strchr(selector, ':')))
        return 0;
    return sriov__fail(ctx, -EINVAL,
                       "'%s' is neither a PCI address (0000:03:00.0) nor an interface name",
                       selector);
}

int sriov_pf_find(struct sriov_ctx *ctx, const char *selector, struct sriov_pf **ret)
{
    char bdf[SRIOV_BDF_LEN];
    bool by_bdf;
    int rc;

    *ret = NULL;
    rc = parse_pf_selector(ctx, selector, bdf, &by_bdf);
    if (!rc)
        rc = ensure_scanned(ctx);
    if (rc)
        return rc;
    *ret = discovered_pf(ctx, by_bdf ? bdf : NULL, selector);
    return *ret ? 0 : not_a_pf(ctx, selector, by_bdf ? bdf : NULL);
}

static int vf_by_index(struct sriov_ctx *ctx, const char *selector, const char *slash,
                       struct sriov_vf **ret)
{
    char pfsel[64], *end;
    struct sriov_pf *pf;
    unsigned long index;
    int rc;

    if ((size_t)(slash - selector) >= sizeof(pfsel))
        return sriov__fail(ctx, -EINVAL, "'%s': PF part too long", selector);
    memcpy(pfsel, selector, (size_t)(slash - selector));
    pfsel[slash - selector] = '\0';
    errno = 0;
    index = strtoul(slash + 1, &end, 10);
    if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || errno || index > 0xffff)
        return sriov__fail(ctx, -EINVAL, "'%s': VF index must be a number (like enp3s0f0/3)",
                           selector);
    rc = sriov_pf_find(ctx, pfsel, &pf);
    if (rc)
        return rc;
    for (size_t i = 0; i < pf->n_vfs; i++) {
        if (pf->vfs[i]->index == index) {
            *ret = pf->vfs[i];
            return 0;
        }
    }
    return sriov__fail(ctx, -ENOENT, "%s has no VF %lu (%u enabled)", pf->dev.bdf, index,
                       pf->numvfs);
}

int sriov_vf_find(struct sriov_ctx *ctx, const char *selector, struct sriov_vf **ret)
{
    const char *slash = strchr(selector, '/');
    char bdf[SRIOV_BDF_LEN];
    int rc;

    *ret = NULL;
    if (slash)
        return vf_by_index(ctx, selector, slash, ret);
    if (sriov__bdf_normalize(selector, bdf))
        return sriov__fail(ctx, -EINVAL,
                           "'%s' is neither a PCI address nor PF/INDEX (like enp3s0f0/3)",
                           selector);
    rc = ensure_scanned(ctx);
    if (rc)
        return rc;
    *ret = discovered_vf(ctx, bdf);
    return *ret ? 0 : sriov__fail(ctx, -ENOENT, "%s is not a VF of any SR-IOV PF", selector);
}
