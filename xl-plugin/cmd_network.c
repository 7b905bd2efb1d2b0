/* network-list: the networks of /etc/xen/sriov.cfg and their defaults. */
#include "config.h"

#include <stdio.h>

#include "xl-sriov.h"

static void num_or_dash(char *buf, size_t len, long v)
{
    if (v < 0)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%ld", v);
}

static void network_json(yajl_gen g, const struct sriov_network *n)
{
    yajl_gen_map_open(g);
    json_kv_str(g, "name", sriov_network_name(n));
    json_key(g, "pfs");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < sriov_network_pf_count(n); i++)
        json_str(g, sriov_network_pf(n, i));
    yajl_gen_array_close(g);
#define OPT_INT(key, v) do { if ((v) >= 0) json_kv_int(g, key, v); else { json_key(g, key); yajl_gen_null(g); } } while (0)
    OPT_INT("vlan", sriov_network_vlan(n));
    OPT_INT("qos", sriov_network_qos(n));
    OPT_INT("rate", sriov_network_rate(n));
    OPT_INT("min_rate", sriov_network_min_rate(n));
    OPT_INT("spoofchk", sriov_network_spoofchk(n));
    OPT_INT("trust", sriov_network_trust(n));
#undef OPT_INT
    json_kv_str(g, "bridge", sriov_network_bridge(n));
    yajl_gen_map_close(g);
}

int cmd_network_list(struct cli *cli, int argc, char **argv)
{
    const struct cmd_spec *cmd = cli_find_command("network-list");
    yajl_gen g = NULL;
    bool json;
    int rc;

    rc = cli_parse_list_opts(cmd, argc, argv, 0, 0, &json);
    if (rc)
        return rc;
    if (sriov_ctx_load_networks(cli->ctx))
        return cli_fail(cli, "cannot read the networks");
    rc = cli_list_begin(json, &g);
    if (rc)
        return rc;
    if (!g) {
        printf("%-12s %-5s %-8s %-8s %-8s %-5s %-10s %s\n", "Network", "VLAN", "Rate",
               "Spoofchk", "Trust", "QoS", "Bridge", "PFs");
    }
    for (size_t i = 0; i < sriov_ctx_network_count(cli->ctx); i++) {
        const struct sriov_network *n = sriov_ctx_network(cli->ctx, i);
        char vlan[24], rate[24], spoof[24], trust[24], qos[24];
        if (g) {
            network_json(g, n);
            continue;
        }
        num_or_dash(vlan, sizeof(vlan), sriov_network_vlan(n));
        num_or_dash(rate, sizeof(rate), sriov_network_rate(n));
        num_or_dash(spoof, sizeof(spoof), sriov_network_spoofchk(n));
        num_or_dash(trust, sizeof(trust), sriov_network_trust(n));
        num_or_dash(qos, sizeof(qos), sriov_network_qos(n));
        printf("%-12s %-5s %-8s %-8s %-8s %-5s %-10s", sriov_network_name(n), vlan, rate, spoof,
               trust, qos, sriov_network_bridge(n) ? sriov_network_bridge(n) : "-");
        for (size_t k = 0; k < sriov_network_pf_count(n); k++)
            printf("%s%s", k ? "," : " ", sriov_network_pf(n, k));
        printf("\n");
    }
    return cli_list_end(g);
}
