/*
 * Giving a VF to a domain and taking it back, as prepare/commit/rollback
 * (virhostdev.c does the same for libvirt).  The steps, in order:
 *
 *   reserve         pick a free VF and record it (phase "reserved")
 *   enable_vfs      write sriov_numvfs when the PF has no VFs yet
 *   isolation       sriov__isolation_check(); a failure refuses unless forced
 *   l2              MAC/VLAN/rate/... over rtnetlink (vfconfig), saved first
 *   driver_override "pciback" in the VF's driver_override: with the PF's
 *                   sriov_drivers_autoprobe off the kernel refuses pciback's bind
 *                   otherwise (ENODEV); never new_id, which would catch every VF
 *   assignable_add  libxl_device_pci_assignable_add(rebind=1): quarantine + pciback
 *   pci_add         libxl_device_pci_add (pci-attach; `xl create` does it for create)
 *   record          phase "attached", domid hint, xenstore /xen-sriov/<uuid>/<vf>/
 *
 * What is done is kept in the record's step bits and saved after each step, so
 * that rollback, pci-detach and gc all undo exactly the completed steps, in
 * reverse order, even from another process after a crash.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "assign.h"

/* Prefix the recorded reason with the VF and the step that failed. */
static int step_failed(struct sriov_ctx *ctx, int rc, const struct sriov_assignment *r,
                       const char *step)
{
    char why[SRIOV_ERR_LEN];

    snprintf(why, sizeof(why), "%s", ctx->last_error[0] ? ctx->last_error : strerror(-rc));
    if (r->vf[0])
        return sriov__fail(ctx, rc, "%s (VF %u of %s): step '%s' failed: %s", r->vf, r->index,
                           r->pf, step, why);
    return sriov__fail(ctx, rc, "step '%s' failed: %s", step, why);
}

static const struct sriov_vf *find_vf(struct sriov_ctx *ctx, const char *bdf)
{
    struct sriov_vf *vf = NULL;

    return sriov_vf_find(ctx, bdf, &vf) ? NULL : vf;
}

static int enable_vfs(struct sriov_ctx *ctx, struct sriov_assignment *r, unsigned int n)
{
    struct sriov_pf *pf = NULL;
    const struct sriov_vf *vf;
    int rc;

    rc = sriov_pf_find(ctx, r->pf, &pf);
    if (!rc)
        rc = sriov_pf_set_numvfs(ctx, pf, n, 0);
    if (rc)
        return rc;
    r->steps |= STEP_ENABLED_VFS;
    for (size_t i = 0; i < sriov_pf_vf_count(pf); i++) {
        vf = sriov_pf_vf(pf, i);
        if (sriov_vf_index(vf) == r->index) {
            snprintf(r->vf, sizeof(r->vf), "%s", sriov_dev_bdf(sriov_vf_dev(vf)));
            return 0;
        }
    }
    return sriov__fail(ctx, -ENODEV, "%s: VF %u did not appear", r->pf, r->index);
}

static int check_isolation(struct sriov_ctx *ctx, struct sriov_hv *hv,
                           const struct sriov_assignment *r, unsigned int flags)
{
    struct sriov_isolation *iso = NULL;
    const struct sriov_vf *vf = find_vf(ctx, r->vf);
    char why[SRIOV_ERR_LEN] = "";
    size_t used = 0;
    int rc;

    if (!vf)
        return sriov__fail(ctx, -ENODEV, "%s: no such VF", r->vf);
    rc = sriov__isolation_check(ctx, hv, vf, &iso);
    if (rc)
        return rc;
    for (size_t i = 0; i < sriov_isolation_count(iso); i++) {
        if (sriov_isolation_result(iso, i) != SRIOV_ISOLATION_FAILED)
            continue;
        used += (size_t)snprintf(why + used, used < sizeof(why) ? sizeof(why) - used : 0,
                                 "%s%s: %s", used ? "; " : "", sriov_isolation_name(iso, i),
                                 sriov_isolation_detail(iso, i));
        if (used >= sizeof(why))
            used = sizeof(why) - 1;
    }
    if (!sriov_isolation_ok(iso)) {
        if (flags & SRIOV_ASSIGN_FORCE) {
            sriov__warn(ctx, "%s: isolation checks failed, assigning anyway (--force): %s",
                        r->vf, why);
        } else {
            rc = sriov__fail(ctx, -EPERM, "%s is not isolated enough to assign (override with "
                             "--force): %s", r->vf, why);
        }
    }
    sriov_isolation_free(iso);
    return rc;
}

