/*
 * libxl's, libxenctrl's and libxenstore's own messages, through the context's
 * log callback: they then follow the caller's threshold (xl-sriov -v, as xl -v
 * does for libxl) and reach wherever the caller logs, instead of a fixed
 * error-level stream on stderr.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "hv/hv_libxl.h"

struct ctx_logger {
    xentoollog_logger vtable;    /* first: libxl calls through it */
    struct sriov_ctx *ctx;
};

static int syslog_priority(xentoollog_level level)
{
    switch (level) {
    case XTL_CRITICAL: return LOG_CRIT;
    case XTL_ERROR: return LOG_ERR;
    case XTL_WARN: return LOG_WARNING;
    case XTL_NOTICE: return LOG_NOTICE;
    case XTL_INFO:
    case XTL_PROGRESS: return LOG_INFO;
    default: return LOG_DEBUG;
    }
}

static void ctx_vmessage(xentoollog_logger *logger, xentoollog_level level, int errnoval,
                         const char *context, const char *format, va_list args)
    __attribute__((format(printf, 5, 0)));
static void ctx_vmessage(xentoollog_logger *logger, xentoollog_level level, int errnoval,
                         const char *context, const char *format, va_list args)
{
    struct ctx_logger *l = (struct ctx_logger *)logger;
    char msg[SRIOV_ERR_LEN];

    vsnprintf(msg, sizeof(msg), format, args);
    if (errnoval > 0)
        sriov__log(l->ctx, syslog_priority(level), "libxl", 0, context ? context : "libxl",
                   "%s: %s", msg, strerror(errnoval));
    else
        sriov__log(l->ctx, syslog_priority(level), "libxl", 0, context ? context : "libxl",
                   "%s", msg);
}

static void ctx_destroy(xentoollog_logger *logger)
{
    free(logger);
}

xentoollog_logger *sriov__lx_logger_new(struct sriov_ctx *ctx)
{
    struct ctx_logger *l = calloc(1, sizeof(*l));

    if (!l)
        return NULL;
    l->vtable.vmessage = ctx_vmessage;
    l->vtable.destroy = ctx_destroy;
    l->ctx = ctx;
    return &l->vtable;
}
