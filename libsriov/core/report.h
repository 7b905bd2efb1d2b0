/* What a repairing call did, item by item (report.c; sriov_report_* in sriov.h). */
#ifndef SRIOV_CORE_REPORT_H
#define SRIOV_CORE_REPORT_H

#include "sriov.h"

int sriov__report_new(struct sriov_report **ret);
/* Append an item; -ENOMEM only. */
int sriov__report_add(struct sriov_report *r, const char *action, const char *subject,
                      const char *format, ...) SRIOV_PRINTF(4, 5);

#endif
