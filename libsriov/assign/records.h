/* Assignment records: <state_dir>/assignments.json, read and written under the
 * "assignments" lock (records.c). */
#ifndef SRIOV_ASSIGN_RECORDS_H
#define SRIOV_ASSIGN_RECORDS_H

#include <stdbool.h>
#include <sys/types.h>

#include "internal.h"

/* Steps a record has completed, in the order they run; undone in reverse
 * (assign/steps.c says where that order bends and why). */
enum {
    SRIOV_STEP_ENABLED_VFS = 1u << 0, /* we enabled the PF's VFs (numvfs was 0) */
    SRIOV_STEP_L2 = 1u << 1,          /* VF L2 settings applied (saved ones to restore) */
    SRIOV_STEP_OVERRIDE = 1u << 2,    /* driver_override = pciback written */
    SRIOV_STEP_ASSIGNABLE = 1u << 3,  /* assignable_add done */
    SRIOV_STEP_PCI = 1u << 4,         /* given to the domain (pci_add or xl create) */
    SRIOV_STEP_XS = 1u << 5,          /* recorded in xenstore */
};

enum sriov__phase { SRIOV_PHASE_RESERVED, SRIOV_PHASE_ATTACHED };

struct sriov_assignment {
    char uuid[SRIOV_UUID_STR_LEN];
    uint32_t domid;              /* a hint: domids are reused */
    char name[64];
    char pf[SRIOV_BDF_LEN];
    unsigned int index;
    char vf[SRIOV_BDF_LEN];      /* "" until the VF exists */
    char *network;               /* NULL for pf= requests */
    char mac[18];
    char *driver;                /* the VF's driver before assignment, NULL if none */
    char *spec;                  /* the vf= entry, for the stable MAC */
    enum sriov__phase phase;
    unsigned int steps;
    pid_t owner;                 /* while reserved: the process preparing it */
};

struct sriov__recs {
    struct sriov_assignment *v;
    size_t n;
};

/* Caller holds sriov__lock(ctx, "assignments"). */
int sriov__recs_load(struct sriov_ctx *ctx, struct sriov__recs *out);
int sriov__recs_save(struct sriov_ctx *ctx, const struct sriov__recs *recs);
void sriov__recs_dispose(struct sriov__recs *recs);
void sriov__rec_dispose(struct sriov_assignment *r);
int sriov__rec_copy(struct sriov_assignment *dst, const struct sriov_assignment *src);
/* Index of the record for vf (BDF) or (pf, index); -1 if none. */
ssize_t sriov__recs_find(const struct sriov__recs *recs, const char *pf, unsigned int index);
ssize_t sriov__recs_find_vf(const struct sriov__recs *recs, const char *vf);
int sriov__recs_add(struct sriov__recs *recs, const struct sriov_assignment *r);
void sriov__recs_remove(struct sriov__recs *recs, size_t i);

/* list.c: the snapshot sriov_ctx_load_assignments() took. */
void sriov__assignments_free(struct sriov_ctx *ctx);

#endif
