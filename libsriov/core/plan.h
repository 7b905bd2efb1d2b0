/* Dry runs (sriov_ctx_opts.plan_fn): the seams report a change instead of making it. */
#ifndef SRIOV_CORE_PLAN_H
#define SRIOV_CORE_PLAN_H

#include <stdbool.h>

#include "sriov.h"

/* Whether ctx only plans: every seam that changes the host asks this first. */
bool sriov__dry_run(const struct sriov_ctx *ctx);
/* Hand one planned change to the caller's plan_fn (a no-op outside a dry run). */
void sriov__plan(struct sriov_ctx *ctx, const char *seam, const char *format, ...)
    SRIOV_PRINTF(3, 4);
/*
 * What the host would look like after the planned changes, where the rest of the
 * call reads it back: keys "driver:BDF" (the driver a dry run would have bound),
 * "attr:BDF/ATTR" (a sysfs attribute it would have written), "file:PATH" (a state
 * file it would have deleted), "xs:PATH" (a xenstore node).  value NULL records
 * a removal.  _get: 1 with *value (NULL if removed) when the key was planned,
 * else 0.  _get_prefix also answers for keys below a removed one ("xs:A/B" when
 * "xs:A" was removed).
 */
int sriov__plan_put(struct sriov_ctx *ctx, const char *key, const char *value);
int sriov__plan_get(const struct sriov_ctx *ctx, const char *key, const char **value);
int sriov__plan_get_prefix(const struct sriov_ctx *ctx, const char *key, const char **value);
/* Forget what the dry run has planned for the records (ctx_free). */
void sriov__plan_free(struct sriov_ctx *ctx);

#endif
