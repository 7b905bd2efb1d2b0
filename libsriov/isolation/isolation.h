/* Isolation checks before assignment (isolation.c: the Xen checks and the report;
 * isolation_pci*.c: configuration space through libpci, the bridges above the VF
 * and the VF and its PF themselves; isolation_bars.c: BAR pages). */
#ifndef SRIOV_ISOLATION_H
#define SRIOV_ISOLATION_H

#include "internal.h"

struct sriov_hv;
/* The checks behind sriov_isolation_check(); hv NULL: the Xen checks are not run. */
int sriov__isolation_check(struct sriov_ctx *ctx, struct sriov_hv *hv,
                           const struct sriov_vf *vf, struct sriov_isolation **ret);
/* Append a finding; -ENOMEM only. */
int sriov__isolation_add(struct sriov_isolation *r, const char *name,
                         enum sriov_isolation_result result, const char *format, ...)
    SRIOV_PRINTF(4, 5);
int sriov__isolation_check_pci(struct sriov_ctx *ctx, const struct sriov_vf *vf,
                               struct sriov_isolation *r);
int sriov__isolation_check_bars(struct sriov_ctx *ctx, const struct sriov_vf *vf,
                                struct sriov_isolation *r);

#endif
