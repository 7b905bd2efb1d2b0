/* Creating and destroying a simulated host. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sim.h"

/* Far above anything a real host maps below 4G, and 64-bit only. */
#define MMIO_BASE 0x6000000000ull
#define FIRST_IFINDEX 2         /* 1 is lo */
#define FIRST_IRQ 24

int sim_new(const struct host_spec *spec, struct sim **out)
{
    struct sim *sim = xzalloc(sizeof(*sim));
    long ncpu = sysconf(_SC_NPROCESSORS_CONF);
    int rc;

    sim->bus_autoprobe = true;
    sim->created = time(NULL);
    sim->next_ifindex = FIRST_IFINDEX;
    sim->next_irq = FIRST_IRQ;
    sim->mmio_cursor = MMIO_BASE;
    if (ncpu > 1)
        snprintf(sim->cpulist, sizeof(sim->cpulist), "0-%ld", ncpu - 1);
    else
        snprintf(sim->cpulist, sizeof(sim->cpulist), "0");
    drivers_init(sim);
    sysfs_init(sim);
    rc = topology_build(sim, spec);
    if (rc) {
        sim_free(sim);
        sim = NULL;
    }
    *out = sim;
    return rc;
}

void sim_free(struct sim *sim)
{
    if (!sim)
        return;
    while (sim->dev_tail)
        pci_dev_free(sim, sim->dev_tail);
    if (sim->root)
        node_remove(sim->root);
    drivers_free(sim);
    free(sim);
}
