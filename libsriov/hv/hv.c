/*
 * Choosing the hypervisor backend from the context option, once per context.
 * The backend is opened on first use so that listing commands never need Xen.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>

#include "internal.h"
#include "core/backend.h"
#include "core/plan.h"
#include "hv/hv.h"

int sriov__hv(struct sriov_ctx *ctx, struct sriov_hv **ret)
{
    const struct sriov__backend *b;
    const char *arg;
    int rc = 0;

    if (!ctx->hv) {
        rc = sriov__backend_resolve(ctx, "hypervisor", ctx->hypervisor, "libxl",
                                    offsetof(struct sriov__backend, hv_open), &b, &arg);
        if (!rc)
            rc = b ? b->hv_open(ctx, arg, &ctx->hv) : sriov__hv_libxl_open(ctx, arg, &ctx->hv);
        if (!rc && sriov__dry_run(ctx))
            rc = sriov__hv_plan_wrap(ctx, ctx->hv, &ctx->hv);
        if (rc)
            ctx->hv = NULL;
    }
    *ret = ctx->hv;
    return rc;
}

void sriov__hv_close(struct sriov_ctx *ctx)
{
    if (!ctx->hv)
        return;
    ctx->hv->ops->close(ctx->hv);
    ctx->hv = NULL;
}
