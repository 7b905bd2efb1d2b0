/*
 * Choosing the hypervisor backend from the context option, once per context.
 * The backend is opened on first use so that listing commands never need Xen.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "internal.h"
#include "core/backend.h"
#include "hv/hv.h"

int sriov__hv(struct sriov_ctx *ctx, struct sriov_hv **ret)
{
    const struct sriov__backend *b;
    const char *arg;
    int rc;

    *ret = ctx->hv;
    if (ctx->hv)
        return 0;
    if (!strcmp(ctx->hypervisor, "libxl")) {
        rc = sriov__hv_libxl_open(ctx, "", &ctx->hv);
    } else {
        rc = sriov__backend_load(ctx, "hypervisor", ctx->hypervisor, &b, &arg);
        if (!rc && !b->hv_open)
            rc = sriov__fail(ctx, -EINVAL, "'%s' has no hypervisor backend", ctx->hypervisor);
        if (!rc)
            rc = b->hv_open(ctx, arg, &ctx->hv);
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
