/*
 * Networks: /etc/xen/sriov.cfg, in xl's own syntax and read with libxlutil.
 * Each network is a list of KEY=VALUE strings, like xl.cfg's vnuma=:
 *
 *   network = [
 *       [ "name=lan", "pf=enp3s0f0", "pf=0000:04:00.0", "vlan=100", "bridge=xenbr0" ],
 *       [ "name=storage", "pf=enp5s0f1", "rate=5000", "spoofchk=1", "trust=0" ],
 *   ]
 *
 * Keys: name (required, unique), pf (one or more), vlan, qos, rate, min_rate,
 * spoofchk, trust, bridge, numvfs.  A missing file means no networks.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "config/network.h"
#include "config/xlcfg.h"
#include "l2/l2.h"
#include "sysfs/sysfs.h"

static void network_dispose(struct sriov_network *n)
{
    free(n->name);
    sriov__strv_free(n->pfs, n->n_pfs);
    free(n->bridge);
}

void sriov__netcfg_free(struct sriov_ctx *ctx)
{
    if (!ctx->netcfg)
        return;
    for (size_t i = 0; i < ctx->netcfg->n; i++)
        network_dispose(&ctx->netcfg->v[i]);
    free(ctx->netcfg->v);
    free(ctx->netcfg);
    ctx->netcfg = NULL;
}

static int add_pf(struct sriov_network *n, const char *sel)
{
    char **v = realloc(n->pfs, (n->n_pfs + 1) * sizeof(*v));

    if (!v)
        return -ENOMEM;
    n->pfs = v;
    if (!(v[n->n_pfs] = strdup(sel)))
        return -ENOMEM;
    n->n_pfs++;
    return 0;
}

static int network_key(struct sriov_ctx *ctx, const struct sriov__xlcfg *c, const char *item,
                       struct sriov_network *n)
{
    const char *eq = strchr(item, '=');
    const char *val = eq ? eq + 1 : "";
    size_t klen = eq ? (size_t)(eq - item) : strlen(item);
    const char *path = sriov__xlcfg_path(c);
    char key[32];
    long v = 0;
    int rc = 0;

    snprintf(key, sizeof(key), "%.*s", (int)(klen < sizeof(key) ? klen : sizeof(key) - 1),
             item);
    if (!eq)
        rc = -EINVAL;
    else if (!strcmp(key, "name"))
        rc = sriov__safe_component(val) && !n->name && (n->name = strdup(val)) ? 0 : -EINVAL;
    else if (!strcmp(key, "pf"))
        rc = *val ? add_pf(n, val) : -EINVAL;
    else if (!strcmp(key, "bridge"))
        rc = *val && !n->bridge && (n->bridge = strdup(val)) ? 0 : -EINVAL;
    else if (strcmp(key, "mac") && sriov__vf_config_key(key)) {
        char where[PATH_MAX + 32];
        snprintf(where, sizeof(where), "%s line %d: network", path,
                 sriov__xlcfg_line_of(c, item));
        return sriov__vf_config_set_kv_at(ctx, &n->l2, where, key, val);
    } else if (!strcmp(key, "numvfs"))
        rc = sriov__parse_long(val, 1, 65535, &v), n->numvfs = (unsigned int)v;
    else
        return sriov__fail(ctx, -EINVAL, "%s line %d: network: unknown key '%s'", path,
                           sriov__xlcfg_line_of(c, item), key);
    if (rc)
        return sriov__fail(ctx, -EINVAL, "%s line %d: network: bad value for '%s': '%s'", path,
                           sriov__xlcfg_line_of(c, item), key, val);
    return 0;
}

/* Entry i of network = [ [ "KEY=VALUE", ... ], ... ]. */
static int parse_network(struct sriov_ctx *ctx, const struct sriov__xlcfg *c, size_t i,
                         struct sriov_network *n)
{
    const char *path = sriov__xlcfg_path(c);
    const char *item;
    int rc;

    if (sriov__xlcfg_sublist_count(c, "network", i) < 0)
        return sriov__fail(ctx, -EINVAL,
                           "%s: network entry %zu is not a list of \"KEY=VALUE\" strings", path,
                           i + 1);
    for (size_t j = 0; (item = sriov__xlcfg_sublist_item(c, "network", i, j)); j++) {
        rc = network_key(ctx, c, item, n);
        if (rc)
            return rc;
    }
    if (!n->name)
        return sriov__fail(ctx, -EINVAL, "%s: network entry %zu has no name=", path, i + 1);
    if (!n->n_pfs)
        return sriov__fail(ctx, -EINVAL, "%s: network %s has no pf=", path, n->name);
    return 0;
}

