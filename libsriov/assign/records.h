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
    SRIOV_STEP_AUTOPROBE = 1u << 6,   /* the PF's sriov_drivers_autoprobe was 1 and may
                                         be 0 (only ever pending: enable_vfs puts it back) */
    /* Every bit above: a record with another one comes from a newer version and is
     * refused on load (records.c).  Keep it covering the last step. */
    SRIOV__STEPS_KNOWN = (SRIOV_STEP_AUTOPROBE << 1) - 1,
};

/* reserved: being prepared by its owner (steps.c); attached: the domain has it;
 * releasing: being given back, finished by whoever sees it next (release.c). */
enum sriov__phase { SRIOV_PHASE_RESERVED, SRIOV_PHASE_ATTACHED, SRIOV_PHASE_RELEASING };

/* An owner's id: 16 hex digits naming <run_dir>/owner-<id>.lock (assign/owner.c). */
#define SRIOV__OWNER_ID_LEN 17

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
    unsigned int steps;          /* steps done */
    unsigned int pending;        /* steps begun and saved before their side effect
                                    (write-ahead): maybe done, undone like done ones */
    unsigned int ahead;          /* not in the file: steps not begun yet whose intent
                                    was saved with an earlier one's (steps.c); saved
                                    as pending, apart here so that a failure undoes
                                    only what began */
    pid_t owner;                 /* while reserved: the process preparing it (for messages) */
    char owner_id[SRIOV__OWNER_ID_LEN]; /* its lock (owner.c): "" when none */
};

struct sriov__recs {
    struct sriov_assignment *v;
    size_t n;
    size_t cap;                  /* v's room, doubled as it fills: thousands are loaded */
};

/* The "assignments" lock, which every reader and writer of the records holds.
 * While it is held, which domain holds which device is asked of the hypervisor
 * once and looked up after that (hv/holders.h).  A failure leaves nothing held;
 * unlocking -1 does nothing. */
int sriov__recs_lock(struct sriov_ctx *ctx, int *lockfd);
void sriov__recs_unlock(struct sriov_ctx *ctx, int lockfd);
/* <state_dir>/assignments.json */
int sriov__recs_path(struct sriov_ctx *ctx, char *buf, size_t len);
/* Caller holds sriov__lock(ctx, "assignments"). */
int sriov__recs_load(struct sriov_ctx *ctx, struct sriov__recs *out);
int sriov__recs_save(struct sriov_ctx *ctx, const struct sriov__recs *recs);
/* The file's format without the file (load and save use these; so does the fuzz
 * target): what names the data in errors.  Parsing is records_parse.c's.  Every field is checked both ways, and
 * two records for one VF are refused.  *data is NUL-terminated; data need not be. */
int sriov__recs_parse(struct sriov_ctx *ctx, const char *what, const char *data, size_t len,
                      struct sriov__recs *out);
int sriov__recs_format(struct sriov_ctx *ctx, const char *what, const struct sriov__recs *recs,
                       char **data, size_t *len);
/* records_plan.c: a dry run's save, described against the previous one. */
int sriov__recs_plan(struct sriov_ctx *ctx, const char *path, const struct sriov__recs *recs);
void sriov__recs_dispose(struct sriov__recs *recs);
void sriov__rec_dispose(struct sriov_assignment *r);
int sriov__rec_copy(struct sriov_assignment *dst, const struct sriov_assignment *src);
/* Index of the record for vf (BDF) or (pf, index); -1 if none. */
ssize_t sriov__recs_find(const struct sriov__recs *recs, const char *pf, unsigned int index);
ssize_t sriov__recs_find_vf(const struct sriov__recs *recs, const char *vf);
int sriov__recs_add(struct sriov__recs *recs, const struct sriov_assignment *r);
void sriov__recs_remove(struct sriov__recs *recs, size_t i);

/* "reserved", "attached", "releasing": as saved and listed. */
const char *sriov__phase_name(enum sriov__phase phase);

/* owner.c: owners of reserved records.  An owner holds an exclusive flock on
 * <run_dir>/owner-<id>.lock for as long as its context lives, so a record's owner
 * is alive exactly while that lock is held: a zombie, a reused pid or a reboot
 * (run_dir is on tmpfs) all read as gone. */
/* This process's id, taking its lock on first use. */
int sriov__owner_claim(struct sriov_ctx *ctx, const char **id);
/* 1 if r's owner holds its lock (or is this process), 0 if it is gone, <0 on error. */
int sriov__owner_alive(struct sriov_ctx *ctx, const struct sriov_assignment *r);
/* Drop this process's lock (sriov_ctx_free). */
void sriov__owner_release(struct sriov_ctx *ctx);

/* list.c: the snapshot sriov_ctx_load_assignments() took. */
void sriov__assignments_free(struct sriov_ctx *ctx);

#endif
