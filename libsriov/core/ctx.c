/* The library context: its options, and the teardown of everything it holds. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "core/backend.h"
#include "core/plan.h"
#include "l2/nl.h"
#include "assign/records.h"
#include "config/network.h"
#include "hv/hv.h"
#include "sysfs/sysfs.h"

#define DEFAULT_SYSFS_ROOT "/sys"
#define DEFAULT_STATE_DIR "/var/lib/xen-sriov"
#define DEFAULT_RUN_DIR "/run/xen-sriov"
#define DEFAULT_CONFIG_PATH "/etc/xen/sriov.cfg"
#define DEFAULT_SETTLE_MS 10000

static int dup_or_default(char **dst, const char *value, const char *fallback)
{
    *dst = strdup(value && *value ? value : fallback);
    return *dst ? 0 : -ENOMEM;
}

int sriov_ctx_new(struct sriov_ctx **ret, const struct sriov_ctx_opts *opts)
{
    struct sriov_ctx_opts none = { 0 };
    struct sriov_ctx *ctx = NULL;
    int rc;

    *ret = NULL;
    if (!opts)
        opts = &none;
    for (size_t i = 0; i < sizeof(opts->reserved) / sizeof(opts->reserved[0]); i++)
        if (opts->reserved[i])
            return -EINVAL;

    ctx = calloc(1, sizeof(*ctx));
    if (!ctx)
        return -ENOMEM;
    sriov__timing_start(ctx);
    ctx->pci_devices_fd = -1;
    ctx->owner_fd = -1;
    ctx->log_fn = sriov__log_stderr;
    ctx->log_priority = sriov__log_priority_from_env();
    ctx->settle_timeout_ms = opts->settle_timeout_ms ? opts->settle_timeout_ms
                                                     : DEFAULT_SETTLE_MS;
    ctx->plan_fn = opts->plan_fn;
    ctx->plan_data = opts->plan_data;
    ctx->progress_fn = opts->progress_fn;
    ctx->progress_data = opts->progress_data;

    rc = dup_or_default(&ctx->sysfs_root, opts->sysfs_root, DEFAULT_SYSFS_ROOT);
    if (!rc)
        rc = dup_or_default(&ctx->state_dir, opts->state_dir, DEFAULT_STATE_DIR);
    if (!rc)
        rc = dup_or_default(&ctx->run_dir, opts->run_dir, DEFAULT_RUN_DIR);
    if (!rc)
        rc = dup_or_default(&ctx->config_path, opts->config_path, DEFAULT_CONFIG_PATH);
    ctx->config_given = opts->config_path && *opts->config_path;
    if (!rc)
        rc = dup_or_default(&ctx->hypervisor, opts->hypervisor, "libxl");
    if (!rc)
        rc = dup_or_default(&ctx->netlink, opts->netlink, "kernel");
    if (rc)
        goto out;

    /* Trailing slashes would double up in every path we build. */
    for (size_t n = strlen(ctx->sysfs_root); n > 1 && ctx->sysfs_root[n - 1] == '/'; n--)
        ctx->sysfs_root[n - 1] = '\0';

    *ret = ctx;
    ctx = NULL;
out:
    sriov_ctx_free(ctx);
    return rc;
}

void sriov_ctx_free(struct sriov_ctx *ctx)
{
    if (!ctx)
        return;
    sriov__hv_close(ctx);
    sriov__nl_close(ctx);
    sriov__backends_unload(ctx);
    sriov__netcfg_free(ctx);
    sriov__assignments_free(ctx);
    sriov__owner_release(ctx);
    sriov__pfs_free(ctx);
    sriov__pci_names_free(ctx);
    sriov__sysfs_close(ctx);
    sriov__plan_free(ctx);
    free(ctx->sysfs_root);
    free(ctx->state_dir);
    free(ctx->run_dir);
    free(ctx->config_path);
    free(ctx->hypervisor);
    free(ctx->netlink);
    free(ctx);
}

const char *sriov_ctx_sysfs_root(const struct sriov_ctx *ctx)
{
    return ctx->sysfs_root;
}