int sriov__netcfg_load(struct sriov_ctx *ctx)
{
    struct sriov_netcfg *nc = NULL;
    struct sriov__xlcfg *c = NULL;
    int n, rc;

    if (ctx->netcfg)
        return 0;
    nc = calloc(1, sizeof(*nc));
    if (!nc)
        return -ENOMEM;
    if (access(ctx->config_path, F_OK) != 0) {
        ctx->netcfg = nc; /* no file: no networks */
        return 0;
    }
    rc = sriov__xlcfg_load(ctx, ctx->config_path, NULL, 0, &c);
    if (rc)
        goto out;
    n = sriov__xlcfg_list_count(c, "network");
    if (n < 0)
        n = 0;
    nc->v = calloc((size_t)n + 1, sizeof(*nc->v));
    if (!nc->v) {
        rc = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < (size_t)n; i++) {
        struct sriov_network *net = &nc->v[nc->n++];
        sriov_vf_config_init(&net->l2);
        rc = parse_network(ctx, c, i, net);
        if (rc)
            goto out;
        for (size_t k = 0; k + 1 < nc->n; k++)
            if (!strcmp(nc->v[k].name, net->name)) {
                rc = sriov__fail(ctx, -EINVAL, "%s: network %s is defined twice",
                                 ctx->config_path, net->name);
                goto out;
            }
    }
    ctx->netcfg = nc;
    nc = NULL;
out:
    if (nc) {
        for (size_t i = 0; i < nc->n; i++)
            network_dispose(&nc->v[i]);
        free(nc->v);
        free(nc);
    }
    sriov__xlcfg_free(c);
    return rc;
}

const struct sriov_network *sriov__network_get(struct sriov_ctx *ctx, const char *name)
{
    for (size_t i = 0; ctx->netcfg && i < ctx->netcfg->n; i++)
        if (!strcmp(ctx->netcfg->v[i].name, name))
            return &ctx->netcfg->v[i];
    return NULL;
}

/* ------------------------------------------------------------ public API */

int sriov_ctx_load_networks(struct sriov_ctx *ctx)
{
    sriov__netcfg_free(ctx);
    return sriov__netcfg_load(ctx);
}

size_t sriov_ctx_network_count(const struct sriov_ctx *ctx)
{
    return ctx->netcfg ? ctx->netcfg->n : 0;
}

const struct sriov_network *sriov_ctx_network(const struct sriov_ctx *ctx, size_t i)
{
    return i < sriov_ctx_network_count(ctx) ? &ctx->netcfg->v[i] : NULL;
}

const char *sriov_network_name(const struct sriov_network *n) { return n->name; }
size_t sriov_network_pf_count(const struct sriov_network *n) { return n->n_pfs; }
const char *sriov_network_pf(const struct sriov_network *n, size_t i)
{
    return i < n->n_pfs ? n->pfs[i] : NULL;
}
/* -1 where the network leaves a setting to the entry or the defaults. */
#define NET_L2(bit, field) (n->l2.present & (bit) ? (long)n->l2.field : -1)
int sriov_network_vlan(const struct sriov_network *n) { return (int)NET_L2(SRIOV_VF_VLAN, vlan); }
int sriov_network_qos(const struct sriov_network *n) { return (int)NET_L2(SRIOV_VF_QOS, qos); }
long sriov_network_rate(const struct sriov_network *n)
{
    return NET_L2(SRIOV_VF_MAX_TX_RATE, max_tx_rate);
}
long sriov_network_min_rate(const struct sriov_network *n)
{
    return NET_L2(SRIOV_VF_MIN_TX_RATE, min_tx_rate);
}
int sriov_network_spoofchk(const struct sriov_network *n)
{
    return (int)NET_L2(SRIOV_VF_SPOOFCHK, spoofchk);
}
int sriov_network_trust(const struct sriov_network *n) { return (int)NET_L2(SRIOV_VF_TRUST, trust); }
#undef NET_L2
const char *sriov_network_bridge(const struct sriov_network *n) { return n->bridge; }
