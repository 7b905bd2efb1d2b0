/*
 * Dry runs.  A context with a plan_fn makes no change: each seam that would
 * change the host (sysfs/sysfs.c writes, l2/nl.c settings, hv/hv_plan.c calls,
 * core/statefile.c and the records) describes the change here and carries on as
 * if it had been made, so that the rest of the call runs the code it would run
 * for real and the plan comes out in the order of the real changes.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "core/plan.h"

bool sriov__dry_run(const struct sriov_ctx *ctx)
{
    return ctx->plan_fn != NULL;
}

void sriov__plan(struct sriov_ctx *ctx, const char *seam, const char *format, ...)
{
    char *text = NULL;
    va_list ap;
    int n;

    if (!ctx->plan_fn)
        return;
    va_start(ap, format);
    n = vasprintf(&text, format, ap);
    va_end(ap);
    /* Out of memory: still say that something would change here. */
    ctx->plan_fn(ctx->plan_data, seam, n < 0 ? "(a change that cannot be described)" : text);
    if (n >= 0)
        free(text);
}

/* The overlay is a short list of (key, value) pairs: a dry run makes a handful of
 * changes, so a linear search is the cheapest structure. */
int sriov__plan_put(struct sriov_ctx *ctx, const char *key, const char *value)
{
    char *v = strdup(value ? value : "");
    int rc;

    if (!v)
        return -ENOMEM;
    for (size_t i = 0; i + 1 < ctx->n_plan_overlay; i += 2) {
        if (!strcmp(ctx->plan_overlay[i], key)) {
            free(ctx->plan_overlay[i + 1]);
            ctx->plan_overlay[i + 1] = v;
            ctx->plan_overlay[i][0] = value ? '+' : '-';
            return 0;
        }
    }
    rc = sriov__strv_push(&ctx->plan_overlay, &ctx->n_plan_overlay,
                          sriov__asprintf("%c%s", value ? '+' : '-', key));
    if (!rc)
        rc = sriov__strv_push(&ctx->plan_overlay, &ctx->n_plan_overlay, v);
    else
        free(v);
    return rc;
}

int sriov__plan_get(const struct sriov_ctx *ctx, const char *key, const char **value)
{
    for (size_t i = 0; i + 1 < ctx->n_plan_overlay; i += 2) {
        if (!strcmp(ctx->plan_overlay[i] + 1, key)) {
            *value = ctx->plan_overlay[i][0] == '+' ? ctx->plan_overlay[i + 1] : NULL;
            return 1;
        }
    }
    return 0;
}

int sriov__plan_get_prefix(const struct sriov_ctx *ctx, const char *key, const char **value)
{
    for (size_t i = 0; i + 1 < ctx->n_plan_overlay; i += 2) {
        const char *k = ctx->plan_overlay[i] + 1;
        size_t n = strlen(k);
        if (!strncmp(key, k, n) && (key[n] == '\0' || key[n] == '/')) {
            *value = ctx->plan_overlay[i][0] == '+' && !key[n] ? ctx->plan_overlay[i + 1]
                                                              : NULL;
            if (*value || ctx->plan_overlay[i][0] == '-')
                return 1;
        }
    }
    return 0;
}

void sriov__plan_free(struct sriov_ctx *ctx)
{
    sriov__strv_free(ctx->plan_overlay, ctx->n_plan_overlay);
    ctx->plan_overlay = NULL;
    ctx->n_plan_overlay = 0;
    sriov__strv_free(ctx->plan_recs, ctx->n_plan_recs);
    ctx->plan_recs = NULL;
    ctx->n_plan_recs = 0;
    ctx->plan_recs_known = false;
    free(ctx->plan_recs_data);
    ctx->plan_recs_data = NULL;
    free(ctx->plan_numvfs);
    ctx->plan_numvfs = NULL;
    ctx->n_plan_numvfs = 0;
}
