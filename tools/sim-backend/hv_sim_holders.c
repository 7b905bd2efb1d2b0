/*
 * Which domain has which PCI device, from the domain files' "pci BDF" lines:
 * the ops device_owner (one device) and assigned_devices (every domain with its
 * devices, one answer), and the sim's own check before it adds or removes a
 * device, as libxl checks.  Each walks DIR/domains once (sim_each_domain).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "hv/holders.h"
#include "hv_sim.h"

struct wanted {
    char line[64];               /* "pci BDF" */
    struct sriov_hv_domain *out;
};

static int has_line(const struct sriov_hv_domain *dom, const struct sim_lines *l, void *arg)
{
    struct wanted *w = arg;

    if (!sim_lines_has(l, w->line))
        return 0;
    *w->out = *dom;
    return 1;
}

int sim_holder(struct sim_hv *sim, const char *bdf, struct sriov_hv_domain *out)
{
    struct wanted w = { .out = out };
    int rc;

    snprintf(w.line, sizeof(w.line), "pci %s", bdf);
    rc = sim_each_domain(sim, has_line, &w);
    return rc == 1 ? 0 : rc ? rc : -ENOENT;
}

int sim_device_owner(struct sriov_hv *hv, const char *bdf, struct sriov_hv_domain *out)
{
    int rc = sim_fault(hv, "device_owner");

    return rc ? rc : sim_holder((struct sim_hv *)hv, bdf, out);
}

struct answer {
    struct sriov_hv_assignment *v;
    size_t n, cap;
};

static int add_domain(const struct sriov_hv_domain *dom, const struct sim_lines *l, void *arg)
{
    struct answer *a = arg;
    struct sriov_hv_assignment *v = a->v;

    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 64;
        v = realloc(a->v, cap * sizeof(*v));
        if (!v)
            return -ENOMEM;
        a->v = v;
        a->cap = cap;
    }
    v = a->v + a->n++;
    *v = (struct sriov_hv_assignment){ .dom = *dom };
    for (size_t i = 0; i < l->n; i++)
        if (!strncmp(l->v[i], "pci ", 4) &&
            sriov__strv_push(&v->bdfs, &v->n_bdfs, strdup(l->v[i] + 4)))
            return -ENOMEM;
    return 0;
}

/* Under the lock: one answer, as of one moment. */
int sim_assigned_devices(struct sriov_hv *hv, struct sriov_hv_assignment **out, size_t *n)
{
    struct sim_hv *sim = (struct sim_hv *)hv;
    struct answer a = { 0 };
    int lockfd = -1, rc;

    *out = NULL;
    *n = 0;
    rc = sim_begin(hv, "assigned_devices", &lockfd);
    if (!rc)
        rc = sim_each_domain(sim, add_domain, &a);
    sim_unlock(sim, lockfd);
    if (rc) {
        sriov__hv_assignments_free(a.v, a.n);
        return rc;
    }
    *out = a.v;
    *n = a.n;
    return 0;
}
