/* create, pci-attach, pci-detach, list, gc, watch: giving VFs to domains. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

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

/* create and pci-attach, which print the new domain's UUID or the VF given. */
static int assign(struct cli *cli, int argc, char **argv, bool create)
{
    const struct cmd_spec *cmd = cli_find_command(create ? "create" : "pci-attach");
    unsigned int flags;
    char *out = NULL;
    bool force, dry_run;
    const struct cli_flag opts[] = { { "force", 'f', &force }, { "dry-run", 'n', &dry_run },
                                     { NULL, 0, NULL } };
    int rc;

    /* "+": the arguments after create's CFG belong to xl. */
    rc = cli_parse_flags(cmd, argc, argv, create ? "+fnh" : "fnh", opts);
    if (!rc && dry_run)
        rc = cli_dry_run(cli, false);
    if (!rc)
        rc = create ? cli_check_operands(cmd, argc, argv, 1, INT_MAX, "no config file given")
                    : cli_check_operands(cmd, argc, argv, 2, 2, "expected DOMAIN and SPEC");
    if (rc)
        return rc;
    flags = force ? SRIOV_ASSIGN_FORCE : 0;
    if (force)
        cli_log(cli, XTL_WARN, "--force: isolation failures will not stop assignment");
    if (create)
        rc = sriov_domain_create(cli->ctx, argv[optind], argv + optind + 1,
                                 (size_t)(argc - optind - 1), flags, &out);
    else
        rc = sriov_pci_attach(cli->ctx, argv[optind], argv[optind + 1], flags, &out);
    if (rc)
        return assign_fail(cli, rc, create ? "create failed" : "pci-attach failed");
    printf("%s\n", out);
    free(out);
    return EXIT_OK;
}

int cmd_create(struct cli *cli, int argc, char **argv)
{
    return assign(cli, argc, argv, true);
}

int cmd_pci_attach(struct cli *cli, int argc, char **argv)
{
    return assign(cli, argc, argv, false);
}

int cmd_pci_detach(struct cli *cli, int argc, char **argv)
{
    const struct cmd_spec *cmd = cli_find_command("pci-detach");
    bool dry_run;
    /* No --force: detaching never skips a check, so the flag would mean nothing. */
    const struct cli_flag opts[] = { { "force", 256, NULL }, { "dry-run", 'n', &dry_run },
                                     { NULL, 0, NULL } };
    int rc;

    rc = cli_parse_flags(cmd, argc, argv, "nh", opts);
    if (!rc && dry_run)
        rc = cli_dry_run(cli, false);
    if (!rc)
        rc = cli_check_operands(cmd, argc, argv, 2, 2, "expected DOMAIN and VF");
    if (rc)
        return rc;
    if (sriov_pci_detach(cli->ctx, argv[optind], argv[optind + 1]))
        return cli_fail(cli, "pci-detach failed");
    return EXIT_OK;
}

static void domain(const void *a, struct cell *c) { c->s = sriov_assignment_domain_name(a); }
static void uuid(const void *a, struct cell *c) { c->s = sriov_assignment_domain_uuid(a); }
static void domid(const void *a, struct cell *c) { cell_num(c, sriov_assignment_domid(a)); }
static void vf(const void *a, struct cell *c) { c->s = sriov_assignment_vf(a); }
static void pf(const void *a, struct cell *c) { c->s = sriov_assignment_pf(a); }
static void vf_index(const void *a, struct cell *c) { cell_num(c, sriov_assignment_vf_index(a)); }
static void network(const void *a, struct cell *c) { c->s = sriov_assignment_network(a); }
static void mac(const void *a, struct cell *c) { c->s = sriov_assignment_mac(a); }
static void driver(const void *a, struct cell *c) { c->s = sriov_assignment_driver(a); }
static void phase(const void *a, struct cell *c) { c->s = sriov_assignment_phase(a); }

static const struct column assignment_columns[] = {
    { .header = "Domain", .width = -20, .key = "domain", .get = domain },
    { .header = "UUID", .width = -36, .key = "uuid", .get = uuid },
    { .header = "ID", .width = 5, .key = "domid_hint", .type = COL_NUM, .get = domid },
    { .header = "VF", .width = -13, .key = "vf", .get = vf },
    { .header = "PF", .width = -13, .key = "pf", .get = pf },
    { .header = "Idx", .width = 3, .key = "index", .type = COL_NUM, .get = vf_index },
    { .header = "Network", .width = -10, .key = "network", .get = network },
    { .header = "MAC", .width = -17, .key = "mac", .get = mac },
    { .key = "driver", .get = driver },
    { .header = "State", .key = "state", .get = phase },
    { 0 },
};

static const void *assignment(const struct sriov_ctx *ctx, size_t i)
{
    return sriov_ctx_assignment(ctx, i);
}

int cmd_list(struct cli *cli, int argc, char **argv)
{
    static const struct listing assignments = { "list", 0, assignment_columns,
                                                sriov_ctx_load_assignments,
                                                "cannot read the assignments", .row = assignment };

    return cli_list(cli, argc, argv, &assignments);
}

int cmd_gc(struct cli *cli, int argc, char **argv)
{
    const struct cmd_spec *cmd = cli_find_command("gc");
    unsigned int released = 0;
    bool dry_run;
    const struct cli_flag opts[] = { { "force", 256, NULL }, { "dry-run", 'n', &dry_run },
                                     { NULL, 0, NULL } };
    int rc;

    rc = cli_parse_flags(cmd, argc, argv, "nh", opts);
    if (!rc && dry_run)
        rc = cli_dry_run(cli, false);
    if (!rc)
        rc = cli_check_operands(cmd, argc, argv, 0, 0, NULL);
    if (rc)
        return rc;
    if (sriov_gc(cli->ctx, &released))
        return cli_fail(cli, "gc could not give back every VF");
    cli_log(cli, XTL_INFO, "%u VF%s %s back", released, released == 1 ? "" : "s",
            dry_run ? "would be given" : "given");
    return EXIT_OK;
}

/* gc at start, then on every @releaseDomain; a failed gc is logged, not fatal,
 * since the next event retries it. */
int cmd_watch(struct cli *cli, int argc, char **argv)
{
    const struct cmd_spec *cmd = cli_find_command("watch");
    unsigned int released;
    bool once;
    int rc;

    rc = cli_parse_flag(cmd, argc, argv, "h", "once", &once);
    if (!rc)
        rc = cli_check_operands(cmd, argc, argv, 0, 0, NULL);
    if (rc)
        return rc;
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
