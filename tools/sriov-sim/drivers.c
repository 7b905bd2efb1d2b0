/*
 * PCI drivers and binding, after drivers/pci/pci-driver.c and
 * drivers/base/dd.c.  What decides a binding, in the kernel's order:
 *   1. pci_match_device(): driver_override set -> only that driver; then
 *      dynamic ids, then the static table (override-only entries need an
 *      override), and an override always matches with a dummy id;
 *   2. pci_device_can_probe(): a VF whose PF has sriov_drivers_autoprobe=0
 *      probes only with driver_override set, otherwise -ENODEV;
 *   3. the driver's probe: pciback seizes only slots it was given (or an
 *      override naming it), vfio-pci refuses non-type-0 headers (-EINVAL).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define DEV(v, d) { (v), (d), PCI_ANY_ID, PCI_ANY_ID, 0, 0, false }
#define CLASS(c) { PCI_ANY_ID, PCI_ANY_ID, PCI_ANY_ID, PCI_ANY_ID, (c), 0xffffff, false }

static const struct pci_id pcieport_ids[] = { CLASS(0x060400) };
static const struct pci_id ixgbe_ids[] = { DEV(0x8086, 0x10fb) };
static const struct pci_id ixgbevf_ids[] = { DEV(0x8086, 0x10ed) };
static const struct pci_id i40e_ids[] = { DEV(0x8086, 0x1572) };
static const struct pci_id iavf_ids[] = { DEV(0x8086, 0x154c), DEV(0x8086, 0x1889) };
static const struct pci_id ice_ids[] = { DEV(0x8086, 0x159b) };
static const struct pci_id mlx5_ids[] = { DEV(0x15b3, 0x1017), DEV(0x15b3, 0x1018) };
static const struct pci_id nvme_ids[] = { CLASS(0x010802) };
static const struct pci_id e1000e_ids[] = { DEV(0x8086, 0x10d3) };
/* vfio-pci's table only matches devices whose driver_override names it. */
static const struct pci_id vfio_ids[] = {
    { PCI_ANY_ID, PCI_ANY_ID, PCI_ANY_ID, PCI_ANY_ID, 0, 0, true },
};
/* pciback matches everything; its probe decides (pcistub_probe). */
static const struct pci_id pciback_ids[] = {
    { PCI_ANY_ID, PCI_ANY_ID, PCI_ANY_ID, PCI_ANY_ID, 0, 0, false },
};

#define IDS(t) (t), ARRAY_SIZE(t)

/* Registration order is probe order: pciback is a module loaded late. */
static const struct driver driver_table[] = {
    { "pcieport", false, true, false, PROBE_ACCEPT, IDS(pcieport_ids), NULL, NULL, NULL },
    { "ixgbe", true, true, true, PROBE_ACCEPT, IDS(ixgbe_ids), NULL, NULL, NULL },
    { "ixgbevf", true, true, false, PROBE_ACCEPT, IDS(ixgbevf_ids), NULL, NULL, NULL },
    { "i40e", true, true, true, PROBE_ACCEPT, IDS(i40e_ids), NULL, NULL, NULL },
    { "iavf", true, true, false, PROBE_ACCEPT, IDS(iavf_ids), NULL, NULL, NULL },
    { "ice", true, true, true, PROBE_ACCEPT, IDS(ice_ids), NULL, NULL, NULL },
    { "mlx5_core", true, true, true, PROBE_ACCEPT, IDS(mlx5_ids), NULL, NULL, NULL },
    { "nvme", false, true, true, PROBE_ACCEPT, IDS(nvme_ids), NULL, NULL, NULL },
    { "e1000e", true, true, false, PROBE_ACCEPT, IDS(e1000e_ids), NULL, NULL, NULL },
    { "pci-stub", false, false, false, PROBE_ACCEPT, NULL, 0, NULL, NULL, NULL },
    /* vfio-pci has sriov_configure, but it says -ENOENT unless enable_sriov=1. */
    { "vfio-pci", false, false, false, PROBE_VFIO, IDS(vfio_ids), NULL, NULL, NULL },
    { "pciback", false, false, false, PROBE_PCIBACK, IDS(pciback_ids), NULL, NULL, NULL },
};

void drivers_init(struct sim *sim)
{
    sim->n_drivers = ARRAY_SIZE(driver_table);
    sim->drivers = xzalloc(sizeof(driver_table));
    memcpy(sim->drivers, driver_table, sizeof(driver_table));
}

