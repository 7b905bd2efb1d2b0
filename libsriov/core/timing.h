/*
 * Where a command's time goes: the context charges the wall time since the last
 * switch to the phase it was in, and a command that wants it logs the sums at
 * info level (`xl-sriov -v`).  Cheap: one clock_gettime() per switch, a few
 * dozen per create.  Phases nest by saving what sriov__time_in() returns:
 *     enum sriov__timed was = sriov__time_in(ctx, SRIOV_T_STATE);
 *     ... write the records ...
 *     sriov__time_in(ctx, was);
 */
#ifndef SRIOV_CORE_TIMING_H
#define SRIOV_CORE_TIMING_H

#include <stdint.h>

#include "sriov.h"

enum sriov__timed {
    SRIOV_T_OTHER,               /* context, config files, libxl connection, the rest */
    SRIOV_T_SCAN,                /* host scan: sysfs */
    SRIOV_T_HV,                  /* hypervisor queries: domains and their devices */
    SRIOV_T_ALLOC,               /* choosing a VF */
    SRIOV_T_ENABLE,              /* writing sriov_numvfs */
    SRIOV_T_ISOLATION,           /* isolation checks */
    SRIOV_T_L2,                  /* L2 settings over rtnetlink */
    SRIOV_T_ASSIGNABLE,          /* driver_override + pci-assignable-add (pciback) */
    SRIOV_T_STATE,               /* records: lock, read, write (fsync) */
    SRIOV_T_XL,                  /* the xl create child, start to exit */
    SRIOV_T_XS,                  /* xenstore record */
    SRIOV_T_N
};

struct sriov__timing {
    uint64_t mark_ns;            /* when the current phase was entered */
    uint64_t start_ns;           /* when the context was created */
    enum sriov__timed cur;
    uint64_t ns[SRIOV_T_N];
};

void sriov__timing_start(struct sriov_ctx *ctx);
enum sriov__timed sriov__time_in(struct sriov_ctx *ctx, enum sriov__timed next);
/* "timing: WHAT: T s since start: xl create A s, ..." at info level; phases
 * without time are left out. */
void sriov__timing_report(struct sriov_ctx *ctx, const char *what);

#endif
