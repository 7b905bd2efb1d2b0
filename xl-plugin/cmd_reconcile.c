/* Commands that answer with a report: reconcile (repair the assignment records
 * from what the host shows) and boot (the host's start-up). */
#include "config.h"

#include <stdio.h>

#include "xl-sriov.h"

void cli_print_report(const struct sriov_report *r, bool json)
{
    yajl_gen g = json ? json_new() : NULL;

    if (g)
        yajl_gen_array_open(g);
    for (size_t i = 0; i < sriov_report_count(r); i++) {
        if (!g) {
            printf("%-11s %s: %s\n", sriov_report_action(r, i), sriov_report_subject(r, i),
                   sriov_report_detail(r, i));
            continue;
        }
        yajl_gen_map_open(g);
        json_kv_str(g, "action", sriov_report_action(r, i));
        json_kv_str(g, "subject", sriov_report_subject(r, i));
        json_kv_str(g, "detail", sriov_report_detail(r, i));
        yajl_gen_map_close(g);
    }
    if (g) {
        yajl_gen_array_close(g);
        json_finish(g);
    }
}

int cmd_reconcile(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        { "dry-run", no_argument, NULL, 'n' },
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const struct cmd_spec *cmd = cli_find_command("reconcile");
    struct sriov_report *report = NULL;
    bool first = true, json = false;
    unsigned int flags = 0;
    int c;

    while ((c = cli_getopt(cmd, argc, argv, "njh", opts, &first)) > 0) {
        if (c == 'n')
            flags |= SRIOV_RECONCILE_DRY_RUN;
        else
            json = true;
    }
    if (c == CLI_OPTS_DONE)
        c = cli_check_operands(cmd, argc, argv, 0, 0, NULL);
    if (!c && (flags & SRIOV_RECONCILE_DRY_RUN))
        c = cli_dry_run(cli, json);
    if (c)
        return c;
    if (sriov_reconcile(cli->ctx, flags, &report))
        return cli_fail(cli, "reconcile failed");
    cli_print_report(report, json);
    if (!json && !sriov_report_count(report))
        cli_log(cli, XTL_INFO, "the records agree with the host");
    sriov_report_free(report);
    return EXIT_OK;
}

int cmd_boot(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        { "auto-dir", required_argument, NULL, 'a' },
        { "dry-run", no_argument, NULL, 'n' },
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const struct cmd_spec *cmd = cli_find_command("boot");
    const char *dirs[16], *dflt = "/etc/xen/auto";
    struct sriov_report *report = NULL;
    bool first = true, json = false, dry_run = false;
    size_t n = 0;
    int c, rc;

    while ((c = cli_getopt(cmd, argc, argv, "a:njh", opts, &first)) > 0) {
        if (c == 'j') {
            json = true;
        } else if (c == 'n') {
            dry_run = true;
        } else if (n == sizeof(dirs) / sizeof(dirs[0])) {
            cli_usage_error(cmd, "at most %zu --auto-dir", n);
            return EXIT_USAGE;
        } else {
            dirs[n++] = optarg;
        }
    }
    if (c == CLI_OPTS_DONE)
        c = cli_check_operands(cmd, argc, argv, 0, 0, NULL);
    if (!c && dry_run)
        c = cli_dry_run(cli, json);
    if (c)
        return c;
    if (!n)
        dirs[n++] = dflt;
    rc = sriov_boot(cli->ctx, dirs, n, &report);
    if (report)
        cli_print_report(report, json);
    sriov_report_free(report);
    return rc ? cli_fail(cli, "boot") : EXIT_OK;
}
