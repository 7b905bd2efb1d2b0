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
 * reverse order, even from another process after a crash (release.c).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "assign/records.h"
#include "config/vfreq.h"
#include "hv/hv.h"
#include "assign/alloc.h"
#include "assign/steps.h"
#include "config/network.h"
#include "isolation/isolation.h"
#include "l2/l2.h"
#include "sysfs/sysfs.h"

/* Prefix the recorded reason with the VF and the step that failed. */
int sriov__step_failed(struct sriov_ctx *ctx, int rc, const struct sriov_assignment *r,
                       const char *step)
{
    char why[SRIOV_ERR_LEN];

    snprintf(why, sizeof(why), "%s", ctx->last_error[0] ? ctx->last_error : strerror(-rc));
    if (r && r->vf[0])
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
    r->steps |= SRIOV_STEP_ENABLED_VFS;
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
    rc = sriov_vf_config_apply(ctx, &ref, &cfg, NULL);
    if (!rc)
        r->steps |= SRIOV_STEP_L2;
out:
    sriov_vf_config_dispose(&cfg);
    return rc;
}

int sriov__vf_driver_override(struct sriov_ctx *ctx, const char *vf, const char *value)
{
    int rc = sriov__pci_dev_set_driver_override(ctx, vf, value);

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

/* Record the VF as reserved by this process before anything on the host changes. */
static int reserve(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                   const struct sriov__dom_id *dom, const struct sriov__vf_req *req,
                   int prefer_node, unsigned int *numvfs)
{
    struct sriov_assignment r = { 0 };
    int rc;

    rc = sriov_ctx_scan(ctx);
    if (!rc)
        rc = sriov__alloc(ctx, hv, recs, req, prefer_node, &r, numvfs);
    if (rc)
        return rc;
    sriov__uuid_format(dom->uuid, r.uuid);
    r.domid = dom->domid;
    snprintf(r.name, sizeof(r.name), "%s", dom->name);
    r.network = req->network;
    r.spec = req->spec;
    r.phase = SRIOV_PHASE_RESERVED;
    r.owner = getpid();
    choose_mac(dom, req, dom->slot, r.mac);
    return sriov__recs_add(recs, &r); /* copies network and spec */
}

/* A step's bit is saved as soon as it is done, so that another process can undo it. */
static int step_done(struct sriov_ctx *ctx, struct sriov__recs *recs, size_t i,
                     unsigned int step)
{
    recs->v[i].steps |= step;
    return sriov__recs_save(ctx, recs);
}

/* A step that can change the host part-way before failing sets its bit itself:
 * whatever its outcome, a set bit must reach the record. */
static int save_if_done(struct sriov_ctx *ctx, struct sriov__recs *recs, size_t i,
                        unsigned int step, int rc)
{
    int saved = (recs->v[i].steps & step) ? sriov__recs_save(ctx, recs) : 0;

    return rc ? rc : saved;
}

int sriov__assign_prepare(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                          const struct sriov__dom_id *dom, const struct sriov__vf_req *req,
                          int prefer_node, unsigned int flags, bool attach, size_t *rec_index)
{
    struct sriov_hv_domain hd = { .domid = dom->domid };
    struct sriov__saved_error why;
    struct sriov_assignment *r;
    const struct sriov_vf *vf;
    unsigned int numvfs = 0;
    const char *step = "reserve";
    size_t i = recs->n;
    int rc;

    rc = reserve(ctx, hv, recs, dom, req, prefer_node, &numvfs);
    if (rc)
        goto out;
    rc = sriov__recs_save(ctx, recs);
    if (rc)
        goto out;
    r = &recs->v[i];

    if (numvfs) {
        step = "enable_vfs";
        rc = save_if_done(ctx, recs, i, SRIOV_STEP_ENABLED_VFS, enable_vfs(ctx, r, numvfs));
        if (rc)
            goto out;
    }
    vf = find_vf(ctx, r->vf);
    if (vf && sriov_dev_driver(sriov_vf_dev(vf)))
        r->driver = strdup(sriov_dev_driver(sriov_vf_dev(vf)));

    step = "isolation";
    rc = check_isolation(ctx, hv, r, flags);
    if (rc)
        goto out;

    step = "l2";
    rc = save_if_done(ctx, recs, i, SRIOV_STEP_L2, apply_l2(ctx, req, r));
    if (rc)
        goto out;

    step = "driver_override";
    rc = sriov__vf_driver_override(ctx, r->vf, "pciback");
    if (!rc)
        rc = step_done(ctx, recs, i, SRIOV_STEP_OVERRIDE);
    if (rc)
        goto out;

    step = "assignable_add";
    rc = hv->ops->assignable_add(hv, r->vf);
    if (rc) {
        /* libxl leaves a half-done assignable_add as it is; its remove copes with that
         * and gives the remembered driver back. */
        sriov__error_save(ctx, &why);
        if (hv->ops->assignable_remove(hv, r->vf, true))
            sriov__errlog(ctx, "rollback: %s", ctx->last_error);
        sriov__error_restore(ctx, &why);
        goto out;
    }
    rc = step_done(ctx, recs, i, SRIOV_STEP_ASSIGNABLE);
    if (rc || !attach)
        goto out;

    memcpy(hd.uuid, dom->uuid, 16);
    snprintf(hd.name, sizeof(hd.name), "%s", dom->name);
    step = "pci_add";
    rc = hv->ops->pci_add(hv, &hd, r->vf, &req->pci);
    if (rc)
        goto out;
    r->steps |= SRIOV_STEP_PCI;
    step = "record";
    rc = sriov__assign_commit(ctx, hv, recs, i, &hd);

out:
    if (rc && i < recs->n) {
        rc = sriov__step_failed(ctx, rc, &recs->v[i], step);
        sriov__error_save(ctx, &why);
        if (sriov__assign_release(ctx, hv, recs, i, true))
            sriov__errlog(ctx, "rollback incomplete: %s", ctx->last_error);
        sriov__error_restore(ctx, &why);
    } else if (rc) {
        rc = sriov__step_failed(ctx, rc, NULL, step);
    }
    if (!rc)
        *rec_index = i;
    return rc;
}

int sriov__assign_commit(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                         size_t i, const struct sriov_hv_domain *dom)
{
    struct sriov_assignment *r = &recs->v[i];
    int rc;

    r->domid = dom->domid;
    snprintf(r->name, sizeof(r->name), "%s", dom->name);
    r->phase = SRIOV_PHASE_ATTACHED;
    r->steps |= SRIOV_STEP_PCI | SRIOV_STEP_XS; /* set first: a partial publish is undone too */
    r->owner = 0;
    rc = sriov__xs_publish(hv, r);
    if (!rc)
        rc = sriov__recs_save(ctx, recs);
    return rc;
}
