/*
 * Networks: /etc/xen/sriov.cfg, in xl's own syntax and read with libxlutil.
 * Each network is a list of KEY=VALUE strings, like xl.cfg's vnuma=:
 *
 *   network = [
 *       [ "name=lan", "pf=enp3s0f0", "pf=0000:04:00.0", "vlan=100", "bridge=xenbr0" ],
 *       [ "name=storage", "pf=enp5s0f1", "rate=5000", "spoofchk=1", "trust=0" ],
 *   ]
 *
 * Keys: name (required, unique), pf (one or more; a PF in one network only),
 * vlan, qos, rate, min_rate, spoofchk, trust, bridge, numvfs; each key once but
 * pf.  The default file may be missing (no networks); a file named in the options
 * must exist.  Rules that need the host (the PF exists, numvfs fits) are checked
 * when a network is used, naming the line.
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
    free(n->pf_lines);
    free(n->pf_bdfs);
    free(n->bridge);
}

static void netcfg_free(struct sriov_netcfg *nc)
{
    if (!nc)
        return;
    for (size_t i = 0; i < nc->n; i++)
        network_dispose(&nc->v[i]);
    free(nc->v);
    free(nc);
}

void sriov__netcfg_free(struct sriov_ctx *ctx)
{
    netcfg_free(ctx->netcfg);
    ctx->netcfg = NULL;
}

/* The same PF however it is written: a PCI address in canonical form, else the
 * interface name as written. */
static void pf_key(const char *sel, char *buf, size_t len)
{
    char bdf[SRIOV_BDF_LEN];

    snprintf(buf, len, "%s", sriov__bdf_normalize(sel, bdf) == 0 ? bdf : sel);
}

/* A PF may stand in one network, once: the network whose settings its VFs get
 * would otherwise depend on which network= a guest asked for. */
static int check_pf_once(struct sriov_ctx *ctx, const char *path, const struct sriov_netcfg *nc,
                         const struct sriov_network *n, const char *sel, int line)
{
    char want[64], have[64];

    pf_key(sel, want, sizeof(want));
    for (size_t k = 0; k < nc->n; k++) {
        const struct sriov_network *o = &nc->v[k];
        for (size_t i = 0; i < o->n_pfs; i++) {
            pf_key(o->pfs[i], have, sizeof(have));
            if (strcmp(want, have))
                continue;
            if (o == n)
                return sriov__fail(ctx, -EINVAL, "%s line %d: network: pf=%s is given twice",
                                   path, line, sel);
            return sriov__fail(ctx, -EINVAL, "%s line %d: PF %s is already in network %s "
                               "(line %d): a PF belongs to one network", path, line, sel,
                               o->name ? o->name : "?", o->pf_lines[i]);
        }
    }
    return 0;
}

static int add_pf(struct sriov_network *n, const char *sel, int line)
{
    char **v = realloc(n->pfs, (n->n_pfs + 1) * sizeof(*v));
    int *lines;

    if (!v)
        return -ENOMEM;
    n->pfs = v;
    lines = realloc(n->pf_lines, (n->n_pfs + 1) * sizeof(*lines));
    if (!lines)
        return -ENOMEM;
    n->pf_lines = lines;
    if (!(v[n->n_pfs] = strdup(sel)))
        return -ENOMEM;
    lines[n->n_pfs++] = line;
    return 0;
}

/* An L2 default: each setting once (rate and max_rate are one). */
static int set_l2(struct sriov_ctx *ctx, const char *where, struct sriov_network *n,
                  const char *key, const char *val)
{
    struct sriov_vf_config one;
    int rc;

    sriov_vf_config_init(&one);
    rc = sriov__vf_config_set_kv_at(ctx, &one, where, key, val);
    if (rc)
        return rc;
    if (one.present & n->l2.present)
        return sriov__fail(ctx, -EINVAL, "%s: '%s' is given twice", where, key);
    sriov__vf_config_overlay(&n->l2, &one);
    return 0;
}

/* Item j of network entry i. */
static int network_key(struct sriov_ctx *ctx, const struct sriov__xlcfg *c,
                       const struct sriov_netcfg *nc, size_t i, size_t j, const char *item,
                       struct sriov_network *n)
{
    const char *eq = strchr(item, '=');
    const char *val = eq ? eq + 1 : "";
    size_t klen = eq ? (size_t)(eq - item) : strlen(item);
    const char *path = sriov__xlcfg_path(c);
    int line = sriov__xlcfg_line(c, "network", (int)i, (int)j);
    char key[32], where[PATH_MAX + 32];
    long v = 0;
    int rc = 0;

