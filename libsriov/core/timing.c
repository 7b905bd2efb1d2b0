/* Per-phase wall time of a command (timing.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "core/timing.h"

static const char *const names[SRIOV_T_N] = {
    [SRIOV_T_OTHER] = "other (context, config, libxl connection)",
    [SRIOV_T_SCAN] = "host scan",
    [SRIOV_T_HV] = "hypervisor queries",
    [SRIOV_T_ALLOC] = "allocation",
    [SRIOV_T_ENABLE] = "enabling VFs",
    [SRIOV_T_ISOLATION] = "isolation checks",
    [SRIOV_T_L2] = "L2 settings",
    [SRIOV_T_ASSIGNABLE] = "pciback (driver_override, assignable_add)",
    [SRIOV_T_STATE] = "state (lock, read, write+fsync)",
    [SRIOV_T_XL] = "xl create",
    [SRIOV_T_XS] = "xenstore",
};

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void sriov__timing_start(struct sriov_ctx *ctx)
{
    memset(&ctx->timing, 0, sizeof(ctx->timing));
    ctx->timing.start_ns = ctx->timing.mark_ns = now_ns();
}

enum sriov__timed sriov__time_in(struct sriov_ctx *ctx, enum sriov__timed next)
{
    struct sriov__timing *p = &ctx->timing;
    enum sriov__timed was = p->cur;
    uint64_t t = now_ns();

    p->ns[was] += t - p->mark_ns;
    p->mark_ns = t;
    p->cur = next;
    return was;
}

void sriov__timing_report(struct sriov_ctx *ctx, const char *what)
{
    struct sriov__timing *p = &ctx->timing;
    char buf[640];
    size_t used = 0;

    if (ctx->log_priority < LOG_INFO)
        return;
    sriov__time_in(ctx, p->cur); /* charge up to now */
    for (int i = 0; i < SRIOV_T_N; i++) {
        /* xl create first, "other" last: the order of the log reads best. */
        int k = i == 0 ? SRIOV_T_XL : i == SRIOV_T_XL ? SRIOV_T_OTHER : i;
        if (!p->ns[k] || used >= sizeof(buf))
            continue;
        used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s %.3f s",
                                 used ? ", " : "", names[k], (double)p->ns[k] / 1e9);
    }
    sriov__info(ctx, "timing: %s: %.3f s since the library started: %s", what,
                (double)(p->mark_ns - p->start_ns) / 1e9, used ? buf : "nothing");
}
