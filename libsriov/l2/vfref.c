/*
 * Addressing a VF for its network settings: the PF's interface plus the VF
 * index, as rtnetlink wants it.  PCI VFs come from discovery; "IFNAME/N"
 * also works for PFs that are not PCI functions (netdevsim has no virtfn).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "l2/l2.h"
#include "sysfs/sysfs.h"

void sriov__netdev_driver(struct sriov_ctx *ctx, const char *ifname, char *buf, size_t len)
{
    if (sriov__netif_device_link(ctx, ifname, "driver", buf, len))
        snprintf(buf, len, "its driver");
}

int sriov_vf_ref_from_vf(struct sriov_ctx *ctx, const struct sriov_vf *vf,
                         struct sriov_vf_ref *ref)
{
    const struct sriov_pf *pf = vf->pf;
    const char *ifname = pf->dev.n_netdevs ? pf->dev.netdevs[0] : NULL;

    memset(ref, 0, sizeof(*ref));
    if (!ifname)
        return sriov__fail(ctx, -EOPNOTSUPP,
                           "%s: its PF %s has no network interface, so no VF network settings",
                           vf->dev.bdf, pf->dev.bdf);
    if (strlen(ifname) >= sizeof(ref->pf_ifname))
        return sriov__fail(ctx, -ENAMETOOLONG, "%s: interface name too long", ifname);
    strcpy(ref->pf_ifname, ifname);
    snprintf(ref->pf_bdf, sizeof(ref->pf_bdf), "%s", pf->dev.bdf);
    ref->index = vf->index;
    return 0;
}

/* "IFNAME/N" for an interface that discovery does not know as a PCI PF. */
static int ref_by_ifname(struct sriov_ctx *ctx, const char *selector, struct sriov_vf_ref *ref)
{
    const char *slash = strchr(selector, '/');
    char *end;
    unsigned long index;
    size_t len;

    if (!slash)
        return -ENOENT;
    len = (size_t)(slash - selector);
    if (len == 0 || len >= sizeof(ref->pf_ifname))
        return -ENOENT;
    memcpy(ref->pf_ifname, selector, len);
    ref->pf_ifname[len] = '\0';
    errno = 0;
    index = strtoul(slash + 1, &end, 10);
    if (!sriov__safe_component(ref->pf_ifname) || slash[1] < '0' || slash[1] > '9' ||
        *end != '\0' || errno || index > 0xffff)
        return -ENOENT;
    if (!sriov__netif_exists(ctx, ref->pf_ifname))
        return -ENOENT;
    ref->pf_bdf[0] = '\0';
    ref->index = (unsigned int)index;
    return 0;
}

static bool is_pci_pf(struct sriov_ctx *ctx, const char *ifname)
{
    struct sriov__saved_error callers;
    struct sriov_pf *pf;
    bool found;

    /* A probe, not a failure: keep the error the caller will report. */
    sriov__error_save(ctx, &callers);
    found = sriov_pf_find(ctx, ifname, &pf) == 0;
    sriov__error_restore(ctx, &callers);
    return found;
}

int sriov_vf_ref_parse(struct sriov_ctx *ctx, const char *selector, struct sriov_vf_ref *ref)
{
    struct sriov_vf *vf = NULL;
    int rc;

    memset(ref, 0, sizeof(*ref));
    rc = sriov_vf_find(ctx, selector, &vf);
    if (!rc)
        return sriov_vf_ref_from_vf(ctx, vf, ref);
    /* Not a PCI VF we discovered: maybe a PF without PCI VFs (netdevsim).  A PCI
     * PF keeps its error, so that its records are always keyed by its BDF. */
    if ((rc == -ENODEV || rc == -ENOENT || rc == -EINVAL) && !ref_by_ifname(ctx, selector, ref) &&
        !is_pci_pf(ctx, ref->pf_ifname)) {
        sriov__dbg(ctx, "%s: interface %s, VF %u (not a PCI PF)", selector, ref->pf_ifname,
                   ref->index);
        return 0;
    }
    memset(ref, 0, sizeof(*ref));
    return rc;
}
