/*
 * Choosing the hypervisor backend from the context option, once per context.
 * The backend is opened on first use so that listing commands never need Xen.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "hv.h"

int sriov__hv(struct sriov_ctx *ctx, struct sriov_hv **ret)
{
    const char *spec = ctx->hypervisor;
    int rc;

    *ret = NULL;
    if (ctx->hv) {
        *ret = ctx->hv;
        return 0;
    }
    if (!strcmp(spec, "libxl"))
        rc = sriov__hv_libxl_open(ctx, "", &ctx->hv);
    else if (!strncmp(spec, "sim:", 4) && spec[4])
        rc = sriov__hv_sim_open(ctx, spec + 4, &ctx->hv);
    else
        return sriov__fail(ctx, -EINVAL,
                           "unknown hypervisor '%s' (expected \"libxl\" or \"sim:DIR\")", spec);
    if (rc)
        return rc;
    *ret = ctx->hv;
    return 0;
}

void sriov__hv_close(struct sriov_ctx *ctx)
{
    if (!ctx->hv)
        return;
    ctx->hv->ops->close(ctx->hv);
    ctx->hv = NULL;
}

int sriov__hv_fault(struct sriov_hv *hv, const char *step)
{
    return hv->ops->fault ? hv->ops->fault(hv, step) : 0;
}

void sriov__strv_free(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}
