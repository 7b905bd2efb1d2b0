/*
 * Choosing a VF.  Candidates are the PFs of the requested network (or the one
 * pf=); a VF is free when no record holds it and nobody else has it (not bound
 * to pciback, not owned by a domain: someone may have used xl by hand).  Among
 * PFs with a free VF we prefer the NUMA node of the domain's vCPUs, then the
 * least-loaded PF (fewest of its usable VFs taken), then BDF order.  The caller
 * holds the assignments lock, so two processes can never pick the same VF.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "assign/alloc.h"
#include "assign/records.h"
#include "config/network.h"
#include "config/vfreq.h"
#include "hv/hv.h"
#include "hv/holders.h"

struct candidate {
    struct sriov_pf *pf;
    unsigned int cap;            /* usable VFs: enabled ones, or what we would enable */
    unsigned int used;
    int free_index;              /* lowest free index, -1 if none */
};

static const struct sriov_vf *vf_by_index(const struct sriov_pf *pf, unsigned int index)
{
    for (size_t i = 0; i < pf->n_vfs; i++)
        if (pf->vfs[i]->index == index)
            return pf->vfs[i];
    return NULL;
}

/* 1 with why filled when VF index of pf cannot be had, 0 if it is free, or a
 * negative errno when the hypervisor cannot say who has it: fail closed, since a
 * VF in use handed out again would be given to two guests.  r: the record for
 * it (sriov__recs_find's answer). */
static int vf_taken(struct sriov_ctx *ctx, struct sriov_hv *hv, const struct sriov__recs *recs,
                    ssize_t r, const struct sriov_pf *pf, unsigned int index, char *why,
                    size_t len)
{
    const struct sriov_vf *vf = vf_by_index(pf, index);
    struct sriov_hv_domain owner;
    int rc;

    if (r >= 0) {
        snprintf(why, len, "it is assigned to domain %s (%s)", recs->v[r].name, recs->v[r].uuid);
        return 1;
    }
    if (!vf)
        return 0;
    rc = sriov__hv_holder(ctx, hv, vf->dev.bdf, &owner);
    if (rc == 0) {
        snprintf(why, len, "%s is assigned to domain %s by someone else", vf->dev.bdf,
                 owner.name);
        return 1;
    }
    if (rc != -ENOENT)
        return sriov__fail(ctx, rc, "%s: cannot tell whether a domain has it, so not choosing "
                           "it: %s", vf->dev.bdf, ctx->last_error);
    if (vf->dev.driver && !strcmp(vf->dev.driver, "pciback")) {
        snprintf(why, len, "%s is already bound to pciback (made assignable by hand?)",
                 vf->dev.bdf);
        return 1;
    }
    return 0;
}

static int evaluate(struct sriov_ctx *ctx, struct sriov_hv *hv, const struct sriov__recs *recs,
                    const struct sriov_network *net, struct candidate *c)
{
    const struct sriov_pf *pf = c->pf;
    ssize_t *rec_of;
    char why[160];
    int rc = 0;

    c->cap = pf->numvfs ? pf->numvfs : pf->totalvfs;
    if (!pf->numvfs && net && net->numvfs && net->numvfs < pf->totalvfs)
        c->cap = net->numvfs;
    c->used = 0;
    c->free_index = -1;
    /* Each VF's record, as sriov__recs_find would find it (the first), from one
     * pass over the records instead of one per VF: a host holds thousands. */
    rec_of = malloc((c->cap + 1) * sizeof(*rec_of));
    if (!rec_of)
        return -ENOMEM;
    for (unsigned int i = 0; i < c->cap; i++)
        rec_of[i] = -1;
    for (size_t k = recs->n; k-- > 0;)
        if (recs->v[k].index < c->cap && !strcmp(recs->v[k].pf, pf->dev.bdf))
            rec_of[recs->v[k].index] = (ssize_t)k;
    for (unsigned int i = 0; i < c->cap; i++) {
        rc = vf_taken(ctx, hv, recs, rec_of[i], pf, i, why, sizeof(why));
        if (rc < 0)
            break;
        if (rc)
            c->used++;
        else if (c->free_index < 0)
            c->free_index = (int)i;
    }
    free(rec_of);
    return rc < 0 ? rc : 0;
}

