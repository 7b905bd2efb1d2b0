/*
 * A domain leaving the host (migration, save, or an orchestrator's
 * pre-migrate) or expected back (restore): its journal, written before the
 * first change so that a crash at any step leaves what the next command or gc
 * needs to finish or undo (move.c, gc.c).  <state_dir>/moves/<uuid>.json, mode
 * 0600, replaced atomically under the assignments lock.
 */
#ifndef SRIOV_ASSIGN_MOVES_H
#define SRIOV_ASSIGN_MOVES_H

#include <sys/types.h>

#include "internal.h"
#include "assign/records.h"
#include "hv/hv.h"

enum sriov__move_phase {
    SRIOV_MOVE_LEAVING,          /* VFs being taken back, xl migrate/save to come:
                                    while the owner lives it is the owner's; after,
                                    a domain still here gets its VFs again */
    SRIOV_MOVE_HANDED_OVER,      /* pre-migrate done: an orchestrator migrates;
                                    post-migrate (here or there) gives VFs back */
    SRIOV_MOVE_SAVED,            /* xl save done: restore gives the VFs back */
};

struct sriov__move {
    char uuid[SRIOV_UUID_STR_LEN];
    char name[64];
    enum sriov__move_phase phase;
    char owner_id[17];           /* the owner lock (owner.c) of the moving process */
    pid_t owner;
    bool save;                   /* a save (xl save): a domain gone while leaving was
                                    saved, not migrated, and gets its VFs on restore */
    char **specs;                /* one vf= entry per VF, its MAC fixed (mac=) */
    size_t n_specs;
    char **pfs;                  /* the PFs its VFs came from: the domain uses them while
                                    it moves, so their VFs stay enabled (vfs_duty.c) */
    size_t n_pfs;
    char **enabled_vfs;          /* of those, the PFs whose VFs an assignment of ours
                                    enabled: the move disables them when it ends, unless
                                    another user takes the duty over (vfs_duty.c) */
    size_t n_enabled_vfs;
};

int sriov__move_load(struct sriov_ctx *ctx, const char *uuid, struct sriov__move *m);
int sriov__move_save(struct sriov_ctx *ctx, const struct sriov__move *m);
int sriov__move_delete(struct sriov_ctx *ctx, const char *uuid);
/* The UUIDs that have a journal. */
int sriov__moves_list(struct sriov_ctx *ctx, char ***uuids, size_t *n);
void sriov__move_dispose(struct sriov__move *m);
const char *sriov__move_phase_name(enum sriov__move_phase p);
/* move_back.c: give a domain still here a VF for each spec no record covers
 * (matched by MAC); caller holds the assignments lock.  Every spec is tried. */
struct sriov_hv_domain;
int sriov__move_reattach(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs,
                         const struct sriov__move *j, const struct sriov_hv_domain *hd,
                         unsigned int *reattached);
/* The MAC a spec fixes (mac=), "" if none. */
const char *sriov__spec_mac(const char *spec, char out[18]);
/* move.c: a move's journal, and whether it is a save (kept for restore). */
struct sriov_move;
struct sriov__move *sriov__move_journal(struct sriov_move *m);
bool sriov__move_is_save(const struct sriov_move *m);
/* gc.c: journals whose owner is gone (caller holds the assignments lock and
 * the records): a leaving domain still here gets its VFs again; one that is
 * gone (migrated) is forgotten; saved and handed-over ones are kept. */
int sriov__moves_recover(struct sriov_ctx *ctx, struct sriov_hv *hv, struct sriov__recs *recs);

/* vfs_duty.c: the duty to disable the VFs an assignment of ours enabled
 * (SRIOV_STEP_ENABLED_VFS) passes from user to user of the PF: the records
 * using it, and the journals of domains moving off it.  Caller holds the
 * assignments lock and the records. */
enum sriov__duty_holder { SRIOV_DUTY_NONE, SRIOV_DUTY_RECORD, SRIOV_DUTY_JOURNAL };
/* Hand the duty for pf to another user: a record other than recs->v[self]
 * (SIZE_MAX: none excluded; the caller saves the records), else the journal of
 * a domain moving off pf (saved here): recs->v[self]'s own first, never
 * skip_uuid's.  *to says who took it; SRIOV_DUTY_NONE: nobody uses pf, the
 * caller disables its VFs. */
int sriov__vfs_duty_pass(struct sriov_ctx *ctx, struct sriov__recs *recs, size_t self,
                         const char *skip_uuid, const char *pf, enum sriov__duty_holder *to);
/* End a move: hand over or do the duties of its journal (j's and those on
 * disk, which j gains: sriov__move_reload_duties), then delete it.  On a failure the journal stays, for
 * gc to end it again. */
int sriov__move_forget(struct sriov_ctx *ctx, struct sriov__recs *recs,
                       struct sriov__move *j);
/* The duties on disk, added to j's: other commands hand duties to a moving
 * domain's journal while its mover holds it in memory.  No journal on disk, or
 * one that cannot be read (logged): j as it is. */
int sriov__move_reload_duties(struct sriov_ctx *ctx, struct sriov__move *j);

#endif
