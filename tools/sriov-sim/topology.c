/*
 * Placing cards: each card gets a root port on bus 00 of its domain and a
 * bus range big enough for every routing ID its VFs can take (PF RID +
 * offset + i * stride), so the root port's secondary..subordinate covers
 * them exactly like firmware would have set it up.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sim.h"

#define ROOT_PORT_VENDOR 0x8086
#define ROOT_PORT_DEVICE 0x2030     /* Sky Lake-E PCI Express Root Port A */
#define SLOTS_PER_BUS 31            /* 00:01..00:1f; 00:00 is left for a host bridge */
#define MAX_ROOT_PORTS (SLOTS_PER_BUS * 8)
#define MIB (1ull << 20)

struct domain_state {
    int domain;
    unsigned next_bus, n_ports;
};

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

static void vf_layout(const struct card_spec *c, unsigned port, unsigned *offset,
                      unsigned *stride)
{
    const struct card_model *m = c->model;

    if (m->interleaved) {
        *stride = m->vf_stride > c->ports ? m->vf_stride : c->ports;
        *offset = m->vf_offset > c->ports ? m->vf_offset : c->ports;
    } else {
        unsigned base = m->vf_offset > c->ports ? m->vf_offset : c->ports;

        *stride = m->vf_stride;
        *offset = base + port * c->totalvfs * *stride - port;
    }
}

/* Buses the card needs, counting its first one; 0 if it can never fit. */
static unsigned card_buses(const struct card_spec *c)
{
    unsigned max_rid = c->ports - 1;

    for (unsigned p = 0; p < c->ports && c->totalvfs; p++) {
        unsigned offset, stride, last;

        vf_layout(c, p, &offset, &stride);
        if (offset > 0xffff)
            return 0;
        last = p + offset + (c->totalvfs - 1) * stride;
        if (last > max_rid)
            max_rid = last;
    }
    return max_rid / 256 + 1 > 255 ? 0 : max_rid / 256 + 1;
}

void sriov_vf_rid(const struct pci_dev *pf, unsigned i, uint8_t *bus, uint8_t *devfn)
{
    unsigned rid = ((unsigned)pf->bus << 8 | pf->devfn) + pf->sriov->offset +
                   i * pf->sriov->stride;

    *bus = (uint8_t)(rid >> 8);
    *devfn = (uint8_t)rid;
}

static struct domain_state *domain_get(struct domain_state **doms, size_t *n, int domain)
{
    for (size_t i = 0; i < *n; i++)
        if ((*doms)[i].domain == domain)
            return &(*doms)[i];
    *doms = xrealloc(*doms, (*n + 1) * sizeof(**doms));
    (*doms)[*n] = (struct domain_state){ .domain = domain, .next_bus = 1 };
    return &(*doms)[(*n)++];
}

static struct pci_dev *add_root_port(struct sim *sim, struct domain_state *ds,
                                     const struct card_spec *c, unsigned buses)
{
    unsigned k = ds->n_ports++;
    unsigned slot = 1 + k % SLOTS_PER_BUS, fn = k / SLOTS_PER_BUS;
    struct pci_dev *rp = pci_dev_new(sim, DEV_ROOT_PORT, (uint16_t)ds->domain, 0,
                                     (uint8_t)(slot << 3 | fn));

    rp->vendor = rp->subsys_vendor = ROOT_PORT_VENDOR;
    rp->device = ROOT_PORT_DEVICE;
    rp->subsys_device = 0x0000;
    rp->class = 0x060400;
    rp->revision = 0x04;
    rp->numa_node = c->numa_node;
    rp->irq = sim->next_irq++;
    rp->port = k;
    rp->sec_bus = (uint8_t)ds->next_bus;
    rp->sub_bus = (uint8_t)(ds->next_bus + buses - 1);
    ds->next_bus += buses;
    if (fn) {
        /* Functions beyond 0 make the slot a multi-function device. */
        struct pci_dev *f0 = pci_dev_find(sim, rp->domain, 0, (uint8_t)(slot << 3));

        rp->multifunction = true;
        if (f0)
            f0->multifunction = true;
    }
    return rp;
}

