/*
 * Private to assign/records*.c: the checks of one assignment record, and that
 * no two name one VF (records_check.c), shared by loading and saving in records.c.
 */
#ifndef SRIOV_ASSIGN_RECORDS_CHECK_H
#define SRIOV_ASSIGN_RECORDS_CHECK_H

#include <stdbool.h>

#include "assign/records.h"
#include "core/json.h"

/*
 * Every field is checked for type and range when a record is loaded and again
 * before it is saved, so a file either reads back exactly as written or is
 * refused naming the record; nothing is cast, clamped or defaulted past a
 * limit.  Free text (domain name, network, driver, spec) may hold any bytes
 * but NUL: sriov__json_gen_bytes stores what is not UTF-8 as hex.
 */
#define MAX_VF_INDEX 0xffffLL   /* a VF number: TotalVFs is a 16-bit register */
#define MAX_DOMID 0x7fefLL      /* DOMID_FIRST_RESERVED - 1; 0 until the domain exists */
#define MAX_PID 4194304LL       /* PID_MAX_LIMIT, the kernel's largest pid_max */
#define MAX_TEXT 4096           /* network, driver and spec, in bytes */

/* Sets why to "\"key\" what"; returns -EINVAL. */
int sriov__rec_bad(char why[SRIOV_JSON_WHY], const char *key, const char *what);
/* A PCI address in the form sriov__bdf_normalize gives. */
bool sriov__rec_is_canonical_bdf(const char *s);
/* "reserved", "attached" or "releasing"; -EINVAL for anything else. */
int sriov__rec_phase_parse(const char *s, enum sriov__phase *out);
/* What a record must satisfy to be saved or loaded: everything the JSON types
 * cannot say (loading has already checked the numbers' ranges). */
int sriov__rec_check(const struct sriov_assignment *r, char why[SRIOV_JSON_WHY]);
/* One record per VF (PF and index, or VF address): two naming the same one would
 * each be given back.  -EINVAL naming the first two, what naming the file. */
int sriov__recs_check_unique(struct sriov_ctx *ctx, const char *what,
                             const struct sriov__recs *recs);

#endif
