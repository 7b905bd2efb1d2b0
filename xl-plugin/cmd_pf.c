/* pf-list, vf-list, pf-enable, pf-disable: PFs and their VFs. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xl-sriov.h"

/* A row of pf-list (vf NULL) or vf-list: one set of device columns serves both. */
struct dev_row {
    const struct sriov_pf *pf;
    const struct sriov_vf *vf;
};

static const struct sriov_pf *pf_of(const void *row)
{
    return ((const struct dev_row *)row)->pf;
}

static const struct sriov_dev *dev_of(const void *row)
{
    const struct dev_row *r = row;

    return r->vf ? sriov_vf_dev(r->vf) : sriov_pf_dev(r->pf);
}

static void bdf(const void *r, struct cell *c) { c->s = sriov_dev_bdf(dev_of(r)); }
static void vendor(const void *r, struct cell *c)
{
    cell_hex(c, 4, sriov_dev_vendor_id(dev_of(r)));
}
static void device(const void *r, struct cell *c)
{
    cell_hex(c, 4, sriov_dev_device_id(dev_of(r)));
}
static void class(const void *r, struct cell *c) { cell_hex(c, 6, sriov_dev_class(dev_of(r))); }
static void vendor_name(const void *r, struct cell *c) { c->s = sriov_dev_vendor_name(dev_of(r)); }
static void device_name(const void *r, struct cell *c) { c->s = sriov_dev_device_name(dev_of(r)); }
static void driver(const void *r, struct cell *c) { c->s = sriov_dev_driver(dev_of(r)); }
static void netdev(const void *r, struct cell *c) { c->s = sriov_dev_netdev(dev_of(r), 0); }
static void netdevs(const void *r, struct cell *c) { c->s = sriov_dev_netdev(dev_of(r), c->i); }
static void numa(const void *r, struct cell *c) { cell_num(c, sriov_dev_numa_node(dev_of(r))); }
static void vf_index(const void *r, struct cell *c)
{
    cell_num(c, sriov_vf_index(((const struct dev_row *)r)->vf));
}

static void pf_bdf(const void *r, struct cell *c) { c->s = sriov_dev_bdf(sriov_pf_dev(pf_of(r))); }
static void pf_netdev(const void *r, struct cell *c)
{
    c->s = sriov_dev_netdev(sriov_pf_dev(pf_of(r)), 0);
}
static void totalvfs(const void *r, struct cell *c) { cell_num(c, sriov_pf_totalvfs(pf_of(r))); }
static void numvfs(const void *r, struct cell *c) { cell_num(c, sriov_pf_numvfs(pf_of(r))); }
static void vf_offset(const void *r, struct cell *c) { cell_num(c, sriov_pf_vf_offset(pf_of(r))); }
static void vf_stride(const void *r, struct cell *c) { cell_num(c, sriov_pf_vf_stride(pf_of(r))); }
static void vf_device(const void *r, struct cell *c)
{
    cell_hex(c, 4, sriov_pf_vf_device_id(pf_of(r)));
}
static void autoprobe(const void *r, struct cell *c)
{
    int on = sriov_pf_drivers_autoprobe(pf_of(r));

    c->s = on < 0 ? NULL : on ? "on" : "off";
}
static void vfs_of_total(const void *r, struct cell *c)
{
    snprintf(c->buf, sizeof(c->buf), "%u/%u", sriov_pf_numvfs(pf_of(r)),
             sriov_pf_totalvfs(pf_of(r)));
    c->s = c->buf;
}

/* pf-list's summary of each VF. */
static const struct column pf_vf_columns[] = {
    { .key = "index", .type = COL_NUM, .get = vf_index },
    { .key = "bdf", .get = bdf },
    { .key = "driver", .get = driver },
    { .key = "netdev", .get = netdev },
    { 0 },
};

static void pf_vfs(yajl_gen g, const void *row)
{
    const struct sriov_pf *pf = pf_of(row);

    yajl_gen_array_open(g);
    for (size_t i = 0; i < sriov_pf_vf_count(pf); i++)
        list_json_object(g, pf_vf_columns, &(struct dev_row){ pf, sriov_pf_vf(pf, i) });
    yajl_gen_array_close(g);
}

static const struct column pf_columns[] = {
    { .header = "BDF", .width = -13, .key = "bdf", .get = bdf },
    { .header = "Vendor", .width = -6, .key = "vendor", .type = COL_HEX, .get = vendor },
    { .header = "Device", .width = -6, .key = "device", .type = COL_HEX, .get = device },
    { .key = "vendor_name", .get = vendor_name },
    { .key = "device_name", .get = device_name },
    { .key = "class", .type = COL_HEX, .get = class },
    { .header = "Driver", .width = -10, .key = "driver", .get = driver },
    { .header = "Interface", .width = -15, .key = "netdev", .get = netdev },
    { .key = "netdevs", .type = COL_LIST, .get = netdevs },
    { .header = "NUMA", .width = 4, .key = "numa_node", .type = COL_NUM, .get = numa },
    { .key = "totalvfs", .type = COL_NUM, .get = totalvfs },
    { .key = "numvfs", .type = COL_NUM, .get = numvfs },
    { .header = "VFs/Total", .width = 9, .get = vfs_of_total },
    { .key = "vf_offset", .type = COL_NUM, .get = vf_offset },
    { .key = "vf_stride", .type = COL_NUM, .get = vf_stride },
    { .key = "vf_device", .type = COL_HEX, .get = vf_device },
    { .key = "drivers_autoprobe", .type = COL_BOOL, .get = autoprobe },
    { .key = "vfs", .json = pf_vfs },
    { .header = "Name", .sep = "  ", .get = device_name },
    { 0 },
};

