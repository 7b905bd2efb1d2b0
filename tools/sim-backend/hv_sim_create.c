/*
 * The simulated hypervisor's `xl create`: read the config as xl would, refuse a
 * name already in use, give the domain the next domid and attach every pci=
 * device, which (as in libxl) must be assignable.  A failure leaves no domain.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "config/xlcfg.h"
#include "core/statefile.h"
#include "sysfs/sysfs.h"
#include "hv_sim.h"

int sim_next_domid(struct sim_hv *sim, uint32_t *domid)
{
    struct sim_lines l;
    char buf[16];
    int rc;

    rc = sim_lines_read(sim, "next-domid", &l);
    if (rc)
        return rc;
    *domid = l.n ? (uint32_t)strtoul(l.v[0], NULL, 10) : 1;
    sim_lines_free(&l);
    snprintf(buf, sizeof(buf), "%u", *domid + 1);
    l.v = (char *[]){ buf };
    l.n = 1;
    return sim_lines_write(sim, "next-domid", &l);
}

int sim_domain_create(struct sriov_hv *hv, const char *cfg_path, char *const *args,
                      size_t n_args, const uint8_t uuid[16], struct sriov_hv_domain *out)
{
    struct sim_hv *sim = (struct sim_hv *)hv;
    struct sriov_ctx *ctx = hv->ctx;
    struct sriov__xlcfg *c = NULL;
    struct sriov_hv_domain dom = { 0 }, other;
    char file[PATH_MAX], path[PATH_MAX], line[96];
    struct sim_lines l = { 0 };
    const char *name, *pt;
    int lockfd = -1, n_pci, rc;
    bool created = false;

    rc = sim_fault(hv, "domain_create");
    if (rc)
        return rc;
    rc = sriov__xlcfg_load(ctx, cfg_path, args, n_args, &c);
    if (rc)
        return rc;
    name = sriov__xlcfg_string(c, "name");
    if (!name || !*name || strlen(name) >= sizeof(dom.name)) {
        rc = sriov__fail(ctx, -EINVAL, "%s: the domain needs a name", cfg_path);
        goto out;
    }
    snprintf(dom.name, sizeof(dom.name), "%s", name);
    memcpy(dom.uuid, uuid, 16);
    if (sriov__uuid_is_nil(dom.uuid)) {
        const char *u = sriov__xlcfg_string(c, "uuid");
        rc = u ? sriov__uuid_parse(u, dom.uuid) : sriov__uuid_generate(dom.uuid);
        if (rc) {
            rc = sriov__fail(ctx, -EINVAL, "%s: bad uuid", cfg_path);
            goto out;
        }
    }
    rc = sim_lock(sim, &lockfd);
    if (rc)
        goto out;
    if (hv->ops->domain_by_name_or_id(hv, dom.name, &other) == 0) {
        rc = sriov__fail(ctx, -EEXIST, "domain '%s' already exists with ID '%u'", dom.name,
                         other.domid);
        goto out;
    }
    rc = sim_next_domid(sim, &dom.domid);
    if (rc)
        goto out;
    sim_domain_file(sim, dom.uuid, file, sizeof(file));
    snprintf(line, sizeof(line), "domid %u", dom.domid);
    rc = sim_lines_add(&l, line);
    snprintf(line, sizeof(line), "name %s", dom.name);
    if (!rc)
        rc = sim_lines_add(&l, line);
    /* libxl keeps the configuration as given: what a move recreates it from. */
    pt = sriov__xlcfg_string(c, "passthrough");
    n_pci = sriov__xlcfg_list_count(c, "pci");
    if (!rc && pt && !sim_passthrough_known(pt))
        rc = sriov__fail(ctx, -EINVAL, "%s: unknown passthrough option '%s'", cfg_path, pt);
    if (!rc)
        rc = sim_passthrough_lines(&l, pt, n_pci > 0 ? (size_t)n_pci : 0);
    if (!rc)
        rc = sim_lines_write(sim, file, &l);
    if (rc)
        goto out;
    created = true;

    for (size_t i = 0; n_pci > 0 && i < (size_t)n_pci; i++) {
        const char *spec = sriov__xlcfg_list_item(c, "pci", i);
        struct sriov_hv_pci_opts opts;
        char bdf[SRIOV_BDF_LEN];
        rc = spec ? sriov__xlcfg_pci_parse(spec, bdf, &opts, NULL) : -EINVAL;
        if (rc == -EINVAL)
            rc = sriov__fail(ctx, rc, "%s: bad pci= entry '%s'", cfg_path, spec ? spec : "");
        if (!rc)
            rc = sim_pci_add_locked(sim, &dom, bdf);
        if (rc)
            goto out;
    }
    *out = dom;
out:
    if (rc && created && sim_path(sim, path, sizeof(path), file) == 0)
        unlink(path); /* libxl destroys a domain whose creation failed */
    sim_lines_free(&l);
    sim_unlock(sim, lockfd);
    sriov__xlcfg_free(c);
    if (!rc)
        sim_after(hv, "domain_create");
    return rc;
}
