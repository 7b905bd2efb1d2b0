/* create, pci-attach, pci-detach, list, gc, watch: giving VFs to domains. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xl-sriov.h"

/* Exit status for a failed assigning call: scripts can tell "full" and "refused" apart. */
static int assign_fail(struct cli *cli, int rc, const char *what)
{
    cli_fail(cli, what);
    if (rc == -ENOSPC)
        return EXIT_NO_FREE_VF;
    if (rc == -EPERM)
        return EXIT_NOT_ISOLATED;
    return EXIT_ERROR;
}

/*
 * Options of the assigning commands: --force where allowed, -h everywhere.
 * shortopts starts with '+' for create, whose arguments after CFG belong to xl.
 * Returns CLI_OPTS_DONE with the operands at optind, or what the command returns.
 */
static int assign_opts(const struct cmd_spec *cmd, int argc, char **argv, const char *shortopts,
                       unsigned int *flags)
{
    static const struct option opts[] = {
        { "force", no_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    bool first = true;
    int c;

    *flags = 0;
    while ((c = cli_getopt(cmd, argc, argv, shortopts, opts, &first)) > 0) {
        if (!strchr(shortopts, 'f')) { /* --force reached us through the long options */
            cli_usage_error(cmd, "--force means nothing here");
            return EXIT_USAGE;
        }
        *flags |= SRIOV_ASSIGN_FORCE;
    }
    return c;
}

int cmd_create(struct cli *cli, int argc, char **argv)
{
    const struct cmd_spec *cmd = cli_find_command("create");
    unsigned int flags;
    char *uuid = NULL;
    int i, rc;

    rc = assign_opts(cmd, argc, argv, "+fh", &flags);
    if (rc)
        return rc;
    i = optind;
    if (i >= argc) {
        cli_usage_error(cmd, "no config file given");
        return EXIT_USAGE;
    }
    if (flags & SRIOV_ASSIGN_FORCE)
        cli_log(cli, XTL_WARN, "--force: isolation failures will not stop assignment");
    rc = sriov_domain_create(cli->ctx, argv[i], argv + i + 1, (size_t)(argc - i - 1), flags,
                             &uuid);
    if (rc)
        return assign_fail(cli, rc, "create failed");
    printf("%s\n", uuid);
    free(uuid);
    return EXIT_OK;
}

int cmd_pci_attach(struct cli *cli, int argc, char **argv)
{
    const struct cmd_spec *cmd = cli_find_command("pci-attach");
    unsigned int flags;
    char *vf = NULL;
    int i, rc;

    rc = assign_opts(cmd, argc, argv, "fh", &flags);
    if (rc)
        return rc;
    i = optind;
    if (argc - i != 2) {
        cli_usage_error(cmd, "expected DOMAIN and SPEC");
        return EXIT_USAGE;
    }
    if (flags & SRIOV_ASSIGN_FORCE)
        cli_log(cli, XTL_WARN, "--force: isolation failures will not stop assignment");
    rc = sriov_pci_attach(cli->ctx, argv[i], argv[i + 1], flags, &vf);
    if (rc)
        return assign_fail(cli, rc, "pci-attach failed");
    printf("%s\n", vf);
    free(vf);
    return EXIT_OK;
}

int cmd_pci_detach(struct cli *cli, int argc, char **argv)
{
    const struct cmd_spec *cmd = cli_find_command("pci-detach");
    unsigned int flags;
    int i, rc;

    /* No --force: detaching never skips a check, so the flag would mean nothing. */
    rc = assign_opts(cmd, argc, argv, "h", &flags);
    if (rc)
        return rc;
    i = optind;
    if (argc - i != 2) {
        cli_usage_error(cmd, "expected DOMAIN and VF");
        return EXIT_USAGE;
    }
    if (sriov_pci_detach(cli->ctx, argv[i], argv[i + 1]))
        return cli_fail(cli, "pci-detach failed");
    return EXIT_OK;
}

int cmd_list(struct cli *cli, int argc, char **argv)
{
    const struct cmd_spec *cmd = cli_find_command("list");
    yajl_gen g = NULL;
    bool json;
    int rc;

    rc = cli_parse_list_opts(cmd, argc, argv, 0, 0, &json);
    if (rc)
        return rc;
    if (sriov_ctx_load_assignments(cli->ctx))
        return cli_fail(cli, "cannot read the assignments");
    rc = cli_list_begin(json, &g);
    if (rc)
        return rc;
    if (!g) {
        printf("%-20s %-36s %5s %-13s %-13s %3s %-10s %-17s %s\n", "Domain", "UUID", "ID",
               "VF", "PF", "Idx", "Network", "MAC", "State");
    }
    for (size_t i = 0; i < sriov_ctx_assignment_count(cli->ctx); i++) {
        const struct sriov_assignment *a = sriov_ctx_assignment(cli->ctx, i);
        if (g) {
            yajl_gen_map_open(g);
            json_kv_str(g, "domain", sriov_assignment_domain_name(a));
            json_kv_str(g, "uuid", sriov_assignment_domain_uuid(a));
            json_kv_int(g, "domid_hint", sriov_assignment_domid(a));
            json_kv_str(g, "vf", sriov_assignment_vf(a));
            json_kv_str(g, "pf", sriov_assignment_pf(a));
            json_kv_int(g, "index", sriov_assignment_vf_index(a));
            json_kv_str(g, "network", sriov_assignment_network(a));
            json_kv_str(g, "mac", sriov_assignment_mac(a));
            json_kv_str(g, "driver", sriov_assignment_driver(a));
            json_kv_str(g, "state", sriov_assignment_phase(a));
            yajl_gen_map_close(g);
        } else {
            printf("%-20s %-36s %5u %-13s %-13s %3u %-10s %-17s %s\n",
                   or_dash(sriov_assignment_domain_name(a)), sriov_assignment_domain_uuid(a),
                   sriov_assignment_domid(a), or_dash(sriov_assignment_vf(a)),
                   sriov_assignment_pf(a), sriov_assignment_vf_index(a),
                   or_dash(sriov_assignment_network(a)), or_dash(sriov_assignment_mac(a)),
                   sriov_assignment_phase(a));
        }
    }
    return cli_list_end(g);
}

int cmd_gc(struct cli *cli, int argc, char **argv)
{
    const struct cmd_spec *cmd = cli_find_command("gc");
    unsigned int released = 0, flags;
    int rc;

    rc = assign_opts(cmd, argc, argv, "h", &flags);
    if (rc)
        return rc;
    if (optind < argc) {
        cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    if (sriov_gc(cli->ctx, &released))
        return cli_fail(cli, "gc could not give back every VF");
    cli_log(cli, XTL_INFO, "%u VF%s given back", released, released == 1 ? "" : "s");
    return EXIT_OK;
}

/* gc at start, then on every @releaseDomain; a failed gc is logged, not fatal,
 * since the next event retries it. */
int cmd_watch(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        { "once", no_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const struct cmd_spec *cmd = cli_find_command("watch");
    bool once = false, first = true;
    unsigned int released;
    int c, rc;

    while ((c = cli_getopt(cmd, argc, argv, "h", opts, &first)) > 0)
        once = true; /* 'o' */
    if (c)
        return c;
    if (optind < argc) {
        cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    for (;;) {
        if (sriov_gc(cli->ctx, &released))
            cli_fail(cli, "gc");
        else if (released)
            cli_log(cli, XTL_INFO, "%u VF%s given back", released, released == 1 ? "" : "s");
        if (once)
            return EXIT_OK;
        rc = sriov_wait_release(cli->ctx, 60000);
        if (rc < 0)
            return cli_fail(cli, "cannot watch for domains going away");
    }
}
