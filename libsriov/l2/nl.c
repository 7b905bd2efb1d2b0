/* Choosing the netlink backend from the context option, once per context (nl.h). */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "l2/l2.h"
#include "core/backend.h"
#include "l2/nl.h"

int sriov__nl(struct sriov_ctx *ctx, struct sriov_nl **ret)
{
    const struct sriov__backend *b;
    const char *arg;
    int rc = 0;

    if (!ctx->nl) {
        rc = sriov__backend_resolve(ctx, "netlink", ctx->netlink, "kernel",
                                    offsetof(struct sriov__backend, nl_open), &b, &arg);
        if (!rc)
            rc = b ? b->nl_open(ctx, arg, &ctx->nl) : sriov__nl_kernel_open(ctx, arg, &ctx->nl);
    }
    *ret = ctx->nl;
    return rc;
}

void sriov__nl_close(struct sriov_ctx *ctx)
{
    if (!ctx->nl)
        return;
    ctx->nl->ops->close(ctx->nl);
    ctx->nl = NULL;
}

int sriov__nl_vf_list(struct sriov_ctx *ctx, const char *ifname, struct sriov__vf_list *list)
{
    struct sriov_nl *nl;
    int rc = sriov__nl(ctx, &nl);

    return rc ? rc : nl->ops->vf_list(nl, ifname, list);
}

int sriov__nl_vf_set(struct sriov_ctx *ctx, const char *ifname, unsigned int index,
                     unsigned int group, const struct sriov_vf_config *cfg)
{
    struct sriov_nl *nl;
    int rc = sriov__nl(ctx, &nl);

    return rc ? rc : nl->ops->vf_set(nl, ifname, index, group, cfg);
}

void sriov__vf_list_dispose(struct sriov__vf_list *list)
{
    free(list->cfgs);
    free(list->readable);
    memset(list, 0, sizeof(*list));
}
