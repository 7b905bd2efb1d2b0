/*
 * PCI devices through libxl and libxenctrl (hv_libxl.h): Xen's device groups,
 * which domain has a device, making devices assignable (quarantined in Xen)
 * and giving them to running domains.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "hv/hv_libxl.h"
#include "hv/holders.h"
#include "sysfs/sysfs.h"

static int fill_pci(const char *bdf, libxl_device_pci *pci)
{
    unsigned int d, b, s, f;

    libxl_device_pci_init(pci);
    if (sscanf(bdf, "%x:%x:%x.%x", &d, &b, &s, &f) != 4)
        return -EINVAL;
    pci->domain = (int)d;
    pci->bus = (uint8_t)b;
    pci->dev = (uint8_t)s;
    pci->func = (uint8_t)f;
    return 0;
}

static void pci_bdf(const libxl_device_pci *p, char buf[SRIOV_BDF_LEN])
{
    snprintf(buf, SRIOV_BDF_LEN, "%04x:%02x:%02x.%x", (unsigned int)p->domain & 0xffff, p->bus,
             p->dev & 0x1fu, p->func & 7u);
}

static bool pci_is(const libxl_device_pci *p, const char *bdf)
{
    char buf[SRIOV_BDF_LEN];

    pci_bdf(p, buf);
    return !strcmp(buf, bdf);
}

int sriov__lx_device_group(struct sriov_hv *hv, const char *bdf, char ***bdfs, size_t *n)
{
    struct lx_hv *h = (struct lx_hv *)hv;
    uint32_t sdevs[256], num = 0;
    unsigned int d, b, s, f;
    char **v = NULL;

    *bdfs = NULL;
    *n = 0;
    if (sscanf(bdf, "%x:%x:%x.%x", &d, &b, &s, &f) != 4)
        return -EINVAL;
    if (xc_get_device_group(h->xch, 0, d << 16 | b << 8 | s << 3 | f, 256, &num, sdevs) < 0)
        return sriov__fail(hv->ctx, -errno, "%s: cannot read its Xen device group: %s", bdf,
                           strerror(errno));
    v = calloc(num + 1, sizeof(*v));
    if (!v)
        return -ENOMEM;
    for (uint32_t i = 0; i < num; i++) {
        /* Xen returns bus << 16 | devfn << 8 (segment d). */
        unsigned int gb = (sdevs[i] >> 16) & 0xff, devfn = (sdevs[i] >> 8) & 0xff;
        char buf[SRIOV_BDF_LEN];
        snprintf(buf, sizeof(buf), "%04x:%02x:%02x.%x", d, gb, devfn >> 3, devfn & 7);
        if (!strcmp(buf, bdf))
            continue;
        if (!(v[*n] = strdup(buf))) {
            sriov__strv_free(v, *n);
            *n = 0;
            return -ENOMEM;
        }
        (*n)++;
    }
    *bdfs = v;
    return 0;
}

/* Whether libxl lists bdf among dom's PCI devices. */
static bool has_pci(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const void *bdf)
{
    int num = 0;
    libxl_device_pci *pcis = libxl_device_pci_list(LX(hv), dom->domid, &num);
    bool found = false;

    for (int j = 0; j < num; j++)
        if (pci_is(&pcis[j], bdf))
            found = true;
    libxl_device_pci_list_free(pcis, num);
    return found;
}

int sriov__lx_device_owner(struct sriov_hv *hv, const char *bdf, struct sriov_hv_domain *out)
{
    return sriov__lx_domain_find(hv, has_pci, bdf, true, out);
}

/* dom's PCI devices as libxl lists them (none when it cannot read them, as for
 * has_pci()). */
static int domain_pcis(struct sriov_hv *hv, struct sriov_hv_assignment *a)
{
    int num = 0, rc = 0;
    libxl_device_pci *pcis = libxl_device_pci_list(LX(hv), a->dom.domid, &num);
    char bdf[SRIOV_BDF_LEN];

    for (int j = 0; !rc && j < num; j++) {
        pci_bdf(&pcis[j], bdf);
        rc = sriov__strv_push(&a->bdfs, &a->n_bdfs, strdup(bdf));
    }
    libxl_device_pci_list_free(pcis, num);
    return rc;
}

/* One pass, libxl_list_domain then libxl_device_pci_list of each domain: what
 * device_owner does for one device, done once for all of them. */
int sriov__lx_assigned_devices(struct sriov_hv *hv, struct sriov_hv_assignment **out,
                               size_t *n)
{
    struct sriov_hv_domain *doms = NULL;
    struct sriov_hv_assignment *v = NULL;
    size_t nd = 0;
    int rc;

    *out = NULL;
    *n = 0;
    rc = sriov__lx_domain_list(hv, &doms, &nd);
    if (rc)
        return rc;
    v = calloc(nd + 1, sizeof(*v));
    if (!v)
        rc = -ENOMEM;
    for (size_t i = 0; !rc && i < nd; i++) {
        v[i].dom = doms[i];
        rc = domain_pcis(hv, &v[i]);
    }
    free(doms);
    if (rc) {
        sriov__hv_assignments_free(v, nd);
        return rc;
    }
    *out = v;
    *n = nd;
    return 0;
}

int sriov__lx_assignable_add(struct sriov_hv *hv, const char *bdf)
{
    libxl_device_pci pci;
    int rc = fill_pci(bdf, &pci);

    if (!rc)
        rc = sriov__lx_from_libxl(libxl_device_pci_assignable_add(LX(hv), &pci, 1));
    libxl_device_pci_dispose(&pci);
    return rc ? sriov__fail(hv->ctx, rc, "%s: libxl_device_pci_assignable_add failed", bdf) : 0;
}

