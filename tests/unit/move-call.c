/*
 * move-call: the move API in an order no xl-sriov command uses, from the shell,
 * for tests/cli/test-migrate.sh.  The context takes its paths from the same
 * SRIOV_* variables as xl-sriov (SRIOV_SYSFS, SRIOV_STATE_DIR, SRIOV_RUN_DIR,
 * SRIOV_CONFIG, SRIOV_HYPERVISOR, SRIOV_NETLINK).
 *   move-call xl-unleft DOMAIN CONFIG XLARGS...
 *       sriov_move_begin_config(SAVE, CONFIG), then sriov_move_xl(XLARGS)
 *       without sriov_move_leave(): a library caller that skips the step
 *       that checks CONFIG and makes the copy xl reads.
 * Prints the failing call's error on stderr and exits with its errno, or 0.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sriov.h"

static int usage(void)
{
    fprintf(stderr, "usage: move-call xl-unleft DOMAIN CONFIG XLARGS...\n");
    return 64;
}

int main(int argc, char **argv)
{
    struct sriov_ctx_opts opts = {
        .sysfs_root = getenv("SRIOV_SYSFS"),
        .state_dir = getenv("SRIOV_STATE_DIR"),
        .run_dir = getenv("SRIOV_RUN_DIR"),
        .config_path = getenv("SRIOV_CONFIG"),
        .hypervisor = getenv("SRIOV_HYPERVISOR"),
        .netlink = getenv("SRIOV_NETLINK"),
    };
    struct sriov_ctx *ctx = NULL;
    struct sriov_move *m = NULL;
    const char *step = "context";
    int rc;

    if (argc < 5 || strcmp(argv[1], "xl-unleft"))
        return usage();
    /* Without them the context would be the real host's (sysfs, state, libxl). */
    if (!opts.hypervisor || !opts.sysfs_root || !opts.state_dir) {
        fprintf(stderr, "move-call: set SRIOV_HYPERVISOR, SRIOV_SYSFS and SRIOV_STATE_DIR "
                        "(a test host), not the real one\n");
        return 64;
    }
    rc = sriov_ctx_new(&ctx, &opts);
    if (!rc) {
        step = "sriov_move_begin_config";
        rc = sriov_move_begin_config(ctx, argv[2], SRIOV_MOVE_SAVE, argv[3], &m);
    }
    if (!rc) {
        step = "sriov_move_xl";
        rc = sriov_move_xl(ctx, m, argv + 4, (size_t)argc - 4);
    }
    if (rc)
        fprintf(stderr, "move-call: %s: %s (%s)\n", step, ctx ? sriov_ctx_last_error(ctx) : "",
                strerror(-rc));
    sriov_move_free(m);
    sriov_ctx_free(ctx);
    return rc ? -rc : 0;
}