    snprintf(key, sizeof(key), "%.*s", (int)(klen < sizeof(key) ? klen : sizeof(key) - 1),
             item);
    snprintf(where, sizeof(where), "%s line %d: network", path, line);
    if (!eq)
        return sriov__fail(ctx, -EINVAL, "%s: '%s' is not KEY=VALUE", where, item);
    if ((!strcmp(key, "name") && n->name) || (!strcmp(key, "bridge") && n->bridge) ||
        (!strcmp(key, "numvfs") && n->numvfs))
        return sriov__fail(ctx, -EINVAL, "%s: '%s' is given twice", where, key);
    if (!strcmp(key, "name") && (!sriov__utf8_printable(val) || strlen(val) > 255)) {
        /* A network's name goes into assignments.json and xenstore: one line of text. */
        return sriov__fail(ctx, -EINVAL, "%s: a name must be printable UTF-8 of at most "
                           "255 bytes", where);
    } else if (!strcmp(key, "name")) {
        rc = sriov__safe_component(val) && (n->name = strdup(val)) ? 0 : -EINVAL;
        n->line = line;
    } else if (!strcmp(key, "pf")) {
        /* A selector: an interface name or a PCI address, never a path. */
        if (!*val || !sriov__safe_component(val))
            rc = -EINVAL;
        else if ((rc = check_pf_once(ctx, path, nc, n, val, line)) == 0)
            rc = add_pf(n, val, line);
        else
            return rc;
    } else if (!strcmp(key, "bridge")) {
        rc = *val && (n->bridge = strdup(val)) ? 0 : -EINVAL;
    } else if (strcmp(key, "mac") && sriov__vf_config_key(key)) {
        return set_l2(ctx, where, n, key, val);
    } else if (!strcmp(key, "numvfs")) {
        rc = sriov__parse_long(val, 1, 65535, &v);
        n->numvfs = (unsigned int)v;
        n->numvfs_line = line;
    } else {
        return sriov__fail(ctx, -EINVAL, "%s: unknown key '%s'", where, key);
    }
    if (rc == -ENOMEM)
        return rc;
    if (rc)
        return sriov__fail(ctx, -EINVAL, "%s: bad value for '%s': '%s'", where, key, val);
    return 0;
}

/* Entry i of network = [ [ "KEY=VALUE", ... ], ... ]; nc holds the entries before it. */
static int parse_network(struct sriov_ctx *ctx, const struct sriov__xlcfg *c,
                         const struct sriov_netcfg *nc, size_t i, struct sriov_network *n)
{
    const char *path = sriov__xlcfg_path(c);
    int line = sriov__xlcfg_line(c, "network", (int)i, -1);
    int count = sriov__xlcfg_sublist_count(c, "network", i);
    const char *item;
    int rc;

    if (count < 0)
        return sriov__fail(ctx, -EINVAL,
                           "%s line %d: network entry %zu is not a list of \"KEY=VALUE\" "
                           "strings", path, line, i + 1);
    for (size_t j = 0; j < (size_t)count; j++) {
        item = sriov__xlcfg_sublist_item(c, "network", i, j);
        if (!item)
            return sriov__fail(ctx, -EINVAL, "%s line %d: network entry %zu: item %zu is not "
                               "a \"KEY=VALUE\" string", path,
                               sriov__xlcfg_line(c, "network", (int)i, (int)j), i + 1, j + 1);
        rc = network_key(ctx, c, nc, i, j, item, n);
        if (rc)
            return rc;
    }
    if (!n->name)
        return sriov__fail(ctx, -EINVAL, "%s line %d: network entry %zu has no name=", path,
                           line, i + 1);
    if (!n->n_pfs)
        return sriov__fail(ctx, -EINVAL, "%s line %d: network %s has no pf=", path, line,
                           n->name);
    for (size_t k = 0; k + 1 < nc->n; k++)
        if (!strcmp(nc->v[k].name, n->name))
            return sriov__fail(ctx, -EINVAL, "%s line %d: network %s is defined twice (first "
                               "on line %d)", path, n->line, n->name, nc->v[k].line);
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
    /* The default file is optional: a host without one has no networks.  A file
     * someone named (--config, SRIOV_CONFIG) is not: a typo must not look like a
     * host without networks. */
    if (!ctx->config_given && access(ctx->config_path, F_OK) != 0 && errno == ENOENT) {
        ctx->netcfg = nc;
        return 0;
    }
    rc = sriov__xlcfg_load(ctx, ctx->config_path, NULL, 0, &c);
    if (rc)
        goto out;
    n = sriov__xlcfg_list_count(c, "network");
    if (n == -ENOENT) {
        n = 0;
    } else if (n < 0) {
        rc = sriov__fail(ctx, -EINVAL, "%s line %d: network must be a list of networks, "
                         "each a list: network = [ [ \"name=lan\", \"pf=eth0\" ] ]",
                         ctx->config_path, sriov__xlcfg_line(c, "network", -1, -1));
        goto out;
    }
    nc->v = calloc((size_t)n + 1, sizeof(*nc->v));
    if (!nc->v) {
        rc = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < (size_t)n; i++) {
        struct sriov_network *net = &nc->v[nc->n++];
        sriov_vf_config_init(&net->l2);
        rc = parse_network(ctx, c, nc, i, net);
        if (rc)
            goto out;
    }
    ctx->netcfg = nc;
    nc = NULL;
out:
    netcfg_free(nc);
    sriov__xlcfg_free(c);
    return rc;
}