/* An assignable_add cut short before pciback took the device (a crash, or a step
 * failing): libxl's remove would fail de-quarantining a device Xen never
 * quarantined (that comes after the pciback bind), so do the rest as it would:
 * bind the driver it remembered if the device has none, and forget it.  The hv
 * contract (hv.h) wants removal idempotent. */
static int remove_partial(struct sriov_hv *hv, const char *bdf, bool rebind)
{
    char key[80], *path = NULL, drv[64];
    unsigned int d = 0, b = 0, s = 0, f = 0;
    const char *name;
    int rc;

    sscanf(bdf, "%x:%x:%x.%x", &d, &b, &s, &f);
    snprintf(key, sizeof(key), "/libxl/pci/%04x-%02x-%02x-%01x/driver_path", d, b, s, f);
    rc = sriov__lx_xs_read(hv, key, &path);
    if (rc == -ENOENT)
        return 0;
    if (rc)
        return rc;
    name = strrchr(path, '/');
    name = name ? name + 1 : path;
    if (rebind && sriov__pci_dev_link(hv->ctx, bdf, "driver", drv, sizeof(drv)) == -ENOENT) {
        rc = sriov__pci_driver_write(hv->ctx, name, "bind", bdf);
        if (rc)
            rc = sriov__fail(hv->ctx, rc, "%s: cannot bind it to %s again: %s", bdf, name,
                             strerror(-rc));
    }
    if (!rc)
        rc = sriov__lx_xs_rm(hv, key);
    free(path);
    return rc;
}

int sriov__lx_assignable_remove(struct sriov_hv *hv, const char *bdf, bool rebind)
{
    libxl_device_pci pci;
    char drv[64];
    int rc;

    if (sriov__pci_dev_link(hv->ctx, bdf, "driver", drv, sizeof(drv)) != 0 ||
        strcmp(drv, "pciback"))
        return remove_partial(hv, bdf, rebind);
    rc = fill_pci(bdf, &pci);
    if (!rc)
        rc = sriov__lx_from_libxl(libxl_device_pci_assignable_remove(LX(hv), &pci, rebind));
    libxl_device_pci_dispose(&pci);
    return rc ? sriov__fail(hv->ctx, rc, "%s: libxl_device_pci_assignable_remove failed", bdf)
              : 0;
}

int sriov__lx_pci_add(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *bdf,
                      const struct sriov_hv_pci_opts *o)
{
    libxl_device_pci pci;
    int rc = fill_pci(bdf, &pci);

    if (o->vdevfn >= 0) pci.vdevfn = (uint32_t)o->vdevfn;
    if (o->permissive >= 0) pci.permissive = o->permissive;
    if (o->seize >= 0) pci.seize = o->seize;
    if (o->msitranslate >= 0) pci.msitranslate = o->msitranslate;
    if (o->power_mgmt >= 0) pci.power_mgmt = o->power_mgmt;
    if (o->rdm_policy >= 0)
        pci.rdm_policy = o->rdm_policy ? LIBXL_RDM_RESERVE_POLICY_RELAXED
                                       : LIBXL_RDM_RESERVE_POLICY_STRICT;
    if (!rc)
        rc = sriov__lx_from_libxl(libxl_device_pci_add(LX(hv), dom->domid, &pci, NULL));
    libxl_device_pci_dispose(&pci);
    return rc ? sriov__fail(hv->ctx, rc, "%s: libxl_device_pci_add to domain %s (%u) failed",
                            bdf, dom->name, dom->domid)
              : 0;
}

static int pci_remove(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *bdf,
                      bool force)
{
    libxl_device_pci pci;
    int rc = fill_pci(bdf, &pci), lrc = 0;

    if (!rc && force)
        lrc = libxl_device_pci_destroy(LX(hv), dom->domid, &pci, NULL);
    else if (!rc)
        lrc = libxl_device_pci_remove(LX(hv), dom->domid, &pci, NULL);
    if (!rc)
        rc = sriov__lx_from_libxl(lrc);
    libxl_device_pci_dispose(&pci);
    if (lrc == ERROR_QMP_GENERIC_ERROR && !force)
        return sriov__fail(hv->ctx, -EBUSY, "%s: libxl_device_pci_remove from domain %s: its "
                           "device model refused (a removal of it may still be pending)",
                           bdf, dom->name);
    if (rc == -ETIMEDOUT && !force)
        return sriov__fail(hv->ctx, rc, "%s: libxl_device_pci_remove from domain %s: its "
                           "device model did not let go of it in time", bdf, dom->name);
    if (rc == -ENODEV && !force)
        return sriov__fail(hv->ctx, rc, "%s: libxl_device_pci_remove from domain %s: its "
                           "device model no longer has it", bdf, dom->name);
    return rc ? sriov__fail(hv->ctx, rc, "%s: libxl_device_pci_%s from domain %s failed", bdf,
                            force ? "destroy" : "remove", dom->name)
              : 0;
}

int sriov__lx_pci_remove(struct sriov_hv *hv, const struct sriov_hv_domain *dom, const char *bdf)
{
    return pci_remove(hv, dom, bdf, false);
}

int sriov__lx_pci_destroy(struct sriov_hv *hv, const struct sriov_hv_domain *dom,
                          const char *bdf)
{
    return pci_remove(hv, dom, bdf, true);
}