void drivers_free(struct sim *sim)
{
    for (size_t i = 0; i < sim->n_drivers; i++) {
        struct driver *drv = &sim->drivers[i];

        while (drv->dynids) {
            struct dynid *next = drv->dynids->next;

            free(drv->dynids);
            drv->dynids = next;
        }
        while (drv->slots) {
            struct pciback_slot *next = drv->slots->next;

            free(drv->slots);
            drv->slots = next;
        }
    }
    free(sim->drivers);
    sim->drivers = NULL;
}

struct driver *driver_find(struct sim *sim, const char *name)
{
    for (size_t i = 0; i < sim->n_drivers; i++)
        if (!strcmp(sim->drivers[i].name, name))
            return &sim->drivers[i];
    return NULL;
}

/* pci_match_one_device() */
static bool id_matches(const struct pci_id *id, const struct pci_dev *dev)
{
    return (id->vendor == PCI_ANY_ID || id->vendor == dev->vendor) &&
           (id->device == PCI_ANY_ID || id->device == dev->device) &&
           (id->subvendor == PCI_ANY_ID || id->subvendor == dev->subsys_vendor) &&
           (id->subdevice == PCI_ANY_ID || id->subdevice == dev->subsys_device) &&
           !((id->class ^ dev->class) & id->class_mask);
}

/* pci_match_device() */
bool driver_matches(const struct driver *drv, const struct pci_dev *dev)
{
    if (dev->driver_override && strcmp(dev->driver_override, drv->name))
        return false;
    for (const struct dynid *d = drv->dynids; d; d = d->next)
        if (id_matches(&d->id, dev))
            return true;
    for (size_t i = 0; i < drv->n_ids; i++) {
        if (!id_matches(&drv->ids[i], dev))
            continue;
        if (!drv->ids[i].override_only || dev->driver_override)
            return true;
    }
    return dev->driver_override != NULL;
}

bool pciback_has_slot(const struct driver *drv, const struct pci_dev *dev)
{
    for (const struct pciback_slot *s = drv->slots; s; s = s->next)
        if (s->domain == dev->domain && s->bus == dev->bus && s->devfn == dev->devfn)
            return true;
    return false;
}

/* pci_device_probe() and the driver's probe; 0 or a -errno. */
static int probe(struct driver *drv, struct pci_dev *dev)
{
    if (dev->kind == DEV_VF && !dev->physfn->sriov->autoprobe && !dev->driver_override)
        return -ENODEV;
    switch (drv->probe) {
    case PROBE_PCIBACK:
        if (!pciback_has_slot(drv, dev) &&
            !(dev->driver_override && !strcmp(dev->driver_override, drv->name)))
            return -ENODEV;
        break;
    case PROBE_VFIO:
        if (pci_dev_is_bridge(dev))
            return -EINVAL;
        break;
    case PROBE_ACCEPT:
        break;
    }
    return 0;
}

/* __driver_probe_device() + device_driver_attach() */
int driver_attach_device(struct sim *sim, struct driver *drv, struct pci_dev *dev)
{
    int rc;

    if (dev->driver)
        return -EBUSY;
    rc = probe(drv, dev);
    if (rc)
        return rc;
    dev->driver = drv;
    if (drv->enables_device)
        dev->enable_cnt++;
    sysfs_link_driver(sim, dev);
    if (drv->net)
        netdev_add(sim, dev);
    return 0;
}

/* device_attach(): a failed probe just lets the next driver try. */
void driver_probe_device(struct sim *sim, struct pci_dev *dev)
{
    if (dev->driver)
        return;
    for (size_t i = 0; i < sim->n_drivers; i++) {
        struct driver *drv = &sim->drivers[i];

        if (driver_matches(drv, dev) && !driver_attach_device(sim, drv, dev))
            return;
    }
}

/* driver_attach(), as run by new_id: every unbound matching device. */
void driver_probe_all(struct sim *sim, struct driver *drv)
{
    for (struct pci_dev *dev = sim->dev_head; dev; dev = dev->next)
        if (!dev->driver && driver_matches(drv, dev))
            driver_attach_device(sim, drv, dev);
}

/*
 * device_release_driver(). A PF driver's remove disables SR-IOV first
 * (ixgbe, i40e, ice, nvme do), which also releases pciback's VFs the way
 * pciback's bus notifier would.
 */
void driver_release_device(struct sim *sim, struct pci_dev *dev)
{
    struct driver *drv = dev->driver;

    if (!drv)
        return;
    if (dev->kind == DEV_PF && dev->sriov->numvfs)
        sriov_disable(sim, dev);
    if (drv->net)
        netdev_remove(sim, dev);
    sysfs_unlink_driver(sim, dev);
    if (drv->enables_device && dev->enable_cnt)
        dev->enable_cnt--;
    dev->driver = NULL;
    dev->permissive = false;
}