/* A synthetic host has no kernel behind its netdevs: say what would be set. */
static bool synthetic_host(const struct sriov_ctx *ctx)
{
    return strcmp(ctx->sysfs_root, "/sys") != 0;
}

/* The network's defaults, the entry's own keys over them, then the safe defaults for
 * a guest's VF (xl-sriov.cfg(5)): the guest cannot forge its source MAC, is not
 * trusted, and its link follows the PF's. */
static int build_l2(struct sriov_ctx *ctx, const struct sriov__vf_req *req,
                    const struct sriov_assignment *r, struct sriov_vf_config *cfg)
{
    const struct sriov_network *net = req->network ? sriov__network_get(ctx, req->network)
                                                   : NULL;
    int rc;

    if (net)
        sriov__vf_config_overlay(cfg, &net->l2);
    sriov__vf_config_overlay(cfg, &req->l2);
    rc = sriov_vf_config_set_kv(ctx, cfg, "mac", r->mac);
    if (!rc && !(cfg->present & SRIOV_VF_SPOOFCHK))
        rc = sriov_vf_config_set_kv(ctx, cfg, "spoofchk", "on");
    if (!rc && !(cfg->present & SRIOV_VF_TRUST))
        rc = sriov_vf_config_set_kv(ctx, cfg, "trust", "off");
    if (!rc && !(cfg->present & SRIOV_VF_LINK_STATE))
        rc = sriov_vf_config_set_kv(ctx, cfg, "state", "auto");
    if (!rc)
        rc = sriov_vf_config_validate(ctx, cfg);
    return rc;
}

static int apply_l2(struct sriov_ctx *ctx, const struct sriov__vf_req *req,
                    struct sriov_assignment *r)
{
    const struct sriov_vf *vf = find_vf(ctx, r->vf);
    struct sriov_vf_config cfg;
    struct sriov_vf_ref ref;
    int rc;

    sriov_vf_config_init(&cfg);
    rc = build_l2(ctx, req, r, &cfg);
    if (rc)
        goto out;
    if (!vf || sriov_vf_ref_from_vf(ctx, vf, &ref)) {
        /* A PF without a network interface (NVMe, ...): nothing to configure, unless
         * the entry asked for L2 settings explicitly. */
        if (req->l2.present)
            rc = sriov__fail(ctx, -EOPNOTSUPP, "%s has no network interface: cannot apply "
                             "the L2 settings of '%s'", r->pf, req->spec);
        else
            sriov__info(ctx, "%s: PF has no network interface, no L2 settings applied", r->vf);
        goto out;
    }
    if (synthetic_host(ctx)) {
        sriov__log(ctx, LOG_NOTICE, __FILE__, __LINE__, __func__,
                   "%s/vf%u: synthetic host, L2 settings not applied (mac %s)", ref.pf_ifname,
                   r->index, r->mac);
        goto out;
    }
    rc = sriov_vf_config_apply(ctx, &ref, &cfg, NULL);
    if (!rc)
        r->steps |= STEP_L2;
out:
    sriov_vf_config_dispose(&cfg);
    return rc;
}

static int restore_l2(struct sriov_ctx *ctx, const struct sriov_assignment *r)
{
    const struct sriov_vf *vf = find_vf(ctx, r->vf);
    struct sriov_vf_ref ref;
    int rc;

    if (!vf)
        return sriov__fail(ctx, -ENODEV, "%s: the VF is gone, cannot restore its settings",
                           r->vf);
    rc = sriov_vf_ref_from_vf(ctx, vf, &ref);
    if (!rc)
        rc = sriov_vf_config_restore(ctx, &ref, NULL);
    return rc == -ENOENT ? 0 : rc;
}