static struct pci_dev *add_function(struct sim *sim, struct pci_dev *rp,
                                    const struct card_spec *c, unsigned port)
{
    const struct card_model *m = c->model;
    struct pci_dev *pf = pci_dev_new(sim, c->totalvfs ? DEV_PF : DEV_ENDPOINT, rp->domain,
                                     rp->sec_bus, (uint8_t)port);

    pf->model = m;
    pf->parent = rp;
    pf->port = port;
    pf->ari_next_fn = (uint8_t)(port + 1 < c->ports ? port + 1 : 0);
    pf->vendor = m->vendor;
    pf->device = m->pf.device;
    pf->subsys_vendor = m->subsys_vendor;
    pf->subsys_device = m->pf.subsys;
    pf->class = m->class;
    pf->revision = m->revision;
    pf->multifunction = c->ports > 1;
    pf->flr = m->flr;
    pf->numa_node = c->numa_node;
    pf->irq = sim->next_irq++;
    pf->msix = m->pf.msix;
    pf->bar0_size = m->pf.bar_size;
    pf->bar0 = align_up(sim->mmio_cursor, m->pf.bar_size);
    sim->mmio_cursor = pf->bar0 + m->pf.bar_size;
    if (c->totalvfs) {
        struct sriov_state *s = xzalloc(sizeof(*s));
        unsigned offset, stride;

        vf_layout(c, port, &offset, &stride);
        s->totalvfs = (uint16_t)c->totalvfs;
        s->offset = (uint16_t)offset;
        s->stride = (uint16_t)stride;
        s->vf_device = m->vf.device;
        s->autoprobe = c->autoprobe;
        s->vf_bar_size = m->vf.bar_size;
        s->vf_bar_base = align_up(sim->mmio_cursor, m->vf.bar_size);
        sim->mmio_cursor = s->vf_bar_base + m->vf.bar_size * c->totalvfs;
        s->vfs = xzalloc(c->totalvfs * sizeof(*s->vfs));
        pf->sriov = s;
    }
    return pf;
}

static int place_card(struct sim *sim, struct domain_state **doms, size_t *n_doms,
                      const struct card_spec *c, size_t idx, int *auto_domain)
{
    unsigned buses = card_buses(c);
    int domain = c->domain < 0 ? *auto_domain : c->domain;
    struct domain_state *ds;
    struct pci_dev *rp, *pfs[8];

    if (!buses) {
        fprintf(stderr, "sriov-sim: card %zu (%s): its VFs need more than 255 buses\n",
                idx + 1, c->model->name);
        return -1;
    }
    for (;; domain++) {
        if (domain > 0xffff) {
            fprintf(stderr, "sriov-sim: card %zu: out of PCI domains\n", idx + 1);
            return -1;
        }
        ds = domain_get(doms, n_doms, domain);
        if (ds->n_ports < MAX_ROOT_PORTS && ds->next_bus + buses - 1 <= 0xff)
            break;
    }
    /* Cards without domain= fill domains in order and never go back. */
    if (c->domain < 0)
        *auto_domain = domain;
    sim->mmio_cursor = align_up(sim->mmio_cursor, MIB);
    rp = add_root_port(sim, ds, c, buses);
    rp->win_base = sim->mmio_cursor;
    for (unsigned p = 0; p < c->ports; p++)
        pfs[p] = add_function(sim, rp, c, p);
    sim->mmio_cursor = align_up(sim->mmio_cursor, MIB);
    rp->win_limit = sim->mmio_cursor - 1;

    sysfs_add_device(sim, rp);
    driver_probe_device(sim, rp);
    for (unsigned p = 0; p < c->ports; p++) {
        sysfs_add_device(sim, pfs[p]);
        if (!c->nodriver)
            driver_probe_device(sim, pfs[p]);
    }
    for (unsigned p = 0; p < c->ports; p++) {
        if (c->numvfs && sriov_enable(sim, pfs[p], c->numvfs)) {
            fprintf(stderr, "sriov-sim: card %zu: cannot enable %u VFs on %s\n",
                    idx + 1, c->numvfs, pfs[p]->bdf);
            return -1;
        }
    }
    return 0;
}

int topology_build(struct sim *sim, const struct host_spec *spec)
{
    struct domain_state *doms = NULL;
    size_t n_doms = 0;
    int rc = 0, auto_domain = 0;

    for (size_t i = 0; i < spec->n_cards; i++) {
        if (spec->cards[i].numa_node > sim->max_numa_node)
            sim->max_numa_node = spec->cards[i].numa_node;
        rc = place_card(sim, &doms, &n_doms, &spec->cards[i], i, &auto_domain);
        if (rc)
            break;
    }
    free(doms);
    return rc;
}
