/* PCI functions: creation, the host's device list and look-ups. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

struct pci_dev *pci_dev_new(struct sim *sim, enum dev_kind kind, uint16_t domain,
                            uint8_t bus, uint8_t devfn)
{
    struct pci_dev *dev = xzalloc(sizeof(*dev));

    dev->kind = kind;
    dev->domain = domain;
    dev->bus = bus;
    dev->devfn = devfn;
    dev->numa_node = -1;
    snprintf(dev->bdf, sizeof(dev->bdf), "%04x:%02x:%02x.%u", domain, bus,
             devfn >> 3, devfn & 7u);

    DLIST_APPEND(sim->dev_head, sim->dev_tail, dev);
    sim->n_devices++;
    return dev;
}

/* Unlinks and frees the model only; the caller has removed its sysfs nodes. */
void pci_dev_free(struct sim *sim, struct pci_dev *dev)
{
    DLIST_UNLINK(sim->dev_head, sim->dev_tail, dev);
    sim->n_devices--;
    if (dev->sriov)
        free(dev->sriov->vfs);
    free(dev->sriov);
    free(dev->driver_override);
    free(dev->netdev);
    free(dev->cfg_overlay);
    free(dev);
}

struct pci_dev *pci_dev_find(struct sim *sim, uint16_t domain, uint8_t bus, uint8_t devfn)
{
    for (struct pci_dev *d = sim->dev_head; d; d = d->next)
        if (d->domain == domain && d->bus == bus && d->devfn == devfn)
            return d;
    return NULL;
}

struct pci_dev *pci_dev_find_by_name(struct sim *sim, const char *buf)
{
    for (struct pci_dev *d = sim->dev_head; d; d = d->next)
        if (sysfs_streq(d->bdf, buf))
            return d;
    return NULL;
}

bool pci_dev_is_bridge(const struct pci_dev *dev)
{
    return dev->kind == DEV_ROOT_PORT;
}
