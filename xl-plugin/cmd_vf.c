/* vf-list. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "xl-sriov.h"

static void vf_json(yajl_gen g, const struct sriov_pf *pf, const struct sriov_vf *vf)
{
    const struct sriov_dev *dev = sriov_vf_dev(vf);

    yajl_gen_map_open(g);
    json_kv_str(g, "pf", sriov_dev_bdf(sriov_pf_dev(pf)));
    json_kv_int(g, "index", sriov_vf_index(vf));
    json_kv_str(g, "bdf", sriov_dev_bdf(dev));
    json_kv_hex16(g, "vendor", sriov_dev_vendor_id(dev));
    json_kv_hex16(g, "device", sriov_dev_device_id(dev));
    json_kv_str(g, "driver", sriov_dev_driver(dev));
    json_kv_str(g, "netdev", sriov_dev_netdev(dev, 0));
    json_kv_int(g, "numa_node", sriov_dev_numa_node(dev));
    yajl_gen_map_close(g);
}

static void vf_row(const struct sriov_pf *pf, const struct sriov_vf *vf)
{
    const struct sriov_dev *dev = sriov_vf_dev(vf);
    const struct sriov_dev *pdev = sriov_pf_dev(pf);

    printf("%-13s %-15s %5u %-13s %-10s %-15s %4d\n", sriov_dev_bdf(pdev),
           or_dash(sriov_dev_netdev(pdev, 0)), sriov_vf_index(vf), sriov_dev_bdf(dev),
           or_dash(sriov_dev_driver(dev)), or_dash(sriov_dev_netdev(dev, 0)),
           sriov_dev_numa_node(dev));
}

static void emit_pf(yajl_gen g, const struct sriov_pf *pf)
{
    for (size_t i = 0; i < sriov_pf_vf_count(pf); i++) {
        if (g)
            vf_json(g, pf, sriov_pf_vf(pf, i));
        else
            vf_row(pf, sriov_pf_vf(pf, i));
    }
}

int cmd_vf_list(struct cli *cli, int argc, char **argv)
{
    const struct cmd_spec *cmd = cli_find_command("vf-list");
    struct sriov_pf *only = NULL;
    yajl_gen g = NULL;
    bool json;
    int rc;

    rc = cli_parse_list_opts(cmd, argc, argv, 0, 1, &json);
    if (rc)
        return rc;
    if (sriov_ctx_scan(cli->ctx))
        return cli_fail(cli, "cannot discover SR-IOV devices");
    if (optind < argc && sriov_pf_find(cli->ctx, argv[optind], &only))
        return cli_fail(cli, "cannot find the PF");

    rc = cli_list_begin(json, &g);
    if (rc)
        return rc;
    if (!g) {
        printf("%-13s %-15s %5s %-13s %-10s %-15s %4s\n", "PF", "PF interface", "Index", "BDF",
               "Driver", "Interface", "NUMA");
    }
    if (only) {
        emit_pf(g, only);
    } else {
        for (size_t i = 0; i < sriov_ctx_pf_count(cli->ctx); i++)
            emit_pf(g, sriov_ctx_pf(cli->ctx, i));
    }
    return cli_list_end(g);
}
