/*
 * Where things live in the /sys mirror: the fixed skeleton, and the
 * directories and symlinks a PCI function brings with it.  Link targets are
 * computed through the common ancestor, the way sysfs writes them, so the
 * relative depth is right for root ports and endpoints alike.
 */
#include <stdio.h>

#include "sim.h"

void sysfs_init(struct sim *sim)
{
    struct node *bus, *kernel, *class;

    sim->root = node_new_root();
    sim->devices_dir = node_add_dir(sim->root, "devices");
    bus = node_add_dir(sim->root, "bus");
    sim->bus_pci_dir = node_add_dir(bus, "pci");
    sim->bus_devices_dir = node_add_dir(sim->bus_pci_dir, "devices");
    sim->drivers_dir = node_add_dir(sim->bus_pci_dir, "drivers");
    node_add_dir(sim->bus_pci_dir, "slots");
    bus_attrs_add(sim);
    class = node_add_dir(sim->root, "class");
    sim->class_net_dir = node_add_dir(class, "net");
    kernel = node_add_dir(sim->root, "kernel");
    sim->iommu_groups_dir = node_add_dir(kernel, "iommu_groups");
    for (size_t i = 0; i < sim->n_drivers; i++) {
        sim->drivers[i].dir = node_add_dir(sim->drivers_dir, sim->drivers[i].name);
        driver_attrs_add(sim, &sim->drivers[i]);
    }
}

static struct node *domain_dir(struct sim *sim, uint16_t domain)
{
    char name[16];
    struct node *dir;

    snprintf(name, sizeof(name), "pci%04x:00", domain);
    dir = node_child(sim->devices_dir, name);
    return dir ? dir : node_add_dir(sim->devices_dir, name);
}

/* One IOMMU group per function: the root ports have ACS, the cards FLR. */
static void add_iommu_group(struct sim *sim, struct pci_dev *dev)
{
    char name[16];
    struct node *devices;

    dev->iommu_group = sim->next_iommu_group++;
    snprintf(name, sizeof(name), "%u", dev->iommu_group);
    dev->group_dir = node_add_dir(sim->iommu_groups_dir, name);
    devices = node_add_dir(dev->group_dir, "devices");
    node_link_to(devices, dev->bdf, dev->dir);
    node_link_to(dev->dir, "iommu_group", dev->group_dir);
}

void sysfs_add_device(struct sim *sim, struct pci_dev *dev)
{
    struct node *parent = dev->parent ? dev->parent->dir : domain_dir(sim, dev->domain);
    char name[32];

    dev->dir = node_add_dir(parent, dev->bdf);
    device_attrs_add(sim, dev);
    if (dev->kind == DEV_PF)
        sriov_attrs_add(sim, dev);
    node_link_to(dev->dir, "subsystem", sim->bus_pci_dir);
    add_iommu_group(sim, dev);
    dev->bus_link = node_link_to(sim->bus_devices_dir, dev->bdf, dev->dir);
    if (dev->kind == DEV_VF) {
        node_link_to(dev->dir, "physfn", dev->physfn->dir);
        snprintf(name, sizeof(name), "virtfn%u", dev->vf_index);
        node_link_to(dev->physfn->dir, name, dev->dir);
    }
}

/* The caller has released the driver (and with it any netdev). */
void sysfs_remove_device(struct sim *sim, struct pci_dev *dev)
{
    (void)sim;
    if (dev->kind == DEV_VF) {
        char name[32];
        struct node *link;

        snprintf(name, sizeof(name), "virtfn%u", dev->vf_index);
        link = node_child(dev->physfn->dir, name);
        if (link)
            node_remove(link);
    }
    node_remove(dev->bus_link);
    node_remove(dev->group_dir);
    node_remove(dev->dir);
    dev->bus_link = dev->group_dir = dev->dir = NULL;
}

void sysfs_link_driver(struct sim *sim, struct pci_dev *dev)
{
    (void)sim;
    dev->driver_link = node_link_to(dev->dir, "driver", dev->driver->dir);
    dev->drv_dir_link = node_link_to(dev->driver->dir, dev->bdf, dev->dir);
}

void sysfs_unlink_driver(struct sim *sim, struct pci_dev *dev)
{
    (void)sim;
    if (dev->driver_link)
        node_remove(dev->driver_link);
    if (dev->drv_dir_link)
        node_remove(dev->drv_dir_link);
    dev->driver_link = dev->drv_dir_link = NULL;
}