int sriov__netcfg_resolve(struct sriov_ctx *ctx)
{
    struct sriov_netcfg *nc = ctx->netcfg;
    struct sriov__saved_error callers;
    struct sriov_pf *pf;

    if (!nc || nc->resolved)
        return 0;
    /* A PF that is not there is not this function's failure: keep the error. */
    sriov__error_save(ctx, &callers);
    for (size_t k = 0; k < nc->n; k++) {
        struct sriov_network *n = &nc->v[k];
        n->pf_bdfs = calloc(n->n_pfs + 1, sizeof(*n->pf_bdfs));
        if (!n->pf_bdfs)
            return -ENOMEM;
        for (size_t i = 0; i < n->n_pfs; i++)
            if (sriov_pf_find(ctx, n->pfs[i], &pf) == 0)
                snprintf(n->pf_bdfs[i], sizeof(n->pf_bdfs[i]), "%s", pf->dev.bdf);
    }
    sriov__error_restore(ctx, &callers);
    /* The load compared spellings; here enp3s0f0 and 0000:03:00.0 meet. */
    for (size_t k = 0; k < nc->n; k++)
        for (size_t i = 0; i < nc->v[k].n_pfs; i++)
            for (size_t l = 0; l <= k; l++)
                for (size_t m = 0; m < (l == k ? i : nc->v[l].n_pfs); m++)
                    if (nc->v[k].pf_bdfs[i][0] &&
                        !strcmp(nc->v[k].pf_bdfs[i], nc->v[l].pf_bdfs[m]))
                        return sriov__fail(ctx, -EINVAL, "%s line %d: PF %s (%s) is also in "
                                           "network %s as %s (line %d): a PF belongs to one "
                                           "network", ctx->config_path, nc->v[k].pf_lines[i],
                                           nc->v[k].pfs[i], nc->v[k].pf_bdfs[i],
                                           nc->v[l].name, nc->v[l].pfs[m],
                                           nc->v[l].pf_lines[m]);
    nc->resolved = true;
    return 0;
}

int sriov__network_check_use(struct sriov_ctx *ctx, const struct sriov_network *net)
{
    struct sriov_pf *pf;
    int rc;

    for (size_t i = 0; i < net->n_pfs; i++) {
        rc = sriov_pf_find(ctx, net->pfs[i], &pf);
        if (rc) {
            char why[SRIOV_ERR_LEN];
            snprintf(why, sizeof(why), "%s", ctx->last_error);
            return sriov__fail(ctx, rc, "%s line %d: network %s: pf=%s: %s", ctx->config_path,
                               net->pf_lines[i], net->name, net->pfs[i], why);
        }
        if (net->numvfs > pf->totalvfs)
            return sriov__fail(ctx, -EINVAL, "%s line %d: network %s: numvfs=%u, but PF %s "
                               "can have %u VFs at most (sriov_totalvfs)", ctx->config_path,
                               net->numvfs_line, net->name, net->numvfs, pf->dev.bdf,
                               pf->totalvfs);
    }
    return 0;
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
    int rc;

    sriov__netcfg_free(ctx);
    rc = sriov__netcfg_load(ctx);
    if (!rc)
        rc = sriov__netcfg_resolve(ctx);
    if (rc)
        sriov__netcfg_free(ctx); /* never half-checked networks */
    return rc;
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
const char *sriov_network_pf_bdf(const struct sriov_network *n, size_t i)
{
    return i < n->n_pfs && n->pf_bdfs && n->pf_bdfs[i][0] ? n->pf_bdfs[i] : NULL;
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
