/* Reading the assignments for `xl-sriov list`: a snapshot kept on the context. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "internal.h"
#include "assign/records.h"
#include "core/statefile.h"

void sriov__assignments_free(struct sriov_ctx *ctx)
{
    if (!ctx->recs)
        return;
    sriov__recs_dispose(ctx->recs);
    free(ctx->recs);
    ctx->recs = NULL;
}

int sriov_ctx_load_assignments(struct sriov_ctx *ctx)
{
    struct sriov__recs *recs = calloc(1, sizeof(*recs));
    int lockfd = -1, rc;

    if (!recs)
        return -ENOMEM;
    rc = sriov__recs_lock(ctx, &lockfd);
    if (!rc)
        rc = sriov__recs_load(ctx, recs);
    sriov__recs_unlock(ctx, lockfd);
    if (rc) {
        free(recs);
        return rc;
    }
    sriov__assignments_free(ctx);
    ctx->recs = recs;
    return 0;
}

size_t sriov_ctx_assignment_count(const struct sriov_ctx *ctx)
{
    return ctx->recs ? ctx->recs->n : 0;
}

const struct sriov_assignment *sriov_ctx_assignment(const struct sriov_ctx *ctx, size_t i)
{
    return i < sriov_ctx_assignment_count(ctx) ? &ctx->recs->v[i] : NULL;
}

const char *sriov_assignment_domain_uuid(const struct sriov_assignment *a) { return a->uuid; }
const char *sriov_assignment_domain_name(const struct sriov_assignment *a) { return a->name; }
uint32_t sriov_assignment_domid(const struct sriov_assignment *a) { return a->domid; }
const char *sriov_assignment_pf(const struct sriov_assignment *a) { return a->pf; }
unsigned int sriov_assignment_vf_index(const struct sriov_assignment *a) { return a->index; }
const char *sriov_assignment_vf(const struct sriov_assignment *a) { return a->vf; }
const char *sriov_assignment_network(const struct sriov_assignment *a) { return a->network; }
const char *sriov_assignment_mac(const struct sriov_assignment *a) { return a->mac; }
const char *sriov_assignment_driver(const struct sriov_assignment *a) { return a->driver; }
const char *sriov_assignment_phase(const struct sriov_assignment *a)
{
    return sriov__phase_name(a->phase);
}
