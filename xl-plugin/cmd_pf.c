/* pf-list, pf-enable, pf-disable. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xl-sriov.h"

static void pf_json(yajl_gen g, const struct sriov_pf *pf)
{
    const struct sriov_dev *dev = sriov_pf_dev(pf);
    int autoprobe = sriov_pf_drivers_autoprobe(pf);
    char class[12];

    yajl_gen_map_open(g);
    json_kv_str(g, "bdf", sriov_dev_bdf(dev));
    json_kv_hex16(g, "vendor", sriov_dev_vendor_id(dev));
    json_kv_hex16(g, "device", sriov_dev_device_id(dev));
    json_kv_str(g, "vendor_name", sriov_dev_vendor_name(dev));
    json_kv_str(g, "device_name", sriov_dev_device_name(dev));
    snprintf(class, sizeof(class), "0x%06x", sriov_dev_class(dev));
    json_kv_str(g, "class", class);
    json_kv_str(g, "driver", sriov_dev_driver(dev));
    json_kv_str(g, "netdev", sriov_dev_netdev(dev, 0));
    json_key(g, "netdevs");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < sriov_dev_netdev_count(dev); i++)
        json_str(g, sriov_dev_netdev(dev, i));
    yajl_gen_array_close(g);
    json_kv_int(g, "numa_node", sriov_dev_numa_node(dev));
    json_kv_int(g, "totalvfs", sriov_pf_totalvfs(pf));
    json_kv_int(g, "numvfs", sriov_pf_numvfs(pf));
    json_kv_int(g, "vf_offset", sriov_pf_vf_offset(pf));
    json_kv_int(g, "vf_stride", sriov_pf_vf_stride(pf));
    json_kv_hex16(g, "vf_device", sriov_pf_vf_device_id(pf));
    json_key(g, "drivers_autoprobe");
    if (autoprobe < 0)
        yajl_gen_null(g);
    else
        yajl_gen_bool(g, autoprobe);
    json_key(g, "vfs");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < sriov_pf_vf_count(pf); i++) {
        const struct sriov_vf *vf = sriov_pf_vf(pf, i);
        const struct sriov_dev *vdev = sriov_vf_dev(vf);
        yajl_gen_map_open(g);
        json_kv_int(g, "index", sriov_vf_index(vf));
        json_kv_str(g, "bdf", sriov_dev_bdf(vdev));
        json_kv_str(g, "driver", sriov_dev_driver(vdev));
        json_kv_str(g, "netdev", sriov_dev_netdev(vdev, 0));
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
}

static void pf_table(struct cli *cli)
{
    printf("%-13s %-6s %-6s %-10s %-15s %4s %9s  %s\n", "BDF", "Vendor", "Device", "Driver",
           "Interface", "NUMA", "VFs/Total", "Name");
    for (size_t i = 0; i < sriov_ctx_pf_count(cli->ctx); i++) {
        const struct sriov_pf *pf = sriov_ctx_pf(cli->ctx, i);
        const struct sriov_dev *dev = sriov_pf_dev(pf);
        char vfs[24];

        snprintf(vfs, sizeof(vfs), "%u/%u", sriov_pf_numvfs(pf), sriov_pf_totalvfs(pf));
        printf("%-13s %04x   %04x   %-10s %-15s %4d %9s  %s\n", sriov_dev_bdf(dev),
               sriov_dev_vendor_id(dev), sriov_dev_device_id(dev),
               or_dash(sriov_dev_driver(dev)), or_dash(sriov_dev_netdev(dev, 0)),
               sriov_dev_numa_node(dev), vfs, sriov_dev_device_name(dev));
    }
}

int cmd_pf_list(struct cli *cli, int argc, char **argv)
{
    const struct cmd_spec *cmd = cli_find_command("pf-list");
    bool json;
    int rc;

    rc = cli_parse_list_opts(cmd, argc, argv, 0, 0, &json);
    if (rc)
        return rc;
    if (sriov_ctx_scan(cli->ctx))
        return cli_fail(cli, "cannot discover SR-IOV devices");
    if (!json) {
        pf_table(cli);
        return EXIT_OK;
    }
    yajl_gen g;
    rc = cli_list_begin(true, &g);
    if (rc)
        return rc;
    for (size_t i = 0; i < sriov_ctx_pf_count(cli->ctx); i++)
        pf_json(g, sriov_ctx_pf(cli->ctx, i));
    return cli_list_end(g);
}

/* Parse a VF count: digits only, so "4x" or "-1" are errors, not 4 or a huge number. */
static bool parse_count(const char *s, unsigned int *out)
{
    char *end;
    unsigned long v;

    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || *end != '\0' || v > 65535)
        return false;
    *out = (unsigned int)v;
    return true;
}

static int set_numvfs(struct cli *cli, const struct cmd_spec *cmd, int argc, char **argv,
                      bool enable)
{
    static const struct option opts[] = {
        { "host-probe", no_argument, NULL, 'p' },
        { "force", no_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    unsigned int flags = 0, n = 0;
    struct sriov_pf *pf;
    bool first = true;
    int c;

    while ((c = cli_getopt(cmd, argc, argv, "fh", opts, &first)) > 0) {
        if (c == 'f') {
            flags |= SRIOV_NUMVFS_FORCE;
        } else if (enable) { /* 'p' */
            flags |= SRIOV_NUMVFS_HOST_PROBE;
        } else {
            cli_usage_error(cmd, "--host-probe is for pf-enable");
            return EXIT_USAGE;
        }
    }
    if (c)
        return c;
    if (argc - optind != (enable ? 2 : 1)) {
        cli_usage_error(cmd, "expected %s", enable ? "a PF and a VF count" : "a PF");
        return EXIT_USAGE;
    }
    if (enable && !parse_count(argv[optind + 1], &n)) {
        cli_usage_error(cmd, "'%s' is not a VF count", argv[optind + 1]);
        return EXIT_USAGE;
    }
    if (sriov_pf_find(cli->ctx, argv[optind], &pf))
        return cli_fail(cli, "cannot find the PF");
    if (sriov_pf_set_numvfs(cli->ctx, pf, n, flags))
        return cli_fail(cli, enable ? "cannot enable VFs" : "cannot disable VFs");
    cli_log(cli, XTL_PROGRESS, "%s: %u VFs enabled", sriov_dev_bdf(sriov_pf_dev(pf)),
            sriov_pf_numvfs(pf));
    return EXIT_OK;
}

int cmd_pf_enable(struct cli *cli, int argc, char **argv)
{
    return set_numvfs(cli, cli_find_command("pf-enable"), argc, argv, true);
}

int cmd_pf_disable(struct cli *cli, int argc, char **argv)
{
    return set_numvfs(cli, cli_find_command("pf-disable"), argc, argv, false);
}
