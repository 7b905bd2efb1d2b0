/*
 * One answer of assigned_devices per hold of the assignments lock, looked up by
 * BDF and by UUID (holders.h says when it is taken and why it stays true).
 * Both lookups are binary searches over arrays sorted once: a question costs a
 * search, not a call to the hypervisor.  A failed answer is kept too: every
 * question of the hold then fails with its reason, as each would have when
 * asked alone, without asking again for each VF.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "hv/holders.h"

/* The two indexes: entries name a domain by its place in the answer. */
struct by_uuid {
    uint8_t uuid[16];
    size_t dom;
};

struct by_bdf {
    const char *bdf;             /* one of doms[dom].bdfs */
    size_t dom;
};

struct sriov__holders {
    bool taken;                  /* assigned_devices was asked (rc: how it went) */
    int rc;
    char why[SRIOV_ERR_LEN];     /* the failure's sentence, for every question */
    struct sriov_hv_assignment *doms; /* in the hypervisor's order */
    size_t n_doms;
    struct by_uuid *by_uuid;     /* n_doms, sorted */
    struct by_bdf *by_bdf;       /* n_held, sorted */
    size_t n_held;
};

void sriov__hv_assignments_free(struct sriov_hv_assignment *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        sriov__strv_free(v[i].bdfs, v[i].n_bdfs);
    free(v);
}

static void forget(struct sriov__holders *h)
{
    sriov__hv_assignments_free(h->doms, h->n_doms);
    free(h->by_uuid);
    free(h->by_bdf);
    memset(h, 0, sizeof(*h));
}

int sriov__holders_begin(struct sriov_ctx *ctx)
{
    sriov__holders_end(ctx); /* a hold is never nested: whatever is left is old */
    ctx->holders = calloc(1, sizeof(*ctx->holders));
    return ctx->holders ? 0 : -ENOMEM;
}

void sriov__holders_end(struct sriov_ctx *ctx)
{
    if (!ctx->holders)
        return;
    forget(ctx->holders);
    free(ctx->holders);
    ctx->holders = NULL;
}

void sriov__holders_stale(struct sriov_ctx *ctx)
{
    if (ctx->holders)
        forget(ctx->holders);
}

/* Ties keep the hypervisor's order, which the lookups below pick from as
 * device_owner and domain_by_uuid would. */
static int cmp_uuid(const void *a, const void *b)
{
    const struct by_uuid *x = a, *y = b;
    int c = memcmp(x->uuid, y->uuid, 16);

    return c ? c : (x->dom > y->dom) - (x->dom < y->dom);
}

static int cmp_bdf(const void *a, const void *b)
{
    const struct by_bdf *x = a, *y = b;
    int c = strcmp(x->bdf, y->bdf);

    return c ? c : (x->dom > y->dom) - (x->dom < y->dom);
}

static int index_answer(struct sriov__holders *h)
{
    size_t k = 0;

    for (size_t i = 0; i < h->n_doms; i++)
        h->n_held += h->doms[i].n_bdfs;
    h->by_uuid = calloc(h->n_doms + 1, sizeof(*h->by_uuid));
    h->by_bdf = calloc(h->n_held + 1, sizeof(*h->by_bdf));
    if (!h->by_uuid || !h->by_bdf)
        return -ENOMEM;
    for (size_t i = 0; i < h->n_doms; i++) {
        memcpy(h->by_uuid[i].uuid, h->doms[i].dom.uuid, 16);
        h->by_uuid[i].dom = i;
        for (size_t j = 0; j < h->doms[i].n_bdfs; j++)
            h->by_bdf[k++] = (struct by_bdf){ .bdf = h->doms[i].bdfs[j], .dom = i };
    }
    qsort(h->by_uuid, h->n_doms, sizeof(*h->by_uuid), cmp_uuid);
    qsort(h->by_bdf, h->n_held, sizeof(*h->by_bdf), cmp_bdf);
    return 0;
}

/* The hold's answer, asked for on first use. */
static int answer(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__holders **ret)
{
    struct sriov__holders *h = ctx->holders;
    enum sriov__timed was;
    int rc;

    *ret = h;
    if (h->taken)
        return h->rc ? sriov__fail(ctx, h->rc, "%s", h->why) : 0;
    h->taken = true;
    was = sriov__time_in(ctx, SRIOV_T_HV);
    rc = hv->ops->assigned_devices(hv, &h->doms, &h->n_doms);
    sriov__time_in(ctx, was);
    if (rc) {
        h->doms = NULL;
        h->n_doms = 0;
    }
    if (!rc)
        rc = index_answer(h);
    if (rc) {
        h->rc = rc;
        snprintf(h->why, sizeof(h->why), "%s", ctx->last_error[0] && rc != -ENOMEM
                                                   ? ctx->last_error : strerror(-rc));
        return sriov__fail(ctx, rc, "%s", h->why);
    }
    sriov__dbg(ctx, "the hypervisor's domains and their devices: %zu domains, %zu devices",
               h->n_doms, h->n_held);
    return 0;
}

/* Whether questions are answered from the snapshot: inside a hold, of a
 * hypervisor that can give it (a backend module may not). */
static bool snapshot(struct sriov_ctx *ctx, struct sriov_hv *hv)
{
    return ctx->holders && hv->ops->assigned_devices;
}

int sriov__hv_holder(struct sriov_ctx *ctx, struct sriov_hv *hv, const char *bdf,
                     struct sriov_hv_domain *out)
{
    struct sriov__holders *h;
    size_t lo = 0, hi;
    int rc;

    if (!snapshot(ctx, hv))
        return hv->ops->device_owner(hv, bdf, out);
    rc = answer(ctx, hv, &h);
    if (rc)
        return rc;
    /* The first entry for bdf: the first domain listed, as device_owner picks. */
    for (hi = h->n_held; lo < hi;) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(h->by_bdf[mid].bdf, bdf) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == h->n_held || strcmp(h->by_bdf[lo].bdf, bdf))
        return -ENOENT;
    *out = h->doms[h->by_bdf[lo].dom].dom;
    return 0;
}

int sriov__hv_domain(struct sriov_ctx *ctx, struct sriov_hv *hv, const uint8_t uuid[16],
                     struct sriov_hv_domain *out)
{
    struct sriov__holders *h;
    size_t lo = 0, hi;
    int rc;

    if (!snapshot(ctx, hv))
        return hv->ops->domain_by_uuid(hv, uuid, out);
    rc = answer(ctx, hv, &h);
    if (rc)
        return rc;
    /* Past the last entry for uuid: the one listed last, as domain_by_uuid picks
     * (a domain being destroyed and its successor share the UUID). */
    for (hi = h->n_doms; lo < hi;) {
        size_t mid = lo + (hi - lo) / 2;
        if (memcmp(h->by_uuid[mid].uuid, uuid, 16) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || memcmp(h->by_uuid[lo - 1].uuid, uuid, 16))
        return -ENOENT;
    *out = h->doms[h->by_uuid[lo - 1].dom].dom;
    return 0;
}