/* Empty value: clear the override (the kernel takes "\n" as "none"). */
static int write_override(struct sriov_ctx *ctx, const char *vf, const char *value)
{
    char rel[64];
    int devfd, rc;

    devfd = sriov__sysfs_open_dir(ctx, "bus/pci/devices");
    if (devfd < 0)
        return sriov__fail(ctx, devfd, "%s: cannot open the PCI devices in sysfs", vf);
    snprintf(rel, sizeof(rel), "%s/driver_override", vf);
    rc = sriov__write_attr_at(devfd, rel, *value ? value : "\n");
    close(devfd);
    if (rc)
        return sriov__fail(ctx, rc, "%s: cannot write '%s' to driver_override: %s", vf, value,
                           strerror(-rc));
    return 0;
}

/* Pick the MAC: the entry's, else derived from the domain UUID and slot. */
static void choose_mac(const struct sriov__dom_id *dom, const struct sriov__vf_req *req,
                       unsigned int slot, char out[18])
{
    uint8_t m[6];

    if (req->l2.present & SRIOV_VF_MAC)
        memcpy(m, req->l2.mac, 6);
    else
        sriov_mac_derive(dom->uuid, slot, m);
    snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

int sriov__assign_prepare(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                          const struct sriov__dom_id *dom, const struct sriov__vf_req *req,
                          int prefer_node, unsigned int flags, bool attach, size_t *rec_index)
{
    struct sriov_assignment r = { 0 };
    const struct sriov_vf *vf;
    unsigned int numvfs = 0;
    const char *step = "reserve";
    size_t i = 0;
    bool added = false;
    int rc;

    rc = sriov__hv_fault(hv, step);
    if (!rc)
        rc = sriov_ctx_scan(ctx);
    if (!rc)
        rc = sriov__alloc(ctx, hv, recs, req, prefer_node, &r, &numvfs);
    if (rc)
        goto fail;
    sriov__uuid_format(dom->uuid, r.uuid);
    r.domid = dom->domid;
    snprintf(r.name, sizeof(r.name), "%s", dom->name);
    r.network = req->network;
    r.spec = req->spec;
    r.phase = PHASE_RESERVED;
    r.owner = getpid();
    choose_mac(dom, req, dom->slot, r.mac);
    rc = sriov__recs_add(recs, &r);
    r.network = r.spec = NULL; /* borrowed from req; the record has its own copies */
    if (rc)
        goto fail;
    added = true;
    i = recs->n - 1;
    rc = sriov__recs_save(ctx, recs);
    if (rc)
        goto fail;

    if (numvfs) {
        step = "enable_vfs";
        rc = sriov__hv_fault(hv, step);
        if (!rc)
            rc = enable_vfs(ctx, &recs->v[i], numvfs);
        if (recs->v[i].steps & STEP_ENABLED_VFS) {
            int r2 = sriov__recs_save(ctx, recs);
            if (!rc)
                rc = r2;
        }
        if (rc)
            goto fail;
    }
    vf = find_vf(ctx, recs->v[i].vf);
    if (vf && sriov_dev_driver(sriov_vf_dev(vf)))
        recs->v[i].driver = strdup(sriov_dev_driver(sriov_vf_dev(vf)));

    step = "isolation";
    rc = sriov__hv_fault(hv, step);
    if (!rc)
        rc = check_isolation(ctx, hv, &recs->v[i], flags);
    if (rc)
        goto fail;

    step = "l2";
    rc = sriov__hv_fault(hv, step);
    if (!rc)
        rc = apply_l2(ctx, req, &recs->v[i]);
    if (recs->v[i].steps & STEP_L2)
        (void)sriov__recs_save(ctx, recs);
    if (rc)
        goto fail;

    step = "driver_override";
    rc = sriov__hv_fault(hv, step);
    if (!rc)
        rc = write_override(ctx, recs->v[i].vf, "pciback");
    if (rc)
        goto fail;
    recs->v[i].steps |= STEP_OVERRIDE;
    (void)sriov__recs_save(ctx, recs);

    step = "assignable_add";
    rc = hv->ops->assignable_add(hv, recs->v[i].vf);
    if (rc) {
        /* libxl leaves a half-done assignable_add as it is; its remove copes with that
         * and gives the remembered driver back. */
        char saved[SRIOV_ERR_LEN];
        snprintf(saved, sizeof(saved), "%s", ctx->last_error);
        if (hv->ops->assignable_remove(hv, recs->v[i].vf, true))
            sriov__errlog(ctx, "rollback: %s", ctx->last_error);
        snprintf(ctx->last_error, sizeof(ctx->last_error), "%s", saved);
        goto fail;
    }
    recs->v[i].steps |= STEP_ASSIGNABLE;
    rc = sriov__recs_save(ctx, recs);
    if (rc)
        goto fail;

    if (attach) {
        struct sriov_hv_domain hd = { .domid = dom->domid };
        memcpy(hd.uuid, dom->uuid, 16);
        snprintf(hd.name, sizeof(hd.name), "%s", dom->name);
        step = "pci_add";
        rc = hv->ops->pci_add(hv, &hd, recs->v[i].vf, &req->pci);
        if (rc)
            goto fail;
        recs->v[i].steps |= STEP_PCI;
        step = "record";
        rc = sriov__assign_commit(ctx, hv, recs, i, &hd);
        if (rc)
            goto fail;
    }
    *rec_index = i;
    return 0;

fail:
    rc = step_failed(ctx, rc, added ? &recs->v[i] : &r, step);
    if (added) {
        char saved[SRIOV_ERR_LEN];
        snprintf(saved, sizeof(saved), "%s", ctx->last_error);
        if (sriov__assign_release(ctx, hv, recs, i, true))
            sriov__errlog(ctx, "rollback incomplete: %s", ctx->last_error);
        snprintf(ctx->last_error, sizeof(ctx->last_error), "%s", saved);
    }
    return rc;
}

/* xenstore allows only [A-Za-z0-9-/_@] in paths, so the BDF is spelled as libxl
 * spells it under /libxl/pci: 0000:03:10.2 becomes 0000-03-10-2. */
static void xs_vf_dir(const struct sriov_assignment *r, char *path, size_t len)
{
    size_t n = (size_t)snprintf(path, len, "/xen-sriov/%s/", r->uuid);

    for (const char *c = r->vf; *c && n + 1 < len; c++)
        path[n++] = (*c == ':' || *c == '.') ? '-' : *c;
    path[n < len ? n : len - 1] = '\0';
}

static int xs_publish(struct sriov_hv *hv, const struct sriov_assignment *r)
{
    char dir[128], path[160], val[32];
    int rc;

    xs_vf_dir(r, dir, sizeof(dir));

    snprintf(path, sizeof(path), "%s/pf", dir);
    rc = hv->ops->xs_write(hv, path, r->pf);
    snprintf(path, sizeof(path), "%s/index", dir);
    snprintf(val, sizeof(val), "%u", r->index);
    if (!rc)
        rc = hv->ops->xs_write(hv, path, val);
    snprintf(path, sizeof(path), "%s/network", dir);
    if (!rc)
        rc = hv->ops->xs_write(hv, path, r->network ? r->network : "");
    snprintf(path, sizeof(path), "%s/mac", dir);
    if (!rc)
        rc = hv->ops->xs_write(hv, path, r->mac);
    snprintf(path, sizeof(path), "%s/domid", dir);
    snprintf(val, sizeof(val), "%u", r->domid);
    if (!rc)
        rc = hv->ops->xs_write(hv, path, val);
    return rc;
}

int sriov__assign_commit(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                         size_t i, const struct sriov_hv_domain *dom)
{
    struct sriov_assignment *r = &recs->v[i];
    int rc;

    rc = sriov__hv_fault(hv, "record");
    if (rc)
        return rc;
    r->domid = dom->domid;
    snprintf(r->name, sizeof(r->name), "%s", dom->name);
    r->phase = PHASE_ATTACHED;
    r->steps |= STEP_PCI | STEP_XS; /* set first: a partial publish is undone too */
    r->owner = 0;
    rc = xs_publish(hv, r);
    if (!rc)
        rc = sriov__recs_save(ctx, recs);
    return rc;
}

/* Another record still uses VFs of this PF: keep them enabled, and hand it the
 * duty of disabling them, so that the last VF given back turns them off. */
static bool pf_in_use(struct sriov__recs *recs, size_t self)
{
    for (size_t k = 0; k < recs->n; k++) {
        if (k != self && !strcmp(recs->v[k].pf, recs->v[self].pf)) {
            recs->v[k].steps |= STEP_ENABLED_VFS;
            return true;
        }
    }
    return false;
}

static int undo_step(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                     size_t i, unsigned int step)
{
    struct sriov_assignment *r = &recs->v[i];
    struct sriov_hv_domain dom;
    struct sriov_pf *pf = NULL;
    uint8_t uuid[16];
    char path[160];
    int rc = 0;

    switch (step) {
    case STEP_XS:
        xs_vf_dir(r, path, sizeof(path));
        rc = hv->ops->xs_rm(hv, path);
        /* The domain's last VF takes its /xen-sriov/<uuid> node with it. */
        for (size_t k = 0; !rc && k < recs->n; k++)
            if (k != i && !strcmp(recs->v[k].uuid, r->uuid) && (recs->v[k].steps & STEP_XS))
                return 0;
        if (!rc) {
            snprintf(path, sizeof(path), "/xen-sriov/%s", r->uuid);
            rc = hv->ops->xs_rm(hv, path);
        }
        return rc;
    case STEP_PCI:
        /* A domain that is gone took its devices with it. */
        if (sriov__uuid_parse(r->uuid, uuid) || hv->ops->domain_by_uuid(hv, uuid, &dom))
            return 0;
        if (hv->ops->device_owner(hv, r->vf, &dom) == -ENOENT)
            return 0;
        return hv->ops->pci_remove(hv, &dom, r->vf);
    case STEP_ASSIGNABLE:
        return hv->ops->assignable_remove(hv, r->vf, true);
    case STEP_OVERRIDE:
        return write_override(ctx, r->vf, "");
    case STEP_L2:
        return restore_l2(ctx, r);
    case STEP_ENABLED_VFS:
        if (pf_in_use(recs, i))
            return 0;
        rc = sriov_pf_find(ctx, r->pf, &pf);
        return rc ? rc : sriov_pf_set_numvfs(ctx, pf, 0, 0);
    }
    return 0;
}

int sriov__assign_release(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                          size_t i, bool best_effort)
{
    static const struct {
        unsigned int bit;
        const char *name;
    } order[] = {
        /* driver_override is cleared before assignable_remove, out of strict reverse
         * order: while it says pciback, libxl's rebind to the original driver fails. */
        { STEP_XS, "xs_rm" },           { STEP_PCI, "pci_remove" },
        { STEP_OVERRIDE, "driver_override" },
        { STEP_ASSIGNABLE, "assignable_remove" }, { STEP_L2, "l2_restore" },
        { STEP_ENABLED_VFS, "disable_vfs" },
    };
    char first[SRIOV_ERR_LEN] = "";
    int first_rc = 0, rc;

    for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
        if (!(recs->v[i].steps & order[k].bit))
            continue;
        rc = undo_step(ctx, hv, recs, i, order[k].bit);
        if (rc) {
            rc = step_failed(ctx, rc, &recs->v[i], order[k].name);
            if (!best_effort) {
                (void)sriov__recs_save(ctx, recs);
                return rc;
            }
            sriov__errlog(ctx, "%s", ctx->last_error);
            if (!first_rc) {
                first_rc = rc;
                snprintf(first, sizeof(first), "%s", ctx->last_error);
            }
            continue;
        }
        recs->v[i].steps &= ~order[k].bit;
        if (order[k].bit == STEP_ASSIGNABLE || order[k].bit == STEP_PCI)
            (void)sriov__recs_save(ctx, recs);
    }
    if (first_rc && (recs->v[i].steps & (STEP_ASSIGNABLE | STEP_PCI))) {
        /* The VF is still with pciback or a domain: keep the record so that gc or
         * pci-detach can finish the job, rather than hand the VF out again. */
        (void)sriov__recs_save(ctx, recs);
        snprintf(ctx->last_error, sizeof(ctx->last_error), "%s", first);
        return first_rc;
    }
    sriov__recs_remove(recs, i);
    rc = sriov__recs_save(ctx, recs);
    if (first_rc) {
        snprintf(ctx->last_error, sizeof(ctx->last_error), "%s", first);
        return first_rc;
    }
    return rc;
}
