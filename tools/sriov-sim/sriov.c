/*
 * SR-IOV on a PF: the sriov_* attributes (drivers/pci/iov.c) and what the
 * PF driver's sriov_configure() does with them, i.e. creating and removing
 * the VF functions.
 */
#include <errno.h>

#include "sim.h"

static struct pci_dev *vf_new(struct sim *sim, struct pci_dev *pf, unsigned i)
{
    const struct sriov_state *s = pf->sriov;
    uint8_t bus, devfn;
    struct pci_dev *vf;

    sriov_vf_rid(pf, i, &bus, &devfn);
    vf = pci_dev_new(sim, DEV_VF, pf->domain, bus, devfn);
    vf->model = pf->model;
    vf->parent = pf->parent;
    vf->physfn = pf;
    vf->vf_index = i;
    vf->vendor = pf->vendor;
    vf->device = s->vf_device;
    vf->subsys_vendor = pf->subsys_vendor;
    vf->subsys_device = pf->model->vf_subsys;
    vf->class = pf->class;
    vf->revision = pf->revision;
    vf->flr = pf->flr;
    vf->numa_node = pf->numa_node;
    vf->msix = pf->model->vf_msix;
    vf->bar0_size = s->vf_bar_size;
    vf->bar0 = s->vf_bar_base + (uint64_t)i * s->vf_bar_size;
    return vf;
}

/*
 * sriov_enable(): all VFs are added first, then each is offered to the
 * drivers (pci_bus_add_device -> device_attach, not gated by the bus's
 * drivers_autoprobe; the PF's sriov_drivers_autoprobe is checked in probe).
 */
int sriov_enable(struct sim *sim, struct pci_dev *pf, unsigned numvfs)
{
    struct sriov_state *s = pf->sriov;

    if (!s || numvfs > s->totalvfs)
        return -EINVAL;
    for (unsigned i = 0; i < numvfs; i++) {
        s->vfs[i] = vf_new(sim, pf, i);
        sysfs_add_device(sim, s->vfs[i]);
    }
    s->numvfs = (uint16_t)numvfs;
    for (unsigned i = 0; i < numvfs; i++)
        driver_probe_device(sim, s->vfs[i]);
    return 0;
}

/* sriov_disable(): VFs are unbound (netdevs go with them), then removed. */
void sriov_disable(struct sim *sim, struct pci_dev *pf)
{
    struct sriov_state *s = pf->sriov;
    unsigned n = s->numvfs;

    s->numvfs = 0;
    while (n--) {
        struct pci_dev *vf = s->vfs[n];

        s->vfs[n] = NULL;
        driver_release_device(sim, vf);
        sysfs_remove_device(sim, vf);
        pci_dev_free(sim, vf);
    }
}

#define SHOW(name, fmt, expr)                                                  \
    static int show_##name(struct sim *sim, void *obj, struct strbuf *out)     \
    {                                                                          \
        const struct pci_dev *pf = obj;                                        \
        (void)sim;                                                             \
        strbuf_printf(out, fmt, expr);                                         \
        return 0;                                                              \
    }

SHOW(totalvfs, "%u\n", pf->sriov->totalvfs)
SHOW(numvfs, "%u\n", pf->sriov->numvfs)
SHOW(offset, "%u\n", pf->sriov->offset)
SHOW(stride, "%u\n", pf->sriov->stride)
SHOW(vf_device, "%x\n", pf->sriov->vf_device)
SHOW(drivers_autoprobe, "%u\n", pf->sriov->autoprobe)

/* sriov_numvfs_store() as of Linux 6.1, errno for errno. */
static int store_numvfs(struct sim *sim, void *obj, const char *buf, size_t len)
{
    struct pci_dev *pf = obj;
    uint16_t numvfs;

    (void)len;
    if (kstrtou16(buf, 0, &numvfs) < 0)
        return -EINVAL;
    /* -ERANGE, not -EINVAL: the kernel says "out of range" here. */
    if (numvfs > pf->sriov->totalvfs)
        return -ERANGE;
    if (numvfs == pf->sriov->numvfs)
        return 0;
    /* No PF driver, or one without sriov_configure: both -ENOENT. */
    if (!pf->driver || !pf->driver->sriov_configure)
        return -ENOENT;
    if (numvfs == 0) {
        sriov_disable(sim, pf);
        return 0;
    }
    /* Changing a non-zero count needs a detour through 0. */
    if (pf->sriov->numvfs)
        return -EBUSY;
    return sriov_enable(sim, pf, numvfs);
}

static int store_drivers_autoprobe(struct sim *sim, void *obj, const char *buf, size_t len)
{
    struct pci_dev *pf = obj;
    bool autoprobe;

    (void)sim;
    (void)len;
    if (kstrtobool(buf, &autoprobe) < 0)
        return -EINVAL;
    pf->sriov->autoprobe = autoprobe;
    return 0;
}

static const struct attr_def sriov_attrs[] = {
    { "sriov_totalvfs", 0444, show_totalvfs, NULL, NULL },
    { "sriov_numvfs", 0644, show_numvfs, store_numvfs, NULL },
    { "sriov_offset", 0444, show_offset, NULL, NULL },
    { "sriov_stride", 0444, show_stride, NULL, NULL },
    { "sriov_vf_device", 0444, show_vf_device, NULL, NULL },
    { "sriov_drivers_autoprobe", 0644, show_drivers_autoprobe, store_drivers_autoprobe, NULL },
};

void sriov_attrs_add(struct sim *sim, struct pci_dev *dev)
{
    (void)sim;
    node_add_attrs(dev->dir, sriov_attrs, sizeof(sriov_attrs) / sizeof(sriov_attrs[0]), dev);
}
