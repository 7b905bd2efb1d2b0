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
    vf->subsys_device = pf->model->vf.subsys;
    vf->class = pf->class;
    vf->revision = pf->revision;
    vf->flr = pf->flr;
    vf->numa_node = pf->numa_node;
    vf->msix = pf->model->vf.msix;
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

DEV_SHOW(sriov_totalvfs, "%u\n", dev->sriov->totalvfs)
DEV_SHOW(sriov_numvfs, "%u\n", dev->sriov->numvfs)
DEV_SHOW(sriov_offset, "%u\n", dev->sriov->offset)
DEV_SHOW(sriov_stride, "%u\n", dev->sriov->stride)
DEV_SHOW(sriov_vf_device, "%x\n", dev->sriov->vf_device)
DEV_SHOW(sriov_drivers_autoprobe, "%u\n", dev->sriov->autoprobe)

/* sriov_numvfs_store() as of Linux 6.1, errno for errno. */
static int store_sriov_numvfs(struct sim *sim, void *obj, const char *buf, size_t len)
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

static int store_sriov_drivers_autoprobe(struct sim *sim, void *obj, const char *buf, size_t len)
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
    ATTR_RO(sriov_totalvfs),
    ATTR_RW(sriov_numvfs),
    ATTR_RO(sriov_offset),
    ATTR_RO(sriov_stride),
    ATTR_RO(sriov_vf_device),
    ATTR_RW(sriov_drivers_autoprobe),
};

void sriov_attrs_add(struct sim *sim, struct pci_dev *dev)
{
    (void)sim;
    node_add_attrs(dev->dir, sriov_attrs, ARRAY_SIZE(sriov_attrs), dev);
}
