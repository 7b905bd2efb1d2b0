/* Assignments: records (assign_state.c), allocation (alloc.c), the attach/detach
 * steps with rollback (assign.c), create (create.c) and gc (gc.c).  Internal. */
#ifndef SRIOV_ASSIGN_H
#define SRIOV_ASSIGN_H

#include <stdbool.h>
#include <sys/types.h>

#include "hv.h"
#include "netcfg.h"

/* Steps a record has completed; undone in the reverse of this order. */
enum {
    STEP_ENABLED_VFS = 1u << 0,  /* we enabled the PF's VFs (numvfs was 0) */
    STEP_L2 = 1u << 1,           /* VF L2 settings applied (saved ones to restore) */
    STEP_ASSIGNABLE = 1u << 2,   /* assignable_add done */
    STEP_PCI = 1u << 3,          /* given to the domain (pci_add or xl create) */
    STEP_XS = 1u << 4,           /* recorded in xenstore */
    STEP_OVERRIDE = 1u << 5,     /* driver_override = pciback written */
};

enum sriov__phase { PHASE_RESERVED, PHASE_ATTACHED };

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

/* alloc.c: choose a free VF for req; fills pf/index (and vf when it exists). */
int sriov__alloc(struct sriov_ctx *ctx, struct sriov_hv *hv, const struct sriov__recs *recs,
                 const struct sriov__vf_req *req, int prefer_node,
                 struct sriov_assignment *out, unsigned int *numvfs_to_enable);

/* assign.c */
struct sriov__dom_id {
    uint8_t uuid[16];
    uint32_t domid;
    char name[64];
    unsigned int slot;           /* which of the domain's VFs: keys the stable MAC */
};
/* Reserve, enable VFs, check isolation, apply L2, make assignable, and with
 * attach also pci_add + record.  On failure everything done is undone and the
 * error names the step.  Caller holds the assignments lock and passes the
 * loaded records, which are saved as steps complete. */
int sriov__assign_prepare(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                          const struct sriov__dom_id *dom, const struct sriov__vf_req *req,
                          int prefer_node, unsigned int flags, bool attach, size_t *rec_index);
/* Mark attached to dom and publish in xenstore. */
int sriov__assign_commit(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                         size_t i, const struct sriov_hv_domain *dom);
/* Undo every completed step of record i in reverse order and drop it.  best_effort
 * (rollback, gc): carry on past failures; else stop at the first and keep the
 * record with the steps still done. */
int sriov__assign_release(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                          size_t i, bool best_effort);

/* list.c */
void sriov__assignments_free(struct sriov_ctx *ctx);

#endif
