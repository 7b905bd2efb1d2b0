/*
 * One answer of assigned_devices per hold of the assignments lock, looked up by
 * BDF and by UUID (holders.h says when it is taken and why it stays true).
 * Both lookups go through hash tables made once, in one pass over the answer
 * (gc asks for every record's domain, allocation for every candidate VF): a
 * question costs a probe, not a call to the hypervisor, nor a sort of every
 * domain and device first.  A failed answer is kept too: every
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

/* An entry of the BDF table: a device and its domain's place in the answer. */
struct by_bdf {
    const char *bdf;             /* one of doms[dom].bdfs; NULL: the slot is empty */
    size_t dom;
};

struct sriov__holders {
    bool taken;                  /* assigned_devices was asked (rc: how it went) */
    int rc;
    char why[SRIOV_ERR_LEN];     /* the failure's sentence, for every question */
    struct sriov_hv_assignment *doms; /* in the hypervisor's order */
    size_t n_doms;
    size_t *by_uuid;             /* 2^uuid_bits slots: a domain's place + 1, 0 if empty */
    struct by_bdf *by_bdf;       /* 2^bdf_bits slots */
    unsigned int uuid_bits, bdf_bits;
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

/* A UUID's first eight bytes are random enough to spread them. */
static size_t uuid_slot(const uint8_t uuid[16], unsigned int bits)
{
    uint64_t k;

    memcpy(&k, uuid, sizeof(k));
    return sriov__hash_slot(k, bits);
}

static size_t bdf_slot(const char *bdf, unsigned int bits)
{
    uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */

    for (; *bdf; bdf++)
        h = (h ^ (unsigned char)*bdf) * 0x100000001b3u;
    return sriov__hash_slot(h, bits);
}

/* Where two domains share a key, the lookups pick as the hypervisor's own
 * questions would: device_owner the first domain listed with the device,
 * domain_by_uuid the last listed with the UUID (a domain being destroyed and
 * its successor share it). */
static int index_answer(struct sriov__holders *h)
{
    size_t umask, bmask;

    for (size_t i = 0; i < h->n_doms; i++)
        h->n_held += h->doms[i].n_bdfs;
    h->uuid_bits = sriov__hash_bits(h->n_doms);
    h->bdf_bits = sriov__hash_bits(h->n_held);
    h->by_uuid = calloc((size_t)1 << h->uuid_bits, sizeof(*h->by_uuid));
    h->by_bdf = calloc((size_t)1 << h->bdf_bits, sizeof(*h->by_bdf));
    if (!h->by_uuid || !h->by_bdf)
        return -ENOMEM;
    umask = ((size_t)1 << h->uuid_bits) - 1;
    bmask = ((size_t)1 << h->bdf_bits) - 1;
    for (size_t i = 0; i < h->n_doms; i++) {
        const struct sriov_hv_assignment *d = &h->doms[i];
        size_t k = uuid_slot(d->dom.uuid, h->uuid_bits);
        while (h->by_uuid[k] && memcmp(h->doms[h->by_uuid[k] - 1].dom.uuid, d->dom.uuid, 16))
            k = (k + 1) & umask;
        h->by_uuid[k] = i + 1; /* a later one with this UUID replaces an earlier one */
        for (size_t j = 0; j < d->n_bdfs; j++) {
            k = bdf_slot(d->bdfs[j], h->bdf_bits);
            while (h->by_bdf[k].bdf && strcmp(h->by_bdf[k].bdf, d->bdfs[j]))
                k = (k + 1) & bmask;
            if (!h->by_bdf[k].bdf) /* an earlier one with this device stays */
                h->by_bdf[k] = (struct by_bdf){ .bdf = d->bdfs[j], .dom = i };
        }
    }
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
    size_t k, mask;
    int rc;

    if (!snapshot(ctx, hv))
        return hv->ops->device_owner(hv, bdf, out);
    rc = answer(ctx, hv, &h);
    if (rc)
        return rc;
    mask = ((size_t)1 << h->bdf_bits) - 1;
    for (k = bdf_slot(bdf, h->bdf_bits); h->by_bdf[k].bdf; k = (k + 1) & mask)
        if (!strcmp(h->by_bdf[k].bdf, bdf)) {
            *out = h->doms[h->by_bdf[k].dom].dom;
            return 0;
        }
    return -ENOENT;
}

int sriov__hv_domain(struct sriov_ctx *ctx, struct sriov_hv *hv, const uint8_t uuid[16],
                     struct sriov_hv_domain *out)
{
    struct sriov__holders *h;
    size_t k, mask;
    int rc;

    if (!snapshot(ctx, hv))
        return hv->ops->domain_by_uuid(hv, uuid, out);
    rc = answer(ctx, hv, &h);
    if (rc)
        return rc;
    mask = ((size_t)1 << h->uuid_bits) - 1;
    for (k = uuid_slot(uuid, h->uuid_bits); h->by_uuid[k]; k = (k + 1) & mask)
        if (!memcmp(h->doms[h->by_uuid[k] - 1].dom.uuid, uuid, 16)) {
            *out = h->doms[h->by_uuid[k] - 1].dom;
            return 0;
        }
    return -ENOENT;
}