static bool better(const struct candidate *a, const struct candidate *b, int node)
{
    bool an = node >= 0 && a->pf->dev.numa_node == node;
    bool bn = node >= 0 && b->pf->dev.numa_node == node;

    if (an != bn)
        return an;
    /* Compare used/cap without floating point. */
    if ((unsigned long)a->used * b->cap != (unsigned long)b->used * a->cap)
        return (unsigned long)a->used * b->cap < (unsigned long)b->used * a->cap;
    return strcmp(a->pf->dev.bdf, b->pf->dev.bdf) < 0;
}

static int fixed_index(struct sriov_ctx *ctx, struct sriov_hv *hv,
                       const struct sriov__recs *recs, const struct sriov__vf_req *req,
                       struct candidate *c)
{
    unsigned int limit = c->pf->numvfs ? c->pf->numvfs : c->pf->totalvfs;
    char why[160];
    int rc;

    if ((unsigned int)req->vf_index >= limit)
        return sriov__fail(ctx, -ENOENT, "%s has no VF %d (%u VFs)", req->pf, req->vf_index,
                           limit);
    rc = vf_taken(ctx, hv, recs, sriov__recs_find(recs, c->pf->dev.bdf,
                                                  (unsigned int)req->vf_index),
                  c->pf, (unsigned int)req->vf_index, why, sizeof(why));
    if (rc < 0)
        return rc;
    if (rc)
        return sriov__fail(ctx, -EBUSY, "VF %d of %s is not free: %s", req->vf_index, req->pf,
                           why);
    if (!c->pf->numvfs)
        c->cap = c->pf->totalvfs;
    c->free_index = req->vf_index;
    return 0;
}

int sriov__alloc(struct sriov_ctx *ctx, struct sriov_hv *hv, const struct sriov__recs *recs,
                 const struct sriov__vf_req *req, int prefer_node,
                 struct sriov_assignment *out, unsigned int *numvfs_to_enable)
{
    const struct sriov_network *net = NULL;
    struct candidate best = { 0 }, c;
    const struct sriov_vf *vf;
    size_t n_sel;
    int rc;

    if (req->network) {
        rc = sriov__netcfg_load(ctx);
        if (rc)
            return rc;
        net = sriov__network_get(ctx, req->network);
        if (!net)
            return sriov__fail(ctx, -ENOENT, "no network '%s' in %s", req->network,
                               ctx->config_path);
        /* What the file cannot say by itself: its PFs are there, in one network each,
         * and can have the VFs it asks for. */
        rc = sriov__netcfg_resolve(ctx);
        if (!rc)
            rc = sriov__network_check_use(ctx, net);
        if (rc)
            return rc;
    }
    n_sel = net ? net->n_pfs : 1;
    for (size_t i = 0; i < n_sel; i++) {
        const char *sel = net ? net->pfs[i] : req->pf;
        memset(&c, 0, sizeof(c));
        rc = sriov_pf_find(ctx, sel, &c.pf);
        if (rc && net) {
            sriov__warn(ctx, "network %s: skipping PF %s: %s", net->name, sel,
                        sriov_ctx_last_error(ctx));
            continue;
        }
        if (rc)
            return rc;
        if (req->vf_index >= 0) {
            rc = fixed_index(ctx, hv, recs, req, &c);
            if (rc)
                return rc;
            best = c;
            break;
        }
        rc = evaluate(ctx, hv, recs, net, &c);
        if (rc)
            return rc;
        sriov__dbg(ctx, "%s: %u of %u VFs taken, NUMA node %d", c.pf->dev.bdf, c.used, c.cap,
                   c.pf->dev.numa_node);
        if (c.free_index >= 0 && (!best.pf || better(&c, &best, prefer_node)))
            best = c;
    }
    if (!best.pf)
        return sriov__fail(ctx, -ENOSPC, "no free VF in %s%s", net ? "network " : "",
                           net ? net->name : req->pf);

    snprintf(out->pf, sizeof(out->pf), "%s", best.pf->dev.bdf);
    out->index = (unsigned int)best.free_index;
    vf = vf_by_index(best.pf, out->index);
    snprintf(out->vf, sizeof(out->vf), "%s", vf ? vf->dev.bdf : "");
    *numvfs_to_enable = best.pf->numvfs ? 0 : best.cap;
    return 0;
}
