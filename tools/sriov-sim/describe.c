/* "describe": the devices a host description expands to, for tests. */
#include <stdio.h>

#include "sim.h"

static const char *kind_name(enum dev_kind kind)
{
    switch (kind) {
    case DEV_ROOT_PORT: return "root-port";
    case DEV_PF: return "pf";
    case DEV_VF: return "vf";
    case DEV_ENDPOINT: return "endpoint";
    }
    return "?";
}

static void describe_text(const struct pci_dev *d)
{
    printf("%s %-9s %04x:%04x driver=%s", d->bdf, kind_name(d->kind), d->vendor, d->device,
           d->driver ? d->driver->name : "-");
    if (d->model)
        printf(" model=%s", d->model->name);
    printf(" numa=%d iommu_group=%u", d->numa_node, d->iommu_group);
    if (d->kind == DEV_ROOT_PORT)
        printf(" buses=%02x-%02x", d->sec_bus, d->sub_bus);
    if (d->sriov)
        printf(" totalvfs=%u numvfs=%u offset=%u stride=%u vf_device=%04x autoprobe=%d",
               d->sriov->totalvfs, d->sriov->numvfs, d->sriov->offset, d->sriov->stride,
               d->sriov->vf_device, d->sriov->autoprobe);
    if (d->physfn)
        printf(" physfn=%s vf=%u", d->physfn->bdf, d->vf_index);
    if (d->netdev)
        printf(" netdev=%s", d->netdev->name);
    putchar('\n');
}

static void describe_json(const struct pci_dev *d, bool first)
{
    printf("%s\n  {\"bdf\": \"%s\", \"kind\": \"%s\", \"vendor\": \"%04x\", \"device\": \"%04x\"",
           first ? "" : ",", d->bdf, kind_name(d->kind), d->vendor, d->device);
    if (d->driver)
        printf(", \"driver\": \"%s\"", d->driver->name);
    else
        printf(", \"driver\": null");
    if (d->model)
        printf(", \"model\": \"%s\"", d->model->name);
    printf(", \"numa_node\": %d, \"iommu_group\": %u", d->numa_node, d->iommu_group);
    if (d->kind == DEV_ROOT_PORT)
        printf(", \"secondary\": %u, \"subordinate\": %u", d->sec_bus, d->sub_bus);
    if (d->sriov)
        printf(", \"totalvfs\": %u, \"numvfs\": %u, \"offset\": %u, \"stride\": %u, "
               "\"vf_device\": \"%04x\", \"autoprobe\": %s", d->sriov->totalvfs,
               d->sriov->numvfs, d->sriov->offset, d->sriov->stride, d->sriov->vf_device,
               d->sriov->autoprobe ? "true" : "false");
    if (d->physfn)
        printf(", \"physfn\": \"%s\", \"vf_index\": %u", d->physfn->bdf, d->vf_index);
    if (d->netdev)
        printf(", \"netdev\": \"%s\"", d->netdev->name);
    putchar('}');
}

void describe_print(const struct sim *sim, bool json)
{
    bool first = true;

    if (json)
        putchar('[');
    for (const struct pci_dev *d = sim->dev_head; d; d = d->next) {
        if (json)
            describe_json(d, first);
        else
            describe_text(d);
        first = false;
    }
    if (json)
        puts("\n]");
}