static const struct column vf_columns[] = {
    { .header = "PF", .width = -13, .key = "pf", .get = pf_bdf },
    { .header = "PF interface", .width = -15, .get = pf_netdev },
    { .header = "Index", .width = 5, .key = "index", .type = COL_NUM, .get = vf_index },
    { .header = "BDF", .width = -13, .key = "bdf", .get = bdf },
    { .key = "vendor", .type = COL_HEX, .get = vendor },
    { .key = "device", .type = COL_HEX, .get = device },
    { .header = "Driver", .width = -10, .key = "driver", .get = driver },
    { .header = "Interface", .width = -15, .key = "netdev", .get = netdev },
    { .header = "NUMA", .width = 4, .key = "numa_node", .type = COL_NUM, .get = numa },
    { 0 },
};

static int pf_rows(struct cli *cli, const char *operand, struct list *l)
{
    (void)operand;
    for (size_t i = 0; i < sriov_ctx_pf_count(cli->ctx); i++)
        list_row(l, &(struct dev_row){ sriov_ctx_pf(cli->ctx, i), NULL });
    return EXIT_OK;
}

static void vf_rows_of(struct list *l, const struct sriov_pf *pf)
{
    for (size_t i = 0; i < sriov_pf_vf_count(pf); i++)
        list_row(l, &(struct dev_row){ pf, sriov_pf_vf(pf, i) });
}

/* The VFs of the PF that operand names, or of every PF. */
static int vf_rows(struct cli *cli, const char *operand, struct list *l)
{
    struct sriov_pf *only = NULL;

    if (operand && sriov_pf_find(cli->ctx, operand, &only))
        return cli_fail(cli, "cannot find the PF");
    if (only)
        vf_rows_of(l, only);
    else
        for (size_t i = 0; i < sriov_ctx_pf_count(cli->ctx); i++)
            vf_rows_of(l, sriov_ctx_pf(cli->ctx, i));
    return EXIT_OK;
}

int cmd_pf_list(struct cli *cli, int argc, char **argv)
{
    static const struct listing pfs = { "pf-list", 0, pf_columns, sriov_ctx_scan,
                                        "cannot discover SR-IOV devices", .rows = pf_rows };

    return cli_list(cli, argc, argv, &pfs);
}

int cmd_vf_list(struct cli *cli, int argc, char **argv)
{
    static const struct listing vfs = { "vf-list", 1, vf_columns, sriov_ctx_scan,
                                        "cannot discover SR-IOV devices", .rows = vf_rows };

    return cli_list(cli, argc, argv, &vfs);
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
        { "dry-run", no_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    unsigned int flags = 0, n = 0;
    struct sriov_pf *pf;
    bool first = true, dry_run = false;
    int c;

    while ((c = cli_getopt(cmd, argc, argv, "fnh", opts, &first)) > 0) {
        if (c == 'f') {
            flags |= SRIOV_NUMVFS_FORCE;
        } else if (c == 'n') {
            dry_run = true;
        } else if (enable) { /* 'p' */
            flags |= SRIOV_NUMVFS_HOST_PROBE;
        } else {
            cli_usage_error(cmd, "--host-probe is for pf-enable");
            return EXIT_USAGE;
        }
    }
    if (!c)
        c = cli_check_operands(cmd, argc, argv, enable ? 2 : 1, enable ? 2 : 1,
                               enable ? "expected a PF and a VF count" : "expected a PF");
    if (!c && dry_run)
        c = cli_dry_run(cli, false);
    if (c)
        return c;
    if (enable && !parse_count(argv[optind + 1], &n)) {
        cli_usage_error(cmd, "'%s' is not a VF count", argv[optind + 1]);
        return EXIT_USAGE;
    }
    if (sriov_pf_find(cli->ctx, argv[optind], &pf))
        return cli_fail(cli, "cannot find the PF");
    if (sriov_pf_set_numvfs(cli->ctx, pf, n, flags))
        return cli_fail(cli, enable ? "cannot enable VFs" : "cannot disable VFs");
    cli_log(cli, XTL_PROGRESS, "%s: %u VFs %s", sriov_dev_bdf(sriov_pf_dev(pf)),
            sriov_pf_numvfs(pf), dry_run ? "would be enabled" : "enabled");
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
