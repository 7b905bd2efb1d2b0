/* The library context: options, logging and the last error. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "hv.h"
#include "assign.h"

#define DEFAULT_SYSFS_ROOT "/sys"
#define DEFAULT_STATE_DIR "/var/lib/xen-sriov"
#define DEFAULT_RUN_DIR "/run/xen-sriov"
#define DEFAULT_CONFIG_PATH "/etc/xen/sriov.cfg"
#define DEFAULT_SETTLE_MS 10000

static void log_stderr(void *data, int priority, const char *file, int line,
                       const char *fn, const char *format, va_list args)
{
    (void)data;
    (void)priority;
    (void)file;
    (void)line;
    fprintf(stderr, "libsriov: %s: ", fn);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
}

static int priority_from_env(void)
{
    const char *env = secure_getenv("SRIOV_LOG");

    if (!env)
        return LOG_ERR;
    if (!strcasecmp(env, "debug"))
        return LOG_DEBUG;
    if (!strcasecmp(env, "info"))
        return LOG_INFO;
    if (!strcasecmp(env, "warning"))
        return LOG_WARNING;
    return LOG_ERR;
}

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

    ctx = calloc(1, sizeof(*ctx));
    if (!ctx)
        return -ENOMEM;
    ctx->log_fn = log_stderr;
    ctx->log_priority = priority_from_env();
    ctx->settle_timeout_ms = opts->settle_timeout_ms ? opts->settle_timeout_ms
                                                     : DEFAULT_SETTLE_MS;

    rc = dup_or_default(&ctx->sysfs_root, opts->sysfs_root, DEFAULT_SYSFS_ROOT);
    if (!rc)
        rc = dup_or_default(&ctx->state_dir, opts->state_dir, DEFAULT_STATE_DIR);
    if (!rc)
        rc = dup_or_default(&ctx->run_dir, opts->run_dir, DEFAULT_RUN_DIR);
    if (!rc)
        rc = dup_or_default(&ctx->config_path, opts->config_path, DEFAULT_CONFIG_PATH);
    if (!rc)
        rc = dup_or_default(&ctx->hypervisor, opts->hypervisor, "libxl");
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
    sriov__netcfg_free(ctx);
    sriov__assignments_free(ctx);
    sriov__pfs_free(ctx);
    sriov__pci_names_free(ctx);
    free(ctx->sysfs_root);
    free(ctx->state_dir);
    free(ctx->run_dir);
    free(ctx->config_path);
    free(ctx->hypervisor);
    free(ctx);
}

const char *sriov_ctx_last_error(const struct sriov_ctx *ctx)
{
    return ctx->last_error;
}

void sriov_ctx_set_log_fn(struct sriov_ctx *ctx, sriov_log_fn fn, void *data)
{
    ctx->log_fn = fn ? fn : log_stderr;
    ctx->log_data = fn ? data : NULL;
}

void sriov_ctx_set_log_priority(struct sriov_ctx *ctx, int priority)
{
    ctx->log_priority = priority;
}

int sriov_ctx_get_log_priority(const struct sriov_ctx *ctx)
{
    return ctx->log_priority;
}

const char *sriov_ctx_sysfs_root(const struct sriov_ctx *ctx)
{
    return ctx->sysfs_root;
}

void sriov__log(struct sriov_ctx *ctx, int priority, const char *file, int line,
                const char *fn, const char *format, ...)
{
    va_list args;

    if (priority > ctx->log_priority)
        return;
    va_start(args, format);
    ctx->log_fn(ctx->log_data, priority, file, line, fn, format, args);
    va_end(args);
}

int sriov__fail(struct sriov_ctx *ctx, int rc, const char *format, ...)
{
    va_list args;

    char msg[SRIOV_ERR_LEN];

    /* Format into a copy: callers may pass ctx->last_error as an argument to wrap it. */
    va_start(args, format);
    vsnprintf(msg, sizeof(msg), format, args);
    va_end(args);
    memcpy(ctx->last_error, msg, sizeof(msg));
    sriov__dbg(ctx, "%s (%s)", ctx->last_error, strerror(-rc));
    return rc;
}
