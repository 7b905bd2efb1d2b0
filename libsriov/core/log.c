/* Logging through the context's callback, and the last error (log.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

void sriov__log_stderr(void *data, int priority, const char *file, int line, const char *fn,
                       const char *format, va_list args)
{
    (void)data;
    (void)priority;
    (void)file;
    (void)line;
    fprintf(stderr, "libsriov: %s: ", fn);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
}

int sriov__log_priority_from_env(void)
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
    char msg[SRIOV_ERR_LEN];
    va_list args;

    va_start(args, format);
    vsnprintf(msg, sizeof(msg), format, args);
    va_end(args);
    memcpy(ctx->last_error, msg, sizeof(msg));
    sriov__dbg(ctx, "%s (%s)", ctx->last_error, strerror(-rc));
    return rc;
}

void sriov__error_save(const struct sriov_ctx *ctx, struct sriov__saved_error *e)
{
    memcpy(e->msg, ctx->last_error, sizeof(e->msg));
}

void sriov__error_restore(struct sriov_ctx *ctx, const struct sriov__saved_error *e)
{
    memcpy(ctx->last_error, e->msg, sizeof(e->msg));
}

const char *sriov_ctx_last_error(const struct sriov_ctx *ctx)
{
    return ctx->last_error;
}

void sriov_ctx_set_log_fn(struct sriov_ctx *ctx, sriov_log_fn fn, void *data)
{
    ctx->log_fn = fn ? fn : sriov__log_stderr;
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

void sriov__progress(struct sriov_ctx *ctx, unsigned long done, unsigned long total,
                     const char *format, ...)
{
    char what[160];
    va_list ap;

    if (!ctx->progress_fn)
        return;
    va_start(ap, format);
    vsnprintf(what, sizeof(what), format, ap);
    va_end(ap);
    ctx->progress_fn(ctx->progress_data, what, done, total);
}
