/* network-list: the networks of /etc/xen/sriov.cfg and their defaults. */
#include "config.h"

#include <stdio.h>

#include "xl-sriov.h"

static void name(const void *n, struct cell *c) { c->s = sriov_network_name(n); }
static void pfs(const void *n, struct cell *c) { c->s = sriov_network_pf(n, c->i); }
/* The table marks a PF the host does not have; JSON lists them apart. */
static void pfs_shown(const void *n, struct cell *c)
{
    c->s = sriov_network_pf(n, c->i);
    if (c->s && !sriov_network_pf_bdf(n, c->i)) {
        snprintf(c->buf, sizeof(c->buf), "%.20s(missing)", c->s);
        c->s = c->buf;
    }
}
static void missing_pfs(const void *n, struct cell *c)
{
    size_t k = 0;

    c->s = NULL;
    for (size_t i = 0; i < sriov_network_pf_count(n); i++)
        if (!sriov_network_pf_bdf(n, i) && k++ == c->i) {
            c->s = sriov_network_pf(n, i);
            return;
        }
}
static void vlan(const void *n, struct cell *c) { cell_opt_num(c, sriov_network_vlan(n)); }
static void qos(const void *n, struct cell *c) { cell_opt_num(c, sriov_network_qos(n)); }
static void rate(const void *n, struct cell *c) { cell_opt_num(c, sriov_network_rate(n)); }
static void min_rate(const void *n, struct cell *c) { cell_opt_num(c, sriov_network_min_rate(n)); }
static void spoofchk(const void *n, struct cell *c) { cell_opt_num(c, sriov_network_spoofchk(n)); }
static void trust(const void *n, struct cell *c) { cell_opt_num(c, sriov_network_trust(n)); }
static void bridge(const void *n, struct cell *c) { c->s = sriov_network_bridge(n); }

/* The table and JSON order their members differently: PFs and QoS stand twice. */
static const struct column network_columns[] = {
    { .header = "Network", .width = -12, .key = "name", .get = name },
    { .key = "pfs", .type = COL_LIST, .get = pfs },
    { .header = "VLAN", .width = -5, .key = "vlan", .type = COL_NUM, .get = vlan },
    { .key = "qos", .type = COL_NUM, .get = qos },
    { .header = "Rate", .width = -8, .key = "rate", .type = COL_NUM, .get = rate },
    { .key = "min_rate", .type = COL_NUM, .get = min_rate },
    { .header = "Spoofchk", .width = -8, .key = "spoofchk", .type = COL_NUM, .get = spoofchk },
    { .header = "Trust", .width = -8, .key = "trust", .type = COL_NUM, .get = trust },
    { .header = "QoS", .width = -5, .get = qos },
    { .header = "Bridge", .width = -10, .key = "bridge", .get = bridge },
    { .key = "missing_pfs", .type = COL_LIST, .get = missing_pfs },
    { .header = "PFs", .type = COL_LIST, .get = pfs_shown },
    { 0 },
};

static const void *network(const struct sriov_ctx *ctx, size_t i)
{
    return sriov_ctx_network(ctx, i);
}

int cmd_network_list(struct cli *cli, int argc, char **argv)
{
    static const struct listing networks = { "network-list", 0, network_columns,
                                             sriov_ctx_load_networks, "cannot read the networks",
                                             .row = network };

    return cli_list(cli, argc, argv, &networks);
}
