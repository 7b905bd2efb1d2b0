/* Choosing the netlink backend from the context option, once per context (nl.h). */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "core/plan.h"
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

/* One group in `ip link set IF vf N ...` words (iproute2's ip/iplink.c spelling). */
static void plan_vf_set(struct sriov_ctx *ctx, const char *ifname, unsigned int index,
                        unsigned int group, const struct sriov_vf_config *cfg)
{
    char v[64] = "";

    switch (group) {
    case SRIOV_VF_VLAN:
        sriov__plan(ctx, "netlink", "%s vf %u vlan %u qos %u proto %s", ifname, index,
                    cfg->vlan, cfg->qos, cfg->vlan_proto == 0x88a8 ? "802.1ad" : "802.1Q");
        return;
    case SRIOV_VF_MAX_TX_RATE:
        sriov__plan(ctx, "netlink", "%s vf %u min_tx_rate %u max_tx_rate %u", ifname, index,
                    cfg->min_tx_rate, cfg->max_tx_rate);
        return;
    case SRIOV_VF_LINK_STATE:
        sriov__plan(ctx, "netlink", "%s vf %u state %s", ifname, index,
                    cfg->link_state == SRIOV_VF_LINK_ENABLE    ? "enable"
                    : cfg->link_state == SRIOV_VF_LINK_DISABLE ? "disable"
                                                               : "auto");
        return;
    default: {
        struct sriov_vf_config one = *cfg;

        one.present |= group;
        if (sriov_vf_config_format(&one, group, v, sizeof(v)))
            snprintf(v, sizeof(v), "?");
        sriov__plan(ctx, "netlink", "%s vf %u %s %s", ifname, index, sriov_vf_field_key(group),
                    v);
    }
    }
}

int sriov__nl_vf_set(struct sriov_ctx *ctx, const char *ifname, unsigned int index,
                     unsigned int group, const struct sriov_vf_config *cfg)
{
    struct sriov_nl *nl;
    int rc;

    if (sriov__dry_run(ctx)) {
        plan_vf_set(ctx, ifname, index, group, cfg);
        return 0;
    }
    rc = sriov__nl(ctx, &nl);
    return rc ? rc : nl->ops->vf_set(nl, ifname, index, group, cfg);
}

void sriov__vf_list_dispose(struct sriov__vf_list *list)
{
    free(list->cfgs);
    free(list->readable);
    memset(list, 0, sizeof(*list));
}
